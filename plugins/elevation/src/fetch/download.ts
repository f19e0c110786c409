/**
 * Downloads one skadi tile's body (.hgt.gz) into a file, as it arrives, without looking inside
 * it. It runs on the pool's io thread (download-worker.ts), where waiting on the network costs
 * no CPU thread and the socket buffers cost the event loop no GC; a CPU thread is only taken
 * afterwards, to inflate and check the file (decode-worker.ts). Each chunk is written before
 * the next is read, so a download holds about one network chunk in memory and a slow disk slows
 * the socket instead of filling the heap.
 *
 * Expected failures (HTTP status, network, timeout, an oversized body) are results, never
 * exceptions, and leave no file behind; only an abort through `signal` (the job gave up) and
 * local file errors throw, after removing the file. On 'received' the file is the caller's.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { FetchFailure } from '../contracts.ts';
import { MAX_GZIP_BYTES } from './tile-sizes.ts';
import { classifyStatus } from './http-status.ts';
import { httpGet, RedirectError } from './http-get.ts';

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
  /**
   * Counts the bytes written and says when to flush the file (`tools.dirtyBytes()` on the pool):
   * four downloads of 25 MB at once would otherwise all be dirty page cache (write-sync.ts in
   * the core). Default: never flushed.
   */
  dirty?: { add(bytes: number): boolean };
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
  // The file is opened before the request, so the body is read as soon as it arrives rather
  // than left in socket buffers for the few milliseconds of an open().
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
 * `user:password@` in the source is sent as Basic authorization and taken out of the URL, so it
 * appears in no log line or error message; httpGet drops the header if a redirect leads to
 * another origin.
 */
function requestHeaders(url: URL): Record<string, string> {
  // identity: a Content-Encoding: gzip on top of the tile's own gzip would only cost CPU.
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
  let response: IncomingMessage;
  try {
    response = await httpGet(url, headers, signal);
  } catch (error) {
    options.signal?.throwIfAborted();
    if (error instanceof RedirectError) return { kind: 'fatal', reason: error.message };
    const reason = timeout.aborted
      ? `timed out after ${options.timeoutMs} ms waiting for the response`
      : `network error: ${describe(error)}`;
    return { kind: 'retryable', reason };
  }
  try {
    const status = response.statusCode ?? 0;
    const retryAfter = response.headers['retry-after'] ?? null;
    const failure = classifyStatus(status, retryAfter);
    if (failure !== undefined) return failure;
    const header = response.headers['content-length'];
    const length = header === undefined || !/^\d+$/.test(header) ? undefined : Number(header);
    return await receive(response, file, length, options, timeout);
  } finally {
    // Whatever is left unread (an error status's page, a refused body) is not wanted; a body
    // read to its end is unaffected and its socket goes back to the keep-alive pool.
    if (!response.complete) response.destroy();
  }
}

async function receive(
  response: IncomingMessage,
  file: FileHandle,
  length: number | undefined,
  options: DownloadOptions,
  timeout: AbortSignal,
): Promise<DownloadResult> {
  let bytes = 0;
  let reported = 0;
  const report = () => {
    reported = bytes;
    options.onBytes?.(bytes);
  };
  const retry = (reason: string): DownloadResult => ({ kind: 'retryable', reason });
  if (length !== undefined && length > MAX_GZIP_BYTES) {
    return retry(`unexpected size: the body has ${length} bytes, more than a tile's gzip`);
  }
  // Set when writing the file failed: that is thrown as it is, not read as a network problem.
  let fileError: { error: unknown } | undefined;
  const write = async (chunk: Buffer) => {
    await writeAll(file, chunk);
    if (options.dirty?.add(chunk.length) === true) await file.datasync();
  };
  try {
    // One chunk at a time: the next is read only once this one is written, and meanwhile
    // node:http pauses the socket, so a slow disk slows the upstream instead of filling the heap.
    for await (const chunk of response as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > MAX_GZIP_BYTES) {
        return retry(`unexpected size: the body exceeds ${MAX_GZIP_BYTES} bytes`);
      }
      await write(chunk).catch((error: unknown) => {
        fileError = { error };
        throw error;
      });
      if (bytes - reported >= PROGRESS_STEP) report();
    }
  } catch (error) {
    if (fileError !== undefined) throw fileError.error;
    options.signal?.throwIfAborted();
    if (bytes !== reported) report();
    if (timeout.aborted) {
      return retry(`timed out after ${options.timeoutMs} ms (${bytes} bytes received)`);
    }
    const reason = `connection lost after ${bytes} bytes: ${describe(error)}`;
    // A chunked body cut off after some bytes may still hold the whole gzip stream: decoding
    // tells. A body shorter than its Content-Length is certainly incomplete.
    if (length === undefined && bytes > 0) return { kind: 'received', bytes, interrupted: reason };
    return retry(reason);
  }
  if (bytes !== reported) report();
  return { kind: 'received', bytes };
}

async function writeAll(file: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/** "connect ECONNREFUSED 127.0.0.1:9", or "aborted (ECONNRESET)" for a body cut off. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && !error.message.includes(code)) {
    return `${error.message} (${code})`;
  }
  return error.message;
}
