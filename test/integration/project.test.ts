/**
 * A server started with RELIEF_PROJECT: the project's layers in the LayerRegistry, `GET /project`
 * and `/ready`, a broken layer reported while the others are served, a reload after editing the
 * file (through the file watcher), a broken project file stopping start-up with one line, and
 * the capabilities' service title taken from the project.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createServer } from '../../src/server/create-server.ts';
import { first, parseXml, text } from '../helpers/parse-xml.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';
import {
  POINTS,
  tempFolder,
  writeGeoTiff,
  writeHgtTiles,
  writeJson,
  writeYaml,
} from '../unit/project/project-files.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let folder: Awaited<ReturnType<typeof tempFolder>>;
let projectPath: string;
let server: TestServer;

const LAYERS = [
  {
    name: 'dem',
    title: 'Terrain',
    kind: 'raster',
    source: { type: 'geotiff', path: 'data/dem.tif' },
    style: 'hillshade',
  },
  {
    name: 'srtm',
    title: 'SRTM tiles',
    kind: 'raster',
    source: { type: 'hgt-folder', path: 'tiles' },
  },
  {
    name: 'summits',
    title: 'Summits',
    kind: 'vector',
    source: { type: 'geojson', path: 'data/summits.geojson' },
    style: { fill: '#aa3300', opacity: 0.8 },
  },
  {
    name: 'lakes',
    title: 'Lakes',
    kind: 'vector',
    source: { type: 'geojson', path: 'data/lakes.geojson' },
  },
];

const PROJECT = {
  title: 'Alpine Relief',
  abstract: 'Terrain and summits of the Alps',
  keywords: ['alps'],
  contact: { organization: 'Alpine Survey' },
  layers: LAYERS,
};

beforeAll(async () => {
  folder = await tempFolder();
  projectPath = join(folder.path, 'project.yaml');
  await writeGeoTiff(join(folder.path, 'data', 'dem.tif'), {
    west: 7,
    north: 47,
    resolution: [0.5, 0.25],
  });
  await writeHgtTiles(join(folder.path, 'tiles'), ['N46E007', 'N46E008']);
  await writeJson(join(folder.path, 'data', 'summits.geojson'), POINTS);
  await writeYaml(projectPath, PROJECT);
  server = await startTestServer({ env: { RELIEF_PROJECT: projectPath } });
});

afterAll(async () => {
  await server?.close();
  await folder?.remove();
});

describe('a server with a project file', () => {
  it('publishes the project layers in the LayerRegistry', () => {
    const published = server.layers.list().filter((layer) => layer.owner === 'project');
    expect(published.map((layer) => layer.name)).toEqual(['dem', 'srtm', 'summits']);
    expect(server.layers.get('dem')).toMatchObject({
      kind: 'raster',
      source: { kind: 'geotiff', path: join(folder.path, 'data', 'dem.tif') },
      bbox: [7, 46.5, 9, 47],
      style: 'hillshade',
    });
    expect(server.layers.get('srtm')?.bbox).toEqual([7, 46, 9, 47]);
    expect(server.layers.get('summits')).toMatchObject({
      kind: 'vector',
      source: { kind: 'geojson', path: join(folder.path, 'data', 'summits.geojson') },
      bbox: [6.9, 46, 8.1, 47.3],
    });
  });

  it('describes the project at GET /project, the broken layer with its reason', async () => {
    const response = await request(server.app.server).get('/project');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      file: 'project.yaml',
      watching: true,
      metadata: {
        title: 'Alpine Relief',
        abstract: 'Terrain and summits of the Alps',
        providerName: 'Alpine Survey',
        keywords: ['alps'],
      },
      layers: [
        {
          name: 'dem',
          title: 'Terrain',
          kind: 'raster',
          source: 'geotiff',
          bbox: [7, 46.5, 9, 47],
        },
        { name: 'srtm', kind: 'raster', source: 'hgt-folder', bbox: [7, 46, 9, 47] },
        { name: 'summits', kind: 'vector', source: 'geojson', bbox: [6.9, 46, 8.1, 47.3] },
      ],
      skipped: [{ name: 'lakes', reason: 'geojson data/lakes.geojson: file not found' }],
      lastReload: null,
    });
    expect(JSON.stringify(response.body)).not.toContain(folder.path);
  });

  it('logs the skipped layer and stays ready', async () => {
    expect(server.logs).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'project layer lakes skipped: geojson data/lakes.geojson: file not found',
      }),
    );
    const ready = await request(server.app.server).get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.project).toEqual({
      status: 'loaded',
      layers: 3,
      skipped: 1,
      lastReload: null,
    });
  });

  it('gives the capabilities documents the project title', async () => {
    const response = await request(server.app.server)
      .get('/ows?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0')
      .set('Host', 'maps.example.org');
    expect(response.status).toBe(200);
    expect(text(first(parseXml(response.text).root, 'Service', 'Title'))).toBe('Alpine Relief');
  });

  it('reloads the edited file without a restart', async () => {
    await writeJson(join(folder.path, 'data', 'lakes.geojson'), POINTS);
    const reloaded = server.project.nextReload();
    await writeYaml(projectPath, {
      ...PROJECT,
      title: 'Alpine Relief 2',
      layers: [
        ...LAYERS.filter((layer) => layer.name !== 'srtm'),
        {
          name: 'dem2',
          title: 'Terrain again',
          kind: 'raster',
          source: { type: 'geotiff', path: 'data/dem.tif' },
        },
      ],
    });
    expect(await reloaded).toMatchObject({
      status: 'reloaded',
      added: ['lakes', 'dem2'],
      removed: ['srtm'],
      changed: [],
      skipped: [],
    });
    expect(server.layers.get('dem2')?.owner).toBe('project');
    expect(server.layers.get('srtm')).toBeUndefined();
    const response = await request(server.app.server).get('/project');
    expect(response.body.metadata.title).toBe('Alpine Relief 2');
    expect(response.body.layers.map((l: { name: string }) => l.name)).toEqual([
      'dem',
      'summits',
      'lakes',
      'dem2',
    ]);
    expect(response.body.lastReload).toMatchObject({
      status: 'reloaded',
      added: ['lakes', 'dem2'],
    });
  });

  it('keeps the running project when the edited file is invalid', async () => {
    const reloaded = server.project.nextReload();
    await writeFile(projectPath, 'title: [unclosed\n');
    expect(await reloaded).toMatchObject({ status: 'failed' });
    const response = await request(server.app.server).get('/project');
    expect(response.body.metadata.title).toBe('Alpine Relief 2');
    expect(response.body.lastReload).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^Project file .*project\.yaml is not valid YAML: /),
    });
    expect(server.layers.get('dem2')?.owner).toBe('project');
    expect((await request(server.app.server).get('/ready')).body.checks.project).toMatchObject({
      status: 'loaded',
      lastReload: 'failed',
    });
  });
});

describe('start-up with a project file', () => {
  it('does not watch with RELIEF_PROJECT_WATCH=false', async () => {
    const fixed = join(folder.path, 'fixed.json');
    await writeFile(fixed, JSON.stringify({ layers: [] }));
    const unwatched = await startTestServer({
      env: { RELIEF_PROJECT: fixed, RELIEF_PROJECT_WATCH: 'false' },
    });
    try {
      expect(unwatched.project.status()).toMatchObject({ file: 'fixed.json', watching: false });
    } finally {
      await unwatched.close();
    }
  });

  it('stops on an invalid project file with one line naming the problem', async () => {
    const bad = join(folder.path, 'bad.yaml');
    await writeYaml(bad, { layers: [{ ...LAYERS[0], kind: 'mesh' }] });
    const config = loadConfig({
      RELIEF_PROJECT: bad,
      RELIEF_DATA_DIR: join(folder.path, 'data-bad'),
      RELIEF_PLUGINS_PATH: join(folder.path, 'no-plugins'),
      RELIEF_LOG_LEVEL: 'silent',
      RELIEF_WORKERS: '1',
    } as NodeJS.ProcessEnv);
    const error = await createServer(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `Invalid project file ${bad}: layers[0].kind: expected one of raster, vector`,
    );
  });

  it('prints that line when `npm start` stops', async () => {
    const bad = join(folder.path, 'bad.json');
    await writeFile(bad, JSON.stringify({ layers: [LAYERS[0], LAYERS[0]] }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        RELIEF_WORKERS: '1',
        RELIEF_DATA_DIR: join(folder.path, 'data-process'),
        RELIEF_PLUGINS_PATH: join(folder.path, 'no-plugins'),
        RELIEF_PROJECT: bad,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 'fatal',
      msg: `start-up failed: Invalid project file ${bad}: layers: duplicate layer names: dem`,
    });
  });
});
