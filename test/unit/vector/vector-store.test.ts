/**
 * The vector store: datasets over in-memory and GeoJSON-file layers, feature ids, schema
 * inference, BBOX selection and the file cache (re-read on change, bounded, failures not kept).
 */
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Feature, FeatureCollection } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishedLayer } from '../../../src/layers/layer-registry.ts';
import { positionsIntersecting } from '../../../src/vector/bbox-filter.ts';
import { inferSchema, xmlName } from '../../../src/vector/feature-schema.ts';
import { GeoJsonFileCache } from '../../../src/vector/geojson-file-cache.ts';
import { VectorSourceError } from '../../../src/vector/vector-source-error.ts';
import { VectorStore } from '../../../src/vector/vector-store.ts';

const point = (x: number, y: number, properties: Feature['properties'] = {}): Feature => ({
  type: 'Feature',
  geometry: { type: 'Point', coordinates: [x, y] },
  properties,
});

/** GeoJSON allows features without geometry; the published collections' type does not say so. */
const NO_GEOMETRY = { type: 'Feature', geometry: null, properties: {} } as unknown as Feature;

const collection = (features: Feature[]): FeatureCollection => ({
  type: 'FeatureCollection',
  features,
});

const layer = (name: string, source: PublishedLayer['source']): PublishedLayer => ({
  name,
  title: name,
  kind: 'vector',
  source,
  owner: 'test',
  published: new Date(0).toISOString(),
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relief-vector-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('VectorStore with in-memory features', () => {
  it('iterates features by reference, in order, with stable ids', async () => {
    const features = [
      point(1, 1, { a: 1 }),
      { ...point(2, 2), id: 'own-id' },
      { ...point(3, 3), id: 42 },
      { ...point(4, 4), id: 'not an ncname' },
    ];
    const data = collection(features);
    const dataset = await new VectorStore().dataset(layer('pts', { kind: 'features', data }));
    const seen = [];
    for await (const stored of dataset.features()) seen.push(stored);
    expect(seen.map((s) => s.id)).toEqual(['pts.1', 'own-id', 'pts.42', 'pts.not_an_ncname']);
    expect(seen.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(seen[0]?.feature).toBe(features[0]);
    const subset = [];
    for await (const stored of dataset.features([3, 1])) subset.push(stored.id);
    expect(subset).toEqual(['pts.not_an_ncname', 'own-id']);
    expect(dataset.extent).toEqual([1, 1, 4, 4]);
  });

  it('finds features by id, positional ids without a scan', async () => {
    const store = new VectorStore();
    const positional = await store.dataset(
      layer('p', { kind: 'features', data: collection([point(0, 0), point(1, 1), point(2, 2)]) }),
    );
    expect(positional.index.hasOwnIds).toBe(false);
    expect([...positional.positionsOf(['p.3', 'p.1', 'p.4', 'q.1', 'p.01'])]).toEqual([0, 2]);
    const own = await store.dataset(
      layer('o', {
        kind: 'features',
        data: collection([{ ...point(0, 0), id: 'x' }, point(1, 1)]),
      }),
    );
    expect([...own.positionsOf(['o.2', 'x'])]).toEqual([0, 1]);
  });

  it('indexes a collection once, and again when its features change', async () => {
    const store = new VectorStore();
    const data = collection([point(0, 0)]);
    const source = layer('m', { kind: 'features', data });
    const first = await store.dataset(source);
    expect((await store.dataset(source)).index).toBe(first.index);
    data.features.push(point(5, 5));
    const second = await store.dataset(source);
    expect(second.index).not.toBe(first.index);
    expect(second.size).toBe(2);
    expect(second.extent).toEqual([0, 0, 5, 5]);
  });

  it('refuses raster layers and sources without features', async () => {
    const store = new VectorStore();
    await expect(
      store.dataset({ ...layer('r', { kind: 'geotiff', path: '/x.tif' }), kind: 'raster' }),
    ).rejects.toBeInstanceOf(VectorSourceError);
    await expect(store.dataset(layer('h', { kind: 'hgt-folder', path: '/x' }))).rejects.toThrow(
      'holds no features',
    );
  });
});

describe('schema inference', () => {
  it('infers property types from a sample and makes names XML-safe', () => {
    const schema = inferSchema([
      point(0, 0, { name: 'a', n: 1, x: 1, flag: true, mixed: 1, nothing: null, 'two words': 'y' }),
      point(0, 0, { name: 'b', n: 2, x: 1.5, flag: false, mixed: 'one', obj: { a: 1 } }),
      point(0, 0, { n: null, '1st': 1, geometry: 'shadow' }),
    ]);
    expect(schema.geometryType).toBe('Point');
    expect(schema.properties).toEqual([
      { key: 'name', name: 'name', type: 'string' },
      { key: 'n', name: 'n', type: 'integer' },
      { key: 'x', name: 'x', type: 'number' },
      { key: 'flag', name: 'flag', type: 'boolean' },
      { key: 'mixed', name: 'mixed', type: 'string' },
      { key: 'nothing', name: 'nothing', type: 'string' },
      { key: 'two words', name: 'two_words', type: 'string' },
      { key: 'obj', name: 'obj', type: 'string' },
      { key: '1st', name: '_1st', type: 'integer' },
      // The geometry property owns the name `geometry`.
      { key: 'geometry', name: 'geometry_1', type: 'string' },
    ]);
  });

  it('reads only the sample, and says Geometry for mixed or missing geometries', () => {
    const features = [point(0, 0, { a: 1 }), point(0, 0, { a: 'late' })];
    expect(inferSchema(features, 1).properties).toEqual([{ key: 'a', name: 'a', type: 'integer' }]);
    const mixed: Feature[] = [
      point(0, 0),
      { type: 'Feature', geometry: { type: 'LineString', coordinates: [] }, properties: {} },
    ];
    expect(inferSchema(mixed).geometryType).toBe('Geometry');
    expect(inferSchema([NO_GEOMETRY]).geometryType).toBe('Geometry');
  });

  it('keeps Unicode letters in names', () => {
    expect(xmlName('höhe')).toBe('höhe');
    expect(xmlName('a:b,c')).toBe('a_b_c');
    expect(xmlName('')).toBe('_');
    expect(xmlName('-x')).toBe('_-x');
  });
});

describe('BBOX selection', () => {
  it('selects by feature box, testing straddling geometries exactly', async () => {
    const features: Feature[] = [
      point(0.5, 0.5),
      point(5, 5),
      // A triangle whose box overlaps [0,0,1,1] but whose shape stays outside it.
      {
        type: 'Feature',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0.5, 3],
              [3, 3],
              [3, 0.5],
              [0.5, 3],
            ],
          ],
        },
        properties: {},
      },
      // A line crossing the box.
      {
        type: 'Feature',
        geometry: {
          type: 'LineString',
          coordinates: [
            [-1, 0.5],
            [2, 0.5],
          ],
        },
        properties: {},
      },
      NO_GEOMETRY,
      // On the boundary: intersects.
      point(1, 1),
    ];
    const dataset = await new VectorStore().dataset(
      layer('b', { kind: 'features', data: collection(features) }),
    );
    expect([...positionsIntersecting(dataset, [0, 0, 1, 1])]).toEqual([0, 3, 5]);
    expect([...positionsIntersecting(dataset, [0, 0, 1, 1], Uint32Array.of(1, 3))]).toEqual([3]);
    expect([...positionsIntersecting(dataset, [1.4, 0, 3, 3])]).toEqual([2, 3]);
  });
});

describe('GeoJSON files', () => {
  it('loads a file once, re-reads it when it changes, and names its features by position', async () => {
    const path = join(dir, 'places.geojson');
    await writeFile(path, JSON.stringify(collection([point(1, 2, { v: 1 })])));
    const store = new VectorStore();
    const source = layer('places', { kind: 'geojson', path });
    const first = await store.dataset(source);
    expect(first.size).toBe(1);
    expect(first.idOf(0)).toBe('places.1');
    expect((await store.dataset(source)).index).toBe(first.index);

    await writeFile(path, JSON.stringify(collection([point(1, 2), point(3, 4)])));
    const later = new Date(Date.now() + 5000);
    await utimes(path, later, later);
    const second = await store.dataset(source);
    expect(second.index).not.toBe(first.index);
    expect(second.size).toBe(2);
  });

  it('accepts a single Feature and rejects other documents', async () => {
    const single = join(dir, 'single.geojson');
    await writeFile(single, JSON.stringify(point(1, 1)));
    const cache = new GeoJsonFileCache();
    expect((await cache.load(single)).size).toBe(1);

    const bad = join(dir, 'bad.geojson');
    await writeFile(bad, '{"type":"Point","coordinates":[1,1]}');
    await expect(cache.load(bad)).rejects.toThrow('is not a GeoJSON FeatureCollection');
    await writeFile(bad, '{not json');
    await expect(cache.load(bad)).rejects.toBeInstanceOf(VectorSourceError);
    await expect(cache.load(join(dir, 'missing.geojson'))).rejects.toBeInstanceOf(
      VectorSourceError,
    );
    // Failed loads are not kept.
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache.paths).toEqual([single]);
  });

  it('keeps at most maxEntries files and maxBytes of them', async () => {
    const paths = await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const path = join(dir, `${name}.geojson`);
        await writeFile(path, JSON.stringify(collection([point(0, 0, { name })])));
        return path;
      }),
    );
    const [a, b, c] = paths as [string, string, string];
    const byCount = new GeoJsonFileCache({ maxEntries: 2 });
    await byCount.load(a);
    await byCount.load(b);
    await byCount.load(a);
    await byCount.load(c);
    // b was the least recently used.
    expect(byCount.paths).toEqual([a, c]);

    const byBytes = new GeoJsonFileCache({ maxBytes: 10 });
    expect((await byBytes.load(a)).size).toBe(1);
    expect(byBytes.paths).toEqual([]);
  });
});
