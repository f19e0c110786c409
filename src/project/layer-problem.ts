/**
 * Why one project layer cannot be published. The layer is skipped with this reason and the rest
 * of the project loads; only problems with the project file itself stop start-up.
 */
export class LayerProblem extends Error {
  override readonly name = 'LayerProblem';
}

export type Bbox = [number, number, number, number];

/** A file system error as a short reason, without the absolute path Node puts in messages. */
export function fileProblem(error: unknown, expected: 'file' | 'folder'): LayerProblem {
  const { code } = error as NodeJS.ErrnoException;
  switch (code) {
    case 'ENOENT':
      return new LayerProblem(`${expected} not found`);
    case 'EACCES':
    case 'EPERM':
      return new LayerProblem('permission denied');
    case 'EISDIR':
      return new LayerProblem('is a folder, expected a file');
    case 'ENOTDIR':
      return new LayerProblem(`is not a folder`);
    default:
      return new LayerProblem(`cannot be read: ${code ?? (error as Error).message}`);
  }
}

/** Slack for edges computed from pixel sizes (a pixel-is-point grid reaches past ±180 by half). */
const SLACK = 0.01;

/**
 * Checks that a bounding box is in longitude/latitude degrees and clamps rounding slack; data in a
 * projected CRS (metres) fails here, which is how a wrongly declared source shows up.
 */
export function wgs84Bbox(box: readonly number[], what: string): Bbox {
  const [west = NaN, south = NaN, east = NaN, north = NaN] = box;
  const inDegrees =
    [west, south, east, north].every(Number.isFinite) &&
    west >= -180 - SLACK &&
    east <= 180 + SLACK &&
    south >= -90 - SLACK &&
    north <= 90 + SLACK &&
    west <= east &&
    south <= north;
  if (!inDegrees) {
    const shown = [west, south, east, north].map((v) => Number(v.toPrecision(8))).join(', ');
    throw new LayerProblem(
      `${what} [${shown}] is not in longitude/latitude degrees (only EPSG:4326 is supported)`,
    );
  }
  return [Math.max(west, -180), Math.max(south, -90), Math.min(east, 180), Math.min(north, 90)];
}
