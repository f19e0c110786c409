/**
 * Synthetic alpine terrain for the bench/wms mosaic: fractal value noise (ridges and valleys from
 * about 40 km down to a few samples) plus ±`jitter` m of per-sample noise, defined over the whole
 * mosaic in global sample coordinates, so the four tiles join without seams (the shared edge
 * rows and columns hold the same values in both neighbours). Deterministic for a seed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hgtTileName as tileName } from '../../src/raster/hgt-tile-name.ts';
import { generateHgt } from '../../src/testing/hgt-fixtures.ts';
import { seededRandom as random } from '../../src/testing/seeded-random.ts';

/** SRTM1: 3601 samples per side, 3600 per degree. */
export const SAMPLES = 3601;
const PER_DEGREE = SAMPLES - 1;

export interface Mosaic {
  /** South-west corner of the south-west tile, whole degrees. */
  south: number;
  west: number;
  /** Tiles per side. */
  size: number;
}

export const MOSAIC: Mosaic = { south: 46, west: 7, size: 2 };

/** [lattice spacing in samples, amplitude in m] per octave. */
const OCTAVES: readonly (readonly [number, number])[] = [
  [1440, 1300],
  [360, 520],
  [90, 170],
  [24, 45],
  [6, 12],
];

interface Octave {
  spacing: number;
  amplitude: number;
  cells: number;
  lattice: Float64Array;
}

/**
 * heightAt(lat, lon) for generateHgt: heights in metres (about 300-4000) anywhere in the mosaic.
 * Sample positions are snapped to the global SRTM1 grid, so neighbouring tiles agree on edges.
 */
export function alpineHeightAt(
  mosaic: Mosaic = MOSAIC,
  seed = 7,
  jitter = 3,
): (lat: number, lon: number) => number {
  const next = random(seed);
  const span = mosaic.size * PER_DEGREE; // global samples - 1 per side
  const octaves: Octave[] = OCTAVES.map(([spacing, amplitude]) => {
    const cells = Math.ceil(span / spacing) + 2;
    return {
      spacing,
      amplitude,
      cells,
      lattice: Float64Array.from({ length: cells * cells }, () => next() * 2 - 1),
    };
  });
  const north = mosaic.south + mosaic.size;
  return (lat, lon) => {
    const row = Math.round((north - lat) * PER_DEGREE);
    const col = Math.round((lon - mosaic.west) * PER_DEGREE);
    let height = 1900;
    for (const { spacing, amplitude, cells, lattice } of octaves) {
      const y = row / spacing;
      const x = col / spacing;
      const y0 = Math.floor(y);
      const x0 = Math.floor(x);
      const fy = smooth(y - y0);
      const fx = smooth(x - x0);
      const i = y0 * cells + x0;
      const top = lerp(lattice[i] ?? 0, lattice[i + 1] ?? 0, fx);
      const bottom = lerp(lattice[i + cells] ?? 0, lattice[i + cells + 1] ?? 0, fx);
      height += amplitude * lerp(top, bottom, fy);
    }
    return Math.max(200, height) + (hash(row, col, seed) * 2 - 1) * jitter;
  };
}

/** A uniform value in [0, 1) from integer coordinates (the per-sample sensor noise). */
function hash(row: number, col: number, seed: number): number {
  let h = Math.imul(row, 0x27d4eb2d) ^ Math.imul(col, 0x165667b1) ^ Math.imul(seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/**
 * Writes the mosaic's SRTM1 tiles into `folder` in the skadi layout (`N46/N46E007.hgt`) and
 * returns their paths.
 */
export async function writeMosaic(folder: string, mosaic: Mosaic = MOSAIC): Promise<string[]> {
  const heightAt = alpineHeightAt(mosaic);
  const paths: string[] = [];
  for (let dLat = 0; dLat < mosaic.size; dLat++) {
    for (let dLon = 0; dLon < mosaic.size; dLon++) {
      const tile = { lat: mosaic.south + dLat, lon: mosaic.west + dLon };
      const name = tileName(tile);
      const dir = join(folder, name.slice(0, 3));
      await mkdir(dir, { recursive: true });
      const path = join(dir, `${name}.hgt`);
      await writeFile(path, generateHgt(tile, SAMPLES, heightAt));
      paths.push(path);
    }
  }
  return paths;
}
