// Module resolution hook (node:module register): lets plugins anywhere on the plugin path write
// `import { definePlugin } from 'relief'`, not only those inside this repository. Plain
// JavaScript, because hooks load before any TypeScript loader is guaranteed to apply.
let target;

export async function initialize(data) {
  target = data.target;
}

export async function resolve(specifier, context, nextResolve) {
  // Handed on rather than short-circuited, so the TypeScript loader still sees the file.
  if (specifier === 'relief') return nextResolve(target, context);
  return nextResolve(specifier, context);
}
