/**
 * OWS operations sent as XML by POST (e.g. a WFS GetFeature document): the root element names
 * the operation, its `service` and `version` attributes the rest. Only the root is read here;
 * the service parses the body it understands.
 */
import { XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  stopNodes: ['*.*'],
  processEntities: false,
});

export interface XmlOperation {
  request: string;
  service?: string;
  version?: string;
}

export function readXmlOperation(body: string): XmlOperation | undefined {
  let document: Record<string, unknown>;
  try {
    document = parser.parse(body, true) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const root = Object.keys(document).find((key) => !key.startsWith('?'));
  if (root === undefined) return undefined;
  const element = document[root];
  const attributes =
    element !== null && typeof element === 'object' ? (element as Record<string, unknown>) : {};
  const text = (name: string): string | undefined =>
    typeof attributes[name] === 'string' ? (attributes[name] as string) : undefined;
  return { request: root, service: text('service'), version: text('version') };
}
