/**
 * Vitest resolves modules itself, bypassing Node's package self-reference and the module hook
 * that resolve the public specifiers (src/plugins/relief-specifiers.ts): these aliases mirror
 * them for the test configurations. Exact matches, so `relief` never swallows `relief/worker`.
 */
import { fileURLToPath } from 'node:url';

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const reliefAliases = [
  { find: /^relief$/, replacement: at('./src/index.ts') },
  { find: /^relief\/worker$/, replacement: at('./src/sdk/worker.ts') },
  { find: /^relief\/testing$/, replacement: at('./src/sdk/testing.ts') },
];
