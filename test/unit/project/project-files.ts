/**
 * Small source files for project tests: .hgt tiles (names only matter, so they are empty), a
 * GeoTIFF written with the `geotiff` package, GeoJSON, and the project file itself.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeArrayBuffer, type GeotiffWriterMetadata } from 'geotiff';
import { stringify } from 'yaml';

export async function tempFolder(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'relief-project-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Empty files at `<root>/N46/N46E007.hgt` for each tile name. */
export async function writeHgtTiles(root: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await mkdir(join(root, name.slice(0, 3)), { recursive: true });
    await writeFile(join(root, name.slice(0, 3), `${name}.hgt`), '');
  }
}

/** A Float32 GeoTIFF in EPSG:4326 with its outer north-west corner at (west, north). */
export async function writeGeoTiff(
  path: string,
  options: {
    west: number;
    north: number;
    resolution: [number, number];
    width?: number;
    height?: number;
    keys?: GeotiffWriterMetadata;
  },
): Promise<void> {
  const { width = 4, height = 2 } = options;
  const buffer = writeArrayBuffer(new Float32Array(width * height).fill(120), {
    width,
    height,
    ModelPixelScale: [...options.resolution, 0],
    ModelTiepoint: [0, 0, 0, options.west, options.north, 0],
    GTModelTypeGeoKey: 2,
    GTRasterTypeGeoKey: 1,
    GeographicTypeGeoKey: 4326,
    ...options.keys,
  });
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, Buffer.from(buffer));
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(value));
}

export async function writeYaml(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stringify(value));
}

export const POINTS = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { name: 'a' },
      geometry: { type: 'Point', coordinates: [7.5, 46.2] },
    },
    {
      type: 'Feature',
      properties: { name: 'b' },
      geometry: {
        type: 'LineString',
        coordinates: [
          [6.9, 46.0],
          [8.1, 47.3],
        ],
      },
    },
    { type: 'Feature', properties: { name: 'c' }, geometry: null },
  ],
};
