import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { xmlDocument, xmlString } from '../../../src/xml/xml-document.ts';
import { untrustedXmlParser } from '../../../src/xml/untrusted-xml.ts';
import { escapeAttribute, escapeText, xmlChars } from '../../../src/xml/xml-escape.ts';
import { checkXmlCharacters } from '../../helpers/parse-xml.ts';

/** Every character XML 1.0 forbids, and a few it allows that look alike. */
export const INVALID_CHARACTERS = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000B',
  '\u000C',
  '\u000E',
  '\u001B',
  '\u001F',
  '\uFFFE',
  '\uFFFF',
  '\uD800',
  '\uDFFF',
];
const HOSTILE = `a${INVALID_CHARACTERS.join('b')}z <&> "q" 'a' ]]> &id; &#0; &amp; \t\n\r end`;

/** Structure by fast-xml-parser's validator, characters and references by the test helper. */
function wellFormed(xml: string): void {
  const validation = XMLValidator.validate(xml);
  expect(validation, JSON.stringify(validation)).toBe(true);
  checkXmlCharacters(xml);
}

/**
 * The root's text and attributes as read back by the parser Relief uses for client XML: it
 * decodes each reference once (xmlbuilder2's own parser decodes `&amp;#0;` twice, to a NUL).
 */
const reader = untrustedXmlParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
});

function readBack(xml: string): { text: string; attribute: (name: string) => string | undefined } {
  const document = reader.parse(xml) as Record<string, Record<string, string>>;
  const root = Object.entries(document).find(([name]) => !name.startsWith('?'))?.[1] ?? {};
  const text = root['#text'] ?? '';
  return { text, attribute: (name) => root[`@${name}`] };
}

describe('xmlChars', () => {
  it('replaces each character XML 1.0 cannot carry by U+FFFD, and nothing else', () => {
    for (const character of INVALID_CHARACTERS) {
      expect(xmlChars(`a${character}b`)).toBe('a\uFFFDb');
    }
    const allowed = 'tab\t lf\n cr\r é 😀 \uD7FF \uE000 \uFFFD <&>';
    expect(xmlChars(allowed)).toBe(allowed);
  });

  it('keeps surrogate pairs and replaces lone halves wherever they are', () => {
    expect(xmlChars('\uD83D\uDE00')).toBe('😀');
    expect(xmlChars('\uDE00\uD83D')).toBe('\uFFFD\uFFFD');
    expect(xmlChars('x\uD83D')).toBe('x\uFFFD');
  });
});

describe('escapeText and escapeAttribute', () => {
  it('make well-formed XML of any string, which reads back with U+FFFD for invalid characters', () => {
    const xml = `<r a="${escapeAttribute(HOSTILE)}" b='${escapeAttribute(HOSTILE)}'>${escapeText(HOSTILE)}</r>`;
    wellFormed(xml);
    const expected = xmlChars(HOSTILE);
    const read = readBack(xml);
    expect(read.attribute('a')).toBe(expected);
    expect(read.attribute('b')).toBe(expected);
    expect(read.text).toBe(expected);
  });

  it('escapes only what needs escaping', () => {
    expect(escapeText('a<b>&c "d"')).toBe('a&lt;b&gt;&amp;c "d"');
    expect(escapeAttribute('a<b>&c "d" \'e\'\t')).toBe(
      'a&lt;b&gt;&amp;c &quot;d&quot; &#39;e&#39;&#9;',
    );
    const plain = 'nothing to do here';
    expect(escapeText(plain)).toBe(plain);
    expect(escapeAttribute(plain)).toBe(plain);
  });
});

describe('xmlDocument and xmlString', () => {
  it('write well-formed XML whatever text and attribute values hold, and it reads back', () => {
    const document = xmlDocument();
    document.ele('r', { value: HOSTILE }).txt(HOSTILE);
    const xml = xmlString(document);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    wellFormed(xml);
    const read = readBack(xml);
    expect(read.attribute('value')).toBe(xmlChars(HOSTILE));
    expect(read.text).toBe(xmlChars(HOSTILE));
  });

  it('escape what looks like a reference once, however often the document is written', () => {
    const document = xmlDocument();
    const child = document.ele('root').ele('child', { href: 'http://h/ows?A=1&B=2' });
    child.txt('&id; &amp;');
    const once = xmlString(document);
    expect(once).toContain('<child href="http://h/ows?A=1&amp;B=2">&amp;id; &amp;amp;</child>');
    expect(xmlString(child)).toBe(once);
  });
});
