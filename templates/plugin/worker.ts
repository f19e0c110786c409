/** Runs on the server's worker pool: only `relief/worker` and Node's own modules belong here. */
import { hgtTileName, skadiPath, type WorkerTools } from 'relief/worker';

export function tileOf(
  point: { lat: number; lon: number },
  tools: WorkerTools,
): { name: string; path: string } {
  tools.throwIfCancelled();
  // The tile of a point on its north or east edge is the neighbour's: clamp to the last cell.
  const tile = {
    lat: Math.min(89, Math.floor(point.lat)),
    lon: Math.min(179, Math.floor(point.lon)),
  };
  return { name: hgtTileName(tile), path: skadiPath(tile) };
}
