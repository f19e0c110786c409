/**
 * Hostile parameter values, percent-encoded as they go into a query string or form body, each
 * with a label for the case name. Shared by every table so each area meets the same attacks.
 */

export interface HostileValue {
  label: string;
  /** Percent-encoded, ready for a query string. */
  value: string;
}

const v = (label: string, value: string): HostileValue => ({ label, value });

/** Values no integer or size parameter may accept. */
export const BAD_NUMBERS: readonly HostileValue[] = [
  v('empty', ''),
  v('blank', '%20%20'),
  v('a word', 'abc'),
  v('NaN', 'NaN'),
  v('Infinity', 'Infinity'),
  v('-Infinity', '-Infinity'),
  v('1e400 (overflows to Infinity)', '1e400'),
  v('hex 0x10', '0x10'),
  v('a trailing unit', '256px'),
  v('a NUL byte', '%00'),
  v('2^64', '18446744073709551616'),
];

/** Sizes and counts that are numbers, but never valid ones. */
export const BAD_SIZES: readonly HostileValue[] = [
  v('zero', '0'),
  v('-1', '-1'),
  v('-0', '-0'),
  v('a fraction', '1.5'),
  v('-2^31', '-2147483648'),
];

/** Names (layers, styles, types, coverages) that must never resolve to anything. */
export const BAD_NAMES: readonly HostileValue[] = [
  v('an unknown name', 'nowhere'),
  v('path traversal', '..%2F..%2F..%2Fetc%2Fpasswd'),
  v('encoded dot segments', '%2e%2e%2f%2e%2e%2fetc%2fpasswd'),
  v('overlong UTF-8 dots (%c0%ae)', '%c0%ae%c0%ae%2f%c0%ae%c0%ae%2fetc'),
  v('a Windows path', '..%5C..%5Cwindows%5Cwin.ini'),
  v('a NUL byte', 'elevation%00'),
  v('U+0001', '%01'),
  v('a vertical tab', '%0B'),
  v('ESC', '%1B%5B31m'),
  v('U+FFFF', '%EF%BF%BF'),
  v('a lone surrogate in percent-encoding', '%ED%A0%80'),
  v('invalid UTF-8', '%FF%FE%FD'),
  v('markup', '%3Cscript%3Ealert(1)%3C%2Fscript%3E'),
  v('a CDATA end', '%5D%5D%3E'),
  v('an entity reference', '%26xxe%3B'),
  v('a 10 000-character name', 'a'.repeat(10_000)),
];

/** Control and non-character code points a report must not echo raw. */
export const UNECHOABLE: readonly HostileValue[] = BAD_NAMES.filter((value) =>
  ['a NUL byte', 'U+0001', 'a vertical tab', 'ESC', 'U+FFFF'].includes(value.label),
);

/** Bounding boxes no service may accept: wrong arity, not numbers, inverted, empty, unbounded. */
export const BAD_BBOXES: readonly HostileValue[] = [
  v('empty', ''),
  v('three numbers', '1,2,3'),
  v('five numbers', '1,2,3,4,5'),
  v('NaN corners', 'NaN,NaN,NaN,NaN'),
  v('an Infinity corner', '7,46,Infinity,47'),
  v('a 1e400 corner', '7,46,1e400,47'),
  v('an inverted box', '8,47,7,46'),
  v('a zero-area box', '7,46,7,46'),
  v('hex corners', '0x7,0x2e,0x8,0x2f'),
  v('words', 'a,b,c,d'),
  v('an empty corner', '7,,8,47'),
  v('a NUL byte', '7,46,8,47%00'),
];

/** A value repeated `count` times, comma-separated. */
export function repeated(value: string, count: number): string {
  return Array.from({ length: count }, () => value).join(',');
}
