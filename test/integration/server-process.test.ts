/**
 * `npm start` as a real process: the start-up summary, one-line configuration errors, and a
 * SIGTERM that lets an in-flight request finish before exiting 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, writePlugins } from '../fixtures/plugin-folders.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
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

function start(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      RELIEF_WORKERS: '1',
      RELIEF_DATA_DIR: join(dir, 'data'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exit };
}

async function listeningPort(output: () => string): Promise<number> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output());
    if (match) return Number(match[1]);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not start:\n${output()}`);
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
});
