/**
 * The GetMap worker called in-process: a raster layer's pixels equal the raster style's RGBA
 * (through the PNG round trip), a vector layer is drawn over it in LAYERS order, an unreadable
 * raster layer is named by its index, and a cancelled job stops before drawing or encoding.
 */
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobCancelledError, workerTools } from '../../../src/pool/pool-job.ts';
import { renderRasterRGBA } from '../../../src/raster/raster-worker.ts';
import type { RasterSource } from '../../../src/raster/raster-types.ts';
import { DEFAULT_VECTOR_PAINT } from '../../../src/services/wms/layer-styles.ts';
import type { MapGrid } from '../../../src/services/wms/map-grid.ts';
import {
  renderMapImage,
  type MapImageLayer,
  type MapImageOutput,
} from '../../../src/services/wms/map-image-worker.ts';
import { packGeometries } from '../../../src/services/wms/packed-geometries.ts';
import { createHgtFolder, type HgtFolder } from '../raster/raster-fixtures.ts';

let folder: HgtFolder;
let source: RasterSource;
const grid: MapGrid = { crs: 'EPSG:4326', bbox: [7.2, 46.2, 7.8, 46.8], width: 64, height: 48 };
const png: MapImageOutput = {
  format: 'image/png',
  transparent: false,
  background: { r: 255, g: 255, b: 255 },
};

beforeAll(() => {
  folder = createHgtFolder();
  folder.write({ lat: 46, lon: 7 }, 1201);
  source = { kind: 'hgt-folder', path: folder.path };
});
afterAll(() => folder.remove());

async function drawn(layers: MapImageLayer[], output = png): Promise<PNG> {
  const result = await renderMapImage({ grid, layers, output });
  if (result.kind !== 'image') throw new Error(`layer ${result.layer}: ${result.message}`);
  return PNG.sync.read(Buffer.from(result.bytes));
}

/** A filled square of lon/lat, drawn opaque red. */
function redSquare(): MapImageLayer {
  const square = {
    type: 'Polygon' as const,
    coordinates: [
      [
        [7.3, 46.3],
        [7.5, 46.3],
        [7.5, 46.5],
        [7.3, 46.5],
        [7.3, 46.3],
      ],
    ],
  };
  return {
    kind: 'vector',
    geometries: packGeometries([square]),
    paint: {
      ...DEFAULT_VECTOR_PAINT,
      fill: { r: 255, g: 0, b: 0, a: 1 },
      stroke: { r: 255, g: 0, b: 0, a: 1 },
    },
  };
}

function pixel(image: PNG, x: number, y: number): number[] {
  const at = (y * image.width + x) * 4;
  return [...image.data.subarray(at, at + 4)];
}

describe('renderMapImage', () => {
  it('draws a raster layer exactly as its style renders it', async () => {
    const image = await drawn([{ kind: 'raster', source, style: 'hillshade' }]);
    const style = await renderRasterRGBA({ request: { source, ...grid }, style: 'hillshade' });
    expect([image.width, image.height]).toEqual([64, 48]);
    expect(Buffer.from(image.data).equals(Buffer.from(style.rgba))).toBe(true);
  });

  it('draws layers in LAYERS order: the vector layer covers the raster below it', async () => {
    const image = await drawn([{ kind: 'raster', source, style: 'grey' }, redSquare()]);
    // (7.4, 46.4) is inside the square: x = (7.4 − 7.2) / 0.6 × 64, y = (46.8 − 46.4) / 0.6 × 48.
    expect(pixel(image, 21, 32)).toEqual([255, 0, 0, 255]);
    // Outside the square the raster shows, grey (r = g = b).
    const [r, g, b, a] = pixel(image, 55, 5);
    expect(r).toBe(g);
    expect(g).toBe(b);
    expect(a).toBe(255);
    // Reversed, the raster (opaque everywhere) hides the square.
    const reversed = await drawn([redSquare(), { kind: 'raster', source, style: 'grey' }]);
    const [r2, g2, b2] = pixel(reversed, 21, 32);
    expect(r2).toBe(g2);
    expect(g2).toBe(b2);
  });

  it('puts the background under a vector layer, transparent when asked', async () => {
    const opaque = await drawn([redSquare()]);
    expect(pixel(opaque, 60, 2)).toEqual([255, 255, 255, 255]);
    const clear = await drawn([redSquare()], { ...png, transparent: true });
    expect(pixel(clear, 60, 2)[3]).toBe(0);
    expect(pixel(clear, 21, 32)).toEqual([255, 0, 0, 255]);
  });

  it('names the raster layer it cannot read', async () => {
    const missing: RasterSource = { kind: 'geotiff', path: `${folder.path}/missing.tif` };
    const result = await renderMapImage({
      grid,
      layers: [redSquare(), { kind: 'raster', source: missing, style: 'grey' }],
      output: png,
    });
    expect(result).toMatchObject({ kind: 'layer-failed', layer: 1 });
  });

  it('stops when its job is cancelled', async () => {
    const cancel = new SharedArrayBuffer(4);
    Atomics.store(new Int32Array(cancel), 0, 1);
    const job = renderMapImage(
      { grid, layers: [{ kind: 'raster', source, style: 'grey' }], output: png },
      workerTools(undefined, cancel),
    );
    await expect(job).rejects.toBeInstanceOf(JobCancelledError);
  });
});
