// Module resolution hook (node:module register): lets plugins anywhere on the plugin path write
// `import … from 'relief'` (and 'relief/worker', 'relief/testing'), not only those inside this
// repository. Plain JavaScript, because hooks load before any TypeScript loader is guaranteed
// to apply. `data.targets` maps each public specifier to its module's URL.
let targets = {};

export async function initialize(data) {
  targets = data.targets;
}

export async function resolve(specifier, context, nextResolve) {
  // Handed on rather than short-circuited, so the TypeScript loader still sees the file.
  const target = targets[specifier];
  return nextResolve(target ?? specifier, context);
}
