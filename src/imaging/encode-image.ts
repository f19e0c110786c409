/**
 * A composited RGBA map in its output format, in the pool thread that drew it: PNG through
 * encode-png.ts, JPEG and WebP through sharp (libvips) from the raw pixels.
 */
import sharp from 'sharp';
import { encodePng } from './encode-png.ts';

export type ImageFormat = 'image/png' | 'image/jpeg' | 'image/webp';

export interface ImageEncoding {
  format: ImageFormat;
  /** Whether the alpha channel is kept (PNG and WebP); opaque maps are encoded without one. */
  transparent: boolean;
}

export const JPEG_QUALITY = 85;
export const WEBP_QUALITY = 85;

export async function encodeImage(
  rgba: Uint8Array,
  width: number,
  height: number,
  encoding: ImageEncoding,
): Promise<Uint8Array> {
  if (encoding.format === 'image/png') return encodePng(rgba, width, height);
  const image = sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), {
    raw: { width, height, channels: 4 },
    limitInputPixels: false,
  });
  if (encoding.format === 'image/jpeg' || !encoding.transparent) image.removeAlpha();
  return encoding.format === 'image/jpeg'
    ? image.jpeg({ quality: JPEG_QUALITY }).toBuffer()
    : image.webp({ quality: WEBP_QUALITY, alphaQuality: 100 }).toBuffer();
}
