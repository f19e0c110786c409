/**
 * The plugin API: what a plugin module exports and the narrow interface it is given at
 * registration. A plugin never sees the root server, only these capabilities.
 */
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessControlFilter } from '../access/access-control.ts';
import type { CacheFilter } from '../access/cache-filter.ts';
import type { StatusInfo } from '../api/processes/status-info.ts';
import type { ZodType } from 'zod';
import type { ServerFilter } from '../filters/server-filter.ts';
import type { ProjectReady } from '../project/project-manager.ts';
import type { WorkerPool } from '../pool/worker-pool.ts';
import type { OwsServiceDefinition } from '../services/ows-service.ts';
import type { LayerDefinition, LayerRegistry } from '../layers/layer-registry.ts';
import type { TaskManager } from '../tasks/task-manager.ts';
import type { JobRecord, TaskTypeDefinition } from '../tasks/task-types.ts';

export interface PluginApi<Config = Record<string, unknown>> {
  readonly name: string;
  readonly version: string;
  /** A pino child logger with `plugin: <name>` on every line. */
  readonly log: FastifyBaseLogger;
  /**
   * This plugin's settings: its section of the config file (`plugins.<name>`), overridden by
   * environment variables `RELIEF_<NAME>_<KEY>` (`RELIEF_ELEVATION_MAX_TILES` → `maxTiles`, as a
   * string: use z.coerce in `configSchema`), checked against `configSchema` if declared.
   */
  readonly config: Config;
  /** A folder of the plugin's own under the data dir, created on demand by the plugin. */
  readonly dataDir: string;
  /**
   * The server's one shared worker pool, for CPU-heavy work. `pool.run` defaults to the
   * interactive lane (work a request waits on); see "CPU-heavy work" in docs/plugins.md.
   */
  readonly pool: WorkerPool;
  /** Adds a filter; lower priorities run first, equal ones in registration order. */
  registerFilter(filter: ServerFilter, priority?: number): void;
  /**
   * Adds an access-control filter for the map services (layer permissions, feature filters,
   * visible attributes, cache key), as QGIS Server's registerAccessControl.
   */
  registerAccessControl(filter: AccessControlFilter, priority?: number): void;
  /**
   * Adds a cache for capabilities documents and map images, as QGIS Server's
   * registerServerCache: `get` and `set` entries, `delete` one and `clear` them when the server
   * says what they depend on changed (see "Access control and caching" in docs/plugins.md).
   */
  registerCacheFilter(filter: CacheFilter, priority?: number): void;
  /** Adds a service reachable at `/ows?SERVICE=<name>`. */
  registerService(service: OwsServiceDefinition): void;
  /**
   * Adds Fastify routes in an encapsulated scope of the plugin's own, under `prefix`
   * (default `/<plugin name>`; `''` mounts at the root). The filters run for them as for any route.
   */
  registerRoutes(routes: FastifyPluginAsync, options?: { prefix?: string }): void;
  /**
   * Adds a background task type, published as an OGC API – Processes process
   * (`/processes/<id>`); its tasks run on the shared task manager.
   */
  registerTaskType<Input, Result, Checkpoint>(
    type: TaskTypeDefinition<Input, Result, Checkpoint>,
  ): void;
  /**
   * The server's task manager: submit, read, watch and cancel jobs; and steer the queue as the
   * operator routes do (pause, resume, drain, setMaxConcurrent, cancelAll, stats).
   */
  readonly tasks: Pick<
    TaskManager,
    | 'submit'
    | 'execute'
    | 'get'
    | 'list'
    | 'cancel'
    | 'cancelGroup'
    | 'cancelAll'
    | 'subscribe'
    | 'onEvent'
    | 'waitForFinal'
    | 'hold'
    | 'unhold'
    | 'subtasks'
    | 'dependants'
    | 'pause'
    | 'resume'
    | 'drain'
    | 'setMaxConcurrent'
    | 'stats'
  >;
  /**
   * Layers for the map services. Unlike the register* calls, publishing works at any time:
   * a layer appears (or disappears) without a restart.
   */
  readonly layers: {
    publish(layer: LayerDefinition): void;
    unpublish(name: string): boolean;
    get: LayerRegistry['get'];
    list: LayerRegistry['list'];
  };
  /** The base URL clients reach the server at (RELIEF_PUBLIC_URL, else from the request). */
  baseUrl(request: FastifyRequest): string;
  /** A job as the OGC API – Processes status document `GET /jobs/{jobId}` answers with. */
  jobStatus(job: JobRecord, request: FastifyRequest): StatusInfo;
  /**
   * A signal that aborts when the client of `request` goes away before its response is
   * finished (never after a normal answer): pass it to the pool runs and to `tasks.execute`
   * made for the request. In a filter or service, the same signal is `ctx.signal`.
   */
  requestSignal(request: FastifyRequest, reply: FastifyReply): AbortSignal;
  /** Called on shutdown, after the server stopped taking requests, in reverse load order. */
  onClose(hook: () => void | Promise<void>): void;
  /**
   * Called with the project the server serves (`RELIEF_PROJECT`; the embedded empty project
   * without one), as QGIS Server's onProjectReady: once as soon as the plugin has registered
   * (`reload: false`; the project always loads before plugins), then after every successful
   * reload (`reload: true`, with the layers added, removed and changed). A failed reload keeps
   * the project and calls nothing. Calls to one listener come one at a time, in order; the server
   * does not wait for them, and a listener's error is logged on `log`.
   */
  onProjectReady(listener: (project: ProjectReady) => void | Promise<void>): void;
  /**
   * Worker modules (file URLs) to load on every pool thread at start-up, before the server
   * takes requests: a module loads and compiles once per thread, in hundreds of milliseconds,
   * which the first request to reach each thread would otherwise wait for. Name the modules
   * requests run (or that jobs run often).
   */
  warmWorkers(...modules: URL[]): void;
}

export interface ReliefPlugin<Config = Record<string, unknown>> {
  /** Validates the plugin's config section at load; a failure marks the plugin failed. */
  configSchema?: ZodType<Config>;
  register(api: PluginApi<Config>): void | Promise<void>;
}

/** Identity function that gives a plugin module its types. */
export function definePlugin<Config = Record<string, unknown>>(
  plugin: ReliefPlugin<Config>,
): ReliefPlugin<Config> {
  return plugin;
}
