/** OWSLib (Debian's python3-owslib) reads Relief's WMS, WCS and WFS and fetches data. */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireClients, run, startInteropServer, type InteropServer } from './interop-server.ts';

let server: InteropServer;

async function python(script: string): Promise<Record<string, Record<string, unknown>>> {
  const path = fileURLToPath(new URL(`./owslib/${script}`, import.meta.url));
  // Debian's Python modules load under /usr/bin/python3, not a python3 elsewhere on PATH.
  const { stdout } = await run('/usr/bin/python3', [path, server.ows], { timeout: 50_000 });
  return JSON.parse(stdout) as Record<string, Record<string, unknown>>;
}

beforeAll(async () => {
  await requireClients();
  server = await startInteropServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('OWSLib', () => {
  it('WebMapService 1.3.0 and 1.1.1 read the capabilities and fetch a map', async () => {
    const result = await python('check_wms.py');
    for (const version of ['1.3.0', '1.1.1']) {
      expect(result[version]).toMatchObject({ title: 'Relief interop', map_is_png: true });
      expect(result[version]?.layers).toEqual(expect.arrayContaining(['terrain', 'lakes']));
      const bbox = result[version]?.terrain_bbox as number[];
      expect(bbox.slice(0, 4).map((v) => Math.round(v * 1000) / 1000)).toEqual([7, 46, 9, 48]);
    }
  });

  it('WebCoverageService 2.0.1 and 1.0.0 list the coverage and fetch GeoTIFFs', async () => {
    const result = await python('check_wcs.py');
    for (const version of ['2.0.1', '1.0.0']) {
      expect(result[version]?.coverages).toEqual(['terrain']);
      expect(result[version]).toMatchObject({ is_tiff: true });
      expect(result[version]?.tiff_bytes as number).toBeGreaterThan(1000);
    }
  });

  it('WebFeatureService 2.0.0 and 1.1.0 read features as GeoJSON and GML', async () => {
    const result = await python('check_wfs.py');
    for (const version of ['2.0.0', '1.1.0']) {
      expect(result[version]).toMatchObject({
        types: ['relief:lakes'],
        features: 2,
        names: ['Lac Léman', 'Thunersee'],
        gml_has_features: true,
      });
    }
  });
});
