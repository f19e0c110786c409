/**
 * The rules for XML a client sends (a POSTed OWS document, a WFS FILTER): bounded in size,
 * without a document type declaration, and parsed in full only on the worker pool.
 *
 * A DTD is where entities are declared, internal (billion laughs: a few hundred bytes that
 * expand to gigabytes) or external (`SYSTEM "file:///etc/passwd"`, `http://…`: a file read or a
 * request made on the client's behalf). No OGC request needs one, so any `<!DOCTYPE` or
 * `<!ENTITY` is refused before parsing, and the parser is given a decoder that knows the five
 * predefined entities and character references only, so it cannot expand anything else even if
 * a declaration slipped through.
 */
import { XMLParser, type X2jOptions } from 'fast-xml-parser';
import { isXmlChars } from './xml-escape.ts';
import { decodeReferences, XmlReferenceError } from './xml-references.ts';

export type UntrustedXmlProblem =
  { kind: 'too-large'; bytes: number; limit: number } | { kind: 'dtd' };

/**
 * What makes `text` unacceptable before any parsing: more than `maxBytes` of UTF-8, or a DTD.
 * Cheap (native scans, no tree), so it runs on the main thread and refuses at once.
 */
export function untrustedXmlProblem(
  text: string,
  maxBytes: number,
): UntrustedXmlProblem | undefined {
  // Every UTF-16 unit is at least one UTF-8 byte and at most three, so most texts are decided
  // by their length alone.
  if (text.length > maxBytes)
    return { kind: 'too-large', bytes: Buffer.byteLength(text), limit: maxBytes };
  if (text.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(text);
    if (bytes > maxBytes) return { kind: 'too-large', bytes, limit: maxBytes };
  }
  if (text.includes('<!DOCTYPE') || text.includes('<!ENTITY')) return { kind: 'dtd' };
  return undefined;
}

/** The client-facing sentence for a problem, naming what was sent (a body, a parameter). */
export function describeUntrustedXmlProblem(problem: UntrustedXmlProblem, what: string): string {
  return problem.kind === 'dtd'
    ? `${what} has a document type declaration (<!DOCTYPE> or <!ENTITY>); DTDs and entities are not accepted`
    : `${what} is ${problem.bytes} bytes of XML; at most ${problem.limit} are accepted`;
}

/** Parser options Relief never lets a caller change. */
const SAFE_OPTIONS = {
  processEntities: true,
  htmlEntities: false,
  entityDecoder: {
    decode: decodeReferences,
    addInputEntities: () => {
      throw new XmlReferenceError('Document type declarations are not accepted');
    },
    setExternalEntities: () => undefined,
    reset: () => undefined,
    setXmlVersion: () => undefined,
  },
} satisfies X2jOptions;

/**
 * A fast-xml-parser for client XML: `options` shape the tree; entity handling is fixed (see the
 * module comment). Parse on the pool, after untrustedXmlProblem has passed the text.
 */
export function untrustedXmlParser(options: Omit<X2jOptions, keyof typeof SAFE_OPTIONS>): {
  parse(text: string): unknown;
} {
  const parser = new XMLParser({ ...options, ...SAFE_OPTIONS });
  return {
    parse(text: string): unknown {
      if (!isXmlChars(text)) {
        throw new Error('The document holds characters XML does not allow');
      }
      // `true`: fast-xml-parser's validator checks the structure first.
      return parser.parse(text, true);
    },
  };
}
