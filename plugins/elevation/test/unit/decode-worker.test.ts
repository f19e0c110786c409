/**
 * The decode worker on files: a good gzip becomes the .hgt, and every way a body can be bad (cut
 * short, corrupt, a wrong CRC, the wrong size, far too large) is a 'retryable' result with the
 * reason. Runs decodeTile in-process, then through a real one-thread WorkerPool to prove it loads
 * there, and that an abort stops it and leaves the files to the caller.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DecodeTileInput, DecodeTileOutput } from '../../src/contracts.ts';
import { decodeTile } from '../../src/fetch/decode-worker.ts';
import type { WorkerPool } from 'relief';
import { defaultHeightAt, generateHgt, gzipHgt, hgtSize, startTestPool } from 'relief/testing';

const WORKER = new URL('../../src/fetch/decode-worker.ts', import.meta.url);
const SRTM3 = generateHgt({ lat: 46, lon: 7 }, 1201, defaultHeightAt);
const SRTM3_GZ = gzipHgt(SRTM3);
let srtm1: Buffer;
let srtm1Gz: Buffer;
let dir: string;

beforeAll(() => {
  srtm1 = generateHgt({ lat: 47, lon: 8 }, 3601, defaultHeightAt);
  srtm1Gz = gzipHgt(srtm1);
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-decode-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function input(gzip: Uint8Array): Promise<DecodeTileInput> {
  const gzipPath = join(dir, 'tile.hgt.gz');
  await writeFile(gzipPath, gzip);
  return { gzipPath, hgtPath: join(dir, 'tile.hgt') };
}

async function decode(gzip: Uint8Array) {
  const files = await input(gzip);
  return { files, result: await decodeTile(files) };
}

/** A copy of `gzip` with the byte at `at` flipped. */
function flipped(gzip: Buffer, at: number): Buffer {
  const copy = Buffer.from(gzip);
  copy[at] = (copy[at] ?? 0) ^ 0xff;
  return copy;
}

interface MemberOptions {
  level?: number;
  extra?: Buffer;
  name?: string;
  comment?: string;
  headerCrc?: 'right' | 'wrong';
  method?: number;
  flags?: number;
}

/** A gzip member of `data` with the optional header fields asked for (RFC 1952). */
function gzipMember(data: Buffer, options: MemberOptions = {}): Buffer {
  const fields: Buffer[] = [];
  let flags = options.flags ?? 0;
  if (options.extra !== undefined) {
    flags |= 4;
    const length = Buffer.alloc(2);
    length.writeUInt16LE(options.extra.length);
    fields.push(length, options.extra);
  }
  if (options.name !== undefined) {
    flags |= 8;
    fields.push(Buffer.from(`${options.name}\0`, 'latin1'));
  }
  if (options.comment !== undefined) {
    flags |= 16;
    fields.push(Buffer.from(`${options.comment}\0`, 'latin1'));
  }
  if (options.headerCrc !== undefined) flags |= 2;
  const fixed = Buffer.from([0x1f, 0x8b, options.method ?? 8, flags, 0, 0, 0, 0, 0, 3]);
  let header = Buffer.concat([fixed, ...fields]);
  if (options.headerCrc !== undefined) {
    const check = Buffer.alloc(2);
    check.writeUInt16LE((crc32(header) & 0xffff) ^ (options.headerCrc === 'wrong' ? 1 : 0));
    header = Buffer.concat([header, check]);
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length % 2 ** 32, 4);
  const deflated = deflateRawSync(data, { level: options.level ?? 6 });
  return Buffer.concat([header, deflated, trailer]);
}

/** The worker reads 256 KiB at a time. */
const PIECE = 256 * 1024;

describe('decodeTile', () => {
  it.each([
    ['SRTM3', 1201],
    ['SRTM1', 3601],
  ] as const)('writes an %s tile decompressed and reports its grid', async (_, samples) => {
    const [hgt, gzip] = samples === 1201 ? [SRTM3, SRTM3_GZ] : [srtm1, srtm1Gz];
    const { files, result } = await decode(gzip);
    expect(result).toEqual({ kind: 'ok', size: hgtSize(samples), samples });
    expect((await readFile(files.hgtPath)).equals(hgt)).toBe(true);
  });

  it('ignores bytes after the end of the gzip stream', async () => {
    const { result } = await decode(Buffer.concat([SRTM3_GZ, Buffer.from('trailing bytes')]));
    expect(result).toEqual({ kind: 'ok', size: hgtSize(1201), samples: 1201 });
  });

  it('reports a body cut short as truncated gzip, leaving the partial output', async () => {
    const half = Math.floor(SRTM3_GZ.length / 2);
    const { files, result } = await decode(SRTM3_GZ.subarray(0, half));
    expect(result).toEqual({
      kind: 'retryable',
      reason: `truncated gzip: the body ended after ${half} bytes`,
    });
    // The worker leaves hgtPath to its caller: a prefix of the tile is there.
    const partial = await readFile(files.hgtPath);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(hgtSize(1201));
    expect(partial.equals(SRTM3.subarray(0, partial.length))).toBe(true);
  });

  it('reports an empty body as truncated gzip', async () => {
    expect((await decode(new Uint8Array(0))).result).toEqual({
      kind: 'retryable',
      reason: 'truncated gzip: the body ended after 0 bytes',
    });
  });

  it.each([
    ['deflate data', (gz: Buffer) => Math.floor(gz.length / 2), /^corrupt gzip: /],
    ['the CRC32', (gz: Buffer) => gz.length - 8, /^corrupt gzip: incorrect data check$/],
    ['the length', (gz: Buffer) => gz.length - 4, /^corrupt gzip: incorrect length check$/],
  ])('reports a flipped byte in %s as corrupt gzip', async (_, at, reason) => {
    const { result } = await decode(flipped(SRTM3_GZ, at(SRTM3_GZ)));
    expect(result.kind === 'retryable' && result.reason).toMatch(reason);
  });

  it('reads a header with every optional field (extra, name, comment, header CRC)', async () => {
    const gzip = gzipMember(SRTM3, {
      extra: Buffer.from('AP\x04\x00abcd', 'latin1'),
      name: 'N46E007.hgt',
      comment: 'skadi',
      headerCrc: 'right',
    });
    const { files, result } = await decode(gzip);
    expect(result).toEqual({ kind: 'ok', size: hgtSize(1201), samples: 1201 });
    expect((await readFile(files.hgtPath)).equals(SRTM3)).toBe(true);
  });

  it.each([
    ['a zlib stream', () => deflateSync(SRTM3), 'incorrect header check'],
    ['not gzip at all', () => Buffer.from('<html>Not Found</html>'), 'incorrect header check'],
    ['another method', () => gzipMember(SRTM3, { method: 7 }), 'unknown compression method'],
    ['reserved flags', () => gzipMember(SRTM3, { flags: 0x20 }), 'unknown header flags set'],
    ['a wrong header CRC', () => gzipMember(SRTM3, { headerCrc: 'wrong' }), 'header crc mismatch'],
  ])('reports %s as corrupt gzip', async (_, gzip, reason) => {
    expect((await decode(gzip())).result).toEqual({
      kind: 'retryable',
      reason: `corrupt gzip: ${reason}`,
    });
  });

  it('reports a header cut short, and one longer than a read, without inflating', async () => {
    const named = gzipMember(SRTM3, { name: 'N46E007.hgt' });
    expect((await decode(named.subarray(0, 15))).result).toEqual({
      kind: 'retryable',
      reason: 'truncated gzip: the body ended after 15 bytes',
    });
    const long = gzipMember(SRTM3, { name: 'n'.repeat(PIECE) });
    expect((await decode(long)).result).toEqual({
      kind: 'retryable',
      reason: 'corrupt gzip: header longer than 256 KiB',
    });
  });

  it.each([0, 1, 4, 7, 8])(
    'reads a trailer that starts %i bytes before the end of a read',
    async (before) => {
      // A name long enough to put the end of the deflate stream where asked: the trailer is
      // then split between two reads (or starts a read, or ends one).
      for (let level = 1; level <= 9; level++) {
        const deflated = deflateRawSync(SRTM3, { level }).length;
        const nameLength = (((PIECE - before - ((11 + deflated) % PIECE)) % PIECE) + PIECE) % PIECE;
        if (11 + nameLength > PIECE) continue;
        const gzip = gzipMember(SRTM3, { level, name: 'n'.repeat(nameLength) });
        expect((gzip.length - 8) % PIECE).toBe((PIECE - before) % PIECE);
        const { files, result } = await decode(gzip);
        expect(result).toEqual({ kind: 'ok', size: hgtSize(1201), samples: 1201 });
        expect((await readFile(files.hgtPath)).equals(SRTM3)).toBe(true);
        // Cut inside the trailer: truncated, whatever the split.
        const cut = gzip.length - 3;
        expect((await decode(gzip.subarray(0, cut))).result).toEqual({
          kind: 'retryable',
          reason: `truncated gzip: the body ended after ${cut} bytes`,
        });
        return;
      }
      throw new Error('no compression level gives a usable split');
    },
  );

  it('reports a valid gzip of the wrong length as unexpected size', async () => {
    const { result } = await decode(gzipHgt(SRTM3.subarray(0, SRTM3.length - 2)));
    expect(result).toEqual({ kind: 'retryable', reason: `unexpected size ${hgtSize(1201) - 2}` });
  });

  it('stops inflating as soon as the output exceeds the largest tile', async () => {
    const { files, result } = await decode(gzipHgt(Buffer.alloc(64 * 1024 * 1024)));
    expect(result.kind === 'retryable' && result.reason).toMatch(
      /^unexpected size: more than 25934402 bytes \(stopped at \d+\)$/,
    );
    expect((await stat(files.hgtPath)).size).toBeLessThanOrEqual(hgtSize(3601));
  });

  it('throws on a missing input file (a local error, not a bad tile)', async () => {
    await expect(
      decodeTile({ gzipPath: join(dir, 'missing.hgt.gz'), hgtPath: join(dir, 'x.hgt') }),
    ).rejects.toThrow(/ENOENT/);
  });
});

describe('decodeTile in the worker pool', () => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = startTestPool();
  });
  afterAll(() => pool.close());

  it('loads in a worker thread', async () => {
    const files = await input(SRTM3_GZ);
    const result = await pool.run<DecodeTileOutput>(WORKER, 'decodeTile', files);
    expect(result).toEqual({ kind: 'ok', size: hgtSize(1201), samples: 1201 });
    expect((await readFile(files.hgtPath)).equals(SRTM3)).toBe(true);
  });

  it('is stopped by an abort; the files stay for the caller, and the pool goes on', async () => {
    const files = await input(srtm1Gz);
    const controller = new AbortController();
    const job = pool.run<DecodeTileOutput>(WORKER, 'decodeTile', files, {
      signal: controller.signal,
    });
    controller.abort();
    await expect(job).rejects.toThrow();
    expect(existsSync(files.gzipPath)).toBe(true);
    // The pool replaced the terminated worker.
    const again = await input(SRTM3_GZ);
    expect(await pool.run(WORKER, 'decodeTile', again)).toMatchObject({ kind: 'ok' });
  });
});
