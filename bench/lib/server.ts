/**
 * A Relief server in a child process for a benchmark: `node --import tsx src/server/main.ts` on
 * 127.0.0.1 and a free port, with the environment given (over this process's, minus a developer's
 * RELIEF_CONFIG), ready when `/ready` answers. `stop()` ends it with SIGTERM, SIGKILL after 10 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, waitReady } from './net.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BenchServer {
  child: ChildProcess;
  pid: number;
  port: number;
  /** http://127.0.0.1:PORT */
  base: string;
  stop(): Promise<void>;
}

export async function startRelief(options: {
  env: Record<string, string>;
  nodeArgs?: readonly string[];
}): Promise<BenchServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.RELIEF_CONFIG; // a developer's config file must not change what is measured
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', 'src/server/main.ts'],
    {
      cwd: ROOT,
      env: { ...env, HOST: '127.0.0.1', PORT: String(port), ...options.env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const server: BenchServer = {
    child,
    pid: child.pid ?? 0,
    port,
    base: `http://127.0.0.1:${port}`,
    stop: () => stopServer(child),
  };
  try {
    if (child.pid === undefined) throw new Error('the server did not start');
    await waitReady(server.base, child);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
