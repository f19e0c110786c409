/**
 * Pool worker of GetMap: a whole map in one job. Each layer is drawn in LAYERS order (raster
 * layers read and styled here, vector layers rasterised from the geometries the main thread
 * selected), composited over the background onto one canvas (the first layer's own pixels),
 * each dropped before the next, and the canvas is encoded in the output format here too. Only
 * the request goes in and only the encoded image comes out (transferred): no RGBA crosses
 * threads, and a map holds one canvas and one layer however many layers it has. A map whose
 * client left stops between layers and before encoding (cooperative abort). Loaded with require() in the pool's threads.
 */
import { compositeOver, compositeUnder, filledCanvas } from '../../imaging/composite-over.ts';
import { encodeImage, type ImageFormat } from '../../imaging/encode-image.ts';
import type { RasterSource } from '../../raster/raster-types.ts';
import { readRasterWindow } from '../../raster/read-window.ts';
import { renderRaster, styleMargin, type RasterStyleName } from '../../raster/styles.ts';
import type { VectorPaint } from './layer-styles.ts';
import type { MapGrid } from './map-grid.ts';
import type { PackedGeometries } from './packed-geometries.ts';
import { drawVectorLayer } from './vector-raster.ts';
import type { WorkerTools } from '../../pool/pool-job.ts';
import { transferResult } from '../../pool/transfer-result.ts';

export type MapImageLayer =
  | { kind: 'raster'; source: RasterSource; style: RasterStyleName }
  | { kind: 'vector'; geometries: PackedGeometries; paint: VectorPaint };

export interface MapImageOutput {
  format: ImageFormat;
  transparent: boolean;
  background: { r: number; g: number; b: number };
}

export interface RenderMapImageInput {
  grid: MapGrid;
  /** In LAYERS order: the first is drawn at the bottom. */
  layers: MapImageLayer[];
  output: MapImageOutput;
}

/** A raster layer that cannot be read is named, so the service can say which one. */
export type RenderMapImageResult =
  { kind: 'image'; bytes: Uint8Array } | { kind: 'layer-failed'; layer: number; message: string };

/** `tools` is absent in direct calls (tests, benchmarks). */
export async function renderMapImage(
  input: RenderMapImageInput,
  tools?: WorkerTools,
): Promise<RenderMapImageResult> {
  const { grid, output } = input;
  const background = { ...output.background, alpha: output.transparent ? 0 : 255 };
  // The first layer drawn becomes the canvas, with the background put under it.
  let canvas: Uint8Array | undefined;
  for (const [index, layer] of input.layers.entries()) {
    tools?.throwIfCancelled();
    let pixels: Uint8Array;
    if (layer.kind === 'vector') {
      if (layer.geometries.shapes.length === 0) continue; // no feature in the map
      pixels = await drawVectorLayer(layer.geometries, grid, layer.paint);
    } else {
      try {
        pixels = await rasterPixels(layer.source, layer.style, grid);
      } catch (error) {
        return { kind: 'layer-failed', layer: index, message: (error as Error).message };
      }
    }
    if (canvas === undefined) {
      compositeUnder(pixels, background);
      canvas = pixels;
    } else compositeOver(canvas, pixels);
  }
  canvas ??= filledCanvas(grid.width, grid.height, background);
  tools?.throwIfCancelled();
  const encoded = await encodeImage(canvas, grid.width, grid.height, output);
  // A buffer of our own: encoders may hand out views of pooled or external memory.
  const bytes = new Uint8Array(encoded.byteLength);
  bytes.set(encoded);
  return transferResult({ kind: 'image', bytes }, [bytes.buffer]);
}

async function rasterPixels(
  source: RasterSource,
  style: RasterStyleName,
  grid: MapGrid,
): Promise<Uint8Array> {
  const window = await readRasterWindow({ source, ...grid, margin: styleMargin(style) });
  const { rgba } = renderRaster(window, style);
  return new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength);
}
