import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../../src/imaging/encode-png.ts';

/** The PNG's colour type (IHDR byte 25) and its pixels decoded back to RGBA by sharp. */
async function decoded(png: Buffer) {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { colourType: png[25], width: info.width, height: info.height, rgba: [...data] };
}

function pixels(count: number, pixel: (p: number) => [number, number, number, number]) {
  return new Uint8Array(Array.from({ length: count }, (_, p) => pixel(p)).flat());
}

describe('encodePng', () => {
  it('writes the smallest exact colour type and decodes to the same pixels', async () => {
    const cases = [
      { name: 'grey', colourType: 0, rgba: pixels(12, (p) => [p * 20, p * 20, p * 20, 255]) },
      {
        name: 'grey + alpha',
        colourType: 4,
        rgba: pixels(12, (p) => [p * 20, p * 20, p * 20, p * 10]),
      },
      { name: 'colour', colourType: 2, rgba: pixels(12, (p) => [p * 20, 7, 9, 255]) },
      {
        name: 'colour + alpha',
        colourType: 6,
        rgba: pixels(12, (p) => [p * 20, 7, 9, p === 3 ? 0 : 255]),
      },
    ];
    for (const { name, colourType, rgba } of cases) {
      const png = encodePng(rgba, 4, 3);
      const back = await decoded(png);
      expect(back.colourType, name).toBe(colourType);
      expect([back.width, back.height]).toEqual([4, 3]);
      expect(back.rgba, name).toEqual([...rgba]);
    }
  });

  it('filters and compresses many rows losslessly, with differences that wrap around', async () => {
    // Rows jump from 250 to 3 and back, so Up-filtered bytes wrap modulo 256; 300 × 200 makes
    // several zlib blocks.
    const [width, height] = [300, 200];
    const grey = pixels(width * height, (p) => {
      const v = (Math.floor(p / width) % 2 === 0 ? 250 : 3) + (p % 5);
      return [v, v, v, 255];
    });
    const colour = pixels(width * height, (p) => [p % 256, (p * 7) % 256, (p >> 8) % 256, 255]);
    for (const [rgba, colourType] of [
      [grey, 0],
      [colour, 2],
    ] as const) {
      const back = await decoded(encodePng(rgba, width, height));
      expect(back.colourType).toBe(colourType);
      expect([back.width, back.height]).toEqual([width, height]);
      expect(Buffer.from(back.rgba).equals(Buffer.from(rgba))).toBe(true);
    }
  });

  it('keeps the colour of fully transparent pixels that are not grey', async () => {
    // TRANSPARENT=TRUE with a coloured BGCOLOR: the background pixels are (r, g, b, 0).
    const rgba = pixels(4, (p) => (p === 0 ? [80, 80, 80, 255] : [255, 0, 0, 0]));
    const back = await decoded(encodePng(rgba, 2, 2));
    expect(back.colourType).toBe(6);
    expect(back.rgba).toEqual([...rgba]);
  });

  it('refuses pixels that do not match the size', () => {
    expect(() => encodePng(new Uint8Array(12), 2, 2)).toThrow(RangeError);
  });
});
