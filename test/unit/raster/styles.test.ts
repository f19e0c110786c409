/**
 * Rendering windows to RGBA: hillshade (flat terrain one uniform grey, lit and shaded slopes,
 * seamless tiles with a one-pixel margin), color-relief (exact colours at the documented stops,
 * linear between them, custom ramps), grey stretches, nodata transparent, legends.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_COLOR_RAMP, rampColor } from '../../../src/raster/color-relief.ts';
import type { RasterWindow } from '../../../src/raster/raster-types.ts';
import { readRasterWindow } from '../../../src/raster/read-window.ts';
import {
  DEFAULT_GREY_RANGE,
  legendRamp,
  renderRaster,
  resolveStyle,
  styleMargin,
} from '../../../src/raster/styles.ts';
import { NODATA, createHgtFolder, mercatorX, mercatorY } from './raster-fixtures.ts';

/** A 4326 window of the given rows of values around (lon 7, lat 46). */
function windowOf(rows: number[][], margin = 0, bbox?: RasterWindow['bbox']): RasterWindow {
  const height = rows.length;
  const width = rows[0]!.length;
  return {
    width,
    height,
    values: Int16Array.from(rows.flat()),
    nodata: NODATA,
    bbox: bbox ?? [7, 46, 7 + width * 0.001, 46 + height * 0.001],
    crs: 'EPSG:4326',
    margin,
    pixelSizeMetres: [76.6, 111.2],
  };
}

function pixel(rgba: Uint8ClampedArray, p: number): number[] {
  return Array.from(rgba.subarray(p * 4, p * 4 + 4));
}

const flat = (value: number, width: number, height: number) =>
  Array.from({ length: height }, () => new Array<number>(width).fill(value));

describe('hillshade', () => {
  const expectedFlat = Math.round(255 * Math.cos(Math.PI / 4)); // zenith 45°: 180

  it('shades flat terrain one uniform grey, 255·cos(zenith), edges included', () => {
    const image = renderRaster(windowOf(flat(1234, 20, 10)), 'hillshade');
    expect([image.width, image.height]).toEqual([20, 10]);
    const colours = new Set<string>();
    for (let p = 0; p < 200; p++) colours.add(pixel(image.rgba, p).join());
    expect([...colours]).toEqual([`${expectedFlat},${expectedFlat},${expectedFlat},255`]);
  });

  it('shades a flat tile read in EPSG:3857 with a margin uniformly too', async () => {
    const folder = createHgtFolder();
    try {
      folder.write({ lat: 46, lon: 7 }, 1201, { heightAt: () => 700 });
      const window = await readRasterWindow({
        source: { kind: 'hgt-folder', path: folder.path },
        crs: 'EPSG:3857',
        bbox: [mercatorX(7.2), mercatorY(46.2), mercatorX(7.3), mercatorY(46.3)],
        width: 64,
        height: 64,
        margin: styleMargin('hillshade'),
      });
      const image = renderRaster(window, { name: 'hillshade' });
      expect([image.width, image.height]).toEqual([64, 64]);
      expect(new Set(image.rgba)).toEqual(new Set([expectedFlat, 255]));
    } finally {
      folder.remove();
    }
  });

  it('lights slopes facing the sun (north-west) and darkens slopes facing away', () => {
    // Rising to the south-east: the slope faces north-west, towards the default sun.
    const rising = Array.from({ length: 9 }, (_, y) =>
      Array.from({ length: 9 }, (_, x) => 10 * (x + y)),
    );
    const facing = renderRaster(windowOf(rising), 'hillshade');
    const away = renderRaster(windowOf(rising.map((row) => row.map((v) => -v))), 'hillshade');
    const centre = 4 * 9 + 4;
    expect(facing.rgba[centre * 4]).toBeGreaterThan(expectedFlat);
    expect(away.rgba[centre * 4]).toBeLessThan(expectedFlat);
    // The sun moved to the south-east swaps them.
    const fromSouthEast = renderRaster(windowOf(rising), { name: 'hillshade', azimuth: 135 });
    expect(fromSouthEast.rgba[centre * 4]).toBe(away.rgba[centre * 4]);
    // Exaggeration steepens the slope away from the sun.
    const steeper = renderRaster(windowOf(rising.map((row) => row.map((v) => -v))), {
      name: 'hillshade',
      zFactor: 3,
    });
    expect(steeper.rgba[centre * 4]).toBeLessThan(away.rgba[centre * 4]!);
  });

  it('makes nodata transparent and lets neighbours of nodata shade as flat', () => {
    const rows = flat(300, 5, 5);
    rows[2]![2] = NODATA;
    const image = renderRaster(windowOf(rows), 'hillshade');
    expect(pixel(image.rgba, 12)).toEqual([0, 0, 0, 0]);
    expect(pixel(image.rgba, 11)).toEqual([expectedFlat, expectedFlat, expectedFlat, 255]);
  });

  it('shades a window with voids like one without, away from the voids', () => {
    // Windows without voids take a separate loop: both must agree wherever no void is near.
    let seed = 3;
    const rough = Array.from({ length: 12 }, (_, y) =>
      Array.from({ length: 15 }, (_, x) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return 500 + 40 * x - 25 * y + (seed % 61);
      }),
    );
    const withVoid = rough.map((row) => [...row]);
    withVoid[10]![1] = NODATA;
    const whole = renderRaster(windowOf(rough, 1), 'hillshade');
    const holed = renderRaster(windowOf(withVoid, 1), 'hillshade');
    const width = 13;
    const shades = new Set<number>();
    for (let p = 0; p < width * 10; p++) {
      const [x, y] = [(p % width) + 1, Math.floor(p / width) + 1]; // in window coordinates
      if (Math.abs(x - 1) <= 1 && Math.abs(y - 10) <= 1) continue;
      expect(pixel(holed.rgba, p), `pixel ${x},${y}`).toEqual(pixel(whole.rgba, p));
      shades.add(pixel(whole.rgba, p)[0]!);
    }
    expect(shades.size).toBeGreaterThan(10); // rough terrain, not one flat grey
    expect(pixel(holed.rgba, 9 * width)).toEqual([0, 0, 0, 0]); // the void itself
  });

  it('shades adjacent tiles read with a margin exactly like one big window', async () => {
    const folder = createHgtFolder();
    try {
      folder.write({ lat: 46, lon: 7 }, 1201);
      const source = { kind: 'hgt-folder', path: folder.path } as const;
      const tile = (west: number, north: number, size: number, pixels: number) =>
        readRasterWindow({
          source,
          crs: 'EPSG:3857',
          bbox: [west, north - size, west + size, north],
          width: pixels,
          height: pixels,
          margin: 1,
        });
      const west = mercatorX(7.3);
      const north = mercatorY(46.7);
      const size = 4000; // metres per 64-pixel tile
      const big = renderRaster(await tile(west, north, 2 * size, 128), 'hillshade');
      const quarters = [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const;
      for (const [qx, qy] of quarters) {
        const small = renderRaster(
          await tile(west + qx * size, north - qy * size, size, 64),
          'hillshade',
        );
        let differences = 0;
        for (let y = 0; y < 64; y++) {
          for (let x = 0; x < 64; x++) {
            const a = small.rgba[(y * 64 + x) * 4];
            const b = big.rgba[((qy * 64 + y) * 128 + qx * 64 + x) * 4];
            if (a !== b) differences++;
          }
        }
        expect(differences).toBe(0);
      }
    } finally {
      folder.remove();
    }
  });
});

describe('color-relief', () => {
  it('gives the documented colours exactly at the default stops and clamps beyond them', () => {
    const image = renderRaster(
      windowOf([[-500, 0, 500, 1000, 2500, 4000, -9000, 9000]]),
      'color-relief',
    );
    expect(Array.from({ length: 8 }, (_, p) => pixel(image.rgba, p))).toEqual([
      [30, 90, 190, 255],
      [40, 140, 70, 255],
      [150, 200, 90, 255],
      [240, 220, 110, 255],
      [150, 95, 55, 255],
      [255, 255, 255, 255],
      [30, 90, 190, 255],
      [255, 255, 255, 255],
    ]);
  });

  it('interpolates linearly between stops', () => {
    const image = renderRaster(windowOf([[250, 1750, 3250]]), 'color-relief');
    expect(pixel(image.rgba, 0)).toEqual([95, 170, 80, 255]); // halfway green → light green
    expect(pixel(image.rgba, 1)).toEqual([195, 158, 83, 255]); // halfway yellow → brown (82.5 up)
    expect(pixel(image.rgba, 2)).toEqual([203, 175, 155, 255]);
    expect(rampColor(DEFAULT_COLOR_RAMP, 250)).toEqual([95, 170, 80, 255]);
  });

  it('accepts custom ramps, with alpha, and rejects bad ones', () => {
    const ramp = {
      stops: [
        [0, [0, 0, 0, 0]],
        [100, [200, 100, 50]],
      ] as const,
    };
    const image = renderRaster(windowOf([[-5, 0, 50, 100, 200]]), { name: 'color-relief', ramp });
    expect(Array.from({ length: 5 }, (_, p) => pixel(image.rgba, p))).toEqual([
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [100, 50, 25, 128],
      [200, 100, 50, 255],
      [200, 100, 50, 255],
    ]);
    const bad = (stops: unknown) => () =>
      resolveStyle({ name: 'color-relief', ramp: { stops } as never });
    expect(bad([])).toThrow(/at least one stop/);
    expect(
      bad([
        [0, [0, 0, 0]],
        [0, [1, 1, 1]],
      ]),
    ).toThrow(/increase/);
    expect(bad([[0, [0, 0, 300]]])).toThrow(/colour/);
    expect(bad([[0, [0, 0]]])).toThrow(/colour/);
  });
});

describe('grey', () => {
  it('stretches the fixed default range linearly, clamped', () => {
    const [black, white] = DEFAULT_GREY_RANGE;
    const image = renderRaster(windowOf([[black, white, 2200, -5000, 9000]]), 'grey');
    expect(Array.from({ length: 5 }, (_, p) => pixel(image.rgba, p))).toEqual([
      [0, 0, 0, 255],
      [255, 255, 255, 255],
      [128, 128, 128, 255],
      [0, 0, 0, 255],
      [255, 255, 255, 255],
    ]);
  });

  it('stretches a given range or the window (its inner pixels) when asked', () => {
    const given = renderRaster(windowOf([[0, 50, 100]]), { name: 'grey', range: [0, 100] });
    expect([0, 1, 2].map((p) => given.rgba[p * 4])).toEqual([0, 128, 255]);
    // The margin (values 9999) is context only: it neither shows nor counts for the range.
    const rows = [flat(9999, 4, 1)[0]!, [9999, 10, 20, 9999], flat(9999, 4, 1)[0]!];
    const auto = renderRaster(windowOf(rows, 1), { name: 'grey', range: 'window' });
    expect([auto.width, auto.height]).toEqual([2, 1]);
    expect([auto.rgba[0], auto.rgba[4]]).toEqual([0, 255]);
    expect(() => resolveStyle({ name: 'grey', range: [5, 5] })).toThrow(/black < white/);
  });
});

describe('every style', () => {
  it.each(['grey', 'hillshade', 'color-relief'] as const)(
    'makes nodata fully transparent and crops the margin (%s)',
    (style) => {
      const rows = flat(1000, 6, 5);
      rows[2]![3] = NODATA;
      const image = renderRaster(windowOf(rows, 1), style);
      expect([image.width, image.height]).toEqual([4, 3]);
      expect(image.rgba.length).toBe(4 * 3 * 4);
      expect(pixel(image.rgba, 1 * 4 + 2)).toEqual([0, 0, 0, 0]);
      expect(image.rgba[3]).toBe(255);
    },
  );

  it('rejects unknown styles', () => {
    expect(() => renderRaster(windowOf([[1]]), 'viridis' as never)).toThrow(/Unknown raster style/);
  });

  it('needs a margin for hillshade only', () => {
    expect([styleMargin('hillshade'), styleMargin('grey'), styleMargin('color-relief')]).toEqual([
      1, 0, 0,
    ]);
  });
});

describe('legendRamp', () => {
  it('lists the default ramp stops with labels', () => {
    const legend = legendRamp('color-relief');
    expect(legend.unit).toBe('m');
    expect(legend.stops.map((s) => [s.value, s.color, s.label])).toEqual([
      [-500, [30, 90, 190, 255], '-500 m'],
      [0, [40, 140, 70, 255], '0 m'],
      [500, [150, 200, 90, 255], '500 m'],
      [1000, [240, 220, 110, 255], '1000 m'],
      [2500, [150, 95, 55, 255], '2500 m'],
      [4000, [255, 255, 255, 255], '4000 m'],
    ]);
  });

  it('describes grey and hillshade', () => {
    expect(legendRamp('grey').stops.map((s) => s.value)).toEqual([...DEFAULT_GREY_RANGE]);
    expect(legendRamp({ name: 'grey', range: 'window' }).stops).toEqual([]);
    const shade = legendRamp({ name: 'hillshade', azimuth: 270 });
    expect(shade.unit).toBeNull();
    expect(shade.title).toContain('270');
  });
});
