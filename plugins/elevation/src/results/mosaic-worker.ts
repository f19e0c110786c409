/**
 * Pool worker: the covering tiles assembled into one Int16 GeoTIFF over the area's bbox (nodata
 * outside the area and in cells without data), plus a hillshade PNG preview of it. It only
 * writes to the paths it is given; the main thread renames or removes them.
 */
import type { MosaicInput, MosaicOutput } from '../contracts.ts';
import { HGT_VOID } from '../contracts.ts';
import { writeGeoTiffInt16 } from '../../../../src/raster/geotiff-writer.ts';
import { finestSamples } from './hgt-grid.ts';
import { writeHillshadePreview } from './hillshade.ts';
import { fillGrid, gridBounds, planGrid } from './mosaic-grid.ts';
import { createScanline } from './polygon-scanline.ts';

export async function buildMosaic(input: MosaicInput): Promise<MosaicOutput> {
  // input.noDataTiles need no work: their pixels simply stay nodata.
  const grid = planGrid(input.area.bbox, finestSamples(input.tiles) - 1, input.maxSize);
  const data = fillGrid(grid, input.tiles, createScanline(input.area.geometry));
  const { width, height } = grid;
  const pixelSize = grid.step / grid.perDegree;
  const resolution: [number, number] = [pixelSize, pixelSize];
  const bounds = gridBounds(grid);
  const [west, south, , north] = bounds;

  writeGeoTiffInt16(input.geotiffPath, {
    width,
    height,
    data,
    west,
    north,
    resolution,
    nodata: HGT_VOID,
  });
  const preview = await writeHillshadePreview(
    input.previewPath,
    { width, height, data, nodata: HGT_VOID },
    resolution,
    (south + north) / 2,
    input.previewMaxSize,
  );
  return {
    width,
    height,
    resolution,
    bounds,
    nodata: HGT_VOID,
    previewWidth: preview.width,
    previewHeight: preview.height,
  };
}
