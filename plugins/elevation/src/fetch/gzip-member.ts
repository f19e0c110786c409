/**
 * The gzip container around a tile's deflate stream (RFC 1952): the member header before it and
 * the CRC32 and length after it. The decode worker inflates the raw deflate stream with pako and
 * checks the container here, so the CRC32 of the 26 MB of output is Node's native `zlib.crc32`
 * (a few ms) instead of pako's byte-at-a-time JavaScript one (about a third of pako's whole gzip
 * decode time, measured in docs/performance.md). Messages are zlib's, as pako gave them.
 */
import { crc32 } from 'node:zlib';

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
const RESERVED = 0xe0;

/** The header's length, 'short' if it goes on past `length` bytes, or what is wrong with it. */
export type GzipHeader = { length: number } | 'short' | { error: string };

/** Reads the member header at the start of `bytes` (its first `length` bytes are valid). */
export function readGzipHeader(bytes: Uint8Array, length: number): GzipHeader {
  const head = bytes.subarray(0, length);
  if (head.length >= 2 && !(head[0] === 0x1f && head[1] === 0x8b)) {
    return { error: 'incorrect header check' };
  }
  if (head.length < 10) return 'short';
  if (head[2] !== 8) return { error: 'unknown compression method' };
  const flags = head[3]!;
  if ((flags & RESERVED) !== 0) return { error: 'unknown header flags set' };
  let at = 10;
  if ((flags & FEXTRA) !== 0) {
    if (at + 2 > head.length) return 'short';
    at += 2 + (head[at]! | (head[at + 1]! << 8));
    if (at > head.length) return 'short';
  }
  for (const field of [FNAME, FCOMMENT]) {
    if ((flags & field) === 0) continue;
    // Zero-terminated: the name of the file gzipped, or a comment.
    const end = head.indexOf(0, at);
    if (end < 0) return 'short';
    at = end + 1;
  }
  if ((flags & FHCRC) !== 0) {
    if (at + 2 > head.length) return 'short';
    const stored = head[at]! | (head[at + 1]! << 8);
    if (stored !== (crc32(head.subarray(0, at)) & 0xffff)) return { error: 'header crc mismatch' };
    at += 2;
  }
  return { length: at };
}

/**
 * Checks the 8-byte trailer against the CRC32 and the length of what was inflated; undefined if
 * they match, else zlib's message.
 */
export function checkGzipTrailer(
  trailer: Uint8Array,
  crc: number,
  size: number,
): string | undefined {
  const view = new DataView(trailer.buffer, trailer.byteOffset, 8);
  if (view.getUint32(0, true) !== crc >>> 0) return 'incorrect data check';
  if (view.getUint32(4, true) !== size % 2 ** 32) return 'incorrect length check';
  return undefined;
}
