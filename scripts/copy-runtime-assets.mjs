// Second half of `npm run build:server`: tsc compiles the TypeScript of src/ and plugins/ into
// the output folder; the files the server reads at run time that are not TypeScript (plugin
// manifests, the module-resolution hook, any asset a plugin ships) are copied next to them here.
// Tests, documentation and TypeScript sources stay behind. Usage: node scripts/copy-runtime-assets.mjs [outDir]
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const outDir = process.argv[2] ?? 'dist';
const SKIPPED_FOLDERS = new Set(['test', 'node_modules']);
const SKIPPED_FILE = /\.(ts|md)$/;

let copied = 0;
function copyAssets(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) copyAssets(path);
    } else if (entry.isFile() && !SKIPPED_FILE.test(entry.name)) {
      cpSync(path, join(outDir, relative('.', path)));
      copied++;
    }
  }
}
copyAssets('src');
copyAssets('plugins');
process.stdout.write(`copied ${copied} runtime files that are not TypeScript into ${outDir}/\n`);
