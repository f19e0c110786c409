/**
 * A synthetic SRTM1 tile that compresses like real terrain: fractal value noise (ridges and
 * valleys from kilometres down to a few samples) plus ±`jitter` m of per-sample noise, the
 * sensor noise that keeps real .hgt files from compressing well. Deterministic for a seed.
 */
import { seededRandom as random } from '../../src/testing/seeded-random.ts';

export const SAMPLES = 3601;

/** [lattice spacing in samples, amplitude in m] per octave. */
const OCTAVES: readonly (readonly [number, number])[] = [
  [1200, 1400],
  [300, 450],
  [75, 140],
  [19, 40],
  [5, 10],
];

/** Big-endian int16 HGT bytes of a SAMPLES × SAMPLES grid. */
export function syntheticTile(seed = 1, jitter = 3): Buffer {
  const next = random(seed);
  const heights = new Float64Array(SAMPLES * SAMPLES).fill(1800);
  for (const [spacing, amplitude] of OCTAVES) {
    const cells = Math.ceil((SAMPLES - 1) / spacing) + 1;
    const lattice = Float64Array.from({ length: cells * cells }, () => next() * 2 - 1);
    for (let row = 0; row < SAMPLES; row++) {
      const y = row / spacing;
      const y0 = Math.floor(y);
      const fy = smooth(y - y0);
      for (let col = 0; col < SAMPLES; col++) {
        const x = col / spacing;
        const x0 = Math.floor(x);
        const fx = smooth(x - x0);
        const i = y0 * cells + x0;
        const top = lerp(lattice[i] ?? 0, lattice[i + 1] ?? 0, fx);
        const bottom = lerp(lattice[i + cells] ?? 0, lattice[i + cells + 1] ?? 0, fx);
        heights[row * SAMPLES + col] =
          (heights[row * SAMPLES + col] ?? 0) + amplitude * lerp(top, bottom, fy);
      }
    }
  }
  const buffer = Buffer.alloc(SAMPLES * SAMPLES * 2);
  for (let i = 0; i < heights.length; i++) {
    const noise = Math.round((next() * 2 - 1) * jitter);
    buffer.writeInt16BE(Math.max(0, Math.round(heights[i] ?? 0)) + noise, i * 2);
  }
  return buffer;
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}
