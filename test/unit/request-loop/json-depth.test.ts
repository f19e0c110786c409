import { describe, expect, it } from 'vitest';
import { findJsonTooDeep } from '../../../src/request-loop/json-depth.ts';

describe('findJsonTooDeep', () => {
  it('accepts text within the bound and points at the first bracket beyond it', () => {
    expect(findJsonTooDeep('[[[]]]', 3)).toBe(-1);
    expect(findJsonTooDeep('[[[[]]]]', 3)).toBe(3);
    expect(findJsonTooDeep('{"a":{"b":[1]}}', 3)).toBe(-1);
    expect(findJsonTooDeep('{"a":{"b":[{}]}}', 3)).toBe(11);
  });

  it('counts depth, not the number of brackets', () => {
    expect(findJsonTooDeep('[' + '[],'.repeat(10_000) + '[]]', 2)).toBe(-1);
  });

  it('ignores brackets inside strings, including after escaped quotes and backslashes', () => {
    expect(findJsonTooDeep('["[[[[", "{{{{"]', 1)).toBe(-1);
    expect(findJsonTooDeep('["\\"[[[[", "\\\\", "]]]"]', 1)).toBe(-1);
    // The backslash before the closing quote is itself escaped, so the string ends there.
    expect(findJsonTooDeep('["\\\\", [[]]]', 2)).toBe(8);
  });

  it('scans 4000-deep and 1 MB-deep texts without recursion', () => {
    expect(findJsonTooDeep('['.repeat(4000) + ']'.repeat(4000), 64)).toBe(64);
    const huge = '['.repeat(1 << 20) + ']'.repeat(1 << 20);
    expect(findJsonTooDeep(huge, 1 << 21)).toBe(-1);
  });

  it('leaves malformed JSON to the parser', () => {
    expect(findJsonTooDeep(']]]][', 1)).toBe(-1);
    expect(findJsonTooDeep('"unterminated [[[[', 1)).toBe(-1);
  });
});
