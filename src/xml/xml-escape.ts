/**
 * The one escaper for the XML, SVG and HTML Relief writes by hand: exception images, legends,
 * GetFeatureInfo HTML, GML features streamed as strings (GetFeature writes hundreds of thousands
 * of them, so no DOM). Documents built with xmlbuilder2 get the same treatment through
 * xml-document.ts.
 *
 * Characters XML 1.0 cannot carry at all (C0 controls but tab, LF and CR; lone surrogates;
 * U+FFFE and U+FFFF) are replaced by U+FFFD, never passed through: one such character makes the
 * whole document unreadable to every parser, and it usually comes from a client's parameter
 * echoed into a message. Replacing rather than dropping keeps visible that something was there
 * (`a\0b` must not read as the name `ab`).
 */

/** What an invalid character becomes: U+FFFD REPLACEMENT CHARACTER. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

const INVALID =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const TEXT_SPECIAL = /[&<>\r]/;
const ATTRIBUTE_SPECIAL = /[&<>"'\t\n\r]/;
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Whether every character of `value` is one XML 1.0 allows. */
export function isXmlChars(value: string): boolean {
  INVALID.lastIndex = 0;
  const invalid = INVALID.test(value);
  INVALID.lastIndex = 0;
  return !invalid;
}

/** `value` with every character XML 1.0 cannot carry replaced by U+FFFD; nothing else changes. */
export function xmlChars(value: string): string {
  return value.replace(INVALID, REPLACEMENT_CHARACTER);
}

/** Character data: `&`, `<`, `>` (for `]]>`) and CR (which parsers would fold into LF). */
export function escapeText(value: string): string {
  const clean = xmlChars(value);
  return TEXT_SPECIAL.test(clean) ? clean.replace(/[&<>\r]/g, (c) => ENTITIES[c] as string) : clean;
}

/**
 * An attribute value, in double or single quotes alike; whitespace is escaped so attribute
 * normalisation keeps it. Also right for HTML text and attributes.
 */
export function escapeAttribute(value: string): string {
  const clean = xmlChars(value);
  return ATTRIBUTE_SPECIAL.test(clean)
    ? clean.replace(/[&<>"'\t\n\r]/g, (c) => ENTITIES[c] as string)
    : clean;
}
