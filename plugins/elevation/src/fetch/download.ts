/**
 * Main thread: downloads one skadi tile's body (.hgt.gz) into a file, as it arrives, without
 * looking inside it. Waiting on the network costs no pool thread this way: a pool thread is only
 * taken afterwards, to inflate and check the file (decode-worker.ts). Nothing CPU-heavy happens
 * here; each chunk is written before the next is read, so a download holds about one network
 * chunk in memory and a slow disk slows the socket instead of filling the heap.
 *
 * Expected failures (HTTP status, network, timeout, an oversized body) are results, never
 * exceptions, and leave no file behind; only an abort through `signal` (the job gave up) and
 * local file errors throw, after removing the file. On 'received' the file is the caller's.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { ReadableStreamDefaultReader, ReadableStreamReadResult } from 'node:stream/web';
import type { FetchFailure } from '../contracts.ts';
import { MAX_GZIP_BYTES } from './tile-sizes.ts';
import { classifyStatus } from './http-status.ts';

/** Progress is reported at most once per this many bytes (and once at the end). */
const PROGRESS_STEP = 64 * 1024;

export type DownloadResult =
  | FetchFailure
  | {
      kind: 'received';
      /** Bytes of the body, all in the file. */
      bytes: number;
      /**
       * Set when the connection broke after some bytes of a body of unknown length (chunked):
       * the body may still be the whole gzip stream. Decoding tells; if it fails, this is why.
       */
      interrupted?: string;
    };

export interface DownloadOptions {
  /** Overall time limit, the body included. */
  timeoutMs: number;
  /** Aborted when nobody wants the tile any more: the download throws the signal's reason. */
  signal?: AbortSignal;
  /** Receives the bytes received so far, in steps of at least 64 KiB, and at the end. */
  onBytes?: (bytes: number) => void;
  /** Opens the file the body goes to (default: created or truncated, for writing). */
  openFile?: (path: string) => Promise<FileHandle>;
}

export async function downloadTile(
  url: string,
  path: string,
  options: DownloadOptions,
): Promise<DownloadResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: 'fatal', reason: `invalid URL ${url}` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { kind: 'fatal', reason: `unsupported URL scheme ${parsed.protocol}` };
  }
  const headers = requestHeaders(parsed);
  options.signal?.throwIfAborted();
  // The file is opened before the request, so the body is read as soon as it arrives: a body left
  // unread for the few milliseconds of an open() can be failed by undici (Node 24) when the
  // upstream closes the connection right after the last byte.
  const openFile = options.openFile ?? ((p: string) => open(p, 'w'));
  const file = await openFile(path);
  let result: DownloadResult | undefined;
  try {
    result = await download(parsed, headers, file, options);
    return result;
  } finally {
    await file.close();
    if (result?.kind !== 'received') await rm(path, { force: true });
  }
}

/**
 * fetch refuses a URL with credentials (the Fetch standard), so `user:password@` in the source
 * is sent as Basic authorization instead, and taken out of the URL. fetch drops the header if a
 * redirect leads to another origin.
 */
function requestHeaders(url: URL): Record<string, string> {
  // identity: fetch would undo a Content-Encoding: gzip, and with it the tile's own gzip.
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (url.username === '' && url.password === '') return headers;
  const credentials = `${decodeUserinfo(url.username)}:${decodeUserinfo(url.password)}`;
  headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  url.username = '';
  url.password = '';
  return headers;
}

function decodeUserinfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function download(
  url: URL,
  headers: Record<string, string>,
  file: FileHandle,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal =
    options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
  let response: Response;
  try {
    response = await fetch(url, { signal, headers });
  } catch (error) {
    options.signal?.throwIfAborted();
    const reason = timeout.aborted
      ? `timed out after ${options.timeoutMs} ms waiting for the response`
      : `network error: ${describe(error)}`;
    return { kind: 'retryable', reason };
  }
  const failure = classifyStatus(response.status, response.headers.get('retry-after'));
  if (failure !== undefined || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    return failure ?? { kind: 'retryable', reason: 'truncated gzip: empty body' };
  }
  const header = response.headers.get('content-length');
  const length = header === null || !/^\d+$/.test(header) ? undefined : Number(header);
  const reader = response.body.getReader();
  let done = false;
  try {
    const received = await receive(reader, file, length, options, timeout);
    done = received.done;
    return received.result;
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
  }
}

interface Received {
  result: DownloadResult;
  /** The body was read to its end or failed (nothing to cancel). */
  done: boolean;
}

async function receive(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  file: FileHandle,
  length: number | undefined,
  options: DownloadOptions,
  timeout: AbortSignal,
): Promise<Received> {
  let bytes = 0;
  let reported = 0;
  const report = () => {
    reported = bytes;
    options.onBytes?.(bytes);
  };
  const retry = (reason: string, done: boolean): Received => ({
    result: { kind: 'retryable', reason },
    done,
  });
  if (length !== undefined && length > MAX_GZIP_BYTES) {
    return retry(`unexpected size: the body has ${length} bytes, more than a tile's gzip`, false);
  }
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (error) {
      options.signal?.throwIfAborted();
      if (bytes !== reported) report();
      if (timeout.aborted) {
        return retry(`timed out after ${options.timeoutMs} ms (${bytes} bytes received)`, true);
      }
      // undici can fail a body whose last byte has arrived when a keep-alive socket closes
      // right after it: with a Content-Length that is provably complete.
      if (length !== undefined && bytes === length) break;
      const reason = `connection lost after ${bytes} bytes: ${describe(error)}`;
      if (length === undefined && bytes > 0) {
        return { result: { kind: 'received', bytes, interrupted: reason }, done: true };
      }
      return retry(reason, true);
    }
    if (next.done) break;
    const chunk = next.value;
    bytes += chunk.length;
    if (bytes > MAX_GZIP_BYTES) {
      return retry(`unexpected size: the body exceeds ${MAX_GZIP_BYTES} bytes`, false);
    }
    await writeAll(file, chunk);
    if (bytes - reported >= PROGRESS_STEP) report();
  }
  if (bytes !== reported) report();
  return { result: { kind: 'received', bytes }, done: true };
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
