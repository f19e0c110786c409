/**
 * The project file's checks: each problem is one ConfigError line naming the field, so an
 * operator can fix the file without reading a stack trace.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.ts';
import { loadProject } from '../../../src/project/load-project.ts';
import { tempFolder, writeYaml } from './project-files.ts';

let dir: Awaited<ReturnType<typeof tempFolder>>;
beforeEach(async () => {
  dir = await tempFolder();
});
afterEach(() => dir.remove());

const dem = {
  name: 'dem',
  title: 'Terrain',
  kind: 'raster',
  source: { type: 'geotiff', path: 'dem.tif' },
};

/** Loads a project made of `value` and returns the error's message. */
async function problem(value: unknown, file = 'project.yaml'): Promise<string> {
  const path = join(dir.path, file);
  if (typeof value === 'string') await writeFile(path, value);
  else await writeYaml(path, value);
  const error = await loadProject(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const { message } = error as ConfigError;
  expect(message).not.toContain('\n');
  return message;
}

describe('project file schema', () => {
  it('requires a layers list', async () => {
    expect(await problem({ title: 'x' })).toMatch(
      /^Invalid project file .*project\.yaml: layers: required \(expected a list of layers/,
    );
  });

  it('rejects unknown fields, naming them', async () => {
    expect(await problem({ titel: 'x', layers: [] })).toMatch(
      /\(project\): unknown field "titel"$/,
    );
    expect(await problem({ layers: [{ ...dem, colour: 'red' }] })).toMatch(
      /layers\[0\]: unknown field "colour"$/,
    );
  });

  it('names a missing layer field', async () => {
    const { title: _title, ...untitled } = dem;
    expect(await problem({ layers: [untitled] })).toMatch(/layers\[0\]\.title: required/);
  });

  it('lists the source types', async () => {
    expect(await problem({ layers: [{ ...dem, source: { type: 'wms', path: 'x' } }] })).toMatch(
      /layers\[0\]\.source\.type: expected one of hgt-folder, geotiff, geojson$/,
    );
  });

  it('matches the source to the kind', async () => {
    expect(await problem({ layers: [{ ...dem, source: { type: 'geojson', path: 'a' } }] })).toMatch(
      /layers\[0\]\.source\.type: a raster layer needs a hgt-folder or geotiff source, got geojson$/,
    );
    expect(await problem({ layers: [{ ...dem, kind: 'vector' }] })).toMatch(
      /layers\[0\]\.source\.type: a vector layer needs a geojson source, got geotiff$/,
    );
  });

  it('checks styles by kind', async () => {
    expect(await problem({ layers: [{ ...dem, style: 'rainbow' }] })).toMatch(
      /layers\[0\]\.style: expected one of grey, hillshade, color-relief$/,
    );
    const roads = {
      name: 'roads',
      title: 'Roads',
      kind: 'vector',
      source: { type: 'geojson', path: 'roads.geojson' },
    };
    expect(await problem({ layers: [{ ...roads, style: { fill: 'red' } }] })).toMatch(
      /layers\[0\]\.style\.fill: expected a colour as #rrggbb or rgba\(r, g, b, a\)$/,
    );
    expect(await problem({ layers: [{ ...roads, style: { opacity: 1.5 } }] })).toMatch(
      /layers\[0\]\.style\.opacity: expected a number from 0 to 1$/,
    );
    expect(await problem({ layers: [{ ...roads, style: 'hillshade' }] })).toMatch(
      /layers\[0\]\.style: /,
    );
  });

  it('accepts only EPSG:4326 for sources', async () => {
    expect(await problem({ layers: [{ ...dem, crs: 'EPSG:3857' }] })).toMatch(
      /layers\[0\]\.crs: only EPSG:4326 is supported for sources for now, got "EPSG:3857"$/,
    );
  });

  it('checks a declared bbox', async () => {
    expect(await problem({ layers: [{ ...dem, bbox: [8, 46, 7, 47] }] })).toMatch(
      /layers\[0\]\.bbox: expected \[west, south, east, north\] with west < east/,
    );
    expect(await problem({ layers: [{ ...dem, bbox: [0, 0, 200, 1] }] })).toMatch(
      /layers\[0\]\.bbox\[2\]: /,
    );
  });

  it('checks layer names', async () => {
    expect(await problem({ layers: [{ ...dem, name: 'my layer' }] })).toMatch(
      /layers\[0\]\.name: expected a name of letters, digits/,
    );
  });

  it('names duplicate layers', async () => {
    const layers = [dem, { ...dem, title: 'Again' }, { ...dem, name: 'x' }, { ...dem, name: 'x' }];
    expect(await problem({ layers })).toMatch(/layers: duplicate layer names: dem, x$/);
  });

  it('counts further problems', async () => {
    expect(await problem({ titel: 1, layers: [{ ...dem, kind: 'mesh' }] })).toMatch(
      /\(and 1 more\)$/,
    );
  });

  it('reports unreadable and unparsable files in one line', async () => {
    const missing = await loadProject(join(dir.path, 'none.yaml')).catch((e: Error) => e);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as Error).message).toMatch(
      /^Cannot read project file .*none\.yaml: no such file$/,
    );
    expect(await problem('layers: [\n  - name: a\n  title: b', 'broken.yaml')).toMatch(
      /^Project file .*broken\.yaml is not valid YAML: /,
    );
    expect(await problem('{"layers": [}', 'broken.json')).toMatch(
      /^Project file .*broken\.json is not valid JSON: /,
    );
    expect(await problem('- a\n- b\n')).toMatch(/must hold an object with a "layers" list$/);
  });
});
