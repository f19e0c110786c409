/**
 * Settings from, in rising precedence: embedded defaults, an optional config file (`RELIEF_CONFIG`,
 * JSON or YAML) and environment variables. Each value remembers where it came from, for the
 * start-up summary. The file may also hold a `plugins` section: one object per plugin name.
 */
import { readFileSync } from 'node:fs';
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

/** `limits` replaces the reading of this machine's CPU and memory limits (tests). */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Settings> = {},
  limits?: () => ContainerLimits,
): LoadedConfig {
  const configFile = env.RELIEF_CONFIG?.trim() || undefined;
  const file = configFile === undefined ? {} : readConfigFile(configFile);
  const { plugins: pluginSection, ...fileSettings } = file;
  for (const key of Object.keys(fileSettings)) {
    if (!(key in SETTINGS)) {
      throw new ConfigError(
        `Unknown setting "${key}" in ${configFile}; known settings: ${Object.keys(SETTINGS).join(', ')}, plugins`,
      );
    }
  }
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
    }
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      const where =
        source === 'environment' ? spec.env : source === 'file' ? `"${key}" in ${configFile}` : key;
      const reason = parsed.error.issues[0]?.message ?? 'invalid value';
      throw new ConfigError(`Invalid setting ${where}=${JSON.stringify(raw)}: ${reason}`);
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

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Cannot read RELIEF_CONFIG=${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = /\.json$/i.test(path) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `RELIEF_CONFIG=${path} is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`RELIEF_CONFIG=${path} must hold an object of settings`);
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
