/**
 * Hostile WCS requests by KVP (1.0.0 and 2.0.1): GetCapabilities, DescribeCoverage and
 * GetCoverage with each parameter missing, empty, of the wrong type, out of range or carrying
 * characters a report must not echo raw; each refused with the version's exception report.
 */
import { afterAll, beforeAll } from 'vitest';
import {
  MAX_IMAGE_SIZE,
  RASTER_LAYER,
  startHostileServer,
  VECTOR_LAYER,
  type HostileServer,
} from './hostile-server.ts';
import { BAD_BBOXES, BAD_NAMES, BAD_NUMBERS, BAD_SIZES } from './hostile-values.ts';
import {
  hostileTable,
  NOT_IMPLEMENTED,
  ows,
  WCS100,
  WCS201,
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

const GET100 = kvp(
  `SERVICE=WCS&VERSION=1.0.0&REQUEST=GetCoverage&COVERAGE=${RASTER_LAYER}&CRS=EPSG:4326&BBOX=7,46,8,47&WIDTH=64&HEIGHT=64&FORMAT=GeoTIFF`,
);
const GET201 = kvp(
  `SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCoverage&COVERAGEID=${RASTER_LAYER}&SUBSET=Lat(46.5,46.6)&FORMAT=image/tiff`,
);
const DESCRIBE100 = kvp(
  `SERVICE=WCS&VERSION=1.0.0&REQUEST=DescribeCoverage&COVERAGE=${RASTER_LAYER}`,
);
const DESCRIBE201 = kvp(
  `SERVICE=WCS&VERSION=2.0.1&REQUEST=DescribeCoverage&COVERAGEID=${RASTER_LAYER}`,
);

const get100 = (name: string, param: string, value: string | null) =>
  ows(`GetCoverage 1.0.0 refuses ${name}`, withParam(GET100, param, value), WCS100);
const get201 = (name: string, param: string, value: string | null) =>
  ows(`GetCoverage 2.0.1 refuses ${name}`, withParam(GET201, param, value), WCS201);

const generalCases: HostileCase[] = [
  ows(
    'refuses an unknown operation in 1.0.0',
    'SERVICE=WCS&VERSION=1.0.0&REQUEST=Transaction',
    WCS100,
    {
      status: NOT_IMPLEMENTED,
    },
  ),
  ows('refuses an unknown operation in 2.0.1', 'SERVICE=WCS&VERSION=2.0.1&REQUEST=GetMap', WCS201, {
    status: NOT_IMPLEMENTED,
  }),
  ows('refuses GetCoverage without VERSION', withParam(GET100, 'VERSION', null)),
  ows('refuses GetCoverage with VERSION 0.0.0', withParam(GET100, 'VERSION', '0.0.0')),
  ows(
    'refuses GetCoverage with a VERSION with a NUL byte',
    withParam(GET201, 'VERSION', '2.0.1%00'),
  ),
  ows(
    'refuses GetCapabilities with ACCEPTVERSIONS it cannot meet',
    'SERVICE=WCS&REQUEST=GetCapabilities&ACCEPTVERSIONS=9.9.9',
  ),
  ows(
    'refuses GetCapabilities with ACCEPTVERSIONS of control characters',
    'SERVICE=WCS&REQUEST=GetCapabilities&ACCEPTVERSIONS=%01%02%1B',
  ),
  ows(
    'refuses DescribeCoverage 1.0.0 of an unknown coverage',
    withParam(DESCRIBE100, 'COVERAGE', 'nowhere'),
    WCS100,
  ),
  ows(
    'refuses DescribeCoverage 2.0.1 without COVERAGEID',
    withParam(DESCRIBE201, 'COVERAGEID', null),
    WCS201,
  ),
  ...BAD_NAMES.slice(1).map((bad) =>
    ows(
      `refuses DescribeCoverage 2.0.1 of a COVERAGEID with ${bad.label}`,
      withParam(DESCRIBE201, 'COVERAGEID', bad.value),
      WCS201,
    ),
  ),
  // A COVERAGE of only whitespace (a vertical tab) asks for every coverage.
  ...BAD_NAMES.slice(1, 7).map((bad) =>
    ows(
      `refuses DescribeCoverage 1.0.0 of a COVERAGE with ${bad.label}`,
      withParam(DESCRIBE100, 'COVERAGE', bad.value),
      WCS100,
    ),
  ),
];

const getCoverage100Cases: HostileCase[] = [
  get100('a missing COVERAGE', 'COVERAGE', null),
  get100('an empty COVERAGE', 'COVERAGE', ''),
  get100('a vector layer as COVERAGE', 'COVERAGE', VECTOR_LAYER),
  ...BAD_NAMES.map((bad) => get100(`a COVERAGE with ${bad.label}`, 'COVERAGE', bad.value)),
  get100('a missing CRS (WCS 1.0.0 requires it)', 'CRS', null),
  get100('an unknown CRS', 'CRS', 'EPSG:999999'),
  get100('a CRS with a NUL byte', 'CRS', 'EPSG:4326%00'),
  get100('an unknown RESPONSE_CRS', 'RESPONSE_CRS', 'EPSG:1e400'),
  get100('a missing BBOX', 'BBOX', null),
  ...BAD_BBOXES.slice(1).map((bad) => get100(`a BBOX with ${bad.label}`, 'BBOX', bad.value)),
  ...[...BAD_NUMBERS, ...BAD_SIZES].map((bad) =>
    get100(`a WIDTH of ${bad.label}`, 'WIDTH', bad.value),
  ),
  ...[...BAD_NUMBERS.slice(3, 8), ...BAD_SIZES.slice(0, 3)].map((bad) =>
    get100(`a HEIGHT of ${bad.label}`, 'HEIGHT', bad.value),
  ),
  get100('a WIDTH one over the maximum', 'WIDTH', String(MAX_IMAGE_SIZE + 1)),
  get100('a HEIGHT of 2^31', 'HEIGHT', '2147483648'),
  ows(
    'GetCoverage 1.0.0 refuses a RESX so small the grid is unbounded',
    withParam(
      kvp(withParam(kvp(withParam(GET100, 'WIDTH', null)), 'HEIGHT', null)),
      'RESX',
      '1e-300',
    ) + '&RESY=1e-300',
    WCS100,
  ),
  ows(
    'GetCoverage 1.0.0 refuses a RESX of NaN',
    withParam(
      kvp(withParam(kvp(withParam(GET100, 'WIDTH', null)), 'HEIGHT', null)),
      'RESX',
      'NaN',
    ) + '&RESY=0.01',
    WCS100,
  ),
  ows(
    'GetCoverage 1.0.0 refuses a negative RESY',
    withParam(
      kvp(withParam(kvp(withParam(GET100, 'WIDTH', null)), 'HEIGHT', null)),
      'RESX',
      '0.01',
    ) + '&RESY=-0.01',
    WCS100,
  ),
  get100('an unknown FORMAT', 'FORMAT', 'application/x-evil'),
  get100('a FORMAT with U+0001', 'FORMAT', 'GeoTIFF%01'),
  get100('an unknown INTERPOLATION', 'INTERPOLATION', 'magic'),
  get100('an INTERPOLATION with ESC', 'INTERPOLATION', '%1B%5B31m'),
];

const getCoverage201Cases: HostileCase[] = [
  get201('a missing COVERAGEID', 'COVERAGEID', null),
  get201('an empty COVERAGEID', 'COVERAGEID', ''),
  ...BAD_NAMES.map((bad) => get201(`a COVERAGEID with ${bad.label}`, 'COVERAGEID', bad.value)),
  get201('a SUBSET on an unknown axis', 'SUBSET', 'Height(0,1)'),
  get201('a SUBSET without parentheses', 'SUBSET', 'Lat'),
  get201('a SUBSET with NaN bounds', 'SUBSET', 'Lat(NaN,NaN)'),
  get201('a SUBSET with an Infinity bound', 'SUBSET', 'Lat(46,Infinity)'),
  get201('a SUBSET with a 1e400 bound', 'SUBSET', 'Lat(46,1e400)'),
  get201('a SUBSET with inverted bounds', 'SUBSET', 'Lat(46.6,46.5)'),
  get201('a SUBSET with hex bounds', 'SUBSET', 'Lat(0x2e,0x2f)'),
  get201('a SUBSET outside the coverage', 'SUBSET', 'Lat(-80,-79)'),
  get201('a SUBSET with a NUL byte', 'SUBSET', 'Lat(46%00,47)'),
  get201('a SUBSET of 10 000 characters', 'SUBSET', `Lat(${'4'.repeat(10_000)},47)`),
  ows(
    'GetCoverage 2.0.1 refuses the same axis subset twice',
    `${withParam(GET201, 'SUBSET', 'Lat(46,47)')}&SUBSET=Lat(46.1,46.2)`,
    WCS201,
  ),
  get201(
    'an unknown SUBSETTINGCRS',
    'SUBSETTINGCRS',
    'http://www.opengis.net/def/crs/EPSG/0/999999',
  ),
  get201('an unknown OUTPUTCRS', 'OUTPUTCRS', 'EPSG:%00'),
  get201('a SCALESIZE of NaN', 'SCALESIZE', 'Lat(NaN)'),
  get201('a negative SCALESIZE', 'SCALESIZE', 'Lat(-1)'),
  get201('a SCALESIZE over the maximum', 'SCALESIZE', `Lat(${MAX_IMAGE_SIZE * 1000})`),
  get201('a SCALEFACTOR of 0', 'SCALEFACTOR', '0'),
  get201('a SCALEFACTOR of Infinity', 'SCALEFACTOR', 'Infinity'),
  get201('a SCALEFACTOR of 1e400', 'SCALEFACTOR', '1e400'),
  get201('a SCALEFACTOR of 1e-6 (a grid a million times the maximum)', 'SCALEFACTOR', '1e-6'),
  get201('an unknown FORMAT', 'FORMAT', 'text/html'),
  ows(
    'GetCoverage 2.0.1 refuses a MEDIATYPE',
    withParam(GET201, 'MEDIATYPE', 'multipart/related'),
    WCS201,
    { status: NOT_IMPLEMENTED },
  ),
];

hostileTable('WCS dispatch and DescribeCoverage', generalCases, server);
hostileTable('WCS 1.0.0 GetCoverage', getCoverage100Cases, server);
hostileTable('WCS 2.0.1 GetCoverage', getCoverage201Cases, server);
