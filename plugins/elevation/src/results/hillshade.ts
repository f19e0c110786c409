/**
 * The mosaic's PNG preview: a hillshade (Horn's method, sun at azimuth 315°, altitude 45°), grey
 * plus an alpha channel that hides nodata. Large mosaics are first averaged over regular k×k
 * blocks (k an integer, so the grid stays regular and fine relief does not turn into stripes) to
 * between one and two times the preview size, shaded there by the server's hillshade (the one
 * its WMS hillshade style uses, from relief/worker), and the shaded image is resized to fit by
 * sharp. The averages are taken as the mosaic's rows stream past, so the preview holds only them.
 */
import { hillshade, type RasterBbox } from 'relief/worker';
import sharp from 'sharp';
import type { FloatRaster } from './block-average.ts';
import { createBlockAverager } from './block-average.ts';

/** The raster a preview is made of: its size, nodata value and extent in degrees. */
export interface PreviewSource {
  width: number;
  height: number;
  nodata: number;
  /** [west, south, east, north] of the source's pixels' outer edges. */
  bbox: RasterBbox;
}

export interface HillshadePreview {
  /** Feeds the source's whole rows (row-major, from the north), in order, any number at once. */
  addRows(rows: Int16Array): void;
  /** Shades and writes the preview once every row was fed; returns its size. */
  write(path: string): Promise<{ width: number; height: number }>;
}

/**
 * A preview at most `maxSize` on its longest side. Only the block means are kept while the rows
 * come (block-average.ts), so the source never has to be held whole.
 */
export function createHillshadePreview(source: PreviewSource, maxSize: number): HillshadePreview {
  const longest = Math.max(source.width, source.height);
  const k = Math.max(1, Math.floor(longest / maxSize));
  const averager = createBlockAverager(source.width, source.height, source.nodata, k);
  return {
    addRows: (rows) => averager.addRows(rows),
    write: (path) => writePreview(path, averager.result(), source, maxSize),
  };
}

async function writePreview(
  path: string,
  blocks: FloatRaster,
  source: PreviewSource,
  maxSize: number,
): Promise<{ width: number; height: number }> {
  const shaded = shadeBlocks(blocks, source.bbox);
  const scale = Math.min(1, maxSize / Math.max(blocks.width, blocks.height));
  const width = Math.max(1, Math.round(blocks.width * scale));
  const height = Math.max(1, Math.round(blocks.height * scale));
  let image = sharp(shaded, { raw: { width: blocks.width, height: blocks.height, channels: 2 } });
  if (width !== blocks.width || height !== blocks.height) {
    // A triangle filter: no negative lobes, so no ringing at the alpha outline (the factor is < 2).
    image = image.resize(width, height, { fit: 'fill', kernel: 'linear' });
  }
  await image
    .toColourspace('b-w') // grey + alpha PNG, not RGBA
    .png()
    .toFile(path);
  return { width, height };
}

/**
 * Shades the block means (NaN where a block has no data) as grey plus alpha. The means are
 * rounded to whole metres, as the WMS shades heights: blocks span hundreds of metres, so the
 * rounding moves a slope by well under a degree.
 */
function shadeBlocks(blocks: FloatRaster, bbox: RasterBbox): Buffer {
  const values = new Int16Array(blocks.width * blocks.height);
  for (let i = 0; i < values.length; i++) {
    const mean = blocks.data[i]!;
    values[i] = Number.isNaN(mean) ? NODATA : Math.round(mean);
  }
  const { shade, valid } = hillshade({
    width: blocks.width,
    height: blocks.height,
    values,
    nodata: NODATA,
    bbox,
    crs: 'EPSG:4326',
    margin: 0,
    pixelSizeMetres: [0, 0], // unused by hillshade: it sizes each row's cells from the bbox
  });
  const out = Buffer.alloc(shade.length * 2);
  for (let i = 0; i < shade.length; i++) {
    out[i * 2] = shade[i]!;
    out[i * 2 + 1] = valid[i]! === 1 ? 255 : 0;
  }
  return out;
}

const NODATA = -32768;
