/**
 * The server every hostile test file attacks: the shipped plugins (elevation against a fake tile
 * upstream on 127.0.0.1, hello with its filters on every request), a raster layer on one
 * generated HGT tile and a vector layer, listening on an ephemeral port for raw-socket cases.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeTileUpstream } from '../../src/testing/fake-tile-upstream.ts';
import { generateHgt } from '../../src/testing/hgt-fixtures.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

const PLUGINS = fileURLToPath(new URL('../../plugins/', import.meta.url));

export const RASTER_LAYER = 'terrain';
export const VECTOR_LAYER = 'places';
/**
 * The largest WIDTH/HEIGHT the hostile server allows: small, so that a request asking for the
 * maximum many times over stays survivable on a server without a pixel budget.
 */
export const MAX_IMAGE_SIZE = 256;
/** The most tiles one elevation job may cover on the hostile server. */
export const MAX_TILES = 16;

export interface HostileServer {
  server: TestServer;
  upstream: FakeTileUpstream;
  /** The port the server listens on, on 127.0.0.1. */
  port: number;
  close(): Promise<void>;
}

export async function startHostileServer(
  options: { env?: Record<string, string> } = {},
): Promise<HostileServer> {
  const upstream = await FakeTileUpstream.start({ samples: 1201 });
  const server = await startTestServer({
    pluginsPath: [PLUGINS],
    env: {
      RELIEF_ELEVATION_SOURCE: upstream.url(),
      RELIEF_ELEVATION_RETRY_BASE_MS: '5',
      RELIEF_ELEVATION_RETRY_MAX_MS: '50',
      RELIEF_ELEVATION_MAX_TILES: String(MAX_TILES),
      RELIEF_ELEVATION_MOSAIC_MAX_SIZE: '256',
      RELIEF_ELEVATION_PREVIEW_MAX_SIZE: '64',
      RELIEF_MAX_IMAGE_SIZE: String(MAX_IMAGE_SIZE),
      RELIEF_WORKERS: '2',
      // Jobs still running when a file ends (started by requests a fixed server would refuse)
      // must not hold the teardown for the default 10 s.
      RELIEF_SHUTDOWN_TIMEOUT: '1',
      ...options.env,
    },
  });
  const tiles = join(server.dataDir, 'layer-tiles');
  await mkdir(join(tiles, 'N46'), { recursive: true });
  await writeFile(join(tiles, 'N46', 'N46E007.hgt'), generateHgt({ lat: 46, lon: 7 }, 1201));
  server.layers.publish(
    {
      name: RASTER_LAYER,
      title: 'Terrain',
      kind: 'raster',
      source: { kind: 'hgt-folder', path: tiles },
    },
    'test',
  );
  server.layers.publish(
    {
      name: VECTOR_LAYER,
      title: 'Places',
      kind: 'vector',
      source: {
        kind: 'features',
        data: {
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              id: 'hut',
              geometry: { type: 'Point', coordinates: [7.5, 46.5] },
              properties: { name: 'Hut', height: 2500 },
            },
            {
              type: 'Feature',
              id: 'lake',
              geometry: {
                type: 'Polygon',
                coordinates: [
                  [
                    [7.1, 46.1],
                    [7.3, 46.1],
                    [7.3, 46.3],
                    [7.1, 46.1],
                  ],
                ],
              },
              properties: { name: 'Lake', height: 1800 },
            },
          ],
        },
      },
    },
    'test',
  );
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (server.app.server.address() as AddressInfo).port;
  return {
    server,
    upstream,
    port,
    async close() {
      await server.close();
      await upstream.close();
    },
  };
}

/** Open connections on the server, to check that clients' sockets are released. */
export function openConnections(target: HostileServer): Promise<number> {
  return new Promise((resolve, reject) =>
    target.server.app.server.getConnections((error, count) =>
      error ? reject(error) : resolve(count),
    ),
  );
}
