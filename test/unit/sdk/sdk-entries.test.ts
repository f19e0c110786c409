/**
 * The SDK's three entries (issue 13): the guide lists every name each one exports, and no file
 * under plugins/ reaches into src/ by path, so the plugins shipped here are written as a plugin
 * outside the repository must be.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GUIDE = readFileSync(join(ROOT, 'docs/plugins.md'), 'utf8');
const SDK_SECTION = GUIDE.slice(GUIDE.indexOf('## The SDK: three entries'));

/** The names an entry module exports (`export { a, b as c }`, `export type { T }`). */
function exportedNames(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const names: string[] = [];
  for (const match of source.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    for (const part of match[1]!.split(',')) {
      const name = part
        .trim()
        .replace(/^type /, '')
        .split(/\s+as\s+/)
        .pop();
      if (name) names.push(name);
    }
  }
  return names;
}

/** The text of the guide's paragraph or table for one entry. */
function entrySection(specifier: string): string {
  const start = SDK_SECTION.indexOf(`**\`${specifier}\`**`);
  const next = SDK_SECTION.indexOf('\n**`', start + 1);
  return SDK_SECTION.slice(start, next === -1 ? undefined : next);
}

describe('the SDK entries', () => {
  it.each([
    ['relief', 'src/index.ts'],
    ['relief/worker', 'src/sdk/worker.ts'],
    ['relief/testing', 'src/sdk/testing.ts'],
  ])('the guide lists every export of %s', (specifier, file) => {
    const section = entrySection(specifier);
    const names = exportedNames(file);
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((name) => !section.includes(`\`${name}`))).toEqual([]);
  });

  it('package.json maps the specifiers to those modules', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, string>;
    };
    expect(manifest.exports).toEqual({
      '.': './src/index.ts',
      './worker': './src/sdk/worker.ts',
      './testing': './src/sdk/testing.ts',
    });
  });

  it('no file under plugins/ imports src/ by path', () => {
    const offenders: string[] = [];
    const plugins = join(ROOT, 'plugins');
    const files = readdirSync(plugins, { recursive: true, withFileTypes: true }).filter(
      (entry) => entry.isFile() && /\.[cm]?[jt]s$/.test(entry.name),
    );
    expect(files.length).toBeGreaterThan(50);
    for (const entry of files) {
      const path = join(entry.parentPath, entry.name);
      const source = readFileSync(path, 'utf8');
      // Imports, and the module URLs of worker modules; a test may still name a folder.
      for (const match of source.matchAll(
        /(?:from|import\(|moduleUrl\(|new URL\()\s*'(\.[^']*\.[cm]?[jt]s)'/g,
      )) {
        const target = relative(ROOT, resolve(dirname(path), match[1]!));
        if (!target.startsWith('plugins/')) offenders.push(`${relative(ROOT, path)}: ${match[1]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
