/**
 * Worker modules, plugin entries and the public API entry are named by URL at run time, and the
 * TypeScript compiler rewrites only import specifiers, not URLs. Run from sources (tsx, or
 * Node's own type stripping) a module's neighbours are `.ts` files; in the compiled build (the
 * container image: `npm run build:server`) they are `.js`. `moduleUrl` names a neighbour the way
 * the running build has it, judged by the calling module's own file name, so it is right for
 * core and plugins alike without any global switch.
 */
export function moduleUrl(relative: string, base: string | URL): URL {
  const url = new URL(relative, base);
  if (isCompiled(base) && url.pathname.endsWith('.ts')) {
    url.pathname = `${url.pathname.slice(0, -'.ts'.length)}.js`;
  }
  return url;
}

/** Whether `base` (a module's `import.meta.url`) is a compiled JavaScript file. */
export function isCompiled(base: string | URL): boolean {
  return /\.[cm]?js$/.test(new URL(base).pathname);
}
