/** `npm start` as a real process for tests: spawned on a free port, its output captured. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ReliefProcess {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output: () => string;
  exit: Promise<number | null>;
}

/** Starts the server on 127.0.0.1 with a free port and one pool thread per lane; `env` adds to that. */
export function startRelief(env: Record<string, string>): ReliefProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', RELIEF_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exit };
}

export async function listeningPort(output: () => string): Promise<number> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(output());
    if (match) return Number(match[1]);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not start:\n${output()}`);
}

/** The JSON log lines written so far. */
export function logLines(output: string): Array<{ msg: string; [key: string]: unknown }> {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string });
}
