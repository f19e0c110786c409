/**
 * PNG encoding of RGBA pixels in the smallest exact colour type: grey (1 byte a pixel) when every
 * pixel has r = g = b, no alpha channel when every pixel is opaque. A grey elevation map or a
 * hillshade is thus a 1-channel PNG, a quarter of the bytes to filter and compress. pngjs does
 * the filtering and chunking, node:zlib the deflate; measured on 256² maps (docs/performance.md,
 * bench/wms/png-encode.ts): the Up filter with zlib's RLE strategy encodes a grey map or a
 * hillshade in about a quarter of the time sharp/libpng takes for RGB at level 6, at about 0.6
 * of its size.
 */
import { PNG } from 'pngjs';

const GREY = 0;
const RGB = 2;
const GREY_ALPHA = 4;
const RGBA = 6;
const BYTES_PER_PIXEL = { [GREY]: 1, [RGB]: 3, [GREY_ALPHA]: 2, [RGBA]: 4 } as const;
type ColourType = keyof typeof BYTES_PER_PIXEL;

/** PNG filter 2 (Up): best size for the time on terrain, where rows resemble their neighbours. */
const FILTER_UP = 2;

export function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`${rgba.length} bytes are not ${width}×${height} RGBA pixels`);
  }
  const colourType = smallestColourType(rgba);
  return PNG.sync.write({ width, height, data: packed(rgba, colourType) } as PNG, {
    colorType: colourType,
    inputColorType: colourType,
    inputHasAlpha: colourType === GREY_ALPHA || colourType === RGBA,
    bitDepth: 8,
    filterType: FILTER_UP,
  });
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function smallestColourType(rgba: Uint8Array): ColourType {
  let grey = true;
  let opaque = true;
  if (LITTLE_ENDIAN && rgba.byteOffset % 4 === 0) {
    // Whole pixels as 32-bit words (a << 24 | b << 16 | g << 8 | r): one load a pixel.
    const words = new Uint32Array(rgba.buffer, rgba.byteOffset, rgba.length / 4);
    for (let p = 0; p < words.length && (grey || opaque); p++) {
      const word = words[p]!;
      if (((word ^ (word >>> 8)) & 0xffff) !== 0) grey = false; // r ≠ g or g ≠ b
      if (word >>> 24 !== 255) opaque = false;
    }
  } else {
    for (let i = 0; i < rgba.length && (grey || opaque); i += 4) {
      const r = rgba[i]!;
      if (rgba[i + 1] !== r || rgba[i + 2] !== r) grey = false;
      if (rgba[i + 3] !== 255) opaque = false;
    }
  }
  if (grey) return opaque ? GREY : GREY_ALPHA;
  return opaque ? RGB : RGBA;
}

function packed(rgba: Uint8Array, colourType: ColourType): Buffer {
  const pixels = rgba.length / 4;
  if (colourType === RGBA) return Buffer.from(rgba.buffer, rgba.byteOffset, rgba.length);
  const out = Buffer.allocUnsafe(pixels * BYTES_PER_PIXEL[colourType]);
  if (colourType === GREY) {
    for (let p = 0; p < pixels; p++) out[p] = rgba[p * 4]!;
  } else if (colourType === GREY_ALPHA) {
    for (let p = 0; p < pixels; p++) {
      out[p * 2] = rgba[p * 4]!;
      out[p * 2 + 1] = rgba[p * 4 + 3]!;
    }
  } else {
    for (let p = 0; p < pixels; p++) {
      out[p * 3] = rgba[p * 4]!;
      out[p * 3 + 1] = rgba[p * 4 + 1]!;
      out[p * 3 + 2] = rgba[p * 4 + 2]!;
    }
  }
  return out;
}
