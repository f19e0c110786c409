/** Reading tile rows in blocks: every row as written, in any order, and a wrong size refused. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HgtSamples } from '../../../src/raster/hgt-tile-reader.ts';
import { withHgtRows as withRows } from '../../../src/raster/hgt-row-reader.ts';
import { generateHgt, hgtSample } from '../../../src/testing/hgt-fixtures.ts';

const TILE = { lat: 46, lon: 7 };
const HGT = generateHgt(TILE, 1201);
let dir: string;
let file: { path: string; samples: HgtSamples };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-hgt-grid-'));
  file = { path: join(dir, 'N46E007.hgt'), samples: 1201 };
  await writeFile(file.path, HGT);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const expected = (row: number) =>
  Array.from({ length: 1201 }, (_, col) => hgtSample(HGT, 1201, row, col));

describe('withRows', () => {
  it.each([1, 7, 256, 5000])('reads every row as written, %i rows at a time', (blockRows) => {
    withRows(file, blockRows, (rowAt) => {
      for (const row of [0, 1, 6, 7, 255, 256, 600, 1199, 1200]) {
        expect(Array.from(rowAt(row))).toEqual(expected(row));
      }
      // Backwards too (re-reading blocks).
      expect(Array.from(rowAt(3))).toEqual(expected(3));
    });
  });

  it('refuses a file that is not the size of its grid', () => {
    expect(() => withRows({ ...file, samples: 3601 }, 16, () => 0)).toThrow(
      /2884802 bytes, not a 3601² tile/,
    );
  });
});
