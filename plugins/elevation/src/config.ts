/**
 * The plugin's settings: `plugins.elevation` in the config file, overridden by environment
 * variables (`RELIEF_ELEVATION_SOURCE`, `RELIEF_ELEVATION_MAX_TILES`,
 * `RELIEF_ELEVATION_CONCURRENCY`, …). The tile source comes from here only, never from a request.
 */
import { z } from 'zod';
import { DEFAULT_PAIRS_PER_EDGE } from './input/polygon-validity.ts';

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const DEFAULT_SOURCE =
  'https://s3.amazonaws.com/elevation-tiles-prod/skadi/{dir}/{name}.hgt.gz';

export const elevationConfigSchema = z
  .object({
    /** URL template with `{dir}` (N46) and `{name}` (N46E007). */
    source: z
      .string()
      .default(DEFAULT_SOURCE)
      .refine((s) => /^https?:\/\//.test(s) && s.includes('{name}'), {
        error: 'must be an http(s) URL template containing {name} (and usually {dir})',
      }),
    maxTiles: int(1, 100_000, 1000),
    /** Downloads in flight toward the source, across all jobs. */
    concurrency: int(1, 64, 4),
    maxVertices: int(4, 1_000_000, 10_000),
    /**
     * Edge pairs the polygon validity check may test per edge, on average, before it refuses
     * the outline as too intricate (bounds its time to linear in the vertices).
     */
    validityPairsPerEdge: int(16, 1_000_000, DEFAULT_PAIRS_PER_EDGE),
    /** Largest request body POST /elevation accepts, in bytes. */
    maxBodyBytes: int(1024, 100 * 1024 * 1024, 5 * 1024 * 1024),
    /** Attempts per tile (the first included). */
    attempts: int(1, 20, 5),
    retryBaseMs: int(1, 60_000, 500),
    retryMaxMs: int(1, 600_000, 30_000),
    /** Time limit of one download attempt, body included. */
    timeoutMs: int(100, 3_600_000, 120_000),
    /** Largest side of the GeoTIFF mosaic; larger areas are resampled. */
    mosaicMaxSize: int(16, 65_536, 8192),
    previewMaxSize: int(16, 8192, 1024),
  })
  .strict();

export type ElevationConfig = z.output<typeof elevationConfigSchema>;
