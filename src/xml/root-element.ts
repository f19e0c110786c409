/**
 * Reads the root element's start tag of an XML document, and nothing after it: the prolog (XML
 * declaration, comments, processing instructions) and `<name attr="value" …>`. An OWS request
 * sent as XML names its operation, service and version there, so the rest of a body, however
 * large, is never looked at here; a service that needs more parses it itself, bounded and on the
 * pool (untrusted-xml.ts).
 *
 * The scan is also bounded: it looks at no more than `limit` characters from the start, and a
 * document whose root start tag does not end by then is answered `too-long`. Each step is a
 * native string search or a sticky regular expression on that window, so the work is linear in
 * it and builds no tree.
 */
import { isXmlChars } from './xml-escape.ts';
import { decodeReferences, XmlReferenceError } from './xml-references.ts';

export type RootElementScan =
  | {
      kind: 'element';
      /** The qualified name as written, e.g. `wfs:GetFeature`. */
      name: string;
      /** The name without its prefix, e.g. `GetFeature`. */
      localName: string;
      /** Attribute values by qualified name, references decoded and whitespace normalised. */
      attributes: ReadonlyMap<string, string>;
    }
  /** A document type or entity declaration before the root: refused, never processed. */
  | { kind: 'dtd' }
  | { kind: 'too-long'; limit: number }
  | { kind: 'malformed'; reason: string };

const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
/** XML 1.0 (fifth edition) Name; sticky, so it matches exactly at lastIndex. */
// eslint-disable-next-line no-misleading-character-class -- combining marks are NameChars (a range, as the spec writes it)
const NAME = new RegExp(`[${NAME_START}][${NAME_CHAR}]*`, 'uy');
const SPACES = /[ \t\r\n]*/y;
const EQUALS = /[ \t\r\n]*=[ \t\r\n]*/y;

/** Whether the document's first character after a byte-order mark and whitespace is `<`. */
export function startsWithMarkup(text: string, limit: number): boolean {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  SPACES.lastIndex = start;
  SPACES.exec(text.length > limit ? text.slice(0, limit) : text);
  return text.charCodeAt(SPACES.lastIndex) === 0x3c;
}

export function readRootElement(text: string, limit: number): RootElementScan {
  // A slice of a string shares its characters: this bounds every search below.
  const window = text.length > limit ? text.slice(0, limit) : text;
  const cut = window.length < text.length;
  const incomplete = (what: string): RootElementScan =>
    cut ? { kind: 'too-long', limit } : { kind: 'malformed', reason: `${what} is not closed` };

  let at = window.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    at = skipSpaces(window, at);
    if (at >= window.length) {
      return cut ? { kind: 'too-long', limit } : { kind: 'malformed', reason: 'no root element' };
    }
    if (window[at] !== '<') {
      return { kind: 'malformed', reason: 'text before the root element' };
    }
    if (window.startsWith('<?', at)) {
      const end = window.indexOf('?>', at + 2);
      if (end === -1) return incomplete('A processing instruction');
      at = end + 2;
    } else if (window.startsWith('<!--', at)) {
      const end = window.indexOf('-->', at + 4);
      if (end === -1) return incomplete('A comment');
      at = end + 3;
    } else if (window.startsWith('<!DOCTYPE', at) || window.startsWith('<!ENTITY', at)) {
      return { kind: 'dtd' };
    } else if (window.startsWith('<!', at)) {
      return { kind: 'malformed', reason: 'a declaration other than a comment before the root' };
    } else {
      break;
    }
  }

  const name = matchName(window, at + 1);
  if (name === undefined) return { kind: 'malformed', reason: 'the root element has no name' };
  at += 1 + name.length;
  const attributes = new Map<string, string>();
  for (;;) {
    const afterSpaces = skipSpaces(window, at);
    if (afterSpaces >= window.length) return incomplete('The root start tag');
    if (window[afterSpaces] === '>' || window.startsWith('/>', afterSpaces)) {
      const end = afterSpaces + (window[afterSpaces] === '>' ? 1 : 2);
      if (!isXmlChars(window.slice(0, end))) {
        return { kind: 'malformed', reason: 'a character XML does not allow' };
      }
      const colon = name.indexOf(':');
      return { kind: 'element', name, localName: name.slice(colon + 1), attributes };
    }
    if (afterSpaces === at) {
      return { kind: 'malformed', reason: 'attributes must be separated by whitespace' };
    }
    const attribute = matchName(window, afterSpaces);
    if (attribute === undefined) return { kind: 'malformed', reason: 'an attribute has no name' };
    EQUALS.lastIndex = afterSpaces + attribute.length;
    if (EQUALS.exec(window) === null) {
      return { kind: 'malformed', reason: `the attribute ${attribute} has no value` };
    }
    const quote = window[EQUALS.lastIndex];
    if (quote !== '"' && quote !== "'") {
      return { kind: 'malformed', reason: `the value of ${attribute} is not quoted` };
    }
    const valueStart = EQUALS.lastIndex + 1;
    const valueEnd = window.indexOf(quote, valueStart);
    if (valueEnd === -1) return incomplete(`The value of ${attribute}`);
    const raw = window.slice(valueStart, valueEnd);
    if (raw.includes('<')) {
      return { kind: 'malformed', reason: `the value of ${attribute} holds a <` };
    }
    if (attributes.has(attribute)) {
      return { kind: 'malformed', reason: `the attribute ${attribute} appears twice` };
    }
    try {
      // Attribute-value normalisation: literal whitespace becomes a space, references do not.
      attributes.set(attribute, decodeReferences(raw.replace(/[\t\r\n]/g, ' ')));
    } catch (error) {
      if (!(error instanceof XmlReferenceError)) throw error;
      return { kind: 'malformed', reason: error.message };
    }
    at = valueEnd + 1;
  }
}

function skipSpaces(text: string, from: number): number {
  SPACES.lastIndex = from;
  SPACES.exec(text);
  return SPACES.lastIndex;
}

function matchName(text: string, from: number): string | undefined {
  NAME.lastIndex = from;
  return NAME.exec(text)?.[0];
}
