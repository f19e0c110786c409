/**
 * Settings from, in rising precedence: embedded defaults, packaged defaults (an optional
 * `relief.defaults.yaml` in the application folder, which a package such as the container image
 * ships: its data dir is /data), an optional config file (`RELIEF_CONFIG`, JSON or YAML) and
 * environment variables. Packaged defaults sit below the operator's file on purpose: an image's
 * ENV would override the config file the operator mounts. Each value remembers where it came from, for the
 * start-up summary. The file may also hold a `plugins` section: one object per plugin name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config-error.ts';
import { SETTINGS, type SettingKey, type Settings, type SettingSource } from './settings.ts';
import type { ContainerLimits } from './container-limits.ts';
import { resolveSizedSettings, type SizedKey } from './sized-settings.ts';

export interface LoadedConfig {
  settings: Settings;
  sources: Record<SettingKey, SettingSource>;
  /** Each plugin's own section from the config file (`plugins.<name>`). */
  pluginConfig: Record<string, Record<string, unknown>>;
  configFile: string | undefined;
  /** What each setting sized from the machine was derived from, when not set (sized-settings.ts). */
  derivedFrom: Partial<Record<SizedKey, string>>;
}

/** Where a package puts its defaults: the application folder (the repository has none). */
export const PACKAGED_DEFAULTS = fileURLToPath(
  new URL('../../relief.defaults.yaml', import.meta.url),
);

/** What tests replace: the packaged defaults file, and the reading of this machine's limits. */
export interface LoadConfigOptions {
  packagedDefaults?: string;
  limits?: () => ContainerLimits;
}

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Settings> = {},
  { packagedDefaults = PACKAGED_DEFAULTS, limits }: LoadConfigOptions = {},
): LoadedConfig {
  const configFile = env.RELIEF_CONFIG?.trim() || undefined;
  const file = configFile === undefined ? {} : readConfigFile(configFile);
  const { plugins: pluginSection, ...fileSettings } = file;
  checkSettingNames(fileSettings, configFile ?? '', ', plugins');
  const packaged = existsSync(packagedDefaults)
    ? readConfigFile(packagedDefaults, `the packaged defaults ${packagedDefaults}`, {})
    : {};
  checkSettingNames(packaged, packagedDefaults, '');
  const settings = {} as Record<SettingKey, unknown>;
  const sources = {} as Record<SettingKey, SettingSource>;
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const spec = SETTINGS[key];
    let raw: unknown = spec.default;
    let source: SettingSource = 'default';
    if (key in overrides) {
      raw = overrides[key];
    } else if (env[spec.env] !== undefined && env[spec.env] !== '') {
      raw = env[spec.env];
      source = 'environment';
    } else if (key in fileSettings) {
      raw = (fileSettings as Record<string, unknown>)[key];
      source = 'file';
    } else if (key in packaged) {
      raw = packaged[key];
      source = 'packaged';
    }
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      const where =
        source === 'environment'
          ? spec.env
          : source === 'file'
            ? `"${key}" in ${configFile}`
            : source === 'packaged'
              ? `"${key}" in ${packagedDefaults}`
              : key;
      const reason = parsed.error.issues[0]?.message ?? 'invalid value';
      throw new ConfigError(`Invalid setting ${where}=${JSON.stringify(raw)}: ${reason}`, {
        setting: spec.env,
      });
    }
    settings[key] = parsed.data;
    sources[key] = source;
  }
  const sized = resolveSizedSettings(settings as Partial<Record<SizedKey, number>>, limits);
  Object.assign(settings, sized.values);
  return {
    settings: settings as Settings,
    sources,
    pluginConfig: checkPluginSection(pluginSection, configFile),
    configFile,
    derivedFrom: sized.derivedFrom,
  };
}

function checkSettingNames(values: Record<string, unknown>, path: string, others: string): void {
  for (const key of Object.keys(values)) {
    if (!(key in SETTINGS)) {
      throw new ConfigError(
        `Unknown setting "${key}" in ${path}; known settings: ${Object.keys(SETTINGS).join(', ')}${others}`,
        { setting: key },
      );
    }
  }
}

function readConfigFile(
  path: string,
  label = `RELIEF_CONFIG=${path}`,
  /** The setting a failure is blamed on (none for the packaged defaults). */
  blame: { setting?: string } = { setting: 'RELIEF_CONFIG' },
): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Cannot read ${label}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      blame,
    );
  }
  let parsed: unknown;
  try {
    parsed = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `${label} is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
      blame,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`${label} must hold an object of settings`, blame);
  }
  return parsed as Record<string, unknown>;
}

function checkPluginSection(
  section: unknown,
  configFile: string | undefined,
): Record<string, Record<string, unknown>> {
  if (section === undefined || section === null) return {};
  if (typeof section !== 'object' || Array.isArray(section)) {
    throw new ConfigError(`"plugins" in ${configFile} must be an object keyed by plugin name`);
  }
  for (const [name, value] of Object.entries(section)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ConfigError(`"plugins.${name}" in ${configFile} must be an object`);
    }
  }
  return section as Record<string, Record<string, unknown>>;
}

interface SettingSummary {
  value: unknown;
  source: SettingSource;
  env: string;
  /** A default sized from the machine: what it was derived from. */
  derivedFrom?: string;
}

/** One entry per setting with its value and where it came from, for the start-up log. */
export function describeConfig(config: LoadedConfig): Record<string, SettingSummary> {
  const summary: Record<string, SettingSummary> = {};
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    const derivedFrom = config.derivedFrom[key as SizedKey];
    summary[key] = {
      value: config.settings[key] ?? null,
      source: config.sources[key],
      env: SETTINGS[key].env,
      ...(derivedFrom === undefined ? {} : { derivedFrom }),
    };
  }
  return summary;
}
