/**
 * Builds a Relief server: Fastify with the request loop installed, the core OWS services, the
 * health and plugin routes, static files, the shared worker pool and the plugins. It does not
 * listen; `main.ts` does, and tests use `app.inject` or supertest on `app.server`.
 */
import { setMaxListeners } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyFormbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { AccessControl } from '../access/access-control.ts';
import { CacheFilters } from '../access/cache-filter.ts';
import { registerLandingRoutes } from '../api/landing-routes.ts';
import { registerOpenApi } from '../api/openapi.ts';
import { registerConformanceRoutes } from '../api/processes/conformance-routes.ts';
import { registerJobsRoutes } from '../api/processes/jobs-routes.ts';
import { registerQueueRoutes } from '../api/admin/queue-routes.ts';
import { registerProcessesRoutes } from '../api/processes/processes-routes.ts';
import type { LoadedConfig } from '../config/load-config.ts';
import { FilterChain } from '../filters/filter-chain.ts';
import { registerHealthRoutes } from '../health/health-routes.ts';
import { LayerRegistry } from '../layers/layer-registry.ts';
import { loadPlugins, type LoadedPlugins } from '../plugins/plugin-loader.ts';
import type { PluginRecord } from '../plugins/plugin-record.ts';
import { registerPluginRoutes } from '../plugins/plugin-routes.ts';
import { ProjectManager } from '../project/project-manager.ts';
import { registerProjectRoutes } from '../project/project-routes.ts';
import { WorkerPool } from '../pool/worker-pool.ts';
import { installRequestLoop, type ContextAccessor } from '../request-loop/install-request-loop.ts';
import { CORE_WORKER_MODULES, registerCoreServices } from '../services/core-services.ts';
import { registerOwsRoutes } from '../services/ows-dispatcher.ts';
import { ServiceRegistry } from '../services/service-registry.ts';
import { DataDirCheck } from '../storage/data-dir-check.ts';
import { configureWriteSync } from '../storage/write-sync.ts';
import { DataDirLock, DataDirLockedError } from '../storage/data-dir-lock.ts';
import { SqliteJobStore } from '../tasks/sqlite-job-store.ts';
import { VectorStore } from '../vector/vector-store.ts';
import { TaskManager } from '../tasks/task-manager.ts';
import { FrameworkErrorRelay } from '../request-loop/framework-errors.ts';
import { formatSchemaErrors } from '../request-loop/schema-errors.ts';
import { installJsonBodyParser } from '../request-loop/json-body-parser.ts';
import { AccessLogController } from './access-log.ts';
import { answerUnmetExpectations, clientErrorHandler } from './client-error.ts';
import { installBodyGuards } from './body-guards.ts';
import { installHostCheck } from './host-check.ts';
import { trackInFlightRequests } from './in-flight-requests.ts';
import { loggerOptions, requestId } from './logger.ts';
import type { ShutdownParts } from './shutdown.ts';
import { RELIEF_VERSION } from './version.ts';

export interface CreateServerOptions {
  /** A logger to use instead of a new pino instance (tests pass a silent or capturing one). */
  logger?: FastifyBaseLogger;
  /** A pool to share instead of creating one; the server will not close it. */
  pool?: WorkerPool;
  /** Environment for plugin settings (`RELIEF_<PLUGIN>_<KEY>`); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface ReliefServer {
  app: FastifyInstance;
  chain: FilterChain;
  registry: ServiceRegistry;
  pool: WorkerPool;
  tasks: TaskManager;
  layers: LayerRegistry;
  accessControl: AccessControl;
  cacheFilters: CacheFilters;
  contextOf: ContextAccessor;
  plugins: readonly PluginRecord[];
  project: ProjectManager;
  /**
   * The steps `shutDown` (shutdown.ts) orders under one deadline. A plain `app.close()` runs
   * them too, in the same order but without the deadline.
   */
  shutdown: ShutdownParts;
}

/** Room in a form body for the parameters other than FILTER. */
const FORM_SLACK_BYTES = 64 * 1024;

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

export async function createServer(
  config: LoadedConfig,
  options: CreateServerOptions = {},
): Promise<ReliefServer> {
  const { settings } = config;
  const frameworkErrors = new FrameworkErrorRelay();
  const app = Fastify({
    ...(options.logger === undefined
      ? { logger: loggerOptions(settings.logLevel) }
      : { loggerInstance: options.logger }),
    genReqId: requestId,
    logController: new AccessLogController({ requestIdLogLabel: 'requestId' }),
    requestIdHeader: false,
    bodyLimit: settings.bodyLimit,
    trustProxy: settings.trustProxy,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
    // Node's timeouts bound only the receiving of a request: once it is read, a long response
    // (SSE job events, ?wait long polls, streamed features) is not cut. A socket idle timeout
    // (connectionTimeout) would cut those, so it stays off.
    requestTimeout: settings.requestTimeout * 1000,
    keepAliveTimeout: settings.keepAliveTimeout * 1000,
    http: {
      requestTimeout: settings.requestTimeout * 1000,
      headersTimeout: Math.min(settings.headersTimeout, settings.requestTimeout) * 1000,
      // How often Node looks for requests past those bounds (its default is 30 s).
      connectionsCheckingInterval: 1000,
      // Node would answer a missing Host with a bare 400; the host check answers it in our format.
      requireHostHeader: false,
    },
    clientErrorHandler,
    frameworkErrors: frameworkErrors.handler,
    schemaErrorFormatter: formatSchemaErrors,
    // Fastify's default strips properties a schema does not allow, so `/jobs?group=x` would
    // silently list every job: a parameter a route does not know is a 400 naming it instead.
    ajv: { customOptions: { removeAdditional: false } },
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  const inFlight = trackInFlightRequests(app);
  installHostCheck(app, { allowedHosts: settings.allowedHosts });
  installBodyGuards(app);
  answerUnmetExpectations(app);
  // A form posted to /ows carries KVP parameters; the one that can be large is a FILTER, at most
  // RELIEF_MAX_XML_BYTES of XML, which percent-encoding at most triples. A larger form is refused
  // (413) while it arrives: decoding it would hold the event loop about 15 ms per MB and leave as
  // much again to the garbage collector, only to refuse its FILTER afterwards.
  const owsBodyLimit = Math.min(settings.bodyLimit, 3 * settings.maxXmlBytes + FORM_SLACK_BYTES);
  await app.register(fastifyFormbody, { bodyLimit: owsBodyLimit });
  installJsonBodyParser(app, settings.maxJsonDepth);
  // OWS POST requests carry XML documents; services parse what they understand.
  app.addContentTypeParser(
    ['text/xml', 'application/xml'],
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );

  const chain = new FilterChain();
  const registry = new ServiceRegistry();
  const layers = new LayerRegistry();
  const accessControl = new AccessControl();
  const cacheFilters = new CacheFilters(app.log.child({ component: 'cache-filters' }));
  // What cached documents and images depend on: the layers (the project's among them).
  layers.onChange(({ name }) => cacheFilters.invalidate({ reason: 'layers', layers: [name] }));
  const contextOf = installRequestLoop(app, chain, registry, frameworkErrors);
  // Aborted when shutdown begins; every open event stream and long poll listens to it.
  const stopping = new AbortController();
  setMaxListeners(0, stopping.signal);
  // Before plugins, so project layers own their names; a broken project file stops start-up here.
  const project = await ProjectManager.open({
    path: settings.project,
    layers,
    log: app.log.child({ component: 'project' }),
  });

  configureWriteSync(settings.writeSyncBytes);
  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    new WorkerPool({
      threads: settings.workers,
      niceIncrement: settings.workerNice,
      backgroundYieldMs: settings.poolBackgroundYieldMs,
      youngGenerationMb: settings.workerYoungGenerationMb,
      threadSettings: {
        rowCacheBytes: settings.rowCacheBytes,
        writeSyncBytes: settings.writeSyncBytes,
      },
      onError: (error) => app.log.warn({ err: error }, 'worker pool: %s', error.message),
    });
  const cleanup: Array<() => unknown> = [];
  if (ownsPool) cleanup.push(() => pool.close());
  cleanup.push(() => project.close());
  project.onReload((outcome) => {
    if (outcome.status === 'reloaded') cacheFilters.invalidate({ reason: 'project' });
  });
  if (settings.projectWatch) project.watch();
  const fail = async (error: unknown): Promise<never> => {
    for (const step of cleanup.reverse()) await step();
    throw error;
  };
  try {
    await pool.check();
  } catch (error) {
    return fail(
      new Error(`The worker pool could not start: ${(error as Error).message}`, { cause: error }),
    );
  }

  const dataDir = resolve(settings.dataDir);
  await mkdir(dataDir, { recursive: true });
  // Before anything is read or written there: a second server on this data dir stops here.
  let lock: DataDirLock;
  try {
    lock = await DataDirLock.acquire(dataDir, { log: app.log.child({ component: 'data-dir' }) });
  } catch (error) {
    return fail(
      error instanceof DataDirLockedError
        ? error
        : new Error(`The data dir ${dataDir} cannot be locked: ${(error as Error).message}`, {
            cause: error,
          }),
    );
  }
  cleanup.push(() => lock.release());
  let store: SqliteJobStore;
  try {
    store = new SqliteJobStore(join(dataDir, 'relief.db'));
  } catch (error) {
    return fail(
      new Error(`The job database in ${dataDir} cannot be opened: ${(error as Error).message}`, {
        cause: error,
      }),
    );
  }
  cleanup.push(() => store.close());
  const dataDirCheck = new DataDirCheck({ dir: dataDir, minFreeBytes: settings.minFreeDisk, lock });
  const tasks = new TaskManager({
    store,
    pool,
    log: app.log.child({ component: 'tasks' }),
    maxConcurrent: settings.maxConcurrentTasks,
    jobsDir: join(dataDir, 'jobs'),
    dataDir,
    retentionSeconds: settings.jobRetention,
    cancelGraceSeconds: settings.taskCancelGrace,
    storage: dataDirCheck,
  });

  await registerOpenApi(app);
  registerCoreServices(registry, {
    layers,
    vectors: new VectorStore(),
    pool,
    metadata: () => project.metadata(),
    limits: {
      maxWidth: settings.maxImageSize,
      maxHeight: settings.maxImageSize,
      maxLayers: settings.maxMapLayers,
      maxPixels: settings.maxMapPixels,
      maxMapMemory: settings.maxMapMemory,
      maxMapQueue: settings.maxMapQueue,
      mapQueueTimeout: settings.mapQueueTimeout,
      maxFeatureCount: settings.maxFeatureCount,
      maxXmlBytes: settings.maxXmlBytes,
    },
    accessControl,
    cacheFilters,
  });
  registerOwsRoutes(app, {
    registry,
    contextOf,
    publicUrl: settings.publicUrl,
    maxXmlBytes: settings.maxXmlBytes,
    // /ows reads a POSTed document only to its root element, and a form only for a FILTER of at
    // most RELIEF_MAX_XML_BYTES: a larger body is refused (413) as it arrives, before Fastify
    // gathers and decodes it on the event loop (about 50 ms for 9.5 MB).
    bodyLimit: owsBodyLimit,
  });

  const health = {
    pluginsLoaded: false,
    plugins: (): readonly PluginRecord[] => loaded.records,
    pool,
    tasks,
    startedAt: new Date(),
    version: RELIEF_VERSION,
    project: () => project.health(),
    dataDir: () => dataDirCheck.check(),
  };
  let loaded: LoadedPlugins = { records: [], closeHooks: [], workerModules: [] };
  registerHealthRoutes(app, health);
  registerPluginRoutes(app, () => loaded.records);
  registerProjectRoutes(app, project);
  registerLandingRoutes(app, settings.publicUrl, () => registry.list());
  registerConformanceRoutes(app);
  registerProcessesRoutes(app, {
    tasks,
    publicUrl: settings.publicUrl,
    contextOf,
    stopping: stopping.signal,
  });
  registerJobsRoutes(app, { tasks, publicUrl: settings.publicUrl, stopping: stopping.signal });
  registerQueueRoutes(app, { tasks, adminToken: settings.adminToken, stopping: stopping.signal });
  // One route per file found at start-up rather than a catch-all `/*`: a wrong method on a file
  // is then 405 with Allow, and an unknown path a plain 404, like every other route.
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/',
    index: false,
    wildcard: false,
    // Source maps would hand the page's sources to anyone; debugging turns them on.
    allowedPath: (path) => settings.serveSourceMaps || !path.endsWith('.map'),
  });

  try {
    loaded = await loadPlugins({
      app,
      chain,
      registry,
      pool,
      tasks,
      layers,
      accessControl,
      cacheFilters,
      contextOf,
      project,
      env: options.env ?? process.env,
      publicUrl: settings.publicUrl,
      log: app.log,
      pluginsPath: settings.pluginsPath,
      dataDir: settings.dataDir,
      pluginConfig: config.pluginConfig,
      strict: settings.strictPlugins,
    });
    // Before any job resumes, while the pool is idle: no request waits for a module to load.
    await pool.warm([...CORE_WORKER_MODULES, ...loaded.workerModules]);
    // Only now are all task types known, so interrupted jobs can be resumed or failed.
    await tasks.start();
  } catch (error) {
    return fail(error);
  }
  health.pluginsLoaded = true;

  // Running tasks stop while in-flight responses finish, not after: the first caller sets their
  // time (shutDown gives them the deadline minus its margin); they resume at the next start.
  let tasksStopped: Promise<number> | undefined;
  const stopTasks = (budgetMs: number) =>
    (tasksStopped ??= tasks.shutdown(budgetMs).then(() => tasks.stats.running));
  const announce = () => stopping.abort();
  let idleSweep: NodeJS.Timeout | undefined;
  // Before the drain, whoever closes (shutDown, or a plain app.close() in tests and embedders).
  app.addHook('preClose', (done) => {
    announce();
    void stopTasks(settings.shutdownTimeout * 1000);
    // Keep-alive connections whose last request finishes during the close would otherwise hold
    // it open until they time out; close each as soon as it falls idle.
    idleSweep = setInterval(() => app.server.closeIdleConnections(), 100);
    done();
  });
  app.addHook('onClose', async () => {
    clearInterval(idleSweep);
    await stopTasks(settings.shutdownTimeout * 1000);
    for (const { plugin, hook } of loaded.closeHooks) {
      try {
        await hook();
      } catch (error) {
        app.log.error({ plugin, err: error }, 'plugin close hook failed');
      }
    }
    for (const step of cleanup.reverse()) await step();
  });

  return {
    app,
    chain,
    registry,
    pool,
    tasks,
    layers,
    accessControl,
    cacheFilters,
    contextOf,
    plugins: loaded.records,
    project,
    shutdown: {
      announce,
      stopTasks,
      close: () => app.close(),
      cutConnections() {
        const cut = inFlight();
        app.server.closeAllConnections();
        return cut;
      },
    },
  };
}
