/**
 * One benchmark target, run as a child process by `run.ts` (one server per process, so the load
 * generator and the server each get a core):
 *
 *   node --import tsx bench/filters/server.ts bare [--body-file F] [--content-type T] [--status S]
 *   node --import tsx bench/filters/server.ts relief-<n>        (n no-op filters, n >= 0)
 *
 * `bare` is a plain Fastify 5 route on GET /ows answering a fixed XML string (by default a small
 * built-in document; run.ts passes Relief's own GetCapabilities response so the bytes match).
 * `relief-<n>` is Relief from createServer() with logging off, an empty plugin folder, one pool
 * thread and n filters whose three hooks do nothing.
 *
 * Listens on 127.0.0.1 with an ephemeral port. With an IPC channel (run.ts) it sends
 * `{ type: 'listening', ... }` and stops on `{ type: 'stop' }`, SIGTERM or when the parent goes
 * away; without one it prints the URL and stops on SIGINT/SIGTERM. A clean exit lets
 * `--cpu-prof` write its profile.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/load-config.ts';
import type { ServerFilter } from '../../src/filters/server-filter.ts';
import { createServer } from '../../src/server/create-server.ts';
import { HOST, STOP_MESSAGE, type ServerMessage } from './protocol.ts';

const DEFAULT_BODY = `<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities xmlns="http://www.opengis.net/wms" version="1.3.0">
  <Service><Name>WMS</Name><Title>Relief</Title></Service>
  <Capability><Request><GetCapabilities><Format>text/xml</Format></GetCapabilities></Request></Capability>
</WMS_Capabilities>
`;

/** A filter whose hooks all exist and do nothing; each call returns undefined. */
function noopFilter(): ServerFilter {
  return {
    requestReady() {
      return undefined;
    },
    sendResponse() {
      return undefined;
    },
    responseComplete() {
      return undefined;
    },
  };
}

interface Started {
  app: FastifyInstance;
  filters: number | null;
  plugins: number | null;
  cleanup: () => void;
}

async function startBare(
  bodyFile: string | undefined,
  contentType: string,
  status: number,
): Promise<Started> {
  const body = bodyFile === undefined ? DEFAULT_BODY : readFileSync(bodyFile);
  const app = Fastify({ logger: false });
  app.get('/ows', (_request, reply) => {
    reply.code(status).type(contentType).send(body);
  });
  return { app, filters: null, plugins: null, cleanup: () => undefined };
}

async function startRelief(filterCount: number): Promise<Started> {
  // Our own temporary folders unless run.ts passed its (empty) ones.
  let own: string | undefined;
  const folder = (name: string): string => {
    own ??= mkdtempSync(join(tmpdir(), 'relief-bench-server-'));
    return join(own, name);
  };
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.RELIEF_CONFIG; // a developer's config file must not change what is measured
  delete env.RELIEF_PUBLIC_URL;
  env.RELIEF_LOG_LEVEL = 'silent';
  env.RELIEF_WORKERS = '1';
  env.RELIEF_STRICT_PLUGINS = 'true';
  env.HOST = HOST;
  env.PORT = '0';
  env.RELIEF_PLUGINS_PATH = process.env.RELIEF_PLUGINS_PATH ?? folder('plugins');
  env.RELIEF_DATA_DIR = process.env.RELIEF_DATA_DIR ?? folder('data');
  const cleanup = () => {
    if (own !== undefined) rmSync(own, { recursive: true, force: true });
  };
  try {
    const config = loadConfig(env);
    for (const dir of config.settings.pluginsPath) {
      let entries: string[] = [];
      try {
        entries = readdirSync(dir);
      } catch {
        // A missing folder holds no plugins either.
      }
      if (entries.length > 0) {
        throw new Error(
          `RELIEF_PLUGINS_PATH folder ${dir} is not empty; the benchmark needs an empty one`,
        );
      }
    }
    const relief = await createServer(config);
    for (let i = 0; i < filterCount; i++) relief.chain.register(noopFilter(), i, 'bench');
    if (relief.chain.size !== filterCount || relief.plugins.length !== 0) {
      await relief.app.close();
      throw new Error(
        `expected ${filterCount} filters and no plugins, found ${relief.chain.size} and ${relief.plugins.length}`,
      );
    }
    return { app: relief.app, filters: relief.chain.size, plugins: relief.plugins.length, cleanup };
  } catch (error) {
    cleanup();
    throw error;
  }
}

function send(message: ServerMessage): void {
  if (process.send !== undefined) process.send(message);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'body-file': { type: 'string' },
      'content-type': { type: 'string', default: 'text/xml; charset=utf-8' },
      status: { type: 'string', default: '200' },
    },
  });
  const scenario = positionals[0] ?? '';
  const reliefMatch = /^relief-(\d{1,3})$/.exec(scenario);
  let started: Started;
  try {
    if (scenario === 'bare') {
      const status = Number(values.status);
      if (!Number.isInteger(status) || status < 200 || status > 599) {
        throw new Error(`--status must be an HTTP status from 200 to 599, got "${values.status}"`);
      }
      started = await startBare(values['body-file'], values['content-type'], status);
    } else if (reliefMatch !== null) {
      started = await startRelief(Number(reliefMatch[1]));
    } else {
      throw new Error(`unknown scenario "${scenario}"; use bare or relief-<n>`);
    }
    await started.app.listen({ host: HOST, port: 0 });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    send({ type: 'failed', scenario, message });
    process.stderr.write(`bench server ${scenario}: ${message}\n`);
    process.exit(1);
  }

  const address = started.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Bounded: a close that hangs must not keep the process alive.
    setTimeout(() => process.exit(0), 5000).unref();
    started.app.server.closeAllConnections();
    started.app
      .close()
      .catch(() => undefined)
      .finally(() => {
        started.cleanup();
        process.exit(0);
      });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('message', (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type === STOP_MESSAGE.type) stop();
  });
  // The parent died or closed the channel: never outlive it.
  process.once('disconnect', stop);

  if (process.send !== undefined) {
    send({
      type: 'listening',
      scenario,
      port,
      pid: process.pid,
      filters: started.filters,
      plugins: started.plugins,
    });
  } else {
    process.stdout.write(`${scenario} listening on http://${HOST}:${port}/ows\n`);
  }
}

await main();
