/** Builds a Relief server for one test file: temp data dir, chosen plugin folders, captured logs. Part of `relief/testing`. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../config/load-config.ts';
import { createServer, type ReliefServer } from '../server/create-server.ts';
import { loggerOptions } from '../server/logger.ts';

export interface LogLine {
  /** The severity as a number (error = 50), for comparisons; the JSON line has its name. */
  level: number;
  msg: string;
  requestId?: string;
  plugin?: string;
  err?: { message: string; type: string };
  [key: string]: unknown;
}

export interface TestServer extends ReliefServer {
  logs: LogLine[];
  /** The log lines as written, for assertions on the text itself. */
  logText: string[];
  dataDir: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /**
   * RELIEF_PLUGINS_PATH: plugin folders, or folders of them (default: none, so only the core
   * services run). A plugin's own test passes its folder: `fileURLToPath(new URL('..', import.meta.url))`.
   */
  pluginsPath?: string[];
  /** Environment variables the server reads its settings from (RELIEF_*), on top of the defaults. */
  env?: Record<string, string>;
  /** Runs before the server is ready: the place to add test routes. */
  setup?: (server: ReliefServer) => void | Promise<void>;
}

/**
 * A server with a temporary data dir (removed by `close()`), one pool thread per lane, the given
 * plugins loaded by the real loader and every log line kept in `logs`. Not listening: talk to it
 * with `supertest(server.app.server)` or `server.app.inject`, or `await server.app.listen({ port: 0 })`.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'relief-test-'));
  const emptyPlugins = join(dataDir, 'no-plugins');
  const logs: LogLine[] = [];
  const logText: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) {
        if (line === '') continue;
        logText.push(line);
        const parsed = JSON.parse(line) as { level: string };
        logs.push({ ...parsed, level: pino.levels.values[parsed.level] ?? Number.NaN } as LogLine);
      }
      callback();
    },
  });
  const env = {
    RELIEF_DATA_DIR: dataDir,
    RELIEF_PLUGINS_PATH: (options.pluginsPath ?? [emptyPlugins]).join(':'),
    RELIEF_WORKERS: '1',
    ...options.env,
  } as NodeJS.ProcessEnv;
  const config = loadConfig(env);
  // The server's own options (level names, serializers, redaction), at debug.
  const logger = pino(loggerOptions('debug'), sink);
  const server = await createServer(config, { logger, env });
  await options.setup?.(server);
  await server.app.ready();
  return {
    ...server,
    logs,
    logText,
    dataDir,
    async close() {
      await server.app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
