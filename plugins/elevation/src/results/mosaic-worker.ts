/**
 * Pool worker: the covering tiles assembled into one Int16 GeoTIFF over the area's bbox (nodata
 * outside the area and in cells without data), plus a hillshade PNG preview of it. The pixels are
 * produced strip by strip and each strip goes both to the file and to the preview's block
 * averages, so the job holds one strip, never the mosaic (up to 8192² Int16, 128 MiB). It only
 * writes to the paths it is given; the main thread renames them once the job succeeded and
 * removes them otherwise (job-files.ts), so an incomplete file is never served.
 */
import { openGeoTiffInt16Writer, type WorkerTools } from 'relief/worker';
import type { MosaicInput, MosaicOutput } from '../contracts.ts';
import { HGT_VOID } from '../contracts.ts';
import { finestSamples } from './hgt-grid.ts';
import { createHillshadePreview } from './hillshade.ts';
import { fillStrips, gridBounds, planGrid } from './mosaic-grid.ts';
import { createScanline } from './polygon-scanline.ts';

/** `tools` is absent in direct calls (tests, benchmarks). */
export async function buildMosaic(input: MosaicInput, tools?: WorkerTools): Promise<MosaicOutput> {
  // input.noDataTiles need no work: their pixels simply stay nodata.
  const grid = planGrid(input.area.bbox, finestSamples(input.tiles) - 1, input.maxSize);
  const { width, height } = grid;
  const pixelSize = grid.step / grid.perDegree;
  const resolution: [number, number] = [pixelSize, pixelSize];
  const bounds = gridBounds(grid);
  const [west, , , north] = bounds;

  const preview = createHillshadePreview(
    { width, height, nodata: HGT_VOID, bbox: bounds },
    input.previewMaxSize,
  );
  const geotiff = openGeoTiffInt16Writer(input.geotiffPath, {
    width,
    height,
    west,
    north,
    resolution,
    nodata: HGT_VOID,
  });
  try {
    fillStrips(grid, input.tiles, createScanline(input.area.geometry), (rows) => {
      geotiff.writeRows(rows);
      preview.addRows(rows);
      // Between strips (a few ms each), requests drawn on the pool go first.
      tools?.yieldToInteractive();
    });
  } catch (error) {
    // The pool thread lives on: do not leak the descriptor. The file is removed by the caller.
    geotiff.abort();
    throw error;
  }
  geotiff.close();
  const previewSize = await preview.write(input.previewPath);
  return {
    width,
    height,
    resolution,
    bounds,
    nodata: HGT_VOID,
    previewWidth: previewSize.width,
    previewHeight: previewSize.height,
  };
}
