/**
 * How a map image is delivered: FORMAT, TRANSPARENT and BGCOLOR; the memory a map takes to draw, and the encoding of the images the main thread makes itself
 * (exception images, blank maps) with sharp on libuv's threads, so the event loop stays free.
 */
import sharp, { type Sharp } from 'sharp';
import { ServiceException } from '../../errors/service-exception.ts';
import { JPEG_QUALITY, WEBP_QUALITY } from '../../imaging/encode-image.ts';
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
 * The bytes a map holds while it is drawn, per pixel, at most: the canvas and one layer (RGBA,
 * 4 + 4), the layer's window of heights (Int16, 2), the packed pixels the PNG encoder filters and
 * its output (4 + 2, generous for compressed data).
 */
export const MAP_IMAGE_BYTES_PER_PIXEL = 16;

/** What drawing one map of width × height pixels holds at most, however many layers it has. */
export function mapImageBytes(width: number, height: number): number {
  return MAP_IMAGE_BYTES_PER_PIXEL * width * height;
}

/** An empty map (EXCEPTIONS=BLANK): the background alone, encoded by sharp off the event loop. */
export function blankImage(output: ImageOutput): Promise<Buffer> {
  const { width, height } = output;
  const alpha = output.transparent ? 0 : 1;
  return encode(
    sharp({ create: { width, height, channels: 4, background: { ...output.background, alpha } } }),
    output,
  );
}

/**
 * An image in the output format from a sharp input (an exception's SVG message, a blank map);
 * maps themselves are encoded on the pool (src/imaging/encode-image.ts).
 */
export function encode(image: Sharp, output: ImageOutput): Promise<Buffer> {
  // An opaque image needs no alpha channel: it encodes about 3× faster without.
  if (!output.transparent && output.format !== 'image/jpeg') image.removeAlpha();
  switch (output.format) {
    case 'image/png':
      return image.png().toBuffer();
    case 'image/jpeg':
      return image
        .flatten({ background: output.background })
        .jpeg({ quality: JPEG_QUALITY })
        .toBuffer();
    case 'image/webp':
      return image.webp({ quality: WEBP_QUALITY, alphaQuality: 100 }).toBuffer();
  }
}
