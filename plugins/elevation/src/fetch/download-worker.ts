/**
 * Pool worker on the io lane: one tile download (download.ts) on the pool's io thread, so the
 * body's socket buffers and file writes cost the event loop neither time nor garbage collection.
 * Bytes received go to the main thread as progress. An error thrown here would reach the main
 * thread without its code, so a local file error (a full disk) comes back as data and is thrown
 * there again with its code (tile-fetcher.ts), where isStorageFailure must recognise it.
 */
import type { WorkerTools } from 'relief/worker';
import type { DownloadTileInput, DownloadTileOutput, FileErrorDescription } from '../contracts.ts';
import { downloadTile } from './download.ts';

export async function downloadTileJob(
  input: DownloadTileInput,
  tools: WorkerTools,
): Promise<DownloadTileOutput> {
  try {
    return await downloadTile(input.url, input.path, {
      timeoutMs: input.timeoutMs,
      signal: tools.signal,
      onBytes: (bytes) => tools.progress(bytes),
      dirty: tools.dirtyBytes(),
    });
  } catch (error) {
    // Cancelled: the main thread has stopped waiting, and the file is already removed.
    if (tools.signal.aborted) throw error;
    return { kind: 'file-error', error: describeFileError(error) };
  }
}

function describeFileError(error: unknown): FileErrorDescription {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code, errno, syscall, path } = error as NodeJS.ErrnoException;
  return {
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof errno === 'number' ? { errno } : {}),
    ...(typeof syscall === 'string' ? { syscall } : {}),
    ...(typeof path === 'string' ? { path } : {}),
  };
}

/** The error the worker described, as the main thread throws it. */
export function fileError({ message, ...fields }: FileErrorDescription): NodeJS.ErrnoException {
  return Object.assign(new Error(message), fields);
}
