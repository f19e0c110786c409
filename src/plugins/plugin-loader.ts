/**
 * Finds plugin folders on the plugin path, checks their manifests, imports them and lets each
 * register its filters, services and routes. Registration is staged: nothing a plugin declared
 * takes effect unless its whole registration succeeded, so a plugin that throws half-way leaves
 * no stray filter behind. A failed plugin is reported, not fatal (unless strict).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import semver from 'semver';
import type { AccessControlFilter } from '../access/access-control.ts';
import type { CacheFilter } from '../access/cache-filter.ts';
import { statusInfo } from '../api/processes/status-info.ts';
import type { ServerFilter } from '../filters/server-filter.ts';
import type { ProjectReady } from '../project/project-manager.ts';
import type { OwsServiceDefinition } from '../services/ows-service.ts';
import type { TaskTypeDefinition } from '../tasks/task-types.ts';
import { isCompiled } from '../server/module-url.ts';
import { publicBaseUrl } from '../server/public-url.ts';
import type { ReliefServer } from '../server/create-server.ts';
import { RELIEF_VERSION } from '../server/version.ts';
import type { PluginApi, ReliefPlugin } from './plugin-api.ts';
import {
  describeManifestError,
  MANIFEST_FILE,
  pluginManifestSchema,
  type PluginManifest,
} from './plugin-manifest.ts';
import type { PluginRecord } from './plugin-record.ts';
import { registerReliefSpecifiers } from './relief-specifiers.ts';

const REGISTER_TIMEOUT_MS = 30_000;

/** The parts of the server a plugin's API reaches into, plus what loading needs. */
export interface PluginLoaderOptions extends Pick<
  ReliefServer,
  | 'app'
  | 'chain'
  | 'registry'
  | 'pool'
  | 'tasks'
  | 'layers'
  | 'accessControl'
  | 'cacheFilters'
  | 'contextOf'
  | 'project'
> {
  log: FastifyBaseLogger;
  /** Environment for `RELIEF_<PLUGIN>_<KEY>` overrides of plugin settings. */
  env: NodeJS.ProcessEnv;
  publicUrl: string | undefined;
  pluginsPath: readonly string[];
  dataDir: string;
  pluginConfig: Readonly<Record<string, Record<string, unknown>>>;
  strict: boolean;
}

export interface LoadedPlugins {
  records: PluginRecord[];
  /** Close hooks of loaded plugins, in reverse load order. */
  closeHooks: Array<{ plugin: string; hook: () => void | Promise<void> }>;
  /** Worker modules loaded plugins asked to have loaded on every pool thread (warmWorkers). */
  workerModules: URL[];
}

class PluginLoadError extends Error {
  override readonly name = 'PluginLoadError';
}

interface Staged {
  filters: Array<{ filter: ServerFilter; priority: number }>;
  services: OwsServiceDefinition[];
  taskTypes: TaskTypeDefinition[];
  accessControls: Array<{ filter: AccessControlFilter; priority: number }>;
  cacheFilters: Array<{ filter: CacheFilter; priority: number }>;
  routes: Array<{ routes: FastifyPluginAsync; prefix: string }>;
  closeHooks: Array<() => void | Promise<void>>;
  workerModules: URL[];
  projectListeners: Array<(project: ProjectReady) => void | Promise<void>>;
}

export async function loadPlugins(options: PluginLoaderOptions): Promise<LoadedPlugins> {
  registerReliefSpecifiers();
  const records: PluginRecord[] = [];
  const closeHooks: LoadedPlugins['closeHooks'] = [];
  const workerModules: URL[] = [];
  const seen = new Set<string>();
  for (const folder of await discoverPluginFolders(options.pluginsPath, options.log)) {
    const record: PluginRecord = {
      name: folder.split('/').pop() ?? folder,
      version: null,
      description: null,
      folder,
      status: 'failed',
      error: null,
      filters: 0,
      services: [],
      processes: [],
      routePrefixes: [],
    };
    records.push(record);
    const routeScopes: Array<{ disabled: boolean }> = [];
    let committing = false;
    try {
      const manifest = await readManifest(folder);
      record.name = manifest.name;
      record.version = manifest.version;
      record.description = manifest.description;
      if (seen.has(manifest.name)) {
        throw new PluginLoadError(`another plugin named "${manifest.name}" was loaded first`);
      }
      seen.add(manifest.name);
      if (semver.lt(RELIEF_VERSION, manifest.minReliefVersion)) {
        throw new PluginLoadError(
          `needs Relief ${manifest.minReliefVersion} or newer; this is Relief ${RELIEF_VERSION}`,
        );
      }
      const staged = await registerPlugin(folder, manifest, options);
      committing = true;
      await commit(manifest.name, staged, options, record, routeScopes);
      record.status = 'loaded';
      for (const hook of staged.closeHooks) closeHooks.unshift({ plugin: manifest.name, hook });
      workerModules.push(...staged.workerModules);
      options.log.info(
        {
          plugin: record.name,
          version: record.version,
          filters: record.filters,
          services: record.services,
        },
        'plugin loaded',
      );
    } catch (error) {
      for (const scope of routeScopes) scope.disabled = true;
      record.status = 'failed';
      // Node names modules by their real path: a symlinked plugin's errors show that one.
      const real = await realpath(folder).catch(() => folder);
      record.error = withoutServerPaths(describeError(error), [folder, real]);
      if (committing) {
        // Only what this plugin committed is rolled back: never a same-named plugin's.
        options.chain.removePlugin(record.name);
        options.registry.unregisterOwner(record.name);
        options.tasks.unregisterOwner(record.name);
        options.accessControl.removeOwner(record.name);
        options.cacheFilters.removeOwner(record.name);
        options.project.removeReadyListeners(record.name);
        // Its services and access rules are gone: the other caches' entries may show them.
        options.cacheFilters.invalidate({ reason: 'plugin', plugin: record.name });
      }
      // The log keeps the full error (paths and stack); GET /plugins shows record.error.
      options.log.error(
        { plugin: record.name, folder, err: error },
        `plugin failed to load: ${describeError(error)}`,
      );
      if (options.strict) {
        throw new Error(
          `Plugin ${record.name} failed to load (RELIEF_STRICT_PLUGINS is on): ${record.error}`,
          {
            cause: error,
          },
        );
      }
    }
  }
  return { records, closeHooks, workerModules };
}

/**
 * The plugin folders on the plugin path. An entry may be a plugin folder itself (it holds a
 * plugin.json) or a folder of plugin folders; symbolic links are followed (a Kubernetes
 * ConfigMap or a checkout linked in). Whatever is skipped is logged with the reason, and an
 * entry that yields no plugin at all is a warning: "my plugin did not load" must never be silent.
 */
async function discoverPluginFolders(
  pluginsPath: readonly string[],
  log: FastifyBaseLogger,
): Promise<string[]> {
  const folders: string[] = [];
  const seen = new Set<string>();
  const add = async (folder: string): Promise<boolean> => {
    const real = await realpath(folder);
    if (seen.has(real)) {
      log.info({ folder }, 'plugin folder already on the plugin path (same folder); skipped');
      return false;
    }
    seen.add(real);
    folders.push(folder);
    return true;
  };
  for (const root of pluginsPath) {
    const absolute = resolve(root);
    if (await isPluginFolder(absolute)) {
      await add(absolute);
      continue;
    }
    let names: string[];
    try {
      names = (await readdir(absolute)).sort();
    } catch (error) {
      log.warn(
        { folder: absolute, code: (error as NodeJS.ErrnoException).code },
        'plugin path entry cannot be read; skipped',
      );
      continue;
    }
    // Sorted by name so load order (and so filter order at equal priority) is stable.
    let found = 0;
    for (const name of names) {
      const folder = join(absolute, name);
      let isFolder: boolean;
      try {
        isFolder = (await stat(folder)).isDirectory(); // follows symlinks
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        log.warn({ folder, code }, 'plugin path entry is a broken link or unreadable; skipped');
        continue;
      }
      // Hidden entries (.git, a ConfigMap's ..data) are never plugins: not worth a line.
      const level = name.startsWith('.') ? 'debug' : 'info';
      if (!isFolder) {
        log[level]({ folder }, 'not a folder; skipped');
      } else if (await isPluginFolder(folder)) {
        if (await add(folder)) found++;
      } else {
        log[level]({ folder }, `no ${MANIFEST_FILE} in this folder; not a plugin, skipped`);
      }
    }
    if (found === 0) {
      // An empty folder is a deliberate "no plugins"; one with other things in it is a mistake.
      log[names.length === 0 ? 'info' : 'warn'](
        { folder: absolute },
        `plugin path entry holds no plugin: neither it nor a folder in it has a ${MANIFEST_FILE}`,
      );
    }
  }
  return folders;
}

async function isPluginFolder(folder: string): Promise<boolean> {
  try {
    return (await stat(join(folder, MANIFEST_FILE))).isFile();
  } catch {
    return false;
  }
}

async function readManifest(folder: string): Promise<PluginManifest> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8'));
  } catch (error) {
    throw new PluginLoadError(`${MANIFEST_FILE} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = pluginManifestSchema.safeParse(json);
  if (!parsed.success)
    throw new PluginLoadError(`${MANIFEST_FILE}: ${describeManifestError(parsed.error)}`);
  return parsed.data;
}

/**
 * The plugin's entry module. A plugin compiled along with the core (the image's plugins) has its
 * manifest's `index.ts` as `index.js`; a plugin shipped as TypeScript only is loaded as it is
 * (Node 24 strips the types itself).
 */
function entryUrl(folder: string, entry: string): URL {
  const source = pathToFileURL(join(folder, entry));
  if (!isCompiled(import.meta.url) || !entry.endsWith('.ts')) return source;
  const compiled = new URL(source.href.replace(/\.ts$/, '.js'));
  return existsSync(compiled) ? compiled : source;
}

async function registerPlugin(
  folder: string,
  manifest: PluginManifest,
  options: PluginLoaderOptions,
): Promise<Staged> {
  const module = (await import(entryUrl(folder, manifest.entry).href)) as {
    default?: unknown;
  };
  const plugin = module.default as ReliefPlugin | undefined;
  if (plugin === null || typeof plugin !== 'object' || typeof plugin.register !== 'function') {
    throw new PluginLoadError(
      `${manifest.entry} must export default definePlugin({ register(api) { … } })`,
    );
  }
  let config: Record<string, unknown> = {
    ...(options.pluginConfig[manifest.name] ?? {}),
    ...settingsFromEnvironment(manifest.name, options.env),
  };
  if (plugin.configSchema !== undefined) {
    const parsed = plugin.configSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PluginLoadError(
        `invalid config plugins.${manifest.name}.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      );
    }
    config = parsed.data;
  }
  const staged: Staged = {
    filters: [],
    services: [],
    taskTypes: [],
    accessControls: [],
    cacheFilters: [],
    routes: [],
    closeHooks: [],
    workerModules: [],
    projectListeners: [],
  };
  let open = true;
  const whileOpen = (what: string) => {
    if (!open) throw new Error(`${what} must be called while the plugin registers, not later`);
  };
  const api: PluginApi = {
    name: manifest.name,
    version: manifest.version,
    log: options.log.child({ plugin: manifest.name }),
    config,
    dataDir: join(resolve(options.dataDir), manifest.name),
    pool: options.pool,
    registerFilter(filter, priority = 0) {
      whileOpen('registerFilter');
      if (!Number.isSafeInteger(priority))
        throw new RangeError(`Filter priority must be an integer, got ${priority}`);
      staged.filters.push({ filter, priority });
    },
    registerAccessControl(filter, priority = 0) {
      whileOpen('registerAccessControl');
      staged.accessControls.push({ filter, priority });
    },
    registerCacheFilter(filter, priority = 0) {
      whileOpen('registerCacheFilter');
      staged.cacheFilters.push({ filter, priority });
    },
    registerService(service) {
      whileOpen('registerService');
      staged.services.push(service);
    },
    registerTaskType(type) {
      whileOpen('registerTaskType');
      staged.taskTypes.push(type as TaskTypeDefinition);
    },
    tasks: options.tasks,
    layers: {
      publish: (layer) => void options.layers.publish(layer, manifest.name),
      unpublish: (name) => options.layers.unpublish(name, manifest.name),
      get: (name) => options.layers.get(name),
      list: () => options.layers.list(),
    },
    baseUrl: (request) => publicBaseUrl(request, options.publicUrl),
    jobStatus: (job, request) => statusInfo(job, publicBaseUrl(request, options.publicUrl)),
    requestSignal: (request, reply) => options.contextOf(request, reply).signal,
    registerRoutes(routes, routeOptions) {
      whileOpen('registerRoutes');
      if (typeof routes !== 'function')
        throw new TypeError('registerRoutes expects a Fastify plugin function');
      const prefix = routeOptions?.prefix ?? `/${manifest.name}`;
      if (prefix !== '' && !/^\/[A-Za-z0-9._~\-/]*[^/]$/.test(prefix)) {
        throw new TypeError(`Route prefix must start with / and not end with one, got "${prefix}"`);
      }
      staged.routes.push({ routes, prefix });
    },
    onClose(hook) {
      whileOpen('onClose');
      staged.closeHooks.push(hook);
    },
    onProjectReady(listener) {
      whileOpen('onProjectReady');
      if (typeof listener !== 'function') throw new TypeError('onProjectReady expects a function');
      staged.projectListeners.push(listener);
    },
    warmWorkers(...modules) {
      whileOpen('warmWorkers');
      for (const module of modules) {
        if (!(module instanceof URL)) throw new TypeError('warmWorkers expects module URLs');
        staged.workerModules.push(module);
      }
    },
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve(plugin.register(api)),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new PluginLoadError(
                `register() did not finish within ${REGISTER_TIMEOUT_MS / 1000} s`,
              ),
            ),
          REGISTER_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    open = false;
  }
  return staged;
}

async function commit(
  name: string,
  staged: Staged,
  options: PluginLoaderOptions,
  record: PluginRecord,
  disableOnFailure: Array<{ disabled: boolean }>,
): Promise<void> {
  for (const service of staged.services) {
    options.registry.register(service, name);
    record.services.push(service.name);
  }
  for (const type of staged.taskTypes) {
    options.tasks.registerType(type, name, options.log.child({ plugin: name }));
    record.processes.push(type.id);
  }
  for (const { routes, prefix } of staged.routes) {
    // A route clash (or any error inside the scope) is caught by `after` instead of failing the
    // whole server at ready(). Fastify cannot remove routes, so the scope's own onRequest hook
    // answers 404 for the routes a failed plugin did manage to add.
    let failure: unknown;
    const state = { disabled: false };
    await options.app
      .register(
        async (scope) => {
          scope.addHook('onRequest', (_request, reply, done) => {
            if (state.disabled) reply.callNotFound();
            else done();
          });
          await routes(scope, {});
        },
        { prefix },
      )
      .after((error) => {
        failure = error ?? undefined;
      });
    if (failure !== undefined) {
      state.disabled = true;
      disableOnFailure.push(state);
      throw failure;
    }
    disableOnFailure.push(state);
    record.routePrefixes.push(prefix === '' ? '/' : prefix);
  }
  for (const { filter, priority } of staged.filters) options.chain.register(filter, priority, name);
  for (const { filter, priority } of staged.accessControls) {
    options.accessControl.register(filter, priority, name);
  }
  for (const { filter, priority } of staged.cacheFilters) {
    options.cacheFilters.register(filter, priority, name);
  }
  record.filters = staged.filters.length;
  // Last, so that nothing above can fail after a listener was told of the project.
  const log = options.log.child({ plugin: name });
  for (const listener of staged.projectListeners) {
    const deliver = projectDelivery(listener, log);
    options.project.onReady(name, deliver);
    deliver(options.project.ready());
  }
}

/**
 * One plugin listener's deliveries, one at a time and in order (an async listener finishes with
 * one project before it is given the next), none awaited by the server; a listener's error is
 * logged on the plugin's logger and the next delivery still comes.
 */
function projectDelivery(
  listener: (project: ProjectReady) => void | Promise<void>,
  log: FastifyBaseLogger,
): (project: ProjectReady) => void {
  let queue: Promise<void> = Promise.resolve();
  return (project) => {
    queue = queue
      .then(() => listener(project))
      .catch((error: unknown) => {
        log.error({ err: error, reload: project.reload }, 'onProjectReady listener failed');
      });
  };
}

/** `RELIEF_ELEVATION_MAX_TILES=5` → `{ maxTiles: '5' }` for the plugin named `elevation`. */
export function settingsFromEnvironment(
  plugin: string,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const prefix = `RELIEF_${plugin.toUpperCase().replaceAll('-', '_')}_`;
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || value === undefined || value === '') continue;
    const key = name
      .slice(prefix.length)
      .toLowerCase()
      .replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    if (key !== '') settings[key] = value;
  }
  return settings;
}

/** Where Relief itself is installed (src/ or dist/ is below it): its paths are nobody's business. */
const INSTALL_ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * A load error as GET /plugins shows it to anyone: paths inside the plugin's folder become
 * relative to it (`./missing.ts`), paths inside Relief's installation start at `<relief>`, so
 * the answer tells the plugin's author what failed without mapping the server's file system.
 */
function withoutServerPaths(message: string, folders: readonly string[]): string {
  let text = message;
  for (const [path, name] of [
    ...folders.map((folder) => [folder, '.'] as const),
    [INSTALL_ROOT, '<relief>'] as const,
  ]) {
    text = text.replaceAll(pathToFileURL(path).href, name).replaceAll(path, name);
  }
  return text;
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}
