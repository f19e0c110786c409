/**
 * Reading an .hgt tile row by row without holding it: the row-block reader the elevation plugin's
 * result workers use (through `relief/worker`), reusing one block buffer per thread.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import type { HgtSamples } from './hgt-tile-reader.ts';

const HOST_IS_BIG_ENDIAN = endianness() === 'BE';

/** Rows read at once when a caller reads consecutive rows: 1.8 MB of an SRTM1 tile. */
export const HGT_ROW_BLOCK = 256;

/** Row `row` of the tile (samples values, row 0 = north edge) as host-endian int16. */
export type HgtRowReader = (row: number) => Int16Array;

/**
 * Calls `use` with a reader of the tile's rows, then closes the file. Rows are read on demand,
 * `blockRows` at a time from the row asked for, into one buffer that the next read reuses: a
 * returned row is valid until the reader is called for a row outside its block. So a results
 * job holds one block, not the tile (26 MB for SRTM1), and reads only the rows it looks at.
 * Rows should be asked for in increasing order; any order works, at the cost of re-reads.
 * `beforeBlock` runs before each block is read: a background job's chance to step aside for
 * requests (tools.yieldToInteractive).
 */
export function withHgtRows<T>(
  file: { path: string; samples: HgtSamples },
  blockRows: number,
  use: (row: HgtRowReader) => T,
  beforeBlock?: () => void,
): T {
  const { samples } = file;
  const rowBytes = samples * 2;
  const fd = openSync(file.path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size !== rowBytes * samples) {
      throw new Error(`${file.path}: ${size} bytes, not a ${samples}² tile`);
    }
    const rows = Math.max(1, Math.min(blockRows, samples));
    const block = takeBlock(rows * rowBytes);
    const bytes = Buffer.from(block);
    const values = new Int16Array(block);
    let first = -1;
    let count = 0;
    try {
      return use((row) => {
        if (row < first || row >= first + count) {
          beforeBlock?.();
          first = row;
          count = Math.min(rows, samples - row);
          const length = count * rowBytes;
          for (let done = 0; done < length;) {
            const read = readSync(fd, bytes, done, length - done, row * rowBytes + done);
            if (read === 0) throw new Error(`${file.path} ended before row ${row + count}`);
            done += read;
          }
          if (!HOST_IS_BIG_ENDIAN) bytes.subarray(0, length).swap16();
        }
        const at = (row - first) * samples;
        return values.subarray(at, at + samples);
      });
    } finally {
      spareBlocks.push(block);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Blocks are reused from tile to tile: a fresh 1.8 MB buffer per tile would be garbage the
 * moment the tile is done, and V8 collects such buffers late (tens of MB of them alive at once,
 * measured). A thread keeps what it used last; nested readers each take their own.
 */
const spareBlocks: ArrayBuffer[] = [];

function takeBlock(bytes: number): ArrayBuffer {
  const index = spareBlocks.findIndex((block) => block.byteLength >= bytes);
  if (index >= 0) return spareBlocks.splice(index, 1)[0]!;
  spareBlocks.length = 0; // too small for this grid: let them go
  return new ArrayBuffer(bytes);
}
