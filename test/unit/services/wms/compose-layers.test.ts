import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  LAYERS_PER_PASS,
  composeImage,
  composeLayers,
  type ImageOutput,
  type RgbaLayer,
} from '../../../../src/services/wms/image-output.ts';

const OUTPUT: ImageOutput = {
  width: 4,
  height: 1,
  format: 'image/png',
  transparent: true,
  background: { r: 255, g: 255, b: 255 },
};

/** A 4 × 1 layer, opaque `colour` in column `column` and transparent elsewhere. */
function dot(column: number, colour: [number, number, number]): RgbaLayer {
  const rgba = new Uint8Array(16);
  rgba.set([...colour, 255], column * 4);
  return { width: 4, height: 1, rgba };
}

async function rgba(png: Buffer): Promise<number[]> {
  return [...(await sharp(png).ensureAlpha().raw().toBuffer())];
}

describe('composeLayers', () => {
  it('holds at most LAYERS_PER_PASS rendered layers at once however many a map has', async () => {
    let rendering = 0;
    let most = 0;
    const count = 5 * LAYERS_PER_PASS + 1;
    await composeLayers(OUTPUT, count, async (index) => {
      rendering++;
      most = Math.max(most, rendering);
      await new Promise((resolve) => setTimeout(resolve, 1));
      rendering--;
      return dot(index % 4, [index, 0, 0]);
    });
    expect(most).toBe(LAYERS_PER_PASS);
  });

  it('draws the layers in index order across passes, the last on top', async () => {
    const colours: [number, number, number][] = [
      [200, 0, 0],
      [0, 200, 0],
      [0, 0, 200],
    ];
    // Layer k covers column k % 4; later layers cover earlier ones in the same column.
    const count = 3 * LAYERS_PER_PASS + 2;
    const layers = Array.from({ length: count }, (_, k) => dot(k % 4, colours[k % 3]!));
    const png = await composeLayers(OUTPUT, count, (index) => Promise.resolve(layers[index]!));
    const expected = [0, 1, 2, 3].map((column) => {
      const last = Math.max(...layers.map((_, k) => k).filter((k) => k % 4 === column));
      return [...colours[last % 3]!, 255];
    });
    expect(await rgba(png)).toEqual(expected.flat());
  });

  it('skips layers with nothing to draw and paints the background alone when none has', async () => {
    const opaque = { ...OUTPUT, transparent: false, background: { r: 1, g: 2, b: 3 } };
    const empty = await composeLayers(opaque, 2 * LAYERS_PER_PASS, () => Promise.resolve(null));
    expect(await rgba(empty)).toEqual([1, 2, 3, 255, 1, 2, 3, 255, 1, 2, 3, 255, 1, 2, 3, 255]);
    const one = await composeLayers(opaque, 2 * LAYERS_PER_PASS, (index) =>
      Promise.resolve(index === LAYERS_PER_PASS + 1 ? dot(2, [9, 9, 9]) : null),
    );
    expect(await rgba(one)).toEqual([1, 2, 3, 255, 1, 2, 3, 255, 9, 9, 9, 255, 1, 2, 3, 255]);
  });

  it('composites up to one pass of half-transparent layers exactly as one sharp composite', async () => {
    const translucent: RgbaLayer[] = Array.from({ length: LAYERS_PER_PASS }, (_, k) => ({
      width: 4,
      height: 1,
      rgba: new Uint8Array(Array.from({ length: 4 }, () => [50 * k, 100, 255 - 40 * k, 77]).flat()),
    }));
    const single = await sharp({
      create: {
        width: 4,
        height: 1,
        channels: 4,
        background: { r: 255, g: 255, b: 255, alpha: 0 },
      },
    })
      .composite(
        translucent.map((layer) => ({
          input: Buffer.from(layer.rgba),
          raw: { width: 4, height: 1, channels: 4 as const },
        })),
      )
      .png()
      .toBuffer();
    expect(await rgba(await composeImage(OUTPUT, translucent))).toEqual(await rgba(single));
  });
});
