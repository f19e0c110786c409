/**
 * ProjectManager against a real LayerRegistry: what it publishes (owner `project`), what a reload
 * adds, removes and changes (and leaves alone), a failed reload keeping the running project,
 * names held by another owner, and reloads from the file watcher.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.ts';
import { LayerRegistry } from '../../../src/layers/layer-registry.ts';
import { PROJECT_OWNER, ProjectManager } from '../../../src/project/project-manager.ts';
import { SERVICE_METADATA } from '../../../src/services/service-metadata.ts';
import { POINTS, tempFolder, writeHgtTiles, writeJson, writeYaml } from './project-files.ts';

let dir: Awaited<ReturnType<typeof tempFolder>>;
let layers: LayerRegistry;
let logs: Array<{ level: number; msg: string; [key: string]: unknown }>;
let manager: ProjectManager | undefined;
let path: string;

const log = () =>
  pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split('\n'))
          if (line !== '') logs.push(JSON.parse(line));
        callback();
      },
    }),
  );

const open = (options: { debounceMs?: number; path?: string | undefined } = {}) =>
  ProjectManager.open({ path, layers, log: log(), ...options });

const points = (name: string, title = name) => ({
  name,
  title,
  kind: 'vector',
  source: { type: 'geojson', path: 'points.geojson' },
});

beforeEach(async () => {
  dir = await tempFolder();
  layers = new LayerRegistry();
  logs = [];
  path = join(dir.path, 'project.yaml');
  await writeJson(join(dir.path, 'points.geojson'), POINTS);
  await writeHgtTiles(join(dir.path, 'tiles'), ['N46E007']);
});

afterEach(async () => {
  manager?.close();
  manager = undefined;
  await dir.remove();
});

describe('ProjectManager', () => {
  it('publishes the loaded layers as owner "project" and reports skipped ones', async () => {
    await writeYaml(path, {
      title: 'Alps',
      layers: [points('a'), { ...points('b'), source: { type: 'geojson', path: 'gone.geojson' } }],
    });
    manager = await open();
    expect(layers.list().map((l) => [l.name, l.owner])).toEqual([['a', PROJECT_OWNER]]);
    expect(manager.metadata().title).toBe('Alps');
    expect(manager.status()).toMatchObject({
      file: 'project.yaml',
      watching: false,
      layers: [
        { name: 'a', title: 'a', kind: 'vector', source: 'geojson', bbox: [6.9, 46, 8.1, 47.3] },
      ],
      skipped: [{ name: 'b', reason: 'geojson gone.geojson: file not found' }],
      lastReload: null,
    });
    expect(manager.health()).toEqual({ status: 'loaded', layers: 1, skipped: 1, lastReload: null });
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 40,
        layer: 'b',
        msg: 'project layer b skipped: geojson gone.geojson: file not found',
      }),
    );
  });

  it('is empty without a project file', async () => {
    manager = await open({ path: undefined });
    manager.watch();
    expect(layers.list()).toEqual([]);
    expect(manager.metadata()).toMatchObject(SERVICE_METADATA);
    expect(manager.status()).toMatchObject({
      file: null,
      watching: false,
      layers: [],
      skipped: [],
    });
    expect(manager.health().status).toBe('none');
  });

  it('throws the ConfigError of a broken project file', async () => {
    await writeYaml(path, { layers: [points('a'), points('a')] });
    await expect(open()).rejects.toThrow(ConfigError);
    await expect(open()).rejects.toThrow(/layers: duplicate layer names: a$/);
  });

  it('publishes only what a reload adds, removes or changes', async () => {
    await writeYaml(path, { layers: [points('keep'), points('drop'), points('edit')] });
    manager = await open();
    const published = { keep: layers.get('keep')?.published, revision: layers.revision };

    await writeYaml(path, {
      title: 'Renamed',
      layers: [
        points('keep'),
        points('edit', 'Edited'),
        {
          name: 'dem',
          title: 'DEM',
          kind: 'raster',
          source: { type: 'hgt-folder', path: 'tiles' },
        },
      ],
    });
    const outcome = await manager.reload();
    expect(outcome).toMatchObject({
      status: 'reloaded',
      added: ['dem'],
      removed: ['drop'],
      changed: ['edit'],
      skipped: [],
    });
    expect(
      layers
        .list()
        .map((l) => l.name)
        .sort(),
    ).toEqual(['dem', 'edit', 'keep']);
    expect(layers.get('edit')?.title).toBe('Edited');
    expect(layers.get('dem')?.bbox).toEqual([7, 46, 8, 47]);
    expect(layers.get('keep')?.published).toBe(published.keep);
    expect(layers.revision).toBe(published.revision + 3);
    expect(manager.metadata().title).toBe('Renamed');
    expect(manager.status().lastReload).toMatchObject({ status: 'reloaded', added: ['dem'] });
  });

  it('unpublishes a layer whose source breaks', async () => {
    await writeYaml(path, { layers: [points('a')] });
    manager = await open();
    await writeYaml(path, {
      layers: [{ ...points('a'), source: { type: 'geojson', path: 'gone.geojson' } }],
    });
    expect(await manager.reload()).toMatchObject({
      removed: ['a'],
      skipped: [{ name: 'a', reason: 'geojson gone.geojson: file not found' }],
    });
    expect(layers.get('a')).toBeUndefined();
  });

  it('keeps the previous project when a reload fails', async () => {
    await writeYaml(path, { title: 'First', layers: [points('a')] });
    manager = await open();
    await writeYaml(path, { title: 'Second', layers: [{ ...points('b'), kind: 'mesh' }] });
    const outcome = await manager.reload();
    expect(outcome).toMatchObject({ status: 'failed' });
    expect(outcome.status === 'failed' && outcome.error).toMatch(
      /^Invalid project file .*project\.yaml: layers\[0\]\.kind: expected one of raster, vector$/,
    );
    expect(layers.list().map((l) => l.name)).toEqual(['a']);
    expect(manager.metadata().title).toBe('First');
    expect(manager.health().lastReload).toBe('failed');
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: expect.stringMatching(/keeping the previous project$/),
      }),
    );
  });

  it('skips a layer whose name another owner holds', async () => {
    layers.publish(
      {
        name: 'elevation',
        title: 'Cache',
        kind: 'raster',
        source: { kind: 'hgt-folder', path: '/x' },
      },
      'elevation',
    );
    await writeYaml(path, { layers: [points('elevation'), points('a')] });
    manager = await open();
    expect(layers.get('elevation')?.owner).toBe('elevation');
    expect(manager.status().skipped).toEqual([
      { name: 'elevation', reason: 'Layer elevation is already published by elevation' },
    ]);
    expect(manager.status().layers.map((l) => l.name)).toEqual(['a']);
  });

  it('reloads when the watched file changes, once per burst of writes', async () => {
    await writeYaml(path, { layers: [points('a')] });
    manager = await open({ debounceMs: 300 });
    manager.watch();
    expect(manager.status().watching).toBe(true);
    const outcomes: string[] = [];
    manager.onReload((outcome) => outcomes.push(outcome.status));

    const next = manager.nextReload();
    await writeYaml(path, { layers: [points('a')] });
    await writeYaml(path, { layers: [points('a'), points('b')] });
    expect(await next).toMatchObject({ status: 'reloaded', added: ['b'] });
    expect(layers.get('b')?.owner).toBe(PROJECT_OWNER);
    // Another file in the folder does not trigger a reload.
    await writeJson(join(dir.path, 'other.json'), {});
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(outcomes).toEqual(['reloaded']);

    manager.close();
    expect(manager.status().watching).toBe(false);
  });
});
