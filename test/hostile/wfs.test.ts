/**
 * Hostile WFS requests by KVP (2.0.0 and 1.1.0): every operation with each parameter missing,
 * empty, of the wrong type or out of range, and FILTER documents that are not well-formed or
 * declare a DOCTYPE (internal entities, billion laughs, external DTDs): all refused with the
 * version's ows:ExceptionReport.
 */
import { afterAll, beforeAll } from 'vitest';
import { startHostileServer, VECTOR_LAYER, type HostileServer } from './hostile-server.ts';
import { BAD_BBOXES, BAD_NAMES, BAD_NUMBERS, BAD_SIZES } from './hostile-values.ts';
import {
  hostileTable,
  NOT_IMPLEMENTED,
  ows,
  WFS110,
  WFS200,
  type HostileCase,
} from './hostile-table.ts';
import { kvp, withParam } from './kvp.ts';
import { hostileFilters } from './xml-bodies.ts';

let target: HostileServer;
beforeAll(async () => {
  target = await startHostileServer();
});
afterAll(async () => {
  await target?.close();
});
const server = () => target;

const FEATURE200 = kvp(`SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=${VECTOR_LAYER}`);
const FEATURE110 = kvp(`SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=${VECTOR_LAYER}`);
const DESCRIBE200 = kvp(
  `SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=${VECTOR_LAYER}`,
);
const VALUE200 = kvp(
  `SERVICE=WFS&VERSION=2.0.0&REQUEST=GetPropertyValue&TYPENAMES=${VECTOR_LAYER}&VALUEREFERENCE=name`,
);

const feature200 = (name: string, param: string, value: string | null) =>
  ows(`GetFeature 2.0.0 refuses ${name}`, withParam(FEATURE200, param, value), WFS200);
const feature110 = (name: string, param: string, value: string | null) =>
  ows(`GetFeature 1.1.0 refuses ${name}`, withParam(FEATURE110, param, value), WFS110);
const encode = (xml: string) => encodeURIComponent(xml);

const getFeatureCases: HostileCase[] = [
  feature200('a missing TYPENAMES', 'TYPENAMES', null),
  feature200('an empty TYPENAMES', 'TYPENAMES', ''),
  ...BAD_NAMES.map((bad) => feature200(`TYPENAMES with ${bad.label}`, 'TYPENAMES', bad.value)),
  feature200('unbalanced parentheses in TYPENAMES', 'TYPENAMES', `((${VECTOR_LAYER}`),
  feature200('TYPENAMES of only commas', 'TYPENAMES', ',,,'),
  ows(
    'GetFeature 2.0.0 refuses a join in TYPENAMES',
    withParam(FEATURE200, 'TYPENAMES', `(${VECTOR_LAYER},${VECTOR_LAYER})`),
    WFS200,
    { status: NOT_IMPLEMENTED },
  ),
  ...BAD_NAMES.slice(1, 8).map((bad) =>
    feature110(`TYPENAME with ${bad.label}`, 'TYPENAME', bad.value),
  ),
  ...[...BAD_NUMBERS.slice(2), ...BAD_SIZES.slice(1)].map((bad) =>
    feature200(`a COUNT of ${bad.label}`, 'COUNT', bad.value),
  ),
  ...[...BAD_NUMBERS.slice(2), ...BAD_SIZES.slice(1)].map((bad) =>
    feature200(`a STARTINDEX of ${bad.label}`, 'STARTINDEX', bad.value),
  ),
  feature200('a STARTINDEX of 2^63', 'STARTINDEX', '9223372036854775808'),
  ...BAD_NUMBERS.slice(3, 8).map((bad) =>
    feature110(`a MAXFEATURES of ${bad.label}`, 'MAXFEATURES', bad.value),
  ),
  feature110('a MAXFEATURES of -1', 'MAXFEATURES', '-1'),
  // A zero-area box is a point query, which WFS allows.
  ...BAD_BBOXES.filter((bad) => bad.label !== 'a zero-area box').map((bad) =>
    feature200(`a BBOX with ${bad.label}`, 'BBOX', bad.value),
  ),
  feature200('a BBOX in an unknown CRS', 'BBOX', '7,46,8,47,EPSG:999999'),
  feature200('a BBOX whose CRS has a NUL byte', 'BBOX', '7,46,8,47,EPSG:4326%00'),
  ...BAD_BBOXES.slice(1, 7).map((bad) => feature110(`a BBOX with ${bad.label}`, 'BBOX', bad.value)),
  feature200('an unknown SRSNAME', 'SRSNAME', 'EPSG:999999'),
  feature200('an SRSNAME with U+0001', 'SRSNAME', 'EPSG:4326%01'),
  feature200('an SRSNAME with path traversal', 'SRSNAME', '..%2F..%2Fetc%2Fpasswd'),
  feature110('an SRSNAME of 10 000 characters', 'SRSNAME', `EPSG:${'9'.repeat(10_000)}`),
  feature200('an unknown PROPERTYNAME', 'PROPERTYNAME', 'password'),
  feature200('a PROPERTYNAME with path traversal', 'PROPERTYNAME', '..%2F..%2Fetc%2Fpasswd'),
  feature200('a PROPERTYNAME with an XPath union', 'PROPERTYNAME', 'name%20%7C%20%2F%2F*'),
  feature200('a PROPERTYNAME with ESC', 'PROPERTYNAME', '%1B%5B31m'),
  feature200('a RESULTTYPE that is neither results nor hits', 'RESULTTYPE', 'everything'),
  feature200('a RESULTTYPE with a NUL byte', 'RESULTTYPE', 'hits%00'),
  feature200('an unknown OUTPUTFORMAT', 'OUTPUTFORMAT', 'application/x-evil'),
  feature200('an OUTPUTFORMAT with U+FFFF', 'OUTPUTFORMAT', 'application/json%EF%BF%BF'),
  ows('GetFeature 2.0.0 refuses SORTBY', withParam(FEATURE200, 'SORTBY', 'name%20DESC'), WFS200, {
    status: NOT_IMPLEMENTED,
  }),
];

const filterCases: HostileCase[] = [
  feature200('a FILTER that is not XML', 'FILTER', 'abc'),
  feature200('a FILTER with an unclosed element', 'FILTER', encode('<fes:Filter>')),
  feature200(
    'a FILTER of the wrong element',
    'FILTER',
    encode('<fes:Query xmlns:fes="http://www.opengis.net/fes/2.0"/>'),
  ),
  ows(
    'GetFeature 2.0.0 refuses a FILTER with an operator it does not evaluate',
    withParam(
      FEATURE200,
      'FILTER',
      encode(
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsLike><fes:ValueReference>name</fes:ValueReference><fes:Literal>*</fes:Literal></fes:PropertyIsLike></fes:Filter>',
      ),
    ),
    WFS200,
    { status: [400, NOT_IMPLEMENTED] },
  ),
  feature200(
    'a FILTER with NaN envelope corners',
    'FILTER',
    encode(
      '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:BBOX><gml:Envelope srsName="EPSG:4326"><gml:lowerCorner>NaN NaN</gml:lowerCorner><gml:upperCorner>Infinity 1e400</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>',
    ),
  ),
  feature200(
    'a FILTER with an envelope in an unknown CRS',
    'FILTER',
    encode(
      '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:BBOX><gml:Envelope srsName="EPSG:999999"><gml:lowerCorner>46 7</gml:lowerCorner><gml:upperCorner>47 8</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>',
    ),
  ),
  feature200(
    'a FILTER of 4 000 nested And elements',
    'FILTER',
    encode(
      `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">${'<fes:And>'.repeat(4000)}${'</fes:And>'.repeat(4000)}</fes:Filter>`,
    ),
  ),
  ...hostileFilters().map(({ label, xml }) =>
    feature200(`a FILTER with ${label}`, 'FILTER', encode(xml)),
  ),
  ...hostileFilters()
    .slice(0, 3)
    .map(({ label, xml }) =>
      feature110(`a FILTER with ${label}`, 'FILTER', encode(xml.replaceAll('fes', 'ogc'))),
    ),
];

const otherCases: HostileCase[] = [
  ows('refuses an unknown operation', 'SERVICE=WFS&VERSION=2.0.0&REQUEST=Transaction', WFS200, {
    status: NOT_IMPLEMENTED,
  }),
  ows(
    'refuses ListStoredQueries in 1.1.0',
    'SERVICE=WFS&VERSION=1.1.0&REQUEST=ListStoredQueries',
    WFS110,
    {
      status: NOT_IMPLEMENTED,
    },
  ),
  ows(
    'refuses GetCapabilities with ACCEPTVERSIONS it cannot meet',
    'SERVICE=WFS&REQUEST=GetCapabilities&ACCEPTVERSIONS=3.0.0,0.9',
  ),
  ows(
    'refuses GetFeature with VERSION 2.0.0 and a NUL byte',
    withParam(FEATURE200, 'VERSION', '2.0.0%00'),
  ),
  // A TYPENAMES of only whitespace (a vertical tab) describes every type.
  ...BAD_NAMES.filter((bad) => bad.label !== 'a vertical tab').map((bad) =>
    ows(
      `DescribeFeatureType refuses TYPENAMES with ${bad.label}`,
      withParam(DESCRIBE200, 'TYPENAMES', bad.value),
      WFS200,
    ),
  ),
  ows(
    'DescribeFeatureType refuses an unknown OUTPUTFORMAT',
    withParam(DESCRIBE200, 'OUTPUTFORMAT', 'text/html'),
    WFS200,
  ),
  ows(
    'GetPropertyValue refuses a missing VALUEREFERENCE',
    withParam(VALUE200, 'VALUEREFERENCE', null),
    WFS200,
  ),
  ows(
    'GetPropertyValue refuses an unknown VALUEREFERENCE',
    withParam(VALUE200, 'VALUEREFERENCE', 'password'),
    WFS200,
  ),
  ows(
    'GetPropertyValue refuses a VALUEREFERENCE with path traversal',
    withParam(VALUE200, 'VALUEREFERENCE', '..%2F..%2Fetc%2Fpasswd'),
    WFS200,
  ),
  ows(
    'GetPropertyValue refuses a VALUEREFERENCE with an XPath union',
    withParam(VALUE200, 'VALUEREFERENCE', 'name%20%7C%20%2F%2F*'),
    WFS200,
  ),
  ows(
    'GetPropertyValue refuses a VALUEREFERENCE with a NUL byte',
    withParam(VALUE200, 'VALUEREFERENCE', 'name%00'),
    WFS200,
  ),
  ows('GetPropertyValue refuses a COUNT of NaN', withParam(VALUE200, 'COUNT', 'NaN'), WFS200),
  ows(
    'DescribeStoredQueries refuses an unknown STOREDQUERY_ID',
    'SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeStoredQueries&STOREDQUERY_ID=urn:evil',
    WFS200,
  ),
  ows(
    'DescribeStoredQueries refuses a STOREDQUERY_ID with U+0001',
    'SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeStoredQueries&STOREDQUERY_ID=%01',
    WFS200,
  ),
  ows(
    'GetFeature refuses an unknown stored query',
    `${withParam(FEATURE200, 'TYPENAMES', null)}&STOREDQUERY_ID=urn:evil`,
    WFS200,
    { status: [400, 404, NOT_IMPLEMENTED] },
  ),
];

hostileTable('WFS GetFeature', getFeatureCases, server);
hostileTable('WFS FILTER', filterCases, server);
hostileTable('WFS other operations', otherCases, server);
