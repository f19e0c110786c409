import { describe, expect, it } from 'vitest';
import { readRootElement, startsWithMarkup } from '../../../src/xml/root-element.ts';

const LIMIT = 1024 * 1024;

function element(text: string, limit = LIMIT) {
  const scan = readRootElement(text, limit);
  if (scan.kind !== 'element') throw new Error(`expected an element, got ${JSON.stringify(scan)}`);
  return {
    name: scan.name,
    localName: scan.localName,
    attributes: Object.fromEntries(scan.attributes),
  };
}

describe('readRootElement', () => {
  it('reads the root name and attributes after a declaration, comments and PIs', () => {
    const text =
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- a <comment> -->\n<?pi x?>\n' +
      '<wfs:GetFeature service="WFS" version=\'2.0.0\'\n  xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:Query/></wfs:GetFeature>';
    expect(element(text)).toEqual({
      name: 'wfs:GetFeature',
      localName: 'GetFeature',
      attributes: {
        service: 'WFS',
        version: '2.0.0',
        'xmlns:wfs': 'http://www.opengis.net/wfs/2.0',
      },
    });
    expect(element('<GetCapabilities/>')).toMatchObject({
      name: 'GetCapabilities',
      attributes: {},
    });
  });

  it('decodes references and normalises whitespace in attribute values', () => {
    expect(
      element('<a v="x&amp;y&lt;&#65;&#x42;&quot;&apos;" w="a\tb\nc" z="&#9;"/>').attributes,
    ).toEqual({
      v: 'x&y<AB"\'',
      w: 'a b c',
      z: '\t',
    });
  });

  it('never looks past the root start tag: the rest may be anything', () => {
    const body = `<GetFeature service="WFS">${'<unclosed>&undefined; \u0000'.repeat(100_000)}`;
    expect(element(body).localName).toBe('GetFeature');
  });

  it('answers too-long when the root start tag does not end within the limit', () => {
    expect(readRootElement(`<!--${' '.repeat(2000)}--><a/>`, 1000)).toEqual({
      kind: 'too-long',
      limit: 1000,
    });
    expect(readRootElement(`<a v="${'x'.repeat(2000)}"/>`, 1000).kind).toBe('too-long');
    expect(readRootElement(`${' '.repeat(2000)}<a/>`, 1000).kind).toBe('too-long');
    // Within the limit the same documents are read.
    expect(element(`<a v="${'x'.repeat(2000)}"/>`, 3000).attributes.v).toHaveLength(2000);
  });

  it.each([
    '<!DOCTYPE a [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>',
    '<?xml version="1.0"?><!DOCTYPE a SYSTEM "file:///etc/passwd"><a>&x;</a>',
    '<!-- hi --><!DOCTYPE a PUBLIC "-//x" "http://evil.example/x.dtd"><a/>',
    '<!ENTITY x "y"><a/>',
  ])('refuses a document type or entity declaration: %s', (text) => {
    expect(readRootElement(text, LIMIT)).toEqual({ kind: 'dtd' });
  });

  it.each([
    ['', 'no root element'],
    ['   ', 'no root element'],
    ['text<a/>', 'text before the root element'],
    ['<?pi', 'A processing instruction is not closed'],
    ['<!-- open', 'A comment is not closed'],
    ['<![CDATA[x]]><a/>', 'a declaration other than a comment before the root'],
    ['<1a/>', 'the root element has no name'],
    ['<a', 'The root start tag is not closed'],
    ['<a b="1"c="2"/>', 'attributes must be separated by whitespace'],
    ['<a b/>', 'the attribute b has no value'],
    ['<a b=1/>', 'the value of b is not quoted'],
    ['<a b="1/>', 'The value of b is not closed'],
    ['<a b="<"/>', 'the value of b holds a <'],
    ['<a b="1" b="2"/>', 'the attribute b appears twice'],
    ['<a b="&x;"/>', 'The entity &x; is not defined'],
    ['<a b="&#0;"/>', 'The character reference &#0; is not an XML character'],
    ['<a b="x & y"/>', 'A bare & is not allowed; write &amp;'],
    ['<a b="\u0001"/>', 'a character XML does not allow'],
    ['<a\u001b/>', 'attributes must be separated by whitespace'],
  ])('refuses the malformed %j', (text, reason) => {
    expect(readRootElement(text, LIMIT)).toEqual({ kind: 'malformed', reason });
  });
});

describe('startsWithMarkup', () => {
  it('is true when the first character after a BOM and whitespace is <', () => {
    expect(startsWithMarkup('\uFEFF \n <a/>', LIMIT)).toBe(true);
    expect(startsWithMarkup('<a/>', LIMIT)).toBe(true);
    expect(startsWithMarkup('a=b', LIMIT)).toBe(false);
    expect(startsWithMarkup('', LIMIT)).toBe(false);
    expect(startsWithMarkup(`${' '.repeat(100)}<a/>`, 10)).toBe(false);
  });
});
