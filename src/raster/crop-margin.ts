/**
 * Dropping a window's margin (the border read for hillshading) when only the requested pixels
 * are wanted, e.g. for a GeoTIFF.
 */
import type { RasterWindow } from './raster-types.ts';

/** The window without its margin: a copy of the inner values, or the window itself if none. */
export function cropMargin(window: RasterWindow): RasterWindow {
  const { margin } = window;
  if (margin === 0) return window;
  const width = window.width - 2 * margin;
  const height = window.height - 2 * margin;
  const values = new Int16Array(width * height);
  for (let y = 0; y < height; y++) {
    const from = (y + margin) * window.width + margin;
    values.set(window.values.subarray(from, from + width), y * width);
  }
  const [minX, minY, maxX, maxY] = window.bbox;
  const resX = (maxX - minX) / window.width;
  const resY = (maxY - minY) / window.height;
  return {
    ...window,
    width,
    height,
    values,
    margin: 0,
    bbox: [minX + margin * resX, minY + margin * resY, maxX - margin * resX, maxY - margin * resY],
  };
}
