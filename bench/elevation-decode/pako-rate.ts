/**
 * The single-thread pako decode rate, the yardstick of the elevation benchmarks: pako's streaming
 * Inflate fed 64 KiB input chunks, output counted and dropped (bench:decode's "pako Inflate
 * (stream)" row). bench:elevation measures it in the same run as a job, just before it, so both
 * see the same machine.
 */
import { Inflate } from 'pako';

const CHUNK = 64 * 1024;

/** Decodes `gz` and returns the decompressed byte count. */
export function pakoStreamDecode(gz: Uint8Array): number {
  const inflate = new Inflate({ chunkSize: CHUNK });
  let size = 0;
  inflate.onData = (chunk) => {
    size += chunk.length;
  };
  for (let offset = 0; offset < gz.length; offset += CHUNK)
    inflate.push(gz.subarray(offset, offset + CHUNK), false);
  if (!inflate.ended || inflate.err !== 0) throw new Error(`pako: ${inflate.msg}`);
  return size;
}

export interface DecodeRate {
  /** Median milliseconds per tile. */
  ms: number;
  tilesPerS: number;
  /** 10^6 bytes of decompressed output per second. */
  mbPerS: number;
  runs: number;
}

/** Median over `runs` decodes after one warm-up, on this thread. */
export function pakoDecodeRate(gz: Uint8Array, runs = 5): DecodeRate {
  const size = pakoStreamDecode(gz);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    pakoStreamDecode(gz);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const ms = times[times.length >> 1]!;
  return { ms, tilesPerS: 1000 / ms, mbPerS: size / 1e6 / (ms / 1000), runs };
}
