/**
 * Escaping for the XML the WFS writes by hand. Features are serialised as strings, not through a
 * DOM, because GetFeature streams hundreds of thousands of them; these two functions are what
 * keeps that correct. Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates,
 * U+FFFE/U+FFFF) are dropped rather than producing a document no parser accepts.
 */
const INVALID =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const TEXT_SPECIAL = /[&<>\r]/;
const ATTRIBUTE_SPECIAL = /[&<>"\t\n\r]/;
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Character data: `&`, `<`, `>` (for `]]>`) and CR (which parsers would fold into LF). */
export function escapeText(value: string): string {
  const clean = value.replace(INVALID, '');
  return TEXT_SPECIAL.test(clean) ? clean.replace(/[&<>\r]/g, (c) => ENTITIES[c] as string) : clean;
}

/** A double-quoted attribute value; whitespace is escaped so normalisation keeps it. */
export function escapeAttribute(value: string): string {
  const clean = value.replace(INVALID, '');
  return ATTRIBUTE_SPECIAL.test(clean)
    ? clean.replace(/[&<>"\t\n\r]/g, (c) => ENTITIES[c] as string)
    : clean;
}
