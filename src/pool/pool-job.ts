/**
 * Every pool job runs through this one worker entry: it imports the job's module (cached per
 * worker thread by the module loader) and calls the named export with the input and a progress
 * reporter that posts to the main thread without blocking either side.
 */
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';

export interface PoolJob {
  module: string;
  name: string;
  input: unknown;
  port: MessagePort | undefined;
}

/** What a worker function receives besides its input. */
export interface WorkerTools {
  /** Sends a progress value to the job's `onProgress` on the main thread; free when nobody listens. */
  progress(value: unknown): void;
}

export type WorkerFunction<Input = unknown, Output = unknown> = (
  input: Input,
  tools: WorkerTools,
) => Output | Promise<Output>;

const silent: WorkerTools = { progress: () => undefined };

/**
 * piscina loads this file with require(), so tsx compiles it (and what it loads) as CommonJS.
 * On Node 20, tsx's ESM hooks are not active in worker threads, so a dynamic import() of a .ts
 * module would fail there; require() goes through tsx's CommonJS hook on every Node version.
 */
function load(module: string): Promise<Record<string, unknown>> {
  if (typeof require === 'function') {
    const path = module.startsWith('file:') ? fileURLToPath(module) : module;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the comment above
    return Promise.resolve(require(path) as Record<string, unknown>);
  }
  return import(module) as Promise<Record<string, unknown>>;
}

export default async function runPoolJob({ module, name, input, port }: PoolJob): Promise<unknown> {
  const exports = await load(module);
  const fn = exports[name];
  if (typeof fn !== 'function') {
    throw new TypeError(`Worker module ${module} has no exported function "${name}"`);
  }
  const tools: WorkerTools =
    port === undefined ? silent : { progress: (value) => port.postMessage(value) };
  try {
    return await (fn as WorkerFunction)(input, tools);
  } finally {
    port?.close();
  }
}
