/**
 * The FILTER parameter, for the part of Filter Encoding this WFS evaluates: a fes:Filter (2.0)
 * or ogc:Filter (1.1) holding a BBOX on a gml:Envelope or gml:Box, resource ids (fes:ResourceId rid,
 * ogc:FeatureId fid, ogc:GmlObjectId gml:id), or an And of those. That is enough for clients
 * that send their spatial filter this way (GDAL does); anything else is refused rather than
 * ignored, since ignoring a filter would return features the client excluded.
 *
 * parseFilter runs on the pool (wfs-worker.ts): a filter may be a megabyte of XML. Its size and
 * the absence of a DTD are checked before, on the main thread (wfs-jobs.ts).
 */
import { ServiceException } from '../../errors/service-exception.ts';
import { untrustedXmlParser } from '../../xml/untrusted-xml.ts';
import { DEFAULT_CRS, parseCrs, type Crs } from './wfs-crs.ts';

export interface BoxCondition {
  crs: Crs;
  values: [number, number, number, number];
}

export interface FilterConditions {
  boxes: BoxCondition[];
  /** Undefined when the filter names no ids; ids are alternatives (OR). */
  ids: string[] | undefined;
}

const parser = untrustedXmlParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  alwaysCreateTextNode: true,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

type Node = Record<string, unknown>;

export function parseFilter(text: string): FilterConditions {
  let document: Node;
  try {
    document = parser.parse(text) as Node;
  } catch (error) {
    throw invalid(`FILTER is not well-formed XML: ${(error as Error).message}`);
  }
  const root = children(document, 'Filter')[0];
  if (root === undefined) throw invalid('FILTER must be a fes:Filter or ogc:Filter element');
  const conditions: FilterConditions = { boxes: [], ids: undefined };
  collect(root, conditions, true);
  return conditions;
}

function collect(node: Node, into: FilterConditions, topLevel: boolean): void {
  for (const [name, value] of Object.entries(node)) {
    if (name.startsWith('@') || name === '#text') continue;
    for (const child of value as Node[]) {
      switch (name) {
        case 'BBOX':
          into.boxes.push(box(child));
          break;
        case 'ResourceId':
        case 'FeatureId':
        case 'GmlObjectId': {
          const id = child['@rid'] ?? child['@fid'] ?? child['@id'];
          if (typeof id !== 'string') throw invalid(`${name} needs an identifier attribute`);
          (into.ids ??= []).push(id);
          break;
        }
        case 'And':
          if (!topLevel) throw unsupported('nested And');
          collect(child, into, false);
          break;
        default:
          throw unsupported(name);
      }
    }
  }
}

/**
 * The box of a BBOX operator: a gml:Envelope (GML 3: lowerCorner/upperCorner, or two gml:pos)
 * or a gml:Box (GML 2, which GDAL sends to WFS 1.1: gml:coordinates `x,y x,y`). The corners are
 * in the axis order of the envelope's srsName, or of the default CRS without one.
 */
function box(node: Node): BoxCondition {
  const envelope = children(node, 'Envelope')[0] ?? children(node, 'Box')[0];
  if (envelope === undefined) throw invalid('BBOX needs a gml:Envelope');
  const srsName = envelope['@srsName'];
  const crs = typeof srsName === 'string' ? parseCrs(srsName) : DEFAULT_CRS;
  if (crs === undefined) throw invalid(`The CRS ${String(srsName)} is not supported`);
  const numbers = cornerNumbers(envelope);
  if (numbers.length !== 4 || !numbers.every(Number.isFinite)) {
    throw invalid('The BBOX envelope needs two corners of two numbers each');
  }
  return { crs, values: numbers as [number, number, number, number] };
}

function cornerNumbers(envelope: Node): number[] {
  const numbers = (value: string) =>
    value.trim() === '' ? [] : value.trim().split(/\s+/).map(Number);
  const coordinates = children(envelope, 'coordinates')[0];
  if (coordinates !== undefined) {
    const cs = coordinates['@cs'] ?? ',';
    const ts = coordinates['@ts'] ?? ' ';
    const decimal = coordinates['@decimal'] ?? '.';
    if (typeof cs !== 'string' || typeof ts !== 'string' || decimal !== '.') return [];
    const tuples =
      ts.trim() === '' ? text(coordinates).trim().split(/\s+/) : text(coordinates).split(ts);
    return tuples.flatMap((tuple) =>
      tuple.split(cs).map((n) => (n.trim() === '' ? NaN : Number(n))),
    );
  }
  const lower = children(envelope, 'lowerCorner')[0];
  const upper = children(envelope, 'upperCorner')[0];
  if (lower !== undefined && upper !== undefined) {
    return [...numbers(text(lower)), ...numbers(text(upper))];
  }
  return children(envelope, 'pos').flatMap((pos) => numbers(text(pos)));
}

function children(node: Node, name: string): Node[] {
  const value = node[name];
  return Array.isArray(value) ? (value as Node[]) : [];
}

function text(node: Node | undefined): string {
  const value = node?.['#text'];
  return typeof value === 'string' ? value : '';
}

function invalid(message: string): ServiceException {
  return new ServiceException('InvalidParameterValue', message, 'FILTER');
}

function unsupported(what: string): ServiceException {
  return new ServiceException(
    'OptionNotSupported',
    `The filter operator ${what} is not supported; FILTER may hold BBOX and resource ids, or an And of them`,
    'FILTER',
  );
}
