/**
 * `npm start` as a real process: the start-up summary, one-line configuration errors, a
 * SIGTERM that lets an in-flight request finish before exiting 0, and a second server refused on
 * a data dir that a running one holds.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, writePlugins } from '../fixtures/plugin-folders.ts';
import { listeningPort, startRelief, type ReliefProcess } from '../helpers/relief-process.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-process-'));
  // Plugins are ES modules: outside this repository their folder says so with a package.json.
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writePlugins(join(dir, 'plugins'), [
    {
      folder: 'slow',
      manifest: manifest('slow'),
      files: {
        // A plugin outside the repository importing the bare specifier: resolved by the hook.
        'index.ts': `import { definePlugin } from 'relief';
export default definePlugin({ register(relief) {
  relief.registerRoutes(async (app) => {
    app.get('/wait', async (request) => {
      await new Promise((r) => setTimeout(r, Number((request.query as { ms: string }).ms)));
      return { waited: true };
    });
  });
} });`,
      },
    },
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function start(env: Record<string, string>): ReliefProcess {
  return startRelief({ RELIEF_DATA_DIR: join(dir, 'data'), ...env });
}

describe('server process', () => {
  it('stops start-up with one clear line naming an invalid setting', async () => {
    const { output, exit } = start({ RELIEF_WORKERS: 'lots' });
    expect(await exit).toBe(1);
    expect(output().trim()).toBe(
      'relief: Invalid setting RELIEF_WORKERS="lots": expected an integer from 1 to 256',
    );
  });

  it('logs its Node version and every setting with its source, then finishes in-flight requests on SIGTERM and exits 0', async () => {
    const { child, output, exit } = start({
      RELIEF_PLUGINS_PATH: join(dir, 'plugins'),
      RELIEF_LOG_LEVEL: 'info',
    });
    const port = await listeningPort(output);
    const summary = output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map(
        (l) =>
          JSON.parse(l) as {
            msg: string;
            node?: string;
            settings?: Record<string, { source: string }>;
          },
      )
      .find((l) => l.msg === 'configuration');
    // Spawned with process.execPath: the server runs on the Node the tests run on, whichever
    // `node` comes first on PATH (.ci/run runs the suite on each supported Node).
    expect(summary?.node).toBe(process.version);
    expect(summary?.settings?.port).toMatchObject({ value: 0, source: 'environment' });
    expect(summary?.settings?.logLevel).toMatchObject({ source: 'environment' });
    expect(summary?.settings?.shutdownTimeout).toMatchObject({ value: 10, source: 'default' });
    const inFlight = fetch(`http://127.0.0.1:${port}/slow/wait?ms=800`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    expect(await inFlight).toEqual({ status: 200, body: { waited: true } });
    expect(await exit).toBe(0);
    expect(output()).toContain('"msg":"shutting down"');
    expect(output()).toContain('"msg":"stopped"');
  });

  it('two pods on one volume (item 3): the second fails start-up with one line naming the data dir and the holder, exit 1; a clean stop frees the data dir', async () => {
    const data = join(dir, 'shared-data');
    const holder = start({ RELIEF_DATA_DIR: data, RELIEF_PLUGINS_PATH: join(dir, 'plugins') });
    await listeningPort(holder.output);
    const second = start({ RELIEF_DATA_DIR: data, RELIEF_PLUGINS_PATH: join(dir, 'plugins') });
    expect(await second.exit).toBe(1);
    const lines = second
      .output()
      .split('\n')
      .filter((l) => l.startsWith('relief:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^relief: start-up failed: The data dir ${data} is in use by another Relief server \\(pid ${holder.child.pid} on host ${hostname()}, since [^)]+\\); two servers on one data dir would run the same jobs twice\\.`,
      ),
    );
    expect(existsSync(join(data, 'relief.lock'))).toBe(true);
    holder.child.kill('SIGTERM');
    expect(await holder.exit).toBe(0);
    expect(existsSync(join(data, 'relief.lock'))).toBe(false);
  });
});
