/** Builds a Relief server for one test file: temp data dir, chosen plugin folders, captured logs. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config/load-config.ts';
import { createServer, type ReliefServer } from '../../src/server/create-server.ts';

export interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  plugin?: string;
  err?: { message: string; type: string };
  [key: string]: unknown;
}

export interface TestServer extends ReliefServer {
  logs: LogLine[];
  dataDir: string;
  close(): Promise<void>;
}

export async function startTestServer(
  options: {
    pluginsPath?: string[];
    env?: Record<string, string>;
    /** Runs before the server is ready: the place to add test routes. */
    setup?: (server: ReliefServer) => void | Promise<void>;
  } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'relief-test-'));
  const emptyPlugins = join(dataDir, 'no-plugins');
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n'))
        if (line !== '') logs.push(JSON.parse(line) as LogLine);
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
  const server = await createServer(config, { logger: pino({ level: 'debug' }, sink), env });
  await options.setup?.(server);
  await server.app.ready();
  return {
    ...server,
    logs,
    dataDir,
    async close() {
      await server.app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
