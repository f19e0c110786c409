/**
 * Where bench/wms's GetMap CPU goes after rendering: compositing a 256 × 256 layer over the
 * background and encoding it as PNG. GetMap does this in the pool thread with compositeOver and
 * encodePng (src/imaging/); the other variants are sharp (libvips/libpng) settings, the way maps
 * were encoded before. In this process, one image at a time, on the maps of the benchmark's
 * boxes, for a grey and a hillshade style:
 *
 *   node --import tsx bench/wms/png-encode.ts [--maps 64] [--repeat 128]
 *
 * Prints CPU ms per image (all threads: sharp encodes on libuv/libvips threads) and the mean
 * size, and checks that every PNG variant decodes to the same RGB pixels as the served one (the
 * maps are opaque: TRANSPARENT=FALSE over a white background).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import { compositeOver, filledCanvas } from '../../src/imaging/composite-over.ts';
import { encodePng } from '../../src/imaging/encode-png.ts';
import { renderRasterRGBA, type RenderRasterOutput } from '../../src/raster/raster-worker.ts';
import type { RasterStyleName } from '../../src/raster/styles.ts';
import type { ImageOutput } from '../../src/services/wms/image-output.ts';
import { boxSequence, DEFAULT_SEQUENCE, gridBbox } from './bboxes.ts';
import { MOSAIC, writeMosaic } from './terrain.ts';

const { values } = parseArgs({
  options: { maps: { type: 'string', default: '64' }, repeat: { type: 'string', default: '128' } },
});
const MAPS = Number(values.maps);
const REPEAT = Number(values.repeat);
const SIZE = 256;

const OUTPUT: ImageOutput = {
  width: SIZE,
  height: SIZE,
  format: 'image/png',
  transparent: false,
  background: { r: 255, g: 255, b: 255 },
};

type RgbaLayer = RenderRasterOutput;

/** As GetMap's pool job: the layer over an opaque white canvas, encoded by encodePng. */
function served(layer: RgbaLayer): Promise<Buffer> {
  const canvas = filledCanvas(SIZE, SIZE, { ...OUTPUT.background, alpha: 255 });
  compositeOver(canvas, layer.rgba);
  return Promise.resolve(encodePng(canvas, SIZE, SIZE));
}

/** The layer over an opaque white background in sharp, not yet encoded. */
function composite(layer: RgbaLayer): Sharp {
  return sharp({
    create: {
      width: SIZE,
      height: SIZE,
      channels: 4,
      background: { ...OUTPUT.background, alpha: 1 },
    },
  }).composite([
    {
      input: Buffer.from(layer.rgba.buffer, layer.rgba.byteOffset, layer.rgba.byteLength),
      raw: { width: layer.width, height: layer.height, channels: 4 },
    },
  ]);
}

const VARIANTS: readonly (readonly [string, (layer: RgbaLayer) => Promise<Buffer>])[] = [
  ['as served: compositeOver + encodePng (pngjs, Up filter, zlib RLE)', served],
  [
    'composite, RGB (alpha removed), level 6',
    (layer) => composite(layer).removeAlpha().png().toBuffer(),
  ],
  ['composite, RGBA, level 3', (layer) => composite(layer).png({ compressionLevel: 3 }).toBuffer()],
  ['composite, RGBA, level 1', (layer) => composite(layer).png({ compressionLevel: 1 }).toBuffer()],
  [
    'composite, RGBA, adaptive filtering',
    (layer) => composite(layer).png({ adaptiveFiltering: true }).toBuffer(),
  ],
  ['composite only, raw pixels out (no PNG)', (layer) => composite(layer).raw().toBuffer()],
];

async function rgbOf(png: Buffer): Promise<Buffer> {
  return sharp(png).removeAlpha().raw().toBuffer();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'relief-bench-png-'));
  try {
    await writeMosaic(dir, MOSAIC);
    console.log(
      `${MAPS} maps ${SIZE}×${SIZE} per style, ${REPEAT} encodes per variant, one at a time; ` +
        `sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}`,
    );
    for (const style of ['grey', 'hillshade'] as const) await measure(dir, style);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string, style: RasterStyleName): Promise<void> {
  {
    const boxes = boxSequence(MOSAIC, { ...DEFAULT_SEQUENCE, count: MAPS });
    const layers: RgbaLayer[] = [];
    for (const box of boxes) {
      layers.push(
        await renderRasterRGBA({
          request: {
            source: { kind: 'hgt-folder', path: dir },
            crs: box.crs,
            bbox: gridBbox(box),
            width: SIZE,
            height: SIZE,
          },
          style,
        }),
      );
    }
    const reference = await Promise.all(layers.map(async (l) => rgbOf(await served(l))));
    console.log(`\n${style}:\n`);
    console.log('| variant | CPU ms/image | wall ms/image | KiB | same RGB |');
    console.log('|---|--:|--:|--:|---|');
    for (const [name, encode] of VARIANTS) {
      for (let i = 0; i < 8; i++) await encode(layers[i % layers.length] as RgbaLayer); // warm-up
      const cpu = process.cpuUsage();
      const started = performance.now();
      let bytes = 0;
      for (let i = 0; i < REPEAT; i++)
        bytes += (await encode(layers[i % layers.length] as RgbaLayer)).length;
      const used = process.cpuUsage(cpu);
      const wall = performance.now() - started;
      let same: boolean | null = name.includes('no PNG') ? null : true;
      for (let i = 0; same !== null && i < Math.min(8, layers.length); i++) {
        const rgb = await rgbOf(await encode(layers[i] as RgbaLayer));
        if (!rgb.equals(reference[i] as Buffer)) same = false;
      }
      console.log(
        `| ${name} | ${((used.user + used.system) / 1000 / REPEAT).toFixed(2)} | ` +
          `${(wall / REPEAT).toFixed(2)} | ${(bytes / REPEAT / 1024).toFixed(1)} | ${same === null ? '-' : same ? 'yes' : 'NO'} |`,
      );
    }
  }
}

await main();
