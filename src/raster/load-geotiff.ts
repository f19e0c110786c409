/**
 * Loads the `geotiff` package on first use, so that it also loads in pool threads. Its
 * dependency `web-worker` throws when loaded in a worker thread whose `workerData` is not an
 * object (piscina's threads have none): it takes the thread for a web worker it started itself.
 * For that one load, a stand-in global `Worker` makes it skip the check; geotiff would only use
 * it for decoder pools, which this module never creates. (A WorkerPool passing `workerData: {}`
 * to piscina would make this unnecessary.)
 */
import { isMainThread, workerData } from 'node:worker_threads';
import type * as GeoTiff from 'geotiff';

export type GeoTiffModule = typeof GeoTiff;

let loading: Promise<GeoTiffModule> | undefined;

export function loadGeotiff(): Promise<GeoTiffModule> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

class NoWebWorkers {
  constructor() {
    throw new Error('geotiff decoder pools (web workers) are not available in Relief');
  }
}

async function load(): Promise<GeoTiffModule> {
  const scope = globalThis as { Worker?: unknown };
  const standIn = !isMainThread && workerData == null && typeof scope.Worker !== 'function';
  if (standIn) scope.Worker = NoWebWorkers;
  try {
    // Pool threads load modules with require() (see pool-job.ts); the main thread is ESM.
    return typeof require === 'function'
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
        (require('geotiff') as GeoTiffModule)
      : await import('geotiff');
  } finally {
    if (standIn) delete scope.Worker;
  }
}
