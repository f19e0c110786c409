/**
 * bench/elevation-decode: what does decoding tiles with pako (the decode worker's choice) cost
 * against node:zlib? Decodes the same gzipped synthetic SRTM1 tile (3601², compressing like real
 * terrain) with pako's streaming Inflate (64 KiB input chunks: the single-thread rate that
 * bench:elevation compares jobs with, pako-rate.ts), the decode worker's way (pako's raw inflate,
 * the gzip container and CRC32 checked with node:zlib's crc32: gzip-member.ts; same chunks), a
 * node:zlib createGunzip stream (the same chunks) and gunzipSync, interleaved over rounds, and
 * prints the median throughput of decompressed output and the ratios to pako.
 *
 *   npm run bench:decode [-- --runs 25 --seconds 25 --jitter 1]
 */
import { cpus, availableParallelism } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { crc32, createGunzip, gunzipSync, gzipSync } from 'node:zlib';
import { Inflate, inflate } from 'pako';
import { checkGzipTrailer, readGzipHeader } from '../../plugins/elevation/src/fetch/gzip-member.ts';
import { pakoStreamDecode } from './pako-rate.ts';
import { SAMPLES, syntheticTile } from './terrain.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '25' },
    warmup: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '25' },
    jitter: { type: 'string', default: '1' },
  },
});
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);
const BUDGET_MS = Number(values.seconds) * 1000;
const CHUNK = 64 * 1024;

type Decoder = (gz: Buffer) => Promise<number>;

function* slices(gz: Buffer): Generator<Buffer> {
  for (let offset = 0; offset < gz.length; offset += CHUNK)
    yield gz.subarray(offset, offset + CHUNK);
}

/** Each returns the decompressed byte count; the output is counted, not kept. */
const decoders: Record<string, Decoder> = {
  'pako Inflate (stream)': (gz) => Promise.resolve(pakoStreamDecode(gz)),
  'pako raw + zlib.crc32 (stream)': (gz) => {
    const header = readGzipHeader(gz, gz.length);
    if (typeof header !== 'object' || !('length' in header)) throw new Error('bad gzip header');
    const inflater = new Inflate({ chunkSize: CHUNK, raw: true });
    let size = 0;
    let crc = 0;
    inflater.onData = (chunk) => {
      size += chunk.length;
      crc = crc32(chunk, crc);
    };
    const end = gz.length - 8;
    for (let offset = header.length; offset < end; offset += CHUNK)
      inflater.push(gz.subarray(offset, Math.min(end, offset + CHUNK)), false);
    if (!inflater.ended || inflater.err !== 0) throw new Error(`pako: ${inflater.msg}`);
    const wrong = checkGzipTrailer(gz.subarray(end), crc, size);
    if (wrong !== undefined) throw new Error(wrong);
    return Promise.resolve(size);
  },
  'zlib createGunzip (stream)': async (gz) => {
    let size = 0;
    await pipeline(
      Readable.from(slices(gz)),
      createGunzip({ chunkSize: CHUNK }),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          callback();
        },
      }),
    );
    return size;
  },
  'zlib gunzipSync': (gz) => Promise.resolve(gunzipSync(gz).length),
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const started = performance.now();
const hgt = syntheticTile(1, Number(values.jitter));
const gz = gzipSync(hgt);
console.log(
  `tile: ${SAMPLES}×${SAMPLES} SRTM1, ${hgt.length} bytes; gzip -6: ${gz.length} bytes ` +
    `(ratio ${((gz.length / hgt.length) * 100).toFixed(1)} %); prepared in ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s`,
);
console.log(
  `machine: nproc ${availableParallelism()}, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`,
);

// Every decoder must reproduce the tile before it is timed.
for (const [name, decode] of Object.entries(decoders)) {
  const size = await decode(gz);
  if (size !== hgt.length) throw new Error(`${name} decoded ${size} bytes, expected ${hgt.length}`);
}
if (!gunzipSync(gz).equals(hgt) || !Buffer.from(inflate(gz)).equals(hgt)) {
  throw new Error('gzip round trip failed');
}

const names = Object.keys(decoders);
const times = new Map<string, number[]>(names.map((name) => [name, []]));
const benchStart = performance.now();
let rounds = 0;
for (let round = 0; round < WARMUP + RUNS; round++) {
  if (round >= WARMUP && performance.now() - benchStart > BUDGET_MS) break;
  // Rotate the order so no decoder always runs first (or right after the garbage of another).
  for (let i = 0; i < names.length; i++) {
    const name = names[(round + i) % names.length] ?? '';
    const decode = decoders[name];
    if (decode === undefined) continue;
    const t0 = performance.now();
    await decode(gz);
    const ms = performance.now() - t0;
    if (round >= WARMUP) times.get(name)?.push(ms);
  }
  if (round >= WARMUP) rounds++;
}

const mbps = (ms: number): number => hgt.length / 1e6 / (ms / 1000);
const pakoMs = median(times.get(names[0] ?? '') ?? []);
console.log(
  `\n${rounds} measured rounds after ${WARMUP} warm-up rounds; MB = 10^6 bytes of .hgt output\n`,
);
console.log('| decoder | median ms | MB/s (median) | MB/s min-max | speed vs pako |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const name of names) {
  const list = times.get(name) ?? [];
  const ms = median(list);
  const range = `${mbps(Math.max(...list)).toFixed(0)}-${mbps(Math.min(...list)).toFixed(0)}`;
  console.log(
    `| ${name} | ${ms.toFixed(1)} | ${mbps(ms).toFixed(0)} | ${range} | ${(pakoMs / ms).toFixed(2)}× |`,
  );
}
const zlibMs = median(times.get(names[1] ?? '') ?? []);
console.log(
  `\npako costs ${(pakoMs - zlibMs).toFixed(0)} ms more CPU per SRTM1 tile than createGunzip; ` +
    `it consumes ${(gz.length / 1e6 / (pakoMs / 1000)).toFixed(0)} MB/s of gzip input ` +
    `(${((gz.length * 8) / 1e6 / (pakoMs / 1000)).toFixed(0)} Mbit/s) on one thread.`,
);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
