/**
 * Numbers in OWS KVP parameters (BBOX, WIDTH, RESX, …), read strictly. `Number()` alone takes
 * `0x10`, `Infinity`, `1e400` (Infinity) and ` ` (0); these take only what the standards'
 * XML Schema types allow: a finite decimal (optionally with an exponent) or whole digits.
 */

const DECIMAL = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const DIGITS = /^\s*\d{1,15}\s*$/;

/** A finite decimal number (`-7.5`, `2.5E6`); NaN for hex, `Infinity`, `NaN`, `1e400`, ''. */
export function owsDecimal(text: string | undefined): number {
  const value = text !== undefined && DECIMAL.test(text) ? Number(text) : NaN;
  return Number.isFinite(value) ? value : NaN;
}

/** A whole number written in digits (`64`); NaN for anything else (`1e2`, `-1`, `0x40`). */
export function owsWholeNumber(text: string | undefined): number {
  return text !== undefined && DIGITS.test(text) ? Number(text) : NaN;
}
