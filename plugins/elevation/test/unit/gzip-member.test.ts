/**
 * The gzip container read around the raw deflate stream: a header is complete only with all its
 * optional fields, and the trailer is checked against the CRC32 and length (modulo 2³²).
 */
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkGzipTrailer, readGzipHeader } from '../../src/fetch/gzip-member.ts';

/** A header with every optional field: extra (4 bytes), name, comment and header CRC. */
function fullHeader(): Buffer {
  const head = Buffer.concat([
    Buffer.from([0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 1, 2, 3, 4, 0, 3]),
    Buffer.from([4, 0, 0x41, 0x50, 1, 0]),
    Buffer.from('N46E007.hgt\0comment\0', 'latin1'),
  ]);
  const check = Buffer.alloc(2);
  check.writeUInt16LE(crc32(head) & 0xffff);
  return Buffer.concat([head, check]);
}

describe('readGzipHeader', () => {
  it('gives the length of a complete header, and "short" for every prefix of it', () => {
    const header = fullHeader();
    // Followed by deflate data: the length stops at the header's end.
    const bytes = Buffer.concat([header, Buffer.from([0x63, 0x60, 0, 0])]);
    expect(readGzipHeader(bytes, bytes.length)).toEqual({ length: header.length });
    for (let cut = 0; cut < header.length; cut++) {
      expect(readGzipHeader(bytes, cut), `cut at ${cut}`).toBe('short');
    }
  });

  it('gives the 10-byte length of a header without optional fields', () => {
    const bytes = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255, 3, 0]);
    expect(readGzipHeader(bytes, bytes.length)).toEqual({ length: 10 });
  });

  it('refuses what is not gzip as soon as its first two bytes are there', () => {
    expect(readGzipHeader(Buffer.from('PK'), 2)).toEqual({ error: 'incorrect header check' });
    expect(readGzipHeader(Buffer.from([0x1f]), 1)).toBe('short');
  });

  it('checks the header CRC over every byte before it', () => {
    const header = fullHeader();
    header[12] = 0x42;
    expect(readGzipHeader(header, header.length)).toEqual({ error: 'header crc mismatch' });
  });
});

describe('checkGzipTrailer', () => {
  const trailer = (crc: number, size: number) => {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(crc, 0);
    bytes.writeUInt32LE(size, 4);
    return bytes;
  };

  it('accepts a matching CRC32 and length, the length modulo 2³²', () => {
    expect(checkGzipTrailer(trailer(0xdeadbeef, 5), 0xdeadbeef, 5)).toBeUndefined();
    expect(checkGzipTrailer(trailer(1, 7), 1, 2 ** 32 + 7)).toBeUndefined();
  });

  it('names the CRC first, then the length', () => {
    expect(checkGzipTrailer(trailer(1, 7), 2, 8)).toBe('incorrect data check');
    expect(checkGzipTrailer(trailer(1, 7), 1, 8)).toBe('incorrect length check');
  });
});
