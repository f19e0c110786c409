/**
 * Hostile OWS requests by POST: XML documents that are not well-formed, declare a DOCTYPE
 * (internal entities, billion laughs, external DTDs and entities), nest without end, lie about
 * their encoding or exceed the body limit, and KVP sent as forms. Each is refused with an OGC
 * exception report, before anything in a DTD is expanded or fetched.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll } from 'vitest';
import { startHostileServer, VECTOR_LAYER, type HostileServer } from './hostile-server.ts';
import {
  hostileTable,
  NOT_IMPLEMENTED,
  owsPost,
  WCS201,
  WFS110,
  WFS200,
  WMS130,
  type HostileCase,
} from './hostile-table.ts';
import { hostileFilters, hostileOperations } from './xml-bodies.ts';

let target: HostileServer;
beforeAll(async () => {
  target = await startHostileServer();
});
afterAll(async () => {
  await target?.close();
});
const server = () => target;

const XML = 'text/xml';
const FORM = 'application/x-www-form-urlencoded';
const WFS_NS =
  'xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0"';
/** Just over the default 10 MB body limit (RELIEF_BODY_LIMIT). */
const OVER_BODY_LIMIT = 10 * 1024 * 1024 + 1;

const OPERATIONS: Array<{ root: string; attributes: string; report?: typeof WMS130 }> = [
  { root: 'GetCapabilities', attributes: 'service="WMS" version="1.3.0"', report: WMS130 },
  {
    root: 'wcs:GetCapabilities',
    attributes: 'xmlns:wcs="http://www.opengis.net/wcs/2.0" service="WCS"',
  },
  {
    root: 'wcs:GetCoverage',
    attributes: 'xmlns:wcs="http://www.opengis.net/wcs/2.0" service="WCS" version="2.0.1"',
    report: WCS201,
  },
  { root: 'wfs:GetCapabilities', attributes: `${WFS_NS} service="WFS"` },
  { root: 'wfs:GetFeature', attributes: `${WFS_NS} service="WFS" version="2.0.0"`, report: WFS200 },
  {
    root: 'wfs:GetFeature',
    attributes: 'xmlns:wfs="http://www.opengis.net/wfs" service="WFS" version="1.1.0"',
    report: WFS110,
  },
];

// A document refused for its DOCTYPE may be refused before its root is read, so the report may be
// in any OGC form.
const doctypeCases: HostileCase[] = OPERATIONS.flatMap(({ root, attributes, report }) =>
  hostileOperations(root, attributes).map(({ label, xml }) =>
    owsPost(
      `refuses a ${root} ${report?.version ?? ''} document with ${label}`.replace('  ', ' '),
      xml,
      XML,
    ),
  ),
);

// Only the prolog and the root start tag of a POSTed document are read (the rest is never parsed
// on the main thread, see src/xml/root-element.ts), so faults after the root start tag in an
// operation that reads nothing more (GetCapabilities) are not detected; a FILTER is parsed whole.
const malformedCases: HostileCase[] = [
  owsPost('refuses a lone <', '<', XML),
  owsPost('refuses an unclosed root element', '<GetCapabilities service="WMS"', XML),
  owsPost('refuses an XML declaration alone', '<?xml version="1.0"?>', XML),
  owsPost('refuses an empty XML body', '', XML),
  owsPost('refuses whitespace as an XML body', '   \n\t  ', 'application/xml'),
  owsPost('refuses an attribute without quotes', '<GetCapabilities service=WMS/>', XML),
  owsPost('refuses a duplicate attribute', '<GetCapabilities service="WMS" service="WFS"/>', XML),
  owsPost('refuses a NUL byte in a document', '<GetCapabilities service="WMS\u0000"/>', XML),
  owsPost('refuses U+0001 in a document', '<GetCapabilities service="W\u0001MS"/>', XML),
  owsPost('refuses a character reference to U+0000', '<GetCapabilities service="WMS&#0;"/>', XML),
  owsPost(
    'refuses invalid UTF-8 in a document',
    Buffer.concat([
      Buffer.from('<GetCapabilities service="WMS'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"/>'),
    ]),
    XML,
  ),
  owsPost(
    'refuses a UTF-16 document declared as UTF-8',
    Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('<GetCapabilities service="WMS"/>', 'utf16le'),
    ]),
    'text/xml; charset=utf-8',
  ),
  owsPost(
    'refuses an unknown charset',
    '<GetCapabilities service="XYZ"/>',
    'text/xml; charset=x-evil',
  ),
  owsPost('refuses a document without a service', '<GetCapabilities/>', XML),
  owsPost('refuses a document naming an unknown service', '<GetCapabilities service="XYZ"/>', XML),
  owsPost(
    'refuses a document naming an unknown operation',
    '<DropTables service="WMS" version="1.3.0"/>',
    XML,
    WMS130,
    { status: NOT_IMPLEMENTED },
  ),
  owsPost(
    'refuses a root element name of 100 000 characters',
    `<${'G'.repeat(100_000)} service="WMS" version="1.3.0"/>`,
    XML,
    WMS130,
    {
      status: NOT_IMPLEMENTED,
    },
  ),
  owsPost(
    'refuses 4 000 nested elements',
    `<wfs:GetFeature ${WFS_NS} service="WFS" version="2.0.0">${'<wfs:Query>'.repeat(4000)}${'</wfs:Query>'.repeat(4000)}</wfs:GetFeature>`,
    XML,
    WFS200,
  ),
  owsPost(
    'refuses 100 000 attributes',
    `<wfs:GetFeature ${WFS_NS} service="WFS" version="2.0.0" ${Array.from({ length: 100_000 }, (_, i) => `a${i}="${i}"`).join(' ')}/>`,
    XML,
    WFS200,
  ),
  owsPost(
    'refuses an XInclude of a local file',
    `<wfs:GetFeature ${WFS_NS} xmlns:xi="http://www.w3.org/2001/XInclude" service="WFS" version="2.0.0"><xi:include href="file:///etc/passwd" parse="text"/></wfs:GetFeature>`,
    XML,
    WFS200,
  ),
  owsPost(
    'refuses a 9.5 MB GetFeature document under the body limit (without blocking on it)',
    `<wfs:GetFeature ${WFS_NS} service="WFS" version="2.0.0">${'<wfs:Query typeNames="nowhere"/>'.repeat(
      Math.floor((9.5 * 1024 * 1024) / 32),
    )}</wfs:GetFeature>`,
    XML,
    WFS200,
  ),
  owsPost(
    'refuses a body just over the body limit',
    Buffer.alloc(OVER_BODY_LIMIT, ' '),
    XML,
    undefined,
    { status: 413 },
  ),
  owsPost(
    'refuses an octet-stream body',
    Buffer.from([0, 1, 2, 3]),
    'application/octet-stream',
    undefined,
    {
      status: 415,
    },
  ),
  // Fastify reads text/plain as a string; it is not KVP, so SERVICE is missing.
  owsPost('refuses a text/plain body', 'SERVICE=WMS', 'text/plain'),
  owsPost('refuses a gzip body declared as XML', gzipSync('<GetCapabilities service="WMS"/>'), XML),
];

const formCases: HostileCase[] = [
  owsPost('refuses a form without SERVICE', 'REQUEST=GetMap&VERSION=1.3.0', FORM),
  owsPost(
    'refuses a form GetMap with a NUL byte in LAYERS',
    'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=%00&STYLES=&CRS=EPSG:4326&BBOX=46,7,47,8&WIDTH=64&HEIGHT=64&FORMAT=image/png',
    FORM,
    WMS130,
  ),
  owsPost(
    'refuses a form GetMap with a WIDTH of 1e400',
    'SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=terrain&STYLES=&CRS=EPSG:4326&BBOX=46,7,47,8&WIDTH=1e400&HEIGHT=64&FORMAT=image/png',
    FORM,
    WMS130,
  ),
  owsPost(
    'refuses a form with 10 000 repeated SERVICE values',
    Array.from({ length: 10_000 }, () => 'SERVICE=XYZ').join('&'),
    FORM,
  ),
  owsPost('refuses a form of invalid percent-encoding', 'SERVICE=%E0%A4%A&REQUEST=%', FORM),
  ...hostileFilters().map(({ label, xml }) =>
    owsPost(
      `refuses a form FILTER with ${label}`,
      `SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=${VECTOR_LAYER}&FILTER=${encodeURIComponent(xml)}`,
      FORM,
      WFS200,
    ),
  ),
  owsPost(
    'refuses a 4.7 MB FILTER sent as a form (XML size bound)',
    `SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=${VECTOR_LAYER}&FILTER=${encodeURIComponent(
      `<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">${'<fes:ResourceId rid="hut"/>'.repeat(180_000)}</fes:Filter>`,
    )}`,
    FORM,
    WFS200,
  ),
];

hostileTable('OWS XML bodies with a DOCTYPE', doctypeCases, server);
hostileTable('OWS XML bodies that are malformed', malformedCases, server);
hostileTable('OWS KVP sent as forms', formCases, server);
