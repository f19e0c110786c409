/**
 * Map compositing in plain JavaScript, for the pool threads that render whole maps: a canvas
 * filled with the background, then each layer drawn over it with the straight-alpha "over"
 * operator, one layer at a time, so a map holds its canvas and one layer however many layers it
 * has. Raster styles draw only opaque or fully transparent pixels, which are a copy or a skip;
 * only partly transparent pixels (vector fills, layer opacity) are blended. The bottom layer can
 * itself become the canvas (compositeUnder), which saves a map of one layer a canvas and a pass.
 */
import { roundHalfUp } from '../raster/round-half-up.ts';

/** An RGBA canvas of width × height pixels, every pixel the colour (alpha 0–255). */
export function filledCanvas(
  width: number,
  height: number,
  colour: { r: number; g: number; b: number; alpha: number },
): Uint8Array {
  const canvas = new Uint8Array(width * height * 4);
  const pixel = new Uint8Array([colour.r, colour.g, colour.b, colour.alpha]);
  new Uint32Array(canvas.buffer).fill(new Uint32Array(pixel.buffer)[0]!);
  return canvas;
}

/**
 * Draws `layer` over `canvas` in place (both RGBA, straight alpha, the same size):
 * out.a = a + d.a·(1 − a), out.rgb = (rgb·a + d.rgb·d.a·(1 − a)) / out.a, rounded.
 */
export function compositeOver(canvas: Uint8Array, layer: Uint8Array): void {
  if (canvas.length !== layer.length) {
    throw new RangeError(`Cannot composite ${layer.length} bytes over ${canvas.length}`);
  }
  const under = new Uint32Array(canvas.buffer, canvas.byteOffset, canvas.length / 4);
  const over = new Uint32Array(layer.buffer, layer.byteOffset, layer.length / 4);
  for (let p = 0; p < over.length; p++) {
    const a = layer[p * 4 + 3]!;
    if (a === 0) continue;
    if (a === 255) {
      under[p] = over[p]!;
      continue;
    }
    blend(canvas, layer, p * 4, a, p * 4);
  }
}

/**
 * Puts `colour` under `layer` in place: the same pixels as drawing the layer over a canvas
 * filled with the colour, without the canvas.
 */
export function compositeUnder(
  layer: Uint8Array,
  colour: { r: number; g: number; b: number; alpha: number },
): void {
  const under = filledCanvas(1, 1, colour);
  const background = new Uint32Array(under.buffer)[0]!;
  const pixels = new Uint32Array(layer.buffer, layer.byteOffset, layer.length / 4);
  const canvas = new Uint8Array(4);
  for (let p = 0; p < pixels.length; p++) {
    const a = layer[p * 4 + 3]!;
    if (a === 255) continue;
    if (a === 0) {
      pixels[p] = background;
      continue;
    }
    canvas.set(under);
    blend(canvas, layer, p * 4, a, 0);
    layer.set(canvas, p * 4);
  }
}

/** Blends layer pixel `i` (alpha a) over canvas pixel `at`. */
function blend(canvas: Uint8Array, layer: Uint8Array, i: number, a: number, at: number): void {
  const da = canvas[at + 3]!;
  // Weights in 0–255² to stay in integers: the layer's a·255, the canvas's d.a·(255 − a).
  const top = a * 255;
  const bottom = da * (255 - a);
  const total = top + bottom;
  for (let c = 0; c < 3; c++) {
    canvas[at + c] = roundHalfUp((layer[i + c]! * top + canvas[at + c]! * bottom) / total);
  }
  canvas[at + 3] = roundHalfUp(total / 255);
}
