/**
 * Calls back once a file has stopped changing for a moment. The folder is watched rather than the
 * file, so a file replaced by a rename (as editors save) keeps being seen; `fs.watch` reports
 * bursts of events per save, hence the debounce.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface FileWatcher {
  close(): void;
}

/** Throws when the folder cannot be watched; `onError` gets failures after that. */
export function watchFile(
  file: string,
  debounceMs: number,
  onChange: () => void,
  onError: (error: Error) => void,
): FileWatcher {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const watcher: FSWatcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
    // `..data` is the symlink Kubernetes swaps when a mounted ConfigMap changes.
    if (closed || (changed !== null && changed !== name && changed !== '..data')) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!closed) onChange();
    }, debounceMs);
    timer.unref();
  });
  watcher.on('error', onError);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}
