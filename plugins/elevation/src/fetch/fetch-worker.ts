/**
 * Pool worker: downloads one skadi tile (.hgt.gz) and writes the decompressed .hgt to the temp
 * path it is handed. It streams: each compressed chunk is inflated with pako as it arrives and
 * the output is written before the next chunk is read, so the tile is never held in memory.
 * pako (pure JS) checks the gzip CRC and length itself and behaves the same in every worker;
 * docs/performance.md has its measured cost against node:zlib.
 *
 * Expected failures (HTTP status, network, timeout, bad gzip, wrong size) are results, never
 * exceptions; only local file errors throw. The worker never removes what it wrote: aborting a
 * job terminates this thread, so the main thread owns tempPath and must remove it after any
 * result other than 'ok' (it may hold a partial tile) and rename or remove it after 'ok'.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import type { ReadableStreamDefaultReader, ReadableStreamReadResult } from 'node:stream/web';
import { Inflate } from 'pako';
import type { WorkerTools } from '../../../../src/pool/pool-job.ts';
import type { FetchProgress, FetchTileInput, FetchTileOutput, HgtSamples } from '../contracts.ts';
import { classifyStatus } from './http-status.ts';

/** Decompressed byte size → grid size; anything else is not a tile. */
const TILE_SIZES = new Map<number, HgtSamples>([
  [3601 * 3601 * 2, 3601],
  [1201 * 1201 * 2, 1201],
]);
const MAX_TILE_SIZE = 3601 * 3601 * 2;
/** Progress is posted at most once per this many compressed bytes (and once at the end). */
const PROGRESS_STEP = 64 * 1024;

/** Thrown from pako's onData to stop inflating as soon as the output cannot be a tile. */
class TooLarge extends Error {}

export async function fetchTile(
  input: FetchTileInput,
  tools: WorkerTools,
): Promise<FetchTileOutput> {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    return { kind: 'fatal', reason: `invalid URL ${input.url}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { kind: 'fatal', reason: `unsupported URL scheme ${url.protocol}` };
  }
  // The file is opened before the request, so the body is read as soon as it arrives: a body left
  // unread for the few milliseconds of an open() can be failed by undici (Node 24) when the
  // upstream closes the connection right after the last byte. The main thread discards the
  // (possibly empty) temporary file of any answer but ok.
  const file = await open(input.tempPath, 'w');
  try {
    const output = await download(url, file, input, tools);
    // An answer with no body (404, 5xx, a network error) leaves no file behind.
    if (output.kind !== 'ok' && (await file.stat()).size === 0) await unlink(input.tempPath);
    return output;
  } finally {
    await file.close();
  }
}

async function download(
  url: URL,
  file: FileHandle,
  input: FetchTileInput,
  tools: WorkerTools,
): Promise<FetchTileOutput> {
  const signal = AbortSignal.timeout(input.timeoutMs);
  let response: Response;
  try {
    // identity: fetch would undo a Content-Encoding: gzip, and with it the tile's own gzip.
    response = await fetch(url, { signal, headers: { 'accept-encoding': 'identity' } });
  } catch (error) {
    const reason = signal.aborted
      ? `timed out after ${input.timeoutMs} ms waiting for the response`
      : `network error: ${describe(error)}`;
    return { kind: 'retryable', reason };
  }
  const failure = classifyStatus(response.status, response.headers.get('retry-after'));
  if (failure !== undefined || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    return failure ?? { kind: 'retryable', reason: 'truncated gzip: empty body' };
  }
  const reader = response.body.getReader();
  let done = false;
  try {
    const result = await receive(reader, file, input, tools, signal);
    done = result.done;
    return result.output;
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
  }
}

interface Received {
  output: FetchTileOutput;
  /** The body was read to its end (nothing to cancel). */
  done: boolean;
}

/** Reads, inflates and writes the body; validates the gzip stream and the tile size. */
async function receive(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  file: FileHandle,
  input: FetchTileInput,
  tools: WorkerTools,
  signal: AbortSignal,
): Promise<Received> {
  const inflate = new Inflate();
  let size = 0;
  let pending: Uint8Array[] = [];
  // pako hands over a fresh buffer each time (checked), so chunks can be written later.
  inflate.onData = (chunk) => {
    size += chunk.length;
    if (size > MAX_TILE_SIZE) throw new TooLarge();
    pending.push(chunk);
  };
  let compressed = 0;
  let posted = 0;
  const progress = (): void => {
    posted = compressed;
    tools.progress({ bytes: compressed } satisfies FetchProgress);
  };
  const retry = (reason: string, done = false): Received => ({
    output: { kind: 'retryable', reason },
    done,
  });

  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (error) {
      // The gzip trailer (CRC32, length) already checked out: the tile is complete. undici can
      // still fail the body when a keep-alive socket closes right after the last byte.
      if (inflate.ended && inflate.err === 0) break;
      return retry(
        signal.aborted
          ? `timed out after ${input.timeoutMs} ms (${compressed} bytes received)`
          : `connection lost after ${compressed} bytes: ${describe(error)}`,
        true,
      );
    }
    if (next.done) break;
    compressed += next.value.length;
    if (compressed - posted >= PROGRESS_STEP) progress();
    try {
      // Once the gzip stream has ended, further pushes are no-ops: trailing bytes are ignored.
      inflate.push(next.value, false);
    } catch (error) {
      if (error instanceof TooLarge) {
        return retry(`unexpected size: more than ${MAX_TILE_SIZE} bytes (stopped at ${size})`);
      }
      throw error;
    }
    // Data, header, CRC and length errors end the stream with err set (Z_DATA_ERROR).
    if (inflate.err !== 0) return retry(`corrupt gzip: ${inflate.msg}`);
    const chunks = pending;
    pending = [];
    for (const chunk of chunks) await writeAll(file, chunk);
  }
  if (posted !== compressed) progress();
  // pako ends the stream itself once the trailer has been checked. If it has not ended, the body
  // stopped early: the final Z_FINISH push then reports Z_BUF_ERROR ("buffer error").
  if (!inflate.ended) {
    inflate.onData = () => undefined;
    inflate.push(new Uint8Array(0), true);
    return retry(`truncated gzip: the body ended after ${compressed} bytes (${inflate.msg})`, true);
  }
  const samples = TILE_SIZES.get(size);
  if (samples === undefined) return retry(`unexpected size ${size}`, true);
  return { output: { kind: 'ok', compressedBytes: compressed, size, samples }, done: true };
}

async function writeAll(file: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/** "fetch failed: connect ECONNREFUSED 127.0.0.1:9" from undici's error and its cause. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error && cause.message !== '') return `${error.message}: ${cause.message}`;
  return error.message;
}
