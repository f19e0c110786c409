/**
 * `npm start` as a real process: the start-up summary, start-up errors as one JSON line on
 * stderr, a SIGTERM that lets an in-flight request finish before exiting 0, and a second server
 * refused on a data dir that a running one holds.
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
  it('stops start-up with one JSON line on stderr, at fatal, naming an invalid setting', async () => {
    const { output, stderr, exit } = start({ PORT: 'abc' });
    expect(await exit).toBe(1);
    // Nothing else: no stack trace, no line on stdout.
    expect(output()).toBe(stderr());
    const lines = stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 'fatal',
      service: 'relief',
      setting: 'PORT',
      msg: 'Invalid setting PORT="abc": expected an integer from 0 to 65535',
    });
  });

  it('reports any other start-up failure the same way, with the error', async () => {
    // The data directory is a file: the server cannot create its folders there.
    const file = join(dir, 'not-a-directory');
    await writeFile(file, '');
    const { stderr, exit } = start({ RELIEF_DATA_DIR: file });
    expect(await exit).toBe(1);
    const lines = stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string) as { level: string; msg: string; err: object };
    expect(line.level).toBe('fatal');
    expect(line.msg).toMatch(/^start-up failed: .*not-a-directory/);
    expect(line.err).toMatchObject({ type: 'Error', message: expect.stringContaining(file) });
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
    // Sized from the machine (issue 16, items 1 and 2): the value and what it came from.
    expect(summary?.settings?.memoryLimit).toMatchObject({
      value: expect.any(Number),
      source: 'default',
      derivedFrom: expect.stringMatching(/mem/i),
    });
    expect(summary?.settings?.rowCacheBytes).toMatchObject({
      derivedFrom: expect.stringContaining('for the process and 2 pool threads'),
    });
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
    const lines = second.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string) as { level: string; msg: string };
    expect(line.level).toBe('fatal');
    expect(line.msg).toMatch(
      new RegExp(
        `^start-up failed: The data dir ${data} is in use by another Relief server \\(pid ${holder.child.pid} on host ${hostname()}, since [^)]+\\); two servers on one data dir would run the same jobs twice\\.`,
      ),
    );
    expect(existsSync(join(data, 'relief.lock'))).toBe(true);
    holder.child.kill('SIGTERM');
    expect(await holder.exit).toBe(0);
    expect(existsSync(join(data, 'relief.lock'))).toBe(false);
  });
});
