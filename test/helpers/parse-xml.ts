/**
 * Reads XML answers for assertions: checks well-formedness first (fast-xml-parser's validator
 * for the structure, checkXmlCharacters for what it lets through), then gives a plain tree in
 * which every element is a list (so repeated and single elements read the same way) and
 * attributes are `@_name` keys.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  [key: string]: string | XmlElement[];
}

export interface XmlDocument {
  /** The root element's qualified name, e.g. `wfs:WFS_Capabilities`. */
  name: string;
  /** The namespace the root element's prefix (or the default namespace) is bound to. */
  namespace: string | undefined;
  root: XmlElement;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  alwaysCreateTextNode: true,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

export function parseXml(text: string): XmlDocument {
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    throw new Error(`Not well-formed XML: ${validation.err.msg} (line ${validation.err.line})`);
  }
  checkXmlCharacters(text);
  const tree = parser.parse(text) as Record<string, XmlElement[]>;
  const names = Object.keys(tree).filter((key) => !key.startsWith('?') && !key.startsWith('!'));
  if (names.length !== 1) throw new Error(`Expected one root element, got ${names.join(', ')}`);
  const name = names[0] as string;
  const root = (tree[name] as XmlElement[])[0] as XmlElement;
  const prefix = name.includes(':') ? name.slice(0, name.indexOf(':')) : undefined;
  const namespace = attr(root, prefix === undefined ? 'xmlns' : `xmlns:${prefix}`);
  return { name, namespace, root };
}

/** All children with this qualified name, in document order. */
export function all(element: XmlElement, name: string): XmlElement[] {
  const value = element[name];
  return Array.isArray(value) ? value : [];
}

/** The first child with this qualified name; fails the test when there is none. */
export function first(element: XmlElement, ...path: string[]): XmlElement {
  let current = element;
  for (const name of path) {
    const next = all(current, name)[0];
    if (next === undefined) throw new Error(`No <${name}> in <${childNames(current).join(', ')}>`);
    current = next;
  }
  return current;
}

export function text(element: XmlElement): string {
  const value = element['#text'];
  return typeof value === 'string' ? value : '';
}

/** The text of each child with this name. */
export function texts(element: XmlElement, name: string): string[] {
  return all(element, name).map(text);
}

export function attr(element: XmlElement, name: string): string | undefined {
  const value = element[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** Child element names in the order they first appear, which is schema order for valid XML. */
export function childNames(element: XmlElement): string[] {
  return Object.keys(element).filter((key) => !key.startsWith('@_') && key !== '#text');
}

/** XML 1.0's Char production: what a document may hold, literally or by character reference. */
const XML_CHARS = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/y;

/**
 * What fast-xml-parser's validator does not check: every character is one XML 1.0 allows (no
 * NUL, ESC, U+FFFF or lone surrogate), and every `&` starts a predefined entity or a character
 * reference to an allowed character. Our documents define no entities of their own.
 */
export function checkXmlCharacters(text: string): void {
  if (!XML_CHARS.test(text)) {
    let at = 0;
    for (const character of text) {
      if (!XML_CHARS.test(character)) {
        const hex = (character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
        throw new Error(`Not well-formed XML: character U+${hex} at ${at}`);
      }
      at += character.length;
    }
  }
  for (let at = text.indexOf('&'); at !== -1; at = text.indexOf('&', at + 1)) {
    REFERENCE.lastIndex = at;
    const match = REFERENCE.exec(text);
    if (match === null) throw new Error(`Not well-formed XML: a bare & at ${at}`);
    const code =
      match[2] !== undefined
        ? Number(match[2])
        : match[3] !== undefined
          ? parseInt(match[3], 16)
          : 0x20;
    if (code > 0x10ffff || !XML_CHARS.test(String.fromCodePoint(code))) {
      throw new Error(`Not well-formed XML: ${match[0]} refers to a character XML does not allow`);
    }
  }
}
