/**
 * A GeoTIFF source as one grid piece for a window, read with the `geotiff` package. Supported:
 * the first band of the first image, on a north-up grid (ModelTiepoint + ModelPixelScale) in
 * EPSG:4326 or EPSG:3857, any integer or float sample type; values are rounded to Int16 and the
 * file's nodata (GDAL_NODATA) and NaN become RASTER_NODATA. Rows go through the decoded-row
 * cache, and the grid description is kept per file version, so a repeated window does not open
 * the file at all.
 */
import { statSync } from 'node:fs';
import type { GeoTIFFImage } from 'geotiff';
import type { CachedFile } from './decoded-tile-cache.ts';
import { cachedRows, fileVersion } from './decoded-tile-cache.ts';
import type { GridPiece } from './grid-sampler.ts';
import { loadGeotiff } from './load-geotiff.ts';
import type { PixelCentres } from './raster-crs.ts';
import { latToMercatorY, lonToMercatorX } from './raster-crs.ts';
import type { RasterCrs } from './raster-types.ts';
import { RASTER_NODATA } from './raster-types.ts';
import { roundHalfUp } from './round-half-up.ts';

/** The georeferencing of a GeoTIFF's first image. */
export interface GeoTiffGrid {
  width: number;
  height: number;
  crs: RasterCrs;
  /** Outer west and north edges of pixel (0, 0), in `crs` units. */
  west: number;
  north: number;
  /** Pixel size in `crs` units, both positive. */
  resX: number;
  resY: number;
  /** The file's own nodata value (converted to RASTER_NODATA when read), if any. */
  nodata: number | null;
}

/** EPSG codes (and old aliases) of Web Mercator. */
const WEB_MERCATOR_CODES = new Set([3857, 900913, 3785, 102100, 102113]);
const MAX_GRIDS = 64;
const grids = new Map<string, { version: string; grid: GeoTiffGrid }>();

export async function geotiffPieces(path: string, centres: PixelCentres): Promise<GridPiece[]> {
  const file = currentFile(path);
  const grid = await geotiffGrid(file);
  const mercator = grid.crs === 'EPSG:3857';
  const columns = ownedRange(
    centres.lons,
    grid.width,
    (lon) => ((mercator ? lonToMercatorX(lon) : lon) - grid.west) / grid.resX,
  );
  const rows = ownedRange(
    centres.lats,
    grid.height,
    (lat) => (grid.north - (mercator ? latToMercatorY(lat) : lat)) / grid.resY,
  );
  if (columns === null || rows === null) return [];
  return [
    {
      colFirst: columns.first,
      colPos: columns.positions,
      rowFirst: rows.first,
      rowPos: rows.positions,
      gridWidth: grid.width,
      gridHeight: grid.height,
      readRows: (wanted) => readGeoTiffRows(file, grid, wanted),
    },
  ];
}

/** The grid of the GeoTIFF at `path` (read once per file version). */
export async function describeGeoTiff(path: string): Promise<GeoTiffGrid> {
  return geotiffGrid(currentFile(path));
}

function currentFile(path: string): CachedFile {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) throw new Error(`${path}: GeoTIFF not found`);
  return { path, version: fileVersion(stats) };
}

async function geotiffGrid(file: CachedFile): Promise<GeoTiffGrid> {
  const cached = grids.get(file.path);
  if (cached !== undefined && cached.version === file.version) return cached.grid;
  const grid = await withImage(file.path, (image) => gridOf(file.path, image));
  grids.delete(file.path);
  if (grids.size >= MAX_GRIDS) grids.delete(grids.keys().next().value!);
  grids.set(file.path, { version: file.version, grid });
  return grid;
}

function gridOf(path: string, image: GeoTIFFImage): GeoTiffGrid {
  const keys = image.getGeoKeys() ?? {};
  const projected = keys.ProjectedCSTypeGeoKey as number | undefined;
  const geographic = keys.GeographicTypeGeoKey as number | undefined;
  let crs: RasterCrs;
  if (projected !== undefined && WEB_MERCATOR_CODES.has(projected)) crs = 'EPSG:3857';
  else if (keys.GTModelTypeGeoKey === 2 && (geographic === undefined || geographic === 4326)) {
    crs = 'EPSG:4326';
  } else {
    throw new Error(
      `${path}: only EPSG:4326 and EPSG:3857 GeoTIFFs can be read (model type ${String(keys.GTModelTypeGeoKey)}, projected CRS ${String(projected)}, geographic CRS ${String(geographic)})`,
    );
  }
  const [originX, originY] = image.getOrigin() as [number, number];
  const [resX, resY] = image.getResolution() as [number, number];
  if (!(resX > 0 && resY < 0)) throw new Error(`${path}: only north-up grids can be read`);
  // A PixelIsPoint tiepoint is the centre of pixel (0, 0), not its outer corner.
  const half = keys.GTRasterTypeGeoKey === 2 ? 0.5 : 0;
  return {
    width: image.getWidth(),
    height: image.getHeight(),
    crs,
    west: originX - half * resX,
    north: originY - half * resY,
    resX,
    resY: -resY,
    nodata: image.getGDALNoData(),
  };
}

async function readGeoTiffRows(
  file: CachedFile,
  grid: GeoTiffGrid,
  rows: readonly number[],
): Promise<Int16Array[]> {
  let image: Promise<{ image: GeoTIFFImage; close: () => Promise<void> }> | undefined;
  try {
    return await cachedRows(file, rows, async (first, count) => {
      image ??= openImage(file.path);
      const { image: opened } = await image;
      const [band] = await opened.readRasters({
        window: [0, first, grid.width, first + count],
        samples: [0],
      });
      if (band === undefined || typeof band === 'number') {
        throw new Error(`${file.path}: no pixel values`);
      }
      return Array.from({ length: count }, (_, k) =>
        toInt16(band, k * grid.width, grid.width, grid.nodata),
      );
    });
  } finally {
    if (image !== undefined) await (await image).close();
  }
}

type Samples = ArrayLike<number>;

/** One row as Int16: rounded and clamped, nodata and NaN → RASTER_NODATA. */
function toInt16(band: Samples, offset: number, width: number, nodata: number | null): Int16Array {
  const row = new Int16Array(width);
  for (let k = 0; k < width; k++) {
    const value = band[offset + k]!;
    row[k] =
      value === nodata || Number.isNaN(value)
        ? RASTER_NODATA
        : Math.max(-32767, Math.min(32767, roundHalfUp(value)));
  }
  return row;
}

async function openImage(path: string) {
  const { fromFile } = await loadGeotiff();
  const tiff = await fromFile(path);
  try {
    const image = await tiff.getImage(0);
    return { image, close: async () => void (await tiff.close()) };
  } catch (error) {
    await tiff.close();
    throw error;
  }
}

async function withImage<T>(path: string, use: (image: GeoTIFFImage) => T): Promise<T> {
  const { image, close } = await openImage(path);
  try {
    return use(image);
  } finally {
    await close();
  }
}

/**
 * The contiguous output pixels whose centre lies on the grid (0 <= edge coordinate < size), and
 * their positions in samples (edge coordinate − 0.5: 0 is the centre of the first pixel).
 */
function ownedRange(
  centres: Float64Array,
  size: number,
  toEdgeCoordinate: (value: number) => number,
): { first: number; positions: Float64Array } | null {
  const inside: number[] = [];
  let first = -1;
  for (let k = 0; k < centres.length; k++) {
    const edge = toEdgeCoordinate(centres[k]!);
    if (!(edge >= 0 && edge < size)) continue;
    if (first < 0) first = k;
    else if (k !== first + inside.length) break; // monotonic centres: one run
    inside.push(edge - 0.5);
  }
  return first < 0 ? null : { first, positions: Float64Array.from(inside) };
}
