/**
 * Publishes `elevation`, a raster layer of one flat 1201² SRTM3 tile (N46E008, every sample at
 * `height`) in the server's data dir: every map pixel over it has the same colour.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateHgt } from '../../src/testing/hgt-fixtures.ts';
import type { TestServer } from '../../src/testing/test-server.ts';

export async function publishFlatElevation(server: TestServer, height = 1000): Promise<void> {
  const folder = join(server.dataDir, 'tiles');
  await mkdir(join(folder, 'N46'), { recursive: true });
  await writeFile(
    join(folder, 'N46', 'N46E008.hgt'),
    generateHgt({ lat: 46, lon: 8 }, 1201, () => height),
  );
  server.layers.publish({
    name: 'elevation',
    title: 'Elevation',
    kind: 'raster',
    source: { kind: 'hgt-folder', path: folder },
  });
}
