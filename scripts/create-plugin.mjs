// Creates a Relief plugin in a folder of its own, outside this repository, from templates/plugin:
//   npm run create-plugin -- <folder> [--name <plugin-name>]
// The plugin's package.json links this checkout as its `relief` dependency (file:), so after
// `npm install` there, `import … from 'relief'`, 'relief/worker' and 'relief/testing' resolve
// for TypeScript, Vitest and Node alike, and the versions of its tools match Relief's own.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEMPLATE = join(ROOT, 'templates', 'plugin');
const NAME = /^[a-z][a-z0-9-]{0,62}$/; // as plugin.json requires (src/plugins/plugin-manifest.ts)

function fail(message) {
  process.stderr.write(`create-plugin: ${message}\n`);
  process.exit(2);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { name: { type: 'string' } },
});
if (positionals.length !== 1)
  fail('usage: npm run create-plugin -- <folder> [--name <plugin-name>]');
const target = resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]);
const name = values.name ?? basename(target);
if (!NAME.test(name)) {
  fail(
    `"${name}" is not a plugin name: lower-case letters, digits and hyphens, starting with a letter (use --name)`,
  );
}
if (existsSync(target) && readdirSync(target).length > 0) fail(`${target} exists and is not empty`);

const relief = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const replacements = {
  __NAME__: name,
  __RELIEF__: `file:${ROOT.replace(/\/$/, '')}`,
  __RELIEF_VERSION__: relief.version,
  __TYPESCRIPT_VERSION__: relief.devDependencies.typescript,
  __VITEST_VERSION__: relief.devDependencies.vitest,
  __TYPES_NODE_VERSION__: relief.devDependencies['@types/node'],
};

function copy(from, to) {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const source = join(from, entry);
    const destination = join(to, entry);
    if (statSync(source).isDirectory()) {
      copy(source, destination);
      continue;
    }
    let text = readFileSync(source, 'utf8');
    for (const [key, value] of Object.entries(replacements)) text = text.replaceAll(key, value);
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, text);
  }
}
copy(TEMPLATE, target);

const shown = relative(process.env.INIT_CWD ?? process.cwd(), target) || '.';
process.stdout.write(
  [
    `Created the plugin "${name}" in ${target}. Next:`,
    `  cd ${shown} && npm install && npm run typecheck && npm test`,
    `and to run it in a server, from ${ROOT}:`,
    `  RELIEF_PLUGINS_PATH=${target} npm start`,
    '',
  ].join('\n'),
);
