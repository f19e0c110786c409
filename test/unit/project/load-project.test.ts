/**
 * loadProject: metadata with fallbacks, source paths resolved against the project's folder,
 * WGS84 extents from .hgt tile names, GeoTIFF georeferencing and GeoJSON features, and broken
 * layers skipped with a reason while the rest load.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  emptyProject,
  loadProject,
  type LoadedProject,
  type ProjectLayerDefinition,
} from '../../../src/project/load-project.ts';
import { SERVICE_METADATA } from '../../../src/services/service-metadata.ts';
import {
  POINTS,
  tempFolder,
  writeGeoTiff,
  writeHgtTiles,
  writeJson,
  writeYaml,
} from './project-files.ts';

let dir: Awaited<ReturnType<typeof tempFolder>>;
beforeEach(async () => {
  dir = await tempFolder();
});
afterEach(() => dir.remove());

type LayerEntry = { name: string; kind?: string; source: { type: string; path: string } } & Record<
  string,
  unknown
>;

/** A project in `<tmp>/project/project.yaml` with these layers. */
async function project(layers: LayerEntry[], extra: Record<string, unknown> = {}) {
  const path = join(dir.path, 'project', 'project.yaml');
  await writeYaml(path, {
    ...extra,
    layers: layers.map((layer) => ({
      title: layer.name,
      kind: layer.source.type === 'geojson' ? 'vector' : 'raster',
      ...layer,
    })),
  });
  return loadProject(path);
}

function definition(loaded: LoadedProject, name: string): ProjectLayerDefinition {
  const layer = loaded.layers.find((l) => l.name === name);
  if (layer?.status !== 'loaded') throw new Error(`${name}: ${JSON.stringify(layer)}`);
  return layer.definition;
}

function reason(loaded: LoadedProject, name: string): string {
  const layer = loaded.layers.find((l) => l.name === name);
  if (layer?.status !== 'skipped') throw new Error(`${name} was not skipped`);
  return layer.reason;
}

describe('metadata', () => {
  it('falls back to the server metadata', async () => {
    expect((await project([])).metadata).toEqual({ ...SERVICE_METADATA, keywords: [] });
    expect(emptyProject()).toMatchObject({ file: undefined, layers: [] });
    expect(emptyProject().metadata.title).toBe(SERVICE_METADATA.title);
  });

  it('takes the project fields, the provider from the contact organisation', async () => {
    const loaded = await project([], {
      title: 'Alps',
      abstract: 'Terrain of the Alps',
      keywords: ['alps', 'dem'],
      contact: { person: 'Ada', organization: 'Survey', email: 'ada@example.org' },
      fees: 'none',
      accessConstraints: 'CC-BY-4.0',
    });
    expect(loaded.metadata).toEqual({
      title: 'Alps',
      abstract: 'Terrain of the Alps',
      providerName: 'Survey',
      fees: 'none',
      accessConstraints: 'CC-BY-4.0',
      keywords: ['alps', 'dem'],
      contact: { person: 'Ada', organization: 'Survey', email: 'ada@example.org' },
    });
    const named = await project([], {
      providerName: 'Relief Inc.',
      contact: { organization: 'x' },
    });
    expect(named.metadata.providerName).toBe('Relief Inc.');
  });
});

describe('sources', () => {
  it('resolves relative paths against the project folder, keeps absolute ones', async () => {
    await writeGeoTiff(join(dir.path, 'project', 'data', 'dem.tif'), {
      west: 7,
      north: 47,
      resolution: [0.5, 0.25],
    });
    await writeJson(join(dir.path, 'elsewhere', 'points.geojson'), POINTS);
    const loaded = await project([
      { name: 'dem', source: { type: 'geotiff', path: 'data/dem.tif' } },
      {
        name: 'points',
        source: { type: 'geojson', path: join(dir.path, 'elsewhere', 'points.geojson') },
      },
    ]);
    expect(loaded.file).toBe(join(dir.path, 'project', 'project.yaml'));
    expect(definition(loaded, 'dem').source).toEqual({
      kind: 'geotiff',
      path: join(dir.path, 'project', 'data', 'dem.tif'),
    });
    expect(definition(loaded, 'points').source).toEqual({
      kind: 'geojson',
      path: join(dir.path, 'elsewhere', 'points.geojson'),
    });
  });

  it('computes an hgt folder extent from the tile names', async () => {
    const tiles = join(dir.path, 'project', 'tiles');
    await writeHgtTiles(tiles, ['N46E007', 'N47E008', 'S01W001']);
    // Not tiles: wrong folder, not canonical, not .hgt, not in a latitude folder.
    await mkdir(join(tiles, 'N50'), { recursive: true });
    await writeFile(join(tiles, 'N50', 'N51E010.hgt'), '');
    await writeFile(join(tiles, 'N50', 'N50e010.hgt'), '');
    await writeFile(join(tiles, 'N50', 'N50E010.hgt.gz'), '');
    await writeFile(join(tiles, 'N60E010.hgt'), '');
    const loaded = await project([
      { name: 'srtm', source: { type: 'hgt-folder', path: 'tiles' }, style: 'hillshade' },
    ]);
    expect(definition(loaded, 'srtm')).toEqual({
      name: 'srtm',
      title: 'srtm',
      kind: 'raster',
      source: { kind: 'hgt-folder', path: tiles },
      bbox: [-1, -1, 9, 48],
      style: 'hillshade',
    });
  });

  it('computes a GeoTIFF extent from its georeferencing', async () => {
    await writeGeoTiff(join(dir.path, 'project', 'dem.tif'), {
      west: 7,
      north: 47,
      resolution: [0.5, 0.25],
      width: 4,
      height: 2,
    });
    // Pixel-is-point: the tiepoint is the first pixel's centre, the area half a pixel north-west.
    await writeGeoTiff(join(dir.path, 'project', 'points.tif'), {
      west: 7,
      north: 47,
      resolution: [0.5, 0.25],
      width: 4,
      height: 2,
      keys: { GTRasterTypeGeoKey: 2 },
    });
    const loaded = await project([
      { name: 'dem', source: { type: 'geotiff', path: 'dem.tif' } },
      { name: 'grid', source: { type: 'geotiff', path: 'points.tif' } },
    ]);
    expect(definition(loaded, 'dem').bbox).toEqual([7, 46.5, 9, 47]);
    expect(definition(loaded, 'grid').bbox).toEqual([6.75, 46.625, 8.75, 47.125]);
  });

  it('computes a GeoJSON extent from its features and keeps only the path', async () => {
    await writeJson(join(dir.path, 'project', 'points.geojson'), POINTS);
    await writeJson(join(dir.path, 'project', 'one.geojson'), POINTS.features[0]);
    const loaded = await project([
      {
        name: 'points',
        source: { type: 'geojson', path: 'points.geojson' },
        style: { fill: '#ff0000', stroke: 'rgba(0, 0, 0, 0.5)', strokeWidth: 2, opacity: 0.8 },
      },
      { name: 'one', source: { type: 'geojson', path: 'one.geojson' } },
    ]);
    expect(definition(loaded, 'points')).toEqual({
      name: 'points',
      title: 'points',
      kind: 'vector',
      source: { kind: 'geojson', path: join(dir.path, 'project', 'points.geojson') },
      bbox: [6.9, 46, 8.1, 47.3],
      vectorStyle: { fill: '#ff0000', stroke: 'rgba(0, 0, 0, 0.5)', strokeWidth: 2, opacity: 0.8 },
    });
    expect(definition(loaded, 'one').bbox).toEqual([7.5, 46.2, 7.5, 46.2]);
  });

  it('prefers a declared bbox and carries title, abstract and keywords', async () => {
    await writeJson(join(dir.path, 'project', 'points.geojson'), POINTS);
    const loaded = await project([
      {
        name: 'points',
        title: 'Summits',
        abstract: 'Named summits',
        keywords: ['summit'],
        source: { type: 'geojson', path: 'points.geojson' },
        bbox: [5, 45, 11, 48],
      },
    ]);
    expect(definition(loaded, 'points')).toMatchObject({
      title: 'Summits',
      abstract: 'Named summits',
      keywords: ['summit'],
      bbox: [5, 45, 11, 48],
    });
  });
});

describe('broken layers', () => {
  it('are skipped with their reason while the others load', async () => {
    const folder = join(dir.path, 'project');
    await writeJson(join(folder, 'points.geojson'), POINTS);
    await writeHgtTiles(join(folder, 'tiles'), ['N46E007']);
    await mkdir(join(folder, 'empty'), { recursive: true });
    await writeFile(join(folder, 'broken.geojson'), '{"type": "FeatureCollection", ');
    await writeJson(join(folder, 'geometry.geojson'), { type: 'Point', coordinates: [1, 2] });
    await writeJson(join(folder, 'bad-feature.geojson'), {
      type: 'FeatureCollection',
      features: [
        POINTS.features[0],
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: [1] } },
      ],
    });
    await writeJson(join(folder, 'metres.geojson'), {
      type: 'Feature',
      properties: {},
      geometry: { type: 'Point', coordinates: [600000, 5100000] },
    });
    await writeFile(join(folder, 'text.tif'), 'not a tiff');
    await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
      .tiff()
      .toFile(join(folder, 'plain.tif'));
    await writeGeoTiff(join(folder, 'utm.tif'), {
      west: 500000,
      north: 5200000,
      resolution: [30, 30],
      keys: { GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32632, GeographicTypeGeoKey: undefined },
    });
    await writeGeoTiff(join(folder, 'nad83.tif'), {
      west: -100,
      north: 40,
      resolution: [1, 1],
      keys: { GeographicTypeGeoKey: 4269 },
    });

    const loaded = await project([
      { name: 'points', source: { type: 'geojson', path: 'points.geojson' } },
      { name: 'missing', source: { type: 'geojson', path: 'missing.geojson' } },
      { name: 'broken', source: { type: 'geojson', path: 'broken.geojson' } },
      { name: 'geometry', source: { type: 'geojson', path: 'geometry.geojson' } },
      { name: 'badFeature', source: { type: 'geojson', path: 'bad-feature.geojson' } },
      { name: 'metres', source: { type: 'geojson', path: 'metres.geojson' } },
      { name: 'tiles', source: { type: 'hgt-folder', path: 'tiles' } },
      { name: 'empty', source: { type: 'hgt-folder', path: 'empty' } },
      { name: 'noFolder', source: { type: 'hgt-folder', path: 'nowhere' } },
      { name: 'text', source: { type: 'geotiff', path: 'text.tif' } },
      { name: 'plain', source: { type: 'geotiff', path: 'plain.tif' } },
      { name: 'utm', source: { type: 'geotiff', path: 'utm.tif' } },
      { name: 'nad83', source: { type: 'geotiff', path: 'nad83.tif' } },
      { name: 'folder', source: { type: 'geotiff', path: 'tiles' } },
    ]);

    expect(loaded.layers.map((l) => l.name)).toEqual([
      'points',
      'missing',
      'broken',
      'geometry',
      'badFeature',
      'metres',
      'tiles',
      'empty',
      'noFolder',
      'text',
      'plain',
      'utm',
      'nad83',
      'folder',
    ]);
    expect(loaded.layers.filter((l) => l.status === 'loaded').map((l) => l.name)).toEqual([
      'points',
      'tiles',
    ]);
    expect(reason(loaded, 'missing')).toBe('geojson missing.geojson: file not found');
    expect(reason(loaded, 'broken')).toMatch(/^geojson broken\.geojson: not valid JSON: /);
    expect(reason(loaded, 'geometry')).toBe(
      'geojson geometry.geojson: not a GeoJSON FeatureCollection or Feature (type: "Point")',
    );
    expect(reason(loaded, 'badFeature')).toBe(
      'geojson bad-feature.geojson: not valid GeoJSON: features[1].geometry (Polygon) has malformed coordinates',
    );
    expect(reason(loaded, 'metres')).toMatch(
      /^geojson metres\.geojson: its extent \[600000, 5100000, 600000, 5100000\] is not in longitude\/latitude degrees/,
    );
    expect(reason(loaded, 'empty')).toBe(
      'hgt-folder empty: no .hgt tiles in the skadi layout (N46/N46E007.hgt) in this folder',
    );
    expect(reason(loaded, 'noFolder')).toBe('hgt-folder nowhere: folder not found');
    expect(reason(loaded, 'text')).toMatch(/^geotiff text\.tif: not a readable TIFF: /);
    expect(reason(loaded, 'plain')).toBe(
      'geotiff plain.tif: has no georeferencing (ModelTiepoint and ModelPixelScale, or ModelTransformation)',
    );
    expect(reason(loaded, 'utm')).toBe(
      'geotiff utm.tif: is in a projected CRS (EPSG:32632); only EPSG:4326 is supported for sources',
    );
    expect(reason(loaded, 'nad83')).toBe(
      'geotiff nad83.tif: is in EPSG:4269; only EPSG:4326 is supported for sources',
    );
    expect(reason(loaded, 'folder')).toBe('geotiff tiles: is a folder, expected a file');
    // The reasons carry the paths as written in the project, not the server's absolute paths.
    for (const layer of loaded.layers) {
      if (layer.status === 'skipped') expect(layer.reason).not.toContain(dir.path);
    }
  });
});
