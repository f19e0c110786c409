/**
 * How a map image is delivered: FORMAT, TRANSPARENT and BGCOLOR, and the encoding of RGBA
 * layers composited in order (first = bottom) over the background. sharp does the compositing
 * and encoding on libuv's threads, so the event loop stays free.
 */
import sharp, { type Sharp } from 'sharp';
import { ServiceException } from '../../errors/service-exception.ts';
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import { WMS_MAP_FORMATS, type WmsMapFormat } from './wms-versions.ts';

export interface ImageOutput {
  width: number;
  height: number;
  format: WmsMapFormat;
  /** TRANSPARENT=TRUE and a format with alpha: the background is fully transparent. */
  transparent: boolean;
  /** BGCOLOR, default white. */
  background: { r: number; g: number; b: number };
}

/** width × height × 4 bytes, RGBA, row 0 = north. */
export interface RgbaLayer {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export interface ImageLimits {
  maxWidth: number;
  maxHeight: number;
}

/** Short names clients use for the advertised types (QGIS Server accepts them too). */
const FORMAT_ALIASES: Record<string, WmsMapFormat> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};

export function parseImageOutput(parameters: OwsParameters, limits: ImageLimits): ImageOutput {
  const width = parseSize(parameters.get('WIDTH'), 'WIDTH', limits.maxWidth);
  const height = parseSize(parameters.get('HEIGHT'), 'HEIGHT', limits.maxHeight);
  const format = parseMapFormat(parameters.get('FORMAT'));
  const transparent = parseBoolean(parameters.get('TRANSPARENT'), 'TRANSPARENT');
  return {
    width,
    height,
    format,
    transparent: transparent && format !== 'image/jpeg',
    background: parseBgcolor(parameters.get('BGCOLOR')),
  };
}

/** A positive integer up to `max`: MissingParameterValue or InvalidParameterValue otherwise. */
export function parseSize(value: string | undefined, parameter: string, max: number): number {
  if (value === undefined || value.trim() === '') {
    throw new ServiceException(
      'MissingParameterValue',
      `The ${parameter} parameter is required`,
      parameter,
    );
  }
  const size = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!(Number.isSafeInteger(size) && size > 0 && size <= max)) {
    throw new ServiceException(
      'InvalidParameterValue',
      `${parameter} must be a whole number of pixels from 1 to ${max}, got ${value}`,
      parameter,
    );
  }
  return size;
}

export function parseMapFormat(value: string | undefined): WmsMapFormat {
  if (value === undefined || value.trim() === '') {
    throw new ServiceException(
      'MissingParameterValue',
      'The FORMAT parameter is required',
      'FORMAT',
    );
  }
  // Media type parameters (`image/png; mode=8bit`) are ignored.
  const type = value.split(';')[0]!.trim().toLowerCase();
  const format = (WMS_MAP_FORMATS as readonly string[]).includes(type)
    ? (type as WmsMapFormat)
    : FORMAT_ALIASES[type];
  if (format === undefined) {
    throw new ServiceException(
      'InvalidFormat',
      `FORMAT ${value} is not offered; use one of ${WMS_MAP_FORMATS.join(', ')}`,
      'FORMAT',
    );
  }
  return format;
}

function parseBoolean(value: string | undefined, parameter: string): boolean {
  if (value === undefined || value.trim() === '') return false;
  const text = value.trim().toUpperCase();
  if (text === 'TRUE' || text === '1') return true;
  if (text === 'FALSE' || text === '0') return false;
  throw new ServiceException(
    'InvalidParameterValue',
    `${parameter} must be TRUE or FALSE, got ${value}`,
    parameter,
  );
}

function parseBgcolor(value: string | undefined): ImageOutput['background'] {
  if (value === undefined || value.trim() === '') return { r: 255, g: 255, b: 255 };
  const match = /^(?:0x|#)([0-9a-f]{6})$/i.exec(value.trim());
  if (match === null) {
    throw new ServiceException(
      'InvalidParameterValue',
      `BGCOLOR must be 0xRRGGBB, got ${value}`,
      'BGCOLOR',
    );
  }
  const rgb = parseInt(match[1]!, 16);
  return { r: (rgb >> 16) & 255, g: (rgb >> 8) & 255, b: rgb & 255 };
}

/**
 * Layers composited in one sharp pass, and so the most rendered layers one map holds at once:
 * a map's memory is about (LAYERS_PER_PASS + 2) × WIDTH × HEIGHT × 4 bytes however many layers
 * it has. Maps of up to this many layers are composited in a single pass, exactly as before.
 */
export const LAYERS_PER_PASS = 4;

/**
 * The bytes composeLayers holds for a map, at most: the rendered layers of one pass, the
 * accumulator and sharp's output of the pass, 4 bytes a pixel each.
 */
export function compositeBytes(width: number, height: number, count: number): number {
  return 4 * width * height * (Math.min(count, LAYERS_PER_PASS) + 2);
}

/** The layers over the background, encoded in the output format. */
export async function composeImage(
  output: ImageOutput,
  layers: readonly RgbaLayer[],
): Promise<Buffer> {
  return composeLayers(output, layers.length, (index) => Promise.resolve(layers[index]!));
}

/**
 * `count` layers, each rendered by `render(index)` (null: nothing to draw), over the background
 * in index order (0 at the bottom), encoded in the output format. Layers are rendered and
 * composited LAYERS_PER_PASS at a time onto one RGBA accumulator and dropped, rather than all
 * held until the end, so memory does not grow with the number of layers. Within a pass sharp
 * blends in floating point; between passes the accumulator is rounded to 8 bits, which can
 * move a half-transparent pixel by one level where more than LAYERS_PER_PASS layers overlap.
 */
export async function composeLayers(
  output: ImageOutput,
  count: number,
  render: (index: number) => Promise<RgbaLayer | null>,
): Promise<Buffer> {
  const { width, height } = output;
  let image = sharp({
    create: {
      width,
      height,
      channels: 4,
      background: { ...output.background, alpha: output.transparent ? 0 : 1 },
    },
  });
  for (let first = 0; first < count; first += LAYERS_PER_PASS) {
    const end = Math.min(count, first + LAYERS_PER_PASS);
    const indices = Array.from({ length: end - first }, (_, k) => first + k);
    const rendered = await Promise.all(indices.map(render));
    const layers = rendered.filter((layer): layer is RgbaLayer => layer !== null);
    if (layers.length === 0) continue;
    image.composite(layers.map(overlay));
    if (end < count) image = await accumulated(image, output);
  }
  return encode(image, output);
}

function overlay(layer: RgbaLayer) {
  return {
    input: Buffer.from(layer.rgba.buffer, layer.rgba.byteOffset, layer.rgba.byteLength),
    raw: { width: layer.width, height: layer.height, channels: 4 as const },
  };
}

/** The composite so far as raw RGBA, the base of the next pass. */
async function accumulated(image: Sharp, output: ImageOutput): Promise<Sharp> {
  const data = await image.raw().toBuffer();
  // Our own pixels of an allowed size: sharp's input pixel limit need not apply.
  return sharp(data, {
    raw: { width: output.width, height: output.height, channels: 4 },
    limitInputPixels: false,
  });
}

/** An image in the output format from a sharp input (an SVG message, say). */
export function encode(image: Sharp, output: ImageOutput): Promise<Buffer> {
  // An opaque map needs no alpha channel: dropping it makes PNG encoding about 3× faster
  // (bench/wms) for the same pixels.
  if (!output.transparent && output.format !== 'image/jpeg') image.removeAlpha();
  switch (output.format) {
    case 'image/png':
      return image.png().toBuffer();
    case 'image/jpeg':
      return image.flatten({ background: output.background }).jpeg({ quality: 85 }).toBuffer();
    case 'image/webp':
      return image.webp({ quality: 85, alphaQuality: 100 }).toBuffer();
  }
}
