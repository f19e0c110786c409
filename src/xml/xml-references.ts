/**
 * Entity and character references in XML that clients send. Only the five entities XML
 * predefines and character references are understood: Relief refuses document type declarations
 * (untrusted-xml.ts), so no other entity can be defined, and an unknown one makes the document
 * not well-formed rather than being expanded or kept as text.
 */
import { isXmlChars } from './xml-escape.ts';

const PREDEFINED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

const REFERENCE = /&(?:([A-Za-z_][\w.-]*)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/g;

/** Thrown for a reference XML does not define here; the message names it. */
export class XmlReferenceError extends Error {
  override readonly name = 'XmlReferenceError';
}

/** `text` with its references replaced by what they stand for. */
export function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  const decoded = text.replace(
    REFERENCE,
    (reference, name?: string, decimal?: string, hex?: string) => {
      if (name !== undefined) {
        const value = PREDEFINED[name];
        if (value === undefined) {
          throw new XmlReferenceError(`The entity ${reference} is not defined`);
        }
        return value;
      }
      const code = decimal !== undefined ? Number(decimal) : parseInt(hex ?? '', 16);
      const character = code <= 0x10ffff ? String.fromCodePoint(code) : '';
      if (character === '' || !isXmlChars(character)) {
        throw new XmlReferenceError(`The character reference ${reference} is not an XML character`);
      }
      return character;
    },
  );
  // What is left of a `&` after the replacement was not a reference at all.
  if (text.replace(REFERENCE, '').includes('&')) {
    throw new XmlReferenceError('A bare & is not allowed; write &amp;');
  }
  return decoded;
}
