/**
 * The shapes the parts of the elevation plugin exchange: the area a client asks for, the 1°×1°
 * cells (skadi tiles) that cover it, and the inputs and outputs of the pool workers. Workers get
 * plain structured-cloneable data only.
 */
import type { MultiPolygon } from 'geojson';
import type { HgtSamples, HgtTileId } from 'relief/worker';

/** A 1°×1° cell, named by its lower-left (south-west) corner; lon in [-180, 179], lat in [-90, 89]. */
export type TileId = HgtTileId;

/** The requested area, normalised: WGS84, longitudes within [-180, 180], split at the antimeridian. */
export interface ElevationArea {
  geometry: MultiPolygon;
  /** [west, south, east, north] of the normalised geometry. */
  bbox: [number, number, number, number];
  vertexCount: number;
  /** What was wrong with the client's polygons, when they were repaired at its request. */
  repairs?: string[];
}

/** HGT grids: SRTM1 (1 arc-second) or SRTM3 (3 arc-seconds); a void sample is HGT_VOID (-32768). */
export { HGT_VOID } from 'relief/worker';
export type { HgtSamples };

// ---- fetching and decoding -----------------------------------------------------------------

/** Why a download attempt did not give a tile. */
export type FetchFailure =
  | { kind: 'not-found'; status: number }
  /** Network error, timeout, 5xx, 429, truncated or corrupt gzip, wrong size: worth retrying. */
  | { kind: 'retryable'; reason: string; status?: number; retryAfterMs?: number }
  /** 4xx other than 404/429: retrying will not help. */
  | { kind: 'fatal'; reason: string; status?: number };

/** The outcome of one attempt: downloaded (io thread), then decoded and checked (pool). */
export type FetchTileOutput =
  { kind: 'ok'; compressedBytes: number; size: number; samples: HgtSamples } | FetchFailure;

export interface DownloadTileInput {
  /** The tile's URL on the source (credentials included: it never leaves the process). */
  url: string;
  /** The temporary .hgt.gz the body goes to; removed by the worker unless 'received'. */
  path: string;
  timeoutMs: number;
}

/** What a local file error was, for the main thread to rethrow with its code. */
export interface FileErrorDescription {
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

export type DownloadTileOutput =
  | { kind: 'received'; bytes: number; interrupted?: string }
  | FetchFailure
  /** Writing the file failed (a full disk, say): thrown on the main thread as it was. */
  | { kind: 'file-error'; error: FileErrorDescription };

export interface DecodeTileInput {
  /** The downloaded body (.hgt.gz); the worker only reads it. */
  gzipPath: string;
  /** Where the worker writes the decompressed tile; the main thread renames or removes it. */
  hgtPath: string;
}

export type DecodeTileOutput =
  | { kind: 'ok'; size: number; samples: HgtSamples }
  /** Corrupt or truncated gzip, or not the size of a tile: download it again. */
  | { kind: 'retryable'; reason: string };

// ---- results workers ------------------------------------------------------------------------

export interface TileFile {
  tile: TileId;
  /** Absolute path of the decompressed .hgt file. */
  path: string;
  samples: HgtSamples;
}

export interface StatisticsInput {
  tiles: TileFile[];
  /** Cells inside the area that have no data (404 upstream): their samples count as voids. */
  noDataTiles: TileId[];
  area: ElevationArea;
}

/** Statistics of the HGT samples whose point lies inside the area (voids excluded from min/max/mean). */
export interface ElevationStatistics {
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Samples inside the area with a value. */
  count: number;
  /** Samples inside the area that are void (-32768) or in a cell with no data (404). */
  voidCount: number;
}

export interface MosaicInput {
  tiles: TileFile[];
  /** Cells inside the area that have no data (404 upstream): filled with nodata. */
  noDataTiles: TileId[];
  area: ElevationArea;
  /** Where to write the GeoTIFF and the PNG preview; the main thread renames or removes them. */
  geotiffPath: string;
  previewPath: string;
  /** Largest width or height of the GeoTIFF; larger areas are resampled (nearest). */
  maxSize: number;
  /** Largest width or height of the PNG preview. */
  previewMaxSize: number;
}

export interface MosaicOutput {
  width: number;
  height: number;
  /** Degrees per pixel (x, y). */
  resolution: [number, number];
  /** Bounds of the pixel grid's outer edges: [west, south, east, north]. */
  bounds: [number, number, number, number];
  nodata: number;
  previewWidth: number;
  previewHeight: number;
}
