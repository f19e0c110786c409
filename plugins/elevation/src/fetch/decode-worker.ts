/**
 * Pool worker: inflates one downloaded tile (.hgt.gz, already on disk) into the .hgt file it is
 * handed, and checks it: the gzip stream must be complete, with a matching CRC32 and length, and
 * decompress to an SRTM1 (3601²) or SRTM3 (1201²) grid. This is the only CPU-heavy step of a
 * download, so it is the only one on the pool (the body arrives on the main thread, download.ts).
 *
 * Bounded memory: the compressed file is read in 256 KiB pieces into one reused buffer, and each
 * piece of output is written as soon as pako hands it over, so a tile is never held whole. The
 * I/O is synchronous: it only blocks this pool thread, which has nothing else to do meanwhile.
 * pako (pure JS) checks the CRC and length itself and behaves the same in every worker;
 * docs/performance.md has its measured cost against node:zlib.
 *
 * A corrupt, truncated or wrongly sized tile is a 'retryable' result (download it again); only
 * local file errors throw. The worker never removes what it wrote: aborting a job terminates this
 * thread, so the main thread owns both files and removes them (or renames the .hgt after 'ok').
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { Inflate } from 'pako';
import type { DecodeTileInput, DecodeTileOutput } from '../contracts.ts';
import { MAX_TILE_SIZE, TILE_SIZES } from './tile-sizes.ts';

/** Bytes read per piece and pako's output chunk size: measured about 8 % faster than 64 KiB. */
const PIECE = 256 * 1024;

/** Thrown from pako's onData to stop inflating as soon as the output cannot be a tile. */
class TooLarge extends Error {}

export function decodeTile(input: DecodeTileInput): DecodeTileOutput {
  const source = openSync(input.gzipPath, 'r');
  try {
    const target = openSync(input.hgtPath, 'w');
    try {
      return inflateFile(source, target);
    } finally {
      closeSync(target);
    }
  } finally {
    closeSync(source);
  }
}

function inflateFile(source: number, target: number): DecodeTileOutput {
  const inflate = new Inflate({ chunkSize: PIECE });
  let size = 0;
  inflate.onData = (chunk) => {
    size += chunk.length;
    if (size > MAX_TILE_SIZE) throw new TooLarge();
    writeAll(target, chunk);
  };
  const piece = Buffer.allocUnsafe(PIECE);
  let compressed = 0;
  const retry = (reason: string): DecodeTileOutput => ({ kind: 'retryable', reason });

  // Once the gzip stream has ended, the rest of the file (trailing bytes) is not read.
  while (!inflate.ended) {
    const read = readSync(source, piece, 0, PIECE, null);
    if (read === 0) break;
    compressed += read;
    try {
      // pako is done with the piece when push returns (it keeps its own window), so the buffer
      // can be refilled.
      inflate.push(piece.subarray(0, read), false);
    } catch (error) {
      if (error instanceof TooLarge) {
        return retry(`unexpected size: more than ${MAX_TILE_SIZE} bytes (stopped at ${size})`);
      }
      throw error;
    }
    // Data, header, CRC and length errors end the stream with err set (Z_DATA_ERROR).
    if (inflate.err !== 0) return retry(`corrupt gzip: ${inflate.msg}`);
  }
  // pako ends the stream itself once the trailer has been checked. If it has not ended, the body
  // stopped early: the final Z_FINISH push then reports Z_BUF_ERROR ("buffer error").
  if (!inflate.ended) {
    inflate.onData = () => undefined;
    inflate.push(new Uint8Array(0), true);
    return retry(`truncated gzip: the body ended after ${compressed} bytes (${inflate.msg})`);
  }
  const samples = TILE_SIZES.get(size);
  if (samples === undefined) return retry(`unexpected size ${size}`);
  return { kind: 'ok', size, samples };
}

function writeAll(fd: number, chunk: Uint8Array): void {
  for (let done = 0; done < chunk.length;) {
    done += writeSync(fd, chunk, done, chunk.length - done);
  }
}
