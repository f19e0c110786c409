import { describe, expect, it } from 'vitest';
import {
  describeUntrustedXmlProblem,
  untrustedXmlParser,
  untrustedXmlProblem,
} from '../../../src/xml/untrusted-xml.ts';

const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from(
    { length: 9 },
    (_, k) => `<!ENTITY lol${k + 1} "${`&lol${k === 0 ? '' : k};`.repeat(10)}">`,
  ).join('') +
  ']><lolz>&lol9;</lolz>';

describe('untrustedXmlProblem', () => {
  it('refuses more UTF-8 bytes than the limit, counting multi-byte characters', () => {
    expect(untrustedXmlProblem('<a/>', 4)).toBeUndefined();
    expect(untrustedXmlProblem('<a/> ', 4)).toEqual({ kind: 'too-large', bytes: 5, limit: 4 });
    // Two characters, six bytes.
    expect(untrustedXmlProblem('€€', 5)).toEqual({ kind: 'too-large', bytes: 6, limit: 5 });
    expect(untrustedXmlProblem('€€', 6)).toBeUndefined();
  });

  it.each([
    BILLION_LAUGHS,
    '<!DOCTYPE a SYSTEM "file:///etc/passwd"><a>&x;</a>',
    '<!DOCTYPE a SYSTEM "http://evil.example/x.dtd"><a/>',
    '<a><!ENTITY x "y"></a>',
  ])('refuses a document type or entity declaration anywhere: %s', (text) => {
    expect(untrustedXmlProblem(text, 1024 * 1024)).toEqual({ kind: 'dtd' });
  });

  it('says what was refused and why', () => {
    expect(
      describeUntrustedXmlProblem({ kind: 'too-large', bytes: 2000, limit: 1000 }, 'FILTER'),
    ).toBe('FILTER is 2000 bytes of XML; at most 1000 are accepted');
    expect(describeUntrustedXmlProblem({ kind: 'dtd' }, 'The XML request body')).toBe(
      'The XML request body has a document type declaration (<!DOCTYPE> or <!ENTITY>); DTDs and entities are not accepted',
    );
  });
});

describe('untrustedXmlParser', () => {
  const parser = untrustedXmlParser({ ignoreAttributes: false, attributeNamePrefix: '@' });

  it('decodes the predefined entities and character references', () => {
    expect(parser.parse('<a b="&lt;&#65;&quot;">x &amp; &#x263A; &apos;</a>')).toEqual({
      a: { '@b': '<A"', '#text': "x & ☺ '" },
    });
  });

  it('never expands an entity a document declares, even when no check ran before', () => {
    expect(() => parser.parse(BILLION_LAUGHS)).toThrow(
      'Document type declarations are not accepted',
    );
    expect(() =>
      parser.parse('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'),
    ).toThrow();
  });

  it('refuses undefined entities, bad character references and characters XML forbids', () => {
    expect(() => parser.parse('<a>&x;</a>')).toThrow('The entity &x; is not defined');
    expect(() => parser.parse('<a>&#1;</a>')).toThrow('&#1; is not an XML character');
    expect(() => parser.parse('<a>\u0000</a>')).toThrow('characters XML does not allow');
    expect(() => parser.parse('<a><b></a>')).toThrow();
  });
});
