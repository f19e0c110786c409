/**
 * Makes the public specifiers (`relief`, `relief/worker`, `relief/testing`) resolve from any
 * folder, through a module resolution hook (relief-specifier-hook.mjs). Inside this repository
 * and in a plugin kit (whose node_modules/relief links a checkout) Node finds them by itself;
 * the hook is for plugins mounted anywhere on RELIEF_PLUGINS_PATH. A hook is per thread: the
 * plugin loader registers it on the main thread, pool threads when they first load a module.
 */
import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { moduleUrl } from '../server/module-url.ts';

function targets(): Record<string, string> {
  return {
    relief: moduleUrl('../index.ts', import.meta.url).href,
    'relief/worker': moduleUrl('../sdk/worker.ts', import.meta.url).href,
    'relief/testing': moduleUrl('../sdk/testing.ts', import.meta.url).href,
  };
}

let registered = false;

/** For import(): a module resolution hook on this thread. */
export function registerReliefSpecifiers(): void {
  if (registered) return;
  registered = true;
  register(new URL('./relief-specifier-hook.mjs', import.meta.url), {
    data: { targets: targets() },
  });
}

type ResolveFilename = (request: string, ...rest: unknown[]) => string;
let requireRegistered = false;

/**
 * For require(): pool threads load worker modules from TypeScript with require (pool-job.ts), which
 * module hooks do not reach on Node 20. Node's CommonJS resolver is the one place to map the
 * specifiers there; the mapping only renames, and any other request passes through untouched.
 */
export function registerReliefSpecifiersForRequire(): void {
  if (requireRegistered) return;
  requireRegistered = true;
  const paths = Object.fromEntries(
    Object.entries(targets()).map(([specifier, url]) => [specifier, fileURLToPath(url)]),
  );
  const loader = Module as unknown as { _resolveFilename: ResolveFilename };
  const resolveFilename = loader._resolveFilename;
  loader._resolveFilename = function (this: unknown, request, ...rest) {
    return resolveFilename.call(this, paths[request] ?? request, ...rest);
  };
}
