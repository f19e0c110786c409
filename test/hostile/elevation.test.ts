/**
 * Hostile requests to the elevation plugin: POST /elevation with bodies that are not polygons,
 * invalid polygons (bowtie, hole outside its shell), out-of-range or non-finite coordinates,
 * too many tiles or vertices, JSON nested 4 000 deep, oversized bodies and bad `crs`; and its
 * tile and job-file routes with traversal in every spelling. Each refused with problem+json.
 */
import { afterAll, beforeAll } from 'vitest';
import { MAX_TILES, startHostileServer, type HostileServer } from './hostile-server.ts';
import { hostileTable, rest, type HostileCase, type HostileRequest } from './hostile-table.ts';
import {
  BOWTIE,
  DEEP,
  HOLE_OUTSIDE,
  nestedArrays,
  nestedObjects,
  polygonWith,
  ringOf,
  square,
} from './json-bodies.ts';

let target: HostileServer;
beforeAll(async () => {
  target = await startHostileServer();
});
afterAll(async () => {
  await target?.close();
});
const server = () => target;

/** RELIEF_ELEVATION_MAX_BODY_BYTES' default. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const JSON_TYPE = { 'content-type': 'application/json' };
const JOB = '00000000-0000-4000-8000-000000000000';

const post = (
  body: string,
  headers: Record<string, string> = JSON_TYPE,
  query = '',
): HostileRequest => ({
  method: 'POST',
  url: `/elevation${query}`,
  headers,
  body,
});
const refuses = (name: string, body: string, status: number | undefined = 400) =>
  rest(`POST /elevation refuses ${name}`, post(body), { status });
const feature = (geometry: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'Feature', properties: {}, geometry, ...extra });
const SMALL = JSON.stringify(square(7.1, 46.1, 7.2, 46.2));

const bodyCases: HostileCase[] = [
  rest('POST /elevation refuses an empty body', { method: 'POST', url: '/elevation' }),
  refuses('an empty JSON body', '', 400),
  refuses('JSON null', 'null'),
  refuses('a JSON array', '[]'),
  refuses('a JSON number', '42'),
  refuses('a JSON string', '"Polygon"'),
  refuses('an empty object', '{}'),
  refuses('a Point', '{"type":"Point","coordinates":[7,46]}'),
  refuses('a LineString', '{"type":"LineString","coordinates":[[7,46],[8,47]]}'),
  refuses('a GeometryCollection', `{"type":"GeometryCollection","geometries":[${SMALL}]}`),
  refuses('an unknown type', '{"type":"Circle","coordinates":[7,46],"radius":1e9}'),
  refuses('a Polygon without coordinates', '{"type":"Polygon"}'),
  refuses('a Polygon with empty coordinates', '{"type":"Polygon","coordinates":[]}'),
  refuses('a ring of three positions', '{"type":"Polygon","coordinates":[[[7,46],[8,46],[7,46]]]}'),
  refuses('an unclosed ring', '{"type":"Polygon","coordinates":[[[7,46],[8,46],[8,47],[7,47]]]}'),
  refuses(
    'positions that are strings',
    '{"type":"Polygon","coordinates":[[["7","46"],["8","46"],["8","47"],["7","46"]]]}',
  ),
  refuses('positions with one number', '{"type":"Polygon","coordinates":[[[7],[8],[9],[7]]]}'),
  refuses('positions that are null', '{"type":"Polygon","coordinates":[[null,null,null,null]]}'),
  refuses('a self-intersecting (bowtie) polygon', JSON.stringify(BOWTIE)),
  refuses('a hole outside its shell', JSON.stringify(HOLE_OUTSIDE)),
  refuses('a bowtie in a Feature', feature(BOWTIE)),
  refuses(
    'a MultiPolygon with one bowtie',
    JSON.stringify({
      type: 'MultiPolygon',
      coordinates: [square(7, 46, 7.1, 46.1).coordinates, BOWTIE.coordinates],
    }),
  ),
  refuses('a Feature without geometry', feature(null)),
  refuses('a FeatureCollection without features', '{"type":"FeatureCollection","features":[]}'),
  refuses(
    'a FeatureCollection of points',
    `{"type":"FeatureCollection","features":[${feature({ type: 'Point', coordinates: [7, 46] })}]}`,
  ),
  refuses('a latitude of 91', JSON.stringify(square(7, 90, 8, 91))),
  refuses('a latitude of -1e308', JSON.stringify(square(7, -1e308, 8, 46))),
  refuses('a longitude of 1e400 (Infinity once parsed)', SMALL.replace('7.2,46.1', '1e400,46.1')),
  refuses(
    'a zero-area polygon',
    '{"type":"Polygon","coordinates":[[[7,46],[7,46],[7,46],[7,46]]]}',
  ),
  refuses(`an area over ${MAX_TILES} tiles`, JSON.stringify(square(0.5, 0.5, 10.5, 10.5))),
  refuses('a polygon around the whole world', JSON.stringify(square(-180, -90, 180, 90))),
  refuses(
    '10 001 vertices (over the vertex limit)',
    JSON.stringify({ type: 'Polygon', coordinates: [ringOf(10_001)] }),
  ),
  refuses(
    'a legacy crs member naming an unknown CRS',
    polygonWith('"crs":{"type":"name","properties":{"name":"EPSG:999999"}}'),
  ),
  refuses('a legacy crs member of the wrong type', polygonWith('"crs":"EPSG:4326"')),
  refuses('a __proto__ member', polygonWith('"__proto__":{"polluted":true}')),
  refuses(
    'a constructor.prototype member',
    polygonWith('"constructor":{"prototype":{"polluted":true}}'),
  ),
  refuses(
    `coordinates nested ${DEEP} deep`,
    `{"type":"Polygon","coordinates":${nestedArrays(DEEP)}}`,
  ),
  refuses(
    `a ring nested ${DEEP} deep`,
    `{"type":"Polygon","coordinates":[[[7,46],${nestedArrays(DEEP, '8')},[8,47],[7,46]]]}`,
  ),
  refuses(
    `properties nested ${DEEP} deep`,
    `{"type":"Feature","properties":${nestedObjects(DEEP)},"geometry":${SMALL}}`,
  ),
  refuses(`a bbox nested ${DEEP} deep`, polygonWith(`"bbox":${nestedArrays(DEEP)}`)),
  refuses(`a foreign member nested ${DEEP} deep`, polygonWith(`"extra":${nestedObjects(DEEP)}`)),
  refuses(
    `features nested ${DEEP} deep`,
    `{"type":"FeatureCollection","features":${nestedArrays(DEEP)}}`,
  ),
  refuses(
    'a body just over its limit',
    `{"type":"Polygon","pad":"${'x'.repeat(MAX_BODY_BYTES)}"}`,
    413,
  ),
  refuses(
    'an array of a million positions',
    `{"type":"Polygon","coordinates":[[${'[7,46],'.repeat(1_000_000)}[7,46]]]}`,
    413,
  ),
  refuses(
    '200 000 positions (under the body limit, over the vertex limit)',
    `{"type":"Polygon","coordinates":[[${'[7,46],'.repeat(200_000)}[7,46]]]}`,
  ),
  refuses('truncated JSON', '{"type":"Polygon","coordinates":[[[7,46],'),
  refuses('JSON with a trailing comma', '{"type":"Polygon",}'),
  refuses('JSON with single quotes', "{'type':'Polygon'}"),
  refuses('JSON with NaN', '{"type":"Polygon","coordinates":[[[NaN,46],[8,46],[8,47],[NaN,46]]]}'),
  refuses('JSON with a comment', `/* hi */${SMALL}`),
  refuses('two JSON documents', `${SMALL}${SMALL}`),
  refuses('a NUL byte before the JSON', `\u0000${SMALL}`),
  rest(
    'POST /elevation refuses invalid JSON as application/geo+json',
    post('{"type":', { 'content-type': 'application/geo+json' }),
    { status: 400 },
  ),
  // Fastify reads text/plain and XML as strings; the plugin then finds no GeoJSON object.
  rest('POST /elevation refuses a text/plain body', post(SMALL, { 'content-type': 'text/plain' })),
  rest(
    'POST /elevation refuses an XML body',
    post('<Polygon/>', { 'content-type': 'application/xml' }),
  ),
  rest(
    'POST /elevation refuses a form body',
    post('type=Polygon&coordinates=1', { 'content-type': 'application/x-www-form-urlencoded' }),
  ),
  rest(
    'POST /elevation refuses a multipart body',
    post('--x\r\n\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' }),
    { status: 415 },
  ),
  rest(
    'POST /elevation refuses UTF-16 JSON declared as UTF-8',
    post(
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SMALL, 'utf16le')]).toString('latin1'),
      { 'content-type': 'application/json; charset=utf-8' },
    ),
  ),
  rest(
    'POST /elevation refuses an unknown crs parameter',
    post(SMALL, JSON_TYPE, '?crs=EPSG:999999'),
    { status: 400 },
  ),
  rest(
    'POST /elevation refuses a crs parameter with path traversal',
    post(SMALL, JSON_TYPE, '?crs=../../etc/passwd'),
    { status: 400 },
  ),
  rest(
    'POST /elevation refuses a crs parameter with a NUL byte',
    post(SMALL, JSON_TYPE, '?crs=EPSG:4326%00'),
    { status: 400 },
  ),
  rest(
    'POST /elevation refuses a crs parameter of 10 000 characters',
    post(SMALL, JSON_TYPE, `?crs=${'E'.repeat(10_000)}`),
    { status: 400 },
  ),
  rest(
    'POST /elevation refuses a crs parameter given twice',
    post(SMALL, JSON_TYPE, '?crs=EPSG:4326&crs=EPSG:3857'),
    { status: 400 },
  ),
  rest(
    'POST /elevation refuses a crs parameter that disagrees with the crs member',
    post(
      polygonWith('"crs":{"type":"name","properties":{"name":"EPSG:3857"}}'),
      JSON_TYPE,
      '?crs=EPSG:4326',
    ),
    { status: 400 },
  ),
];

const fileCases: HostileCase[] = [
  rest('tiles refuse a path traversal', { url: '/elevation/tiles/../../relief.db', socket: true }),
  rest('tiles refuse an encoded path traversal', {
    url: '/elevation/tiles/..%2F..%2Frelief.db',
    socket: true,
  }),
  rest('tiles refuse encoded dot segments', {
    url: '/elevation/tiles/%2e%2e/%2e%2e/relief.db',
    socket: true,
  }),
  rest('tiles refuse overlong UTF-8 dots', {
    url: '/elevation/tiles/%c0%ae%c0%ae/%c0%ae%c0%ae/relief.db',
    socket: true,
  }),
  rest('tiles refuse a NUL byte', { url: '/elevation/tiles/N46/N46E007.hgt%00.txt', socket: true }),
  rest('tiles refuse a backslash traversal', {
    url: '/elevation/tiles/..%5C..%5Crelief.db',
    socket: true,
  }),
  rest(
    'tiles answer a tile not in the cache with 404',
    { url: '/elevation/tiles/N89/N89E179.hgt' },
    { status: 404 },
  ),
  rest(
    'tiles refuse a temporary file name',
    { url: '/elevation/tiles/N46/N46E007.hgt.tmp' },
    { status: 404 },
  ),
  rest(
    'tiles refuse a tile name out of range',
    { url: '/elevation/tiles/N99/N99E999.hgt' },
    { status: 404 },
  ),
  rest('tiles refuse a folder listing', { url: '/elevation/tiles/' }, { status: 404 }),
  rest('tiles refuse a path of 10 000 characters', {
    url: `/elevation/tiles/${'N'.repeat(10_000)}.hgt`,
  }),
  rest('job files refuse a path traversal', {
    url: `/elevation/jobs/${JOB}/../../../relief.db`,
    socket: true,
  }),
  rest('job files refuse an encoded path traversal', {
    url: `/elevation/jobs/${JOB}/..%2F..%2F..%2Frelief.db`,
    socket: true,
  }),
  rest('job files refuse a job id that is not a UUID', {
    url: '/elevation/jobs/..%2e/mosaic.tif',
    socket: true,
  }),
  rest(
    'job files answer an unknown job with 404',
    { url: `/elevation/jobs/${JOB}/mosaic.tif` },
    { status: 404 },
  ),
  rest(
    'job files refuse a file that is not a product',
    { url: `/elevation/jobs/${JOB}/input.json` },
    { status: 404 },
  ),
  rest('job files refuse a NUL byte', {
    url: `/elevation/jobs/${JOB}/preview.png%00`,
    socket: true,
  }),
  rest('tiles refuse a Range past the end', {
    url: '/elevation/tiles/N89/N89E179.hgt',
    headers: { range: 'bytes=999999999999-' },
  }),
];

hostileTable('POST /elevation bodies', bodyCases, server);
hostileTable('elevation tiles and job files', fileCases, server);
