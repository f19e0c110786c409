import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  compositeOver,
  compositeUnder,
  filledCanvas,
} from '../../../src/imaging/composite-over.ts';

/** A 4 × 1 RGBA row from four [r, g, b, a] pixels. */
function row(...pixels: [number, number, number, number][]): Uint8Array {
  return new Uint8Array(pixels.flat());
}

describe('filledCanvas', () => {
  it('fills every pixel with the colour, alpha included', () => {
    expect([...filledCanvas(3, 1, { r: 1, g: 2, b: 3, alpha: 255 })]).toEqual([
      1, 2, 3, 255, 1, 2, 3, 255, 1, 2, 3, 255,
    ]);
    expect([...filledCanvas(1, 2, { r: 9, g: 8, b: 7, alpha: 0 })]).toEqual([
      9, 8, 7, 0, 9, 8, 7, 0,
    ]);
  });
});

describe('compositeOver', () => {
  it('copies opaque pixels, skips transparent ones, in layer order', () => {
    const canvas = filledCanvas(4, 1, { r: 255, g: 255, b: 255, alpha: 255 });
    compositeOver(canvas, row([10, 0, 0, 255], [0, 0, 0, 0], [20, 0, 0, 255], [0, 0, 0, 0]));
    compositeOver(canvas, row([0, 0, 0, 0], [0, 30, 0, 255], [0, 40, 0, 255], [0, 0, 0, 0]));
    expect([...canvas]).toEqual([10, 0, 0, 255, 0, 30, 0, 255, 0, 40, 0, 255, 255, 255, 255, 255]);
  });

  it('blends half-transparent layers as sharp does, within one level', async () => {
    const layers = Array.from({ length: 6 }, (_, k) =>
      row(
        ...Array.from(
          { length: 4 },
          (_, p) =>
            [50 * k, 100 + p, 255 - 40 * k, 40 + 30 * p] as [number, number, number, number],
        ),
      ),
    );
    for (const background of [
      { r: 255, g: 255, b: 255, alpha: 0 },
      { r: 0, g: 128, b: 255, alpha: 255 },
    ]) {
      const canvas = filledCanvas(4, 1, background);
      for (const layer of layers) compositeOver(canvas, layer);
      const reference = await sharp({
        create: {
          width: 4,
          height: 1,
          channels: 4,
          background: { ...background, alpha: background.alpha / 255 },
        },
      })
        .composite(
          layers.map((layer) => ({
            input: Buffer.from(layer),
            raw: { width: 4, height: 1, channels: 4 as const },
          })),
        )
        .raw()
        .toBuffer();
      for (let i = 0; i < canvas.length; i++) {
        expect(Math.abs(canvas[i]! - reference[i]!), `byte ${i}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('refuses a layer of another size', () => {
    expect(() => compositeOver(new Uint8Array(16), new Uint8Array(8))).toThrow(RangeError);
  });
});

describe('compositeUnder', () => {
  it('gives the pixels of drawing the layer over a canvas of the colour', () => {
    const layer = row([10, 20, 30, 255], [0, 0, 0, 0], [200, 100, 50, 128], [5, 5, 5, 1]);
    for (const colour of [
      { r: 255, g: 255, b: 255, alpha: 255 },
      { r: 0, g: 128, b: 255, alpha: 0 },
      { r: 9, g: 9, b: 9, alpha: 100 },
    ]) {
      const canvas = filledCanvas(4, 1, colour);
      compositeOver(canvas, layer);
      const under = new Uint8Array(layer);
      compositeUnder(under, colour);
      expect([...under]).toEqual([...canvas]);
    }
  });
});
