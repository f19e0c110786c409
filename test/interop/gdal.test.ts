/** GDAL's own WMS, WCS and WFS drivers (Debian's gdal-bin) against Relief. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultHeightAt } from '../../src/testing/hgt-fixtures.ts';
import { requireClients, run, startInteropServer, type InteropServer } from './interop-server.ts';

let server: InteropServer;

beforeAll(async () => {
  await requireClients();
  server = await startInteropServer();
});

afterAll(async () => {
  await server?.stop();
});

const gdal = async (command: string, args: string[]) =>
  (
    await run(command, args, {
      timeout: 50_000,
      env: { ...process.env, GDAL_HTTP_TIMEOUT: '30', CPL_DEBUG: 'OFF' },
    })
  ).stdout;

describe('GDAL WMS driver', () => {
  it('lists the layers as subdatasets and renders one', async () => {
    const info = await gdal('gdalinfo', [
      `WMS:${server.ows}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities`,
    ]);
    const subdataset = /SUBDATASET_\d+_NAME=(WMS:[^\n]*LAYERS=terrain[^\n]*)/.exec(info)?.[1];
    expect(subdataset, info).toBeDefined();
    expect(info).toMatch(/LAYERS=lakes/);
    const out = join(server.dir, 'wms.png');
    await gdal('gdal_translate', [
      '-of',
      'PNG',
      '-outsize',
      '256',
      '256',
      subdataset as string,
      out,
    ]);
    const meta = await sharp(await readFile(out)).metadata();
    expect([meta.width, meta.height]).toEqual([256, 256]);
  });
});

describe('GDAL WCS driver', () => {
  for (const version of ['2.0.1', '1.0.0']) {
    it(`reads WCS ${version} with correct georeferencing and values`, async () => {
      const id = version === '2.0.1' ? 'COVERAGEID' : 'COVERAGE';
      const source = `WCS:${server.ows}?SERVICE=WCS&VERSION=${version}&${id}=terrain`;
      const out = join(server.dir, `wcs-${version}.tif`);
      await gdal('gdal_translate', ['-projwin', '7.25', '46.75', '7.75', '46.25', source, out]);
      const info = JSON.parse(await gdal('gdalinfo', ['-json', out])) as {
        geoTransform: number[];
        size: number[];
        bands: Array<{ type: string; noDataValue?: number }>;
      };
      const [originX, pixelX, , originY, , pixelY] = info.geoTransform as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      // Native SRTM3 grid: 1/1200°, pixels centred on the samples (point-registered HGT).
      expect(pixelX).toBeCloseTo(1 / 1200, 9);
      expect(pixelY).toBeCloseTo(-1 / 1200, 9);
      expect(Math.abs(((originX + pixelX / 2) * 1200) % 1)).toBeLessThan(1e-6);
      expect(info.bands[0]?.type).toBe('Int16');
      const value = Number(
        (await gdal('gdallocationinfo', ['-valonly', '-wgs84', out, '7.5', '46.5'])).trim(),
      );
      expect(value).toBe(defaultHeightAt(46.5, 7.5));
      expect(originY).toBeGreaterThan(46.7);
    });
  }
});

describe('GDAL WFS driver (ogrinfo)', () => {
  for (const version of ['2.0.0', '1.1.0']) {
    it(`lists and reads the WFS ${version} layers`, async () => {
      const source = `WFS:${server.ows}?SERVICE=WFS&VERSION=${version}`;
      const list = await gdal('ogrinfo', ['-ro', source]);
      expect(list).toMatch(/lakes/);
      const features = await gdal('ogrinfo', ['-ro', '-al', '-q', source, 'lakes']);
      expect(features).toMatch(/name \(String\) = Lac Léman/);
      expect(features).toMatch(/depth \(Integer(64)?\) = 217/);
      expect(features.match(/POLYGON/g)?.length).toBe(2);
    });
  }
});
