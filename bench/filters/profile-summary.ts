/**
 * Summarises a V8 CPU profile written by `npm run bench:filters -- --cpu-prof <dir>`:
 *
 *   node --import tsx bench/filters/profile-summary.ts <file.cpuprofile> [--top 25]
 *
 * Prints where the busy (non-idle) time went: self time by area (Relief's request loop and
 * filter chain, the benchmark's no-op filters, Fastify, xmlbuilder2, node internals, GC) and by
 * function, plus the inclusive time of the request-loop functions the filter benchmark is about.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
const file = positionals[0];
if (file === undefined) {
  process.stderr.write('Usage: profile-summary.ts <file.cpuprofile> [--top N]\n');
  process.exit(2);
}
const top = Math.max(1, Math.min(200, Number(values.top) || 25));
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map<number, ProfileNode>();
const parent = new Map<number, number>();
for (const node of profile.nodes) {
  byId.set(node.id, node);
  for (const child of node.children ?? []) parent.set(child, node.id);
}

function shortUrl(url: string): string {
  const cut = url.indexOf('/node_modules/');
  if (cut !== -1) return url.slice(cut + 1);
  const src = url.search(/\/(src|bench)\//);
  return src === -1 ? url : url.slice(src + 1);
}

function area(frame: CallFrame): string {
  const url = frame.url;
  if (url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.includes('/src/request-loop/')) return 'relief: src/request-loop';
  if (url.includes('/src/filters/')) return 'relief: src/filters';
  if (url.includes('/src/')) return 'relief: other src';
  if (url.includes('/bench/filters/')) return 'bench: no-op filters';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg !== null) return `npm: ${pkg[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

function label(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
}

const self = new Map<string, number>();
const selfByArea = new Map<string, number>();
const inclusive = new Map<string, number>();
let busy = 0;
let idle = 0;
const add = (map: Map<string, number>, key: string, value: number) =>
  map.set(key, (map.get(key) ?? 0) + value);

for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i] ?? 0;
  const leaf = byId.get(profile.samples[i] ?? -1);
  if (leaf === undefined) continue;
  if (leaf.callFrame.functionName === '(idle)') {
    idle += delta;
    continue;
  }
  busy += delta;
  add(self, label(leaf.callFrame), delta);
  add(selfByArea, area(leaf.callFrame), delta);
  // Each function on the stack once, however often it recurses.
  const seen = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) break;
    const key = label(frame);
    if (!seen.has(key)) {
      seen.add(key);
      add(inclusive, key, delta);
    }
  }
}

const pct = (value: number) => `${((value / busy) * 100).toFixed(2).padStart(6)} %`;
const ms = (value: number) => `${(value / 1000).toFixed(0).padStart(7)} ms`;
const sorted = (map: Map<string, number>) => [...map.entries()].sort((a, b) => b[1] - a[1]);

console.log(`${file}`);
console.log(`busy ${ms(busy)}, idle ${ms(idle)} (percentages below are of busy time)\n`);
console.log('Self time by area:');
for (const [key, value] of sorted(selfByArea)) console.log(`  ${pct(value)} ${ms(value)}  ${key}`);
console.log(`\nSelf time, top ${top} functions:`);
for (const [key, value] of sorted(self).slice(0, top))
  console.log(`  ${pct(value)} ${ms(value)}  ${key}`);
console.log('\nInclusive time of request-loop, filter-chain and benchmark-filter functions:');
for (const [key, value] of sorted(inclusive)) {
  if (/src\/(request-loop|filters)\/|bench\/filters\//.test(key)) {
    console.log(`  ${pct(value)} ${ms(value)}  ${key}`);
  }
}
console.log('\nInclusive time of selected libraries (any function of theirs on the stack):');
const libraries = new Map<string, number>();
for (let i = 0; i < profile.samples.length; i++) {
  const leaf = byId.get(profile.samples[i] ?? -1);
  if (leaf === undefined || leaf.callFrame.functionName === '(idle)') continue;
  const found = new Set<string>();
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const url = byId.get(id)?.callFrame.url ?? '';
    if (url.includes('/node_modules/xmlbuilder2/')) found.add('xmlbuilder2');
    if (url.includes('/src/services/')) found.add('src/services (OWS dispatch + WMS)');
  }
  for (const name of found) add(libraries, name, profile.timeDeltas[i] ?? 0);
}
for (const [key, value] of sorted(libraries)) console.log(`  ${pct(value)} ${ms(value)}  ${key}`);
