/**
 * Every server setting in one table: its environment variable, its key in the config file, its
 * default and how a raw value is checked. The README's configuration table follows this file.
 */
import { z } from 'zod';
import { parseHostPattern } from '../server/allowed-hosts.ts';
import type { SizedKey } from './sized-settings.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const flag = z.preprocess(
  (raw) => {
    if (typeof raw !== 'string') return raw;
    const text = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(text)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(text)) return false;
    return raw;
  },
  z.boolean({ error: 'expected true/false (or 1/0)' }),
);

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected an integer from ${min} to ${max}` })
    .int({ error: `expected an integer from ${min} to ${max}` })
    .min(min, { error: `expected an integer from ${min} to ${max}` })
    .max(max, { error: `expected an integer from ${min} to ${max}` });

const pathList = z.preprocess(
  (raw) => (typeof raw === 'string' ? raw.split(':').filter((p) => p !== '') : raw),
  z.array(z.string().min(1)).min(1, { error: 'expected at least one folder' }),
);

const url = z
  .string()
  .url({ error: 'expected an absolute http(s) URL' })
  .refine((u) => /^https?:\/\//.test(u), { error: 'expected an absolute http(s) URL' })
  .transform((u) => u.replace(/\/+$/, ''));

const hostList = z.preprocess(
  (raw) =>
    typeof raw === 'string'
      ? raw
          .split(',')
          .map((h) => h.trim())
          .filter((h) => h !== '')
      : raw,
  z
    .array(
      z.string().refine((pattern) => parseHostPattern(pattern) !== undefined, {
        error: 'expected host names like example.org, example.org:8080 or .example.org',
      }),
    )
    .min(1, { error: 'expected at least one host name' }),
);

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  ki: 2 ** 10,
  mi: 2 ** 20,
  gi: 2 ** 30,
  ti: 2 ** 40,
};

/** Plain bytes, or with a unit as Kubernetes writes them: `512Mi`, `1Gi`, `500M` (a B may follow). */
const bytes = (min: number, max: number) => {
  const expected = `expected bytes from ${min} to ${max}, or a size like 512Mi, 1Gi or 500M`;
  return z.preprocess(
    (raw) => {
      const match =
        typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?\s*$/i.exec(raw) : null;
      if (match === null) return raw;
      return Math.floor(Number(match[1]) * BYTE_UNITS[(match[2] ?? '').toLowerCase()]!);
    },
    z
      .number({ error: expected })
      .int({ error: expected })
      .min(min, { error: expected })
      .max(max, { error: expected }),
  );
};

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `7d`, `12h`, `30m`, `90s` or plain seconds → seconds. */
const duration = z.preprocess(
  (raw) => {
    if (typeof raw === 'number') return raw;
    const match = typeof raw === 'string' ? /^\s*(\d+)\s*([smhdw]?)\s*$/.exec(raw) : null;
    return match ? Number(match[1]) * (DURATION_UNITS[match[2] || 's'] ?? 1) : raw;
  },
  z
    .number({ error: 'expected a duration like 7d, 12h, 30m or 3600 (seconds)' })
    .int({ error: 'expected a whole number of seconds' })
    .min(60, { error: 'expected at least 60 seconds' }),
);

export const SETTINGS = {
  host: {
    env: 'HOST',
    schema: z.string().min(1),
    default: '0.0.0.0',
    description: 'Address to listen on',
  },
  port: { env: 'PORT', schema: integer(0, 65535), default: 8080, description: 'Port to listen on' },
  dataDir: {
    env: 'RELIEF_DATA_DIR',
    schema: z.string().min(1),
    default: './data',
    description: 'Folder for caches, job files and the task database',
  },
  minFreeDisk: {
    env: 'RELIEF_MIN_FREE_DISK',
    schema: integer(0, 2 ** 50),
    default: 256 * 1024 * 1024,
    description:
      "Bytes the data dir's file system must have free for the server to be ready (0: not checked)",
  },
  pluginsPath: {
    env: 'RELIEF_PLUGINS_PATH',
    schema: pathList,
    default: ['./plugins'],
    description: 'Plugin folders, `:`-separated; each sub-folder with a plugin.json is a plugin',
  },
  logLevel: {
    env: 'RELIEF_LOG_LEVEL',
    schema: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }),
    default: 'info',
    description: 'pino log level',
  },
  strictPlugins: {
    env: 'RELIEF_STRICT_PLUGINS',
    schema: flag,
    default: false,
    description: 'Make any plugin load failure stop start-up',
  },
  workers: {
    env: 'RELIEF_WORKERS',
    schema: integer(1, 256).optional(),
    default: undefined,
    description:
      'Pool threads per lane, requests and jobs (default: the cores or the cgroup CPU quota, fewer if RELIEF_MEMORY_LIMIT is small); the pool keeps one more for requests',
  },
  memoryLimit: {
    env: 'RELIEF_MEMORY_LIMIT',
    schema: bytes(64 * 1024 * 1024, 2 ** 50).optional(),
    default: undefined,
    description:
      'Memory budget in bytes (or 512Mi, 2Gi): sizes RELIEF_WORKERS, RELIEF_ROW_CACHE_BYTES and RELIEF_MAX_MAP_MEMORY when unset (default: the container memory limit, else total memory)',
  },
  rowCacheBytes: {
    env: 'RELIEF_ROW_CACHE_BYTES',
    schema: bytes(0, 2 ** 40).optional(),
    default: undefined,
    description:
      'Bytes of decoded raster rows each pool thread caches (default: from RELIEF_MEMORY_LIMIT, at most 256 MiB; 0: no cache)',
  },
  writeSyncBytes: {
    env: 'RELIEF_WRITE_SYNC_BYTES',
    schema: bytes(0, 2 ** 40),
    default: 8 * 1024 * 1024,
    description:
      'Bytes a job may write to one file (tiles, mosaics) before it waits for the disk (fdatasync): bounds the dirty page cache, which counts against a container memory limit (0: leave it to the kernel)',
  },
  workerNice: {
    env: 'RELIEF_WORKER_NICE',
    schema: integer(0, 19),
    default: 10,
    description:
      'Niceness added to worker threads, so CPU work yields to the event loop (Linux, macOS)',
  },
  workerYoungGenerationMb: {
    env: 'RELIEF_WORKER_YOUNG_GENERATION_MB',
    schema: integer(1, 1024),
    default: 8,
    description:
      "Each pool thread's V8 young generation in MiB: small saves memory on every thread, large suits allocation-heavy plugin workers",
  },
  poolBackgroundYieldMs: {
    env: 'RELIEF_POOL_BACKGROUND_YIELD_MS',
    schema: integer(0, 10_000),
    default: 50,
    description:
      'Longest a background pool job pauses between two chunks while request work runs on the pool (0: never pauses)',
  },
  maxConcurrentTasks: {
    env: 'RELIEF_MAX_CONCURRENT_TASKS',
    schema: integer(1, 1024),
    default: 4,
    description: 'Background tasks running at once; the rest wait in priority order',
  },
  taskCancelGrace: {
    env: 'RELIEF_TASK_CANCEL_GRACE_SECONDS',
    schema: integer(1, 86_400),
    default: 30,
    description:
      'Seconds a cancelled task may take to stop before it is abandoned: dismissed, and its slot freed',
  },
  jobRetention: {
    env: 'RELIEF_JOB_RETENTION',
    schema: duration,
    default: 7 * 86400,
    description: 'How long finished jobs and their files are kept (7d, 12h, 30m or seconds)',
  },
  maxImageSize: {
    env: 'RELIEF_MAX_IMAGE_SIZE',
    schema: integer(16, 65536),
    default: 4096,
    description: 'Largest WIDTH and HEIGHT of a GetMap or GetCoverage answer, in pixels',
  },
  maxMapLayers: {
    env: 'RELIEF_MAX_MAP_LAYERS',
    schema: integer(1, 10000),
    default: 32,
    description:
      'Most layers one GetMap or GetFeatureInfo may name in LAYERS (and QUERY_LAYERS), repeats counted',
  },
  maxMapPixels: {
    env: 'RELIEF_MAX_MAP_PIXELS',
    schema: integer(256, 2 ** 40),
    default: 8 * 4096 * 4096,
    description:
      'Most pixels one request may render: WIDTH × HEIGHT × layers for GetMap, width × height for GetCoverage',
  },
  maxFeatureCount: {
    env: 'RELIEF_MAX_FEATURE_COUNT',
    schema: integer(1, 1_000_000),
    default: 1000,
    description:
      'Most features GetFeatureInfo reports per queried layer (a larger FEATURE_COUNT is cut)',
  },
  maxMapMemory: {
    env: 'RELIEF_MAX_MAP_MEMORY',
    schema: bytes(1024 * 1024, 2 ** 48).optional(),
    default: undefined,
    description:
      'Bytes of map images all GetMap requests together hold while compositing; more requests wait their turn (default: from RELIEF_MEMORY_LIMIT, at most 1 GiB)',
  },
  maxMapQueue: {
    env: 'RELIEF_MAX_MAP_QUEUE',
    schema: integer(0, 100_000),
    default: 64,
    description:
      'GetMap requests that may wait for map memory; one more is refused at once with 503 and Retry-After (0: none wait)',
  },
  mapQueueTimeout: {
    env: 'RELIEF_MAP_QUEUE_TIMEOUT',
    schema: integer(1, 3600),
    default: 30,
    description:
      'Seconds a GetMap may wait for map memory before it is refused with 503 and Retry-After',
  },
  project: {
    env: 'RELIEF_PROJECT',
    schema: z.string().trim().min(1, { error: 'expected the path of a project file' }).optional(),
    default: undefined,
    description: 'Project file (JSON or YAML): service metadata and the layers to publish',
  },
  projectWatch: {
    env: 'RELIEF_PROJECT_WATCH',
    schema: flag,
    default: true,
    description: 'Reload the project file when it changes, without a restart',
  },
  adminToken: {
    env: 'RELIEF_ADMIN_TOKEN',
    schema: z.string().trim().min(16, { error: 'expected at least 16 characters' }).optional(),
    default: undefined,
    description:
      'Bearer token for the operator routes under /admin (queue control); unset, they are refused',
  },
  publicUrl: {
    env: 'RELIEF_PUBLIC_URL',
    schema: url.optional(),
    default: undefined,
    description:
      'Base URL of every URL the server writes: capabilities, job links, Location (default: from the request Host)',
  },
  trustProxy: {
    env: 'RELIEF_TRUST_PROXY',
    schema: flag,
    default: false,
    description: 'Trust X-Forwarded-* headers from a reverse proxy',
  },
  serveSourceMaps: {
    env: 'RELIEF_SERVE_SOURCE_MAPS',
    schema: flag,
    default: false,
    description:
      "Serve the web page's source maps (public/app/*.map) for debugging in the browser; off, they are 404",
  },
  bodyLimit: {
    env: 'RELIEF_BODY_LIMIT',
    schema: integer(1024, 1024 ** 3),
    default: 10 * 1024 * 1024,
    description: 'Largest request body accepted, in bytes',
  },
  requestTimeout: {
    env: 'RELIEF_REQUEST_TIMEOUT',
    schema: integer(1, 3600),
    default: 120,
    description:
      'Seconds a client gets to send a whole request, headers and body; a slower one gets 408. Responses (SSE, long polls, streamed features) are not limited',
  },
  headersTimeout: {
    env: 'RELIEF_HEADERS_TIMEOUT',
    schema: integer(1, 3600),
    default: 30,
    description:
      'Seconds a client gets to send the request headers (at most RELIEF_REQUEST_TIMEOUT); a slower one gets 408',
  },
  keepAliveTimeout: {
    env: 'RELIEF_KEEP_ALIVE_TIMEOUT',
    schema: integer(1, 3600),
    default: 72,
    description:
      'Seconds an idle keep-alive connection stays open; keep it above the idle timeout of a proxy in front',
  },
  maxJsonDepth: {
    env: 'RELIEF_MAX_JSON_DEPTH',
    schema: integer(2, 1000),
    default: 64,
    description: 'Deepest nesting of arrays and objects accepted in a JSON body (GeoJSON needs 5)',
  },
  allowedHosts: {
    env: 'RELIEF_ALLOWED_HOSTS',
    schema: hostList.optional(),
    default: undefined,
    description:
      'Host names (comma-separated, `host`, `host:port`, `.example.org` for it and its subdomains) a request may name in Host or X-Forwarded-Host; others get 400 (default: any well-formed host)',
  },
  maxXmlBytes: {
    env: 'RELIEF_MAX_XML_BYTES',
    schema: integer(1024, 1024 ** 3),
    default: 1024 * 1024,
    description:
      'Largest XML a client may have parsed: a WFS FILTER, or the prolog and root start tag of a POSTed OWS document, in bytes',
  },
  shutdownTimeout: {
    env: 'RELIEF_SHUTDOWN_TIMEOUT',
    schema: integer(1, 600),
    default: 10,
    description:
      'Seconds from SIGTERM/SIGINT to exit: one deadline shared by in-flight requests and running tasks; what is still open shortly before it is cut',
  },
} as const;

export type SettingKey = keyof typeof SETTINGS;

/** The sized settings are optional in the table but always set once loaded (sized-settings.ts). */
export type Settings = {
  -readonly [K in SettingKey]: K extends SizedKey
    ? NonNullable<z.output<(typeof SETTINGS)[K]['schema']>>
    : z.output<(typeof SETTINGS)[K]['schema']>;
};

export type SettingSource = 'default' | 'packaged' | 'file' | 'environment';
