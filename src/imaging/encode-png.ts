/**
 * PNG encoding of RGBA pixels in the smallest exact colour type: grey (1 byte a pixel) when every
 * pixel has r = g = b, no alpha channel when every pixel is opaque. A grey elevation map or a
 * hillshade is thus a 1-channel PNG, a quarter of the bytes to filter and compress. Rows take the
 * Up filter and node:zlib's RLE strategy: measured on 256² maps (docs/performance.md,
 * bench/wms/png-encode.ts), that encodes a grey map or a hillshade in about a quarter of the time
 * sharp/libpng takes for RGB at level 6, at about 0.6 of its size.
 *
 * The container (signature, IHDR, one IDAT, IEND) is written here rather than by pngjs: pngjs
 * filters and computes CRCs in JavaScript, which was half of a 256² hillshade's encoding time;
 * here the filter is one subtraction a byte and the CRCs are zlib's (native).
 */
import { constants, crc32, deflateSync } from 'node:zlib';

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
  const idat = deflateSync(upFiltered(packed(rgba, colourType), height), {
    level: 9,
    strategy: constants.Z_RLE,
  });
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per sample
  header[9] = colourType;
  // Bytes 10–12 stay 0: deflate compression, adaptive filtering, no interlace.
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND')]);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Length, type, data and the CRC of type and data. */
function chunk(type: string, data: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Each row prefixed with its filter type and stored as its difference to the row above. */
function upFiltered(pixels: Buffer, height: number): Buffer {
  const stride = pixels.length / height;
  const out = Buffer.allocUnsafe((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const from = y * stride;
    const to = y * (stride + 1);
    out[to] = FILTER_UP;
    if (y === 0) {
      pixels.copy(out, to + 1, 0, stride); // the row above the first is zeros
      continue;
    }
    for (let i = 0; i < stride; i++)
      out[to + 1 + i] = pixels[from + i]! - pixels[from - stride + i]!;
  }
  return out;
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
