/** A Relief server in a child process for the benchmarks: started, probed ready, stopped. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, waitReady } from './net.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STOP_TIMEOUT_MS = 20_000;

export interface ReliefServer {
  child: ChildProcess;
  port: number;
  base: string;
  stop(): Promise<void>;
}

/** Starts `src/server/main.ts` with `env` (added to this process's) on a free loopback port. */
export async function startRelief(
  env: NodeJS.ProcessEnv,
  options: { nodeFlags?: readonly string[]; host?: string; quiet?: boolean } = {},
): Promise<ReliefServer> {
  const host = options.host ?? '127.0.0.1';
  const port = await freePort(host);
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), '--import', 'tsx', 'src/server/main.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, HOST: host, PORT: String(port) },
      stdio: ['ignore', options.quiet === true ? 'ignore' : 'inherit', 'inherit'],
    },
  );
  const base = `http://${host}:${port}`;
  const server: ReliefServer = { child, port, base, stop: () => stopChild(child) };
  try {
    await waitReady(base, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return server;
}

/** SIGTERM, then SIGKILL if the child has not exited within STOP_TIMEOUT_MS. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((done) => {
    timer = setTimeout(() => done('late'), STOP_TIMEOUT_MS);
  });
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
