/**
 * Hostile WMS requests by KVP (1.3.0 and 1.1.1): every operation with each parameter missing,
 * empty, of the wrong type, out of range, repeated past any budget, or carrying characters a
 * report must not echo raw. Each is refused with a 4xx ServiceExceptionReport of the version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak, expectOgcException } from './hostile-assertions.ts';
import {
  MAX_IMAGE_SIZE,
  RASTER_LAYER,
  startHostileServer,
  VECTOR_LAYER,
  type HostileServer,
} from './hostile-server.ts';
import {
  BAD_BBOXES,
  BAD_NAMES,
  BAD_NUMBERS,
  BAD_SIZES,
  repeated,
  UNECHOABLE,
} from './hostile-values.ts';
import {
  hostileTable,
  NOT_IMPLEMENTED,
  ows,
  send,
  WMS111,
  WMS130,
  type HostileCase,
} from './hostile-table.ts';
import { kvp, withParam } from './kvp.ts';

let target: HostileServer;
beforeAll(async () => {
  target = await startHostileServer();
});
afterAll(async () => {
  await target?.close();
});
const server = () => target;

const MAP130 = kvp(
  `SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=${RASTER_LAYER}&STYLES=&CRS=EPSG:4326&BBOX=46,7,47,8&WIDTH=64&HEIGHT=64&FORMAT=image/png`,
);
const MAP111 = kvp(
  `SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=${RASTER_LAYER}&STYLES=&SRS=EPSG:4326&BBOX=7,46,8,47&WIDTH=64&HEIGHT=64&FORMAT=image/png`,
);
const INFO130 = kvp(
  `SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=${RASTER_LAYER}&QUERY_LAYERS=${RASTER_LAYER}&STYLES=&CRS=EPSG:4326&BBOX=46,7,47,8&WIDTH=64&HEIGHT=64&I=10&J=10&INFO_FORMAT=application/json`,
);
const INFO111 = kvp(
  `SERVICE=WMS&VERSION=1.1.1&REQUEST=GetFeatureInfo&LAYERS=${VECTOR_LAYER}&QUERY_LAYERS=${VECTOR_LAYER}&STYLES=&SRS=EPSG:4326&BBOX=7,46,8,47&WIDTH=64&HEIGHT=64&X=10&Y=10&INFO_FORMAT=text/xml`,
);
const LEGEND = kvp(
  `SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER=${RASTER_LAYER}&FORMAT=image/png&SLD_VERSION=1.1.0`,
);

const map130 = (name: string, param: string, value: string | null) =>
  ows(`GetMap 1.3.0 refuses ${name}`, withParam(MAP130, param, value), WMS130);
const map111 = (name: string, param: string, value: string | null) =>
  ows(`GetMap 1.1.1 refuses ${name}`, withParam(MAP111, param, value), WMS111);

const dispatchCases: HostileCase[] = [
  ows('refuses a request without SERVICE', 'REQUEST=GetMap&VERSION=1.3.0'),
  ows('refuses an empty SERVICE', 'SERVICE=&REQUEST=GetCapabilities'),
  ows('refuses an unknown SERVICE', 'SERVICE=XYZ&REQUEST=GetCapabilities'),
  ows('refuses a SERVICE with a NUL byte', 'SERVICE=WMS%00&REQUEST=GetCapabilities'),
  ows('refuses a SERVICE with a lone surrogate', 'SERVICE=%ED%A0%80&REQUEST=GetCapabilities'),
  ows('refuses a SERVICE repeated with unknown values', 'SERVICE=XYZ&SERVICE=ABC&REQUEST=GetMap'),
  ows('refuses a request without REQUEST', 'SERVICE=WMS&VERSION=1.3.0', WMS130),
  ows('refuses an empty REQUEST', 'SERVICE=WMS&VERSION=1.3.0&REQUEST=', WMS130),
  ows('refuses an unknown REQUEST', 'SERVICE=WMS&VERSION=1.3.0&REQUEST=DropTables', WMS130, {
    status: NOT_IMPLEMENTED,
  }),
  ows('refuses a REQUEST with a NUL byte', 'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap%00', WMS130, {
    status: NOT_IMPLEMENTED,
  }),
  ows('refuses a REQUEST with ESC', 'SERVICE=WMS&VERSION=1.1.1&REQUEST=%1B%5B2J', WMS111, {
    status: NOT_IMPLEMENTED,
  }),
  ows(
    'refuses a REQUEST of 10 000 characters',
    `SERVICE=WMS&VERSION=1.3.0&REQUEST=${'G'.repeat(10_000)}`,
    WMS130,
    { status: NOT_IMPLEMENTED },
  ),
  ows('refuses a GetMap without VERSION', withParam(MAP130, 'VERSION', null)),
  ows('refuses a GetMap with an unknown VERSION', withParam(MAP130, 'VERSION', '9.9.9')),
  ows('refuses a GetMap with VERSION NaN', withParam(MAP130, 'VERSION', 'NaN')),
  ows(
    'refuses a GetMap with a VERSION with control characters',
    withParam(MAP130, 'VERSION', '1.3.0%01%0B'),
  ),
  ows(
    'refuses a GetMap with a VERSION of 5 000 characters',
    withParam(MAP130, 'VERSION', '1.'.repeat(2500)),
  ),
  ows(
    'refuses 5 000 parameters without SERVICE',
    Array.from({ length: 5000 }, (_, i) => `P${i}=${i}`).join('&'),
  ),
  ows('refuses a parameter name of 10 000 characters without SERVICE', `${'N'.repeat(10_000)}=1`),
  ows('refuses an empty query', ''),
  ows('refuses a query of only separators', '&&&&&&&&=&=&'),
];

const getMapCases: HostileCase[] = [
  map130('a missing LAYERS', 'LAYERS', null),
  map130('an empty LAYERS', 'LAYERS', ''),
  ...BAD_NAMES.map((bad) => map130(`LAYERS with ${bad.label}`, 'LAYERS', bad.value)),
  map130('LAYERS naming a known and an unknown layer', 'LAYERS', `${RASTER_LAYER},nowhere`),
  map130('LAYERS of only commas', 'LAYERS', ',,,,'),
  ...BAD_NAMES.slice(0, 8).map((bad) => map111(`LAYERS with ${bad.label}`, 'LAYERS', bad.value)),
  // A STYLES of only whitespace (a vertical tab) means every layer's default style.
  ...BAD_NAMES.slice(1)
    .filter((bad) => bad.label !== 'a vertical tab')
    .map((bad) => map130(`STYLES with ${bad.label}`, 'STYLES', bad.value)),
  map130('more STYLES than LAYERS', 'STYLES', ',,,'),
  map111('STYLES with path traversal', 'STYLES', '..%2F..%2Fetc%2Fpasswd'),
  map130('a missing CRS', 'CRS', null),
  map130('an empty CRS', 'CRS', ''),
  map130('an unknown EPSG code', 'CRS', 'EPSG:999999'),
  map130('a negative EPSG code', 'CRS', 'EPSG:-4326'),
  map130('an EPSG code of 1e400', 'CRS', 'EPSG:1e400'),
  map130('a CRS with a NUL byte', 'CRS', 'EPSG:4326%00'),
  map130('an unknown URN CRS', 'CRS', 'urn:ogc:def:crs:EPSG::999999'),
  map130('an AUTO2 CRS with an infinite centre', 'CRS', 'AUTO2:42001,1,1e400,0'),
  map130('a CRS with path traversal', 'CRS', '..%2F..%2Fetc%2Fpasswd'),
  map130('a CRS of 10 000 characters', 'CRS', 'EPSG:'.padEnd(10_000, '9')),
  map111('a missing SRS', 'SRS', null),
  map111('an unknown SRS', 'SRS', 'EPSG:999999'),
  map111('an SRS with U+FFFF', 'SRS', 'EPSG:4326%EF%BF%BF'),
  map130('a missing BBOX', 'BBOX', null),
  ...BAD_BBOXES.map((bad) => map130(`a BBOX with ${bad.label}`, 'BBOX', bad.value)),
  ...BAD_BBOXES.slice(1, 9).map((bad) => map111(`a BBOX with ${bad.label}`, 'BBOX', bad.value)),
  map130('a missing WIDTH', 'WIDTH', null),
  map130('a missing HEIGHT', 'HEIGHT', null),
  ...[...BAD_NUMBERS, ...BAD_SIZES].map((bad) =>
    map130(`a WIDTH of ${bad.label}`, 'WIDTH', bad.value),
  ),
  ...[...BAD_NUMBERS, ...BAD_SIZES].map((bad) =>
    map130(`a HEIGHT of ${bad.label}`, 'HEIGHT', bad.value),
  ),
  ...[...BAD_NUMBERS.slice(3, 8), ...BAD_SIZES.slice(0, 2)].map((bad) =>
    map111(`a WIDTH of ${bad.label}`, 'WIDTH', bad.value),
  ),
  map130('a WIDTH one over the maximum', 'WIDTH', String(MAX_IMAGE_SIZE + 1)),
  map130('a HEIGHT of 65 536', 'HEIGHT', '65536'),
  map111('a WIDTH and HEIGHT of 2^31', 'WIDTH', '2147483648'),
  map130('a missing FORMAT', 'FORMAT', null),
  map130('an unknown FORMAT', 'FORMAT', 'image/x-evil'),
  map130('a FORMAT with markup', 'FORMAT', 'image/png%3Cx%3E%3C%2Fx%3E'),
  map130('a FORMAT with a NUL byte', 'FORMAT', 'image/png%00'),
  map111('an HTML FORMAT', 'FORMAT', 'text/html'),
  map130('a BGCOLOR that is not a colour', 'BGCOLOR', '0xZZZZZZ'),
  map130('a BGCOLOR of 10 000 characters', 'BGCOLOR', `0x${'F'.repeat(10_000)}`),
  map130('a TRANSPARENT of NaN', 'TRANSPARENT', 'NaN'),
  ows(
    'GetMap refuses 1000 repeated layers at the maximum size (pixel budget)',
    withParam(
      kvp(
        withParam(
          kvp(withParam(MAP130, 'LAYERS', repeated(RASTER_LAYER, 1000))),
          'WIDTH',
          String(MAX_IMAGE_SIZE),
        ),
      ),
      'HEIGHT',
      String(MAX_IMAGE_SIZE),
    ),
    WMS130,
  ),
  ows(
    'GetMap refuses 1000 repeated vector layers at the maximum size (pixel budget)',
    withParam(
      kvp(
        withParam(
          kvp(withParam(MAP111, 'LAYERS', repeated(VECTOR_LAYER, 1000))),
          'WIDTH',
          String(MAX_IMAGE_SIZE),
        ),
      ),
      'HEIGHT',
      String(MAX_IMAGE_SIZE),
    ),
    WMS111,
  ),
];

const featureInfoCases: HostileCase[] = [
  ows(
    'GetFeatureInfo refuses a missing QUERY_LAYERS',
    withParam(INFO130, 'QUERY_LAYERS', null),
    WMS130,
  ),
  ows(
    'GetFeatureInfo refuses QUERY_LAYERS not in LAYERS',
    withParam(INFO130, 'QUERY_LAYERS', VECTOR_LAYER),
    WMS130,
  ),
  ...BAD_NAMES.slice(1, 7).map((bad) =>
    ows(
      `GetFeatureInfo refuses QUERY_LAYERS with ${bad.label}`,
      withParam(INFO130, 'QUERY_LAYERS', bad.value),
      WMS130,
    ),
  ),
  ows('GetFeatureInfo refuses a missing I', withParam(INFO130, 'I', null), WMS130),
  ows('GetFeatureInfo refuses a missing J', withParam(INFO130, 'J', null), WMS130),
  ...[...BAD_NUMBERS.slice(2, 8), ...BAD_SIZES.slice(1, 4)].map((bad) =>
    ows(`GetFeatureInfo refuses an I of ${bad.label}`, withParam(INFO130, 'I', bad.value), WMS130),
  ),
  ows('GetFeatureInfo refuses an I outside the map', withParam(INFO130, 'I', '64'), WMS130),
  ows('GetFeatureInfo refuses a J outside the map', withParam(INFO130, 'J', '1e9'), WMS130),
  ows('GetFeatureInfo 1.1.1 refuses a negative X', withParam(INFO111, 'X', '-1'), WMS111),
  ows('GetFeatureInfo 1.1.1 refuses a Y of NaN', withParam(INFO111, 'Y', 'NaN'), WMS111),
  ows(
    'GetFeatureInfo refuses an unknown INFO_FORMAT',
    withParam(INFO130, 'INFO_FORMAT', 'application/x-evil'),
    WMS130,
  ),
  ows(
    'GetFeatureInfo refuses an INFO_FORMAT with U+0001',
    withParam(INFO111, 'INFO_FORMAT', 'text/xml%01'),
    WMS111,
  ),
  ...[BAD_NUMBERS[3], BAD_NUMBERS[6], BAD_SIZES[1], BAD_SIZES[0]].map((bad) =>
    ows(
      `GetFeatureInfo refuses a FEATURE_COUNT of ${bad?.label}`,
      withParam(INFO130, 'FEATURE_COUNT', bad?.value ?? ''),
      WMS130,
    ),
  ),
  ows(
    'GetFeatureInfo refuses a BBOX of NaN corners',
    withParam(INFO130, 'BBOX', 'NaN,NaN,NaN,NaN'),
    WMS130,
  ),
  ows('GetFeatureInfo refuses a WIDTH of -1', withParam(INFO111, 'WIDTH', '-1'), WMS111),
];

const legendCases: HostileCase[] = [
  ows('GetLegendGraphic refuses a missing LAYER', withParam(LEGEND, 'LAYER', null), WMS130),
  ...BAD_NAMES.map((bad) =>
    ows(
      `GetLegendGraphic refuses a LAYER with ${bad.label}`,
      withParam(LEGEND, 'LAYER', bad.value),
      WMS130,
    ),
  ),
  ows(
    'GetLegendGraphic refuses a STYLE with path traversal',
    withParam(LEGEND, 'STYLE', '..%2F..%2Fetc'),
    WMS130,
  ),
  ows(
    'GetLegendGraphic refuses an unknown STYLE with U+FFFF',
    withParam(LEGEND, 'STYLE', '%EF%BF%BF'),
    WMS130,
  ),
  ows(
    'GetLegendGraphic refuses an unknown FORMAT',
    withParam(LEGEND, 'FORMAT', 'image/x-evil'),
    WMS130,
  ),
  ows('GetLegendGraphic refuses a FORMAT with ESC', withParam(LEGEND, 'FORMAT', '%1B'), WMS130),
];

hostileTable('WMS dispatch', dispatchCases, server);
hostileTable('WMS GetMap', getMapCases, server);
hostileTable('WMS GetFeatureInfo', featureInfoCases, server);
hostileTable('WMS GetLegendGraphic', legendCases, server);

describe('WMS image exceptions', () => {
  it.each(UNECHOABLE.map(({ label, value }) => [label, value] as const))(
    'EXCEPTIONS=INIMAGE with %s in an echoed LAYERS is an image or a 4xx report, not a 5xx',
    async (_label, value) => {
      const answer = await send(target, {
        url: `/ows?${withParam(MAP130, 'LAYERS', value)}&EXCEPTIONS=INIMAGE`,
      });
      expect(answer.status, answer.text.slice(0, 200)).toBeLessThan(500);
      if (answer.headers['content-type']?.startsWith('image/')) {
        expect(answer.status).toBe(200);
        expect(answer.body.subarray(1, 4).toString('latin1')).toBe('PNG');
      } else {
        expectOgcException(answer, { report: WMS130 });
      }
      expectNoLeak(answer.text);
    },
  );
});
