/**
 * bench/elevation-validity: what does the polygon validity check cost as outlines grow, against
 * turf's kinks (which tests every pair of edges)? For each size, times findInvalidity on a
 * coastline-like ring (a circle with seeded random radial noise: valid, edges short) and on a
 * star of alternating spikes (the worst case for a box index: long edges whose boxes overlap,
 * refused once the edge-pair budget runs out), plus turf kinks on the coastline up to 20 000
 * vertices (beyond that it takes minutes). Prints the median of `--runs` runs in milliseconds.
 *
 *   npm run bench:validity [-- --runs 5]
 */
import { kinks, polygon } from '@turf/turf';
import type { Position } from 'geojson';
import { parseArgs } from 'node:util';
import {
  DEFAULT_PAIRS_PER_EDGE,
  findInvalidity,
} from '../../plugins/elevation/src/input/polygon-validity.ts';
import { intOption } from '../lib/options.ts';
import { seededRandom } from '../../src/testing/seeded-random.ts';
import { median } from '../lib/stats.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = intOption('runs', values.runs, 5, 1, 100);
const SIZES = [1_000, 10_000, 20_000, 100_000, 1_000_000];

function ring(vertices: number, radius: (i: number) => number): Position[] {
  const points: Position[] = [];
  for (let i = 0; i < vertices; i++) {
    const angle = (2 * Math.PI * i) / vertices;
    points.push([8 + radius(i) * Math.cos(angle), 46 + radius(i) * Math.sin(angle)]);
  }
  points.push(points[0]!);
  return points;
}

function coastline(vertices: number): Position[] {
  const random = seededRandom(vertices);
  // Noise well below the spacing of the vertices, so the ring stays simple.
  const step = (2 * Math.PI) / vertices;
  return ring(vertices, () => 1 + (random() - 0.5) * step);
}

const star = (vertices: number) => ring(vertices, (i) => 1 + (i % 2) * 0.5);

function time(run: () => unknown): number {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return median(times);
}

const check = (rings: Position[]) => () => {
  const verdict = findInvalidity([
    { rings: [rings], ringNames: ['ring 0'], ringLocators: ['r'], name: 'p', locator: 'p' },
  ]);
  return verdict?.kind ?? 'valid';
};

console.log(`validity check, median of ${RUNS} runs (budget ${DEFAULT_PAIRS_PER_EDGE} pairs/edge)`);
console.log('vertices  coastline ms  star ms (verdict)  turf kinks on coastline ms');
for (const size of SIZES) {
  const coast = coastline(size);
  const spikes = star(size);
  const coastMs = time(check(coast));
  const coastVerdict = check(coast)();
  const verdict = check(spikes)();
  const starMs = time(check(spikes));
  const kinksMs = size <= 20_000 ? time(() => kinks(polygon([coast]))).toFixed(0) : '—';
  console.log(
    `${String(size).padStart(8)}  ${coastMs.toFixed(1).padStart(12)} (${coastVerdict})  ${starMs.toFixed(1).padStart(7)} (${verdict})  ${kinksMs.padStart(10)}`,
  );
}
