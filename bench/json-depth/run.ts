/**
 * bench/json-depth: what does the nesting-depth scan in front of every JSON body cost, against
 * the JSON.parse it precedes? Builds a GeoJSON FeatureCollection of about 10 MB (the default
 * body limit), with brackets and escaped quotes inside strings, and times both on the main
 * thread, interleaved over rounds; prints the medians and their ratio.
 *
 *   node --import tsx bench/json-depth/run.ts [--runs 15 --megabytes 10]
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { findJsonTooDeep } from '../../src/request-loop/json-depth.ts';
import { intOption } from '../lib/options.ts';
import { median } from '../lib/stats.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string' }, megabytes: { type: 'string' } },
});
const RUNS = intOption('runs', values.runs, 15, 1, 1000);
const BYTES = intOption('megabytes', values.megabytes, 10, 1, 512) * 1e6;

const feature = JSON.stringify({
  type: 'Feature',
  properties: { name: 'Gipfel [Nord] "Spitze" {2}', elevation: 4478.2 },
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [7.6586, 45.9763],
        [7.6592, 45.9763],
        [7.6592, 45.9769],
        [7.6586, 45.9769],
        [7.6586, 45.9763],
      ],
    ],
  },
});
const copies = Math.ceil(BYTES / (feature.length + 1));
const text = `{"type":"FeatureCollection","features":[${Array(copies).fill(feature).join(',')}]}`;

const scans: number[] = [];
const parses: number[] = [];
for (let run = -1; run < RUNS; run++) {
  let start = performance.now();
  if (findJsonTooDeep(text, 64) !== -1) throw new Error('the test body is within the bound');
  const scan = performance.now() - start;
  start = performance.now();
  JSON.parse(text);
  const parse = performance.now() - start;
  // Round -1 warms up both.
  if (run >= 0) {
    scans.push(scan);
    parses.push(parse);
  }
}
const scan = median(scans);
const parse = median(parses);
console.log(
  `node ${process.version}, ${availableParallelism()} × ${cpus()[0]?.model ?? 'cpu'}, ` +
    `${(text.length / 1e6).toFixed(1)} MB, ${RUNS} runs`,
);
console.log(
  `depth scan  median ${scan.toFixed(1)} ms  (${(text.length / 1e3 / scan).toFixed(0)} MB/s)`,
);
console.log(
  `JSON.parse  median ${parse.toFixed(1)} ms  (${(text.length / 1e3 / parse).toFixed(0)} MB/s)`,
);
console.log(`scan / parse ${(scan / parse).toFixed(2)}`);
