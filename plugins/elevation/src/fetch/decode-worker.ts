/**
 * Pool worker: inflates one downloaded tile (.hgt.gz, already on disk) into the .hgt file it is
 * handed, and checks it: the gzip stream must be complete, with a matching CRC32 and length, and
 * decompress to an SRTM1 (3601²) or SRTM3 (1201²) grid. This is the only CPU-heavy step of a
 * download, so it is the only one on the pool (the body arrives on the main thread, download.ts).
 *
 * Lean: the compressed file is read in 256 KiB pieces into one buffer and inflated into another,
 * each written out before the next is filled, so a tile is never held whole and a decode makes
 * no garbage (pako's low-level API, which its Inflate class wraps with a fresh output buffer per
 * chunk: 26 MB of it per SRTM1 tile, held until a GC). The I/O is synchronous: it only blocks
 * this pool thread, which has nothing else to do meanwhile. pako (pure JS) inflates the raw
 * deflate stream and behaves the same in every worker; the gzip header, CRC32 and length are
 * checked in gzip-member.ts with Node's native CRC32, which pako computes byte by byte in
 * JavaScript (a third of its gzip decode time; docs/performance.md). The tile is the first gzip
 * member; bytes after it are not read.
 *
 * A corrupt, truncated or wrongly sized tile is a 'retryable' result (download it again); only
 * local file errors throw. The worker never removes what it wrote: aborting a job terminates this
 * thread, so the main thread owns both files and removes them (or renames the .hgt after 'ok').
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import {
  Z_BUF_ERROR,
  Z_NO_FLUSH,
  Z_OK,
  Z_STREAM_END,
  ZStream,
  zlibInflate,
  zlibInflateEnd,
  zlibInflateInit2,
} from 'pako';
import type { WorkerTools } from 'relief/worker';
import type { DecodeTileInput, DecodeTileOutput } from '../contracts.ts';
import { checkGzipTrailer, readGzipHeader } from './gzip-member.ts';
import { MAX_TILE_SIZE, TILE_SIZES } from './tile-sizes.ts';

/** Bytes read, and bytes inflated, per step: measured about 8 % faster than 64 KiB. */
const PIECE = 256 * 1024;
/** A raw deflate stream with a 15-bit window: the gzip container is read here. */
const RAW_WINDOW_BITS = -15;
const TRAILER = 8;

/** `tools` is absent in direct calls (tests, benchmarks): the file is then not flushed. */
export async function decodeTile(
  input: DecodeTileInput,
  tools?: WorkerTools,
): Promise<DecodeTileOutput> {
  const stepAside = tools === undefined ? () => undefined : () => tools.yieldToInteractive();
  const source = openSync(input.gzipPath, 'r');
  try {
    const target = openSync(input.hgtPath, 'w');
    try {
      // Flushed every RELIEF_WRITE_SYNC_BYTES while inflating goes on, and at the end: the tile
      // is renamed into the cache next, and must neither fill a container's memory with dirty
      // pages nor be lost in a crash.
      const flush = tools?.overlappedFlush(target);
      const result = await inflateFile(source, target, stepAside, (bytes) => flush?.written(bytes));
      if (result.kind === 'ok') await flush?.finish();
      return result;
    } finally {
      closeSync(target);
    }
  } finally {
    closeSync(source);
  }
}

async function inflateFile(
  source: number,
  target: number,
  stepAside: () => void,
  written: (bytes: number) => Promise<void> | undefined,
): Promise<DecodeTileOutput> {
  const strm = new ZStream();
  if (zlibInflateInit2(strm, RAW_WINDOW_BITS) !== Z_OK) {
    throw new Error('pako: inflateInit2 failed');
  }
  const piece = new Uint8Array(PIECE);
  const output = new Uint8Array(PIECE);
  strm.input = piece;
  strm.output = output;
  let compressed = 0;
  let size = 0;
  let crc = 0;
  let headerRead = false;
  const retry = (reason: string): DecodeTileOutput => ({ kind: 'retryable', reason });
  const truncated = () => retry(`truncated gzip: the body ended after ${compressed} bytes`);
  try {
    for (;;) {
      // Between pieces (about 3 ms of inflating each), requests drawn on the pool go first.
      stepAside();
      const read = readSync(source, piece, 0, PIECE, null);
      if (read === 0) return truncated();
      compressed += read;
      let start = 0;
      if (!headerRead) {
        const header = readGzipHeader(piece, read);
        if (header === 'short') {
          return read < PIECE ? truncated() : retry('corrupt gzip: header longer than 256 KiB');
        }
        if ('error' in header) return retry(`corrupt gzip: ${header.error}`);
        start = header.length;
        headerRead = true;
      }
      strm.next_in = start;
      strm.avail_in = read - start;
      // Inflate this piece; a full output buffer may leave more to come from the same input.
      let status: number;
      do {
        strm.next_out = 0;
        strm.avail_out = PIECE;
        status = zlibInflate(strm, Z_NO_FLUSH);
        // Data errors (Z_DATA_ERROR and the like) set msg.
        if (status !== Z_OK && status !== Z_STREAM_END && status !== Z_BUF_ERROR) {
          return retry(`corrupt gzip: ${strm.msg || `status ${status}`}`);
        }
        const produced = PIECE - strm.avail_out;
        size += produced;
        if (size > MAX_TILE_SIZE) {
          return retry(`unexpected size: more than ${MAX_TILE_SIZE} bytes (stopped at ${size})`);
        }
        crc = crc32(output.subarray(0, produced), crc);
        writeAll(target, output, produced);
        // Waits only when the disk is behind by a whole flush.
        const behind = written(produced);
        if (behind !== undefined) await behind;
      } while (status === Z_OK && (strm.avail_in > 0 || strm.avail_out === 0));
      if (status === Z_STREAM_END) break;
    }
    // The trailer follows the deflate stream, in this piece or (partly) after it.
    const trailer = new Uint8Array(TRAILER);
    let have = Math.min(TRAILER, strm.avail_in);
    trailer.set(piece.subarray(strm.next_in, strm.next_in + have));
    while (have < TRAILER) {
      const read = readSync(source, trailer, have, TRAILER - have, null);
      if (read === 0) return truncated();
      compressed += read;
      have += read;
    }
    const wrong = checkGzipTrailer(trailer, crc, size);
    if (wrong !== undefined) return retry(`corrupt gzip: ${wrong}`);
  } finally {
    zlibInflateEnd(strm);
  }
  const samples = TILE_SIZES.get(size);
  if (samples === undefined) return retry(`unexpected size ${size}`);
  return { kind: 'ok', size, samples };
}

function writeAll(fd: number, bytes: Uint8Array, length: number): void {
  for (let done = 0; done < length;) done += writeSync(fd, bytes, done, length - done);
}
