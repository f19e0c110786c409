/**
 * The nesting depth of a JSON text, found by one linear pass without recursion. Deeply nested
 * bodies parse, but every later walk over them (structured clone to a worker, JSON.stringify,
 * validation) recurses and overflows the stack, so they are refused before parsing.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * The offset of the first `[` or `{` that opens level `maxDepth + 1`, or -1 when the text stays
 * within `maxDepth` levels. Brackets inside strings do not count; malformed JSON is left for the
 * parser to report.
 */
export function findJsonTooDeep(text: string, maxDepth: number): number {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      // Skip the string in one go: find the closing quote that no backslash escapes.
      i++;
      while (i < length) {
        const inner = text.charCodeAt(i);
        if (inner === BACKSLASH) i += 2;
        else if (inner === QUOTE) break;
        else i++;
      }
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      depth++;
      if (depth > maxDepth) return i;
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      depth--;
    }
  }
  return -1;
}
