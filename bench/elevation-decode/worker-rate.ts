/**
 * The decode worker's own single-thread rate: `decodeTile` (pako's raw inflate in 256 KiB pieces,
 * the gzip container checked with node:zlib's CRC32, the .hgt written to a file) run directly on
 * this thread over a gzip file in a temporary folder (not flushed: no pool, no setting). bench:elevation sets a job's rate against
 * it too: tiles/s ÷ (pool threads × this rate) is how well the job keeps its threads decoding,
 * whatever the decoder's own speed (pako-rate.ts is the yardstick).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTile } from '../../plugins/elevation/src/fetch/decode-worker.ts';
import type { DecodeRate } from './pako-rate.ts';

/** Median over `runs` decodes after one warm-up, on this thread. */
export async function workerDecodeRate(gz: Uint8Array, runs = 5): Promise<DecodeRate> {
  const dir = mkdtempSync(join(tmpdir(), 'relief-decode-rate-'));
  try {
    const files = { gzipPath: join(dir, 'tile.hgt.gz'), hgtPath: join(dir, 'tile.hgt') };
    writeFileSync(files.gzipPath, gz);
    const decode = async () => {
      const result = await decodeTile(files);
      if (result.kind !== 'ok') throw new Error(`decodeTile: ${result.reason}`);
      return result.size;
    };
    const size = await decode();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await decode();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const ms = times[times.length >> 1]!;
    return { ms, tilesPerS: 1000 / ms, mbPerS: size / 1e6 / (ms / 1000), runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
