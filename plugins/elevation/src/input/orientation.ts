/**
 * The side of a line a point lies on, exactly. A plain floating-point cross product misjudges
 * points on or very near a line (a hole's corner placed on its shell's edge at decimal
 * coordinates), which would turn a valid touch into a reported crossing or hide a real one. So
 * the fast product is trusted only when it is clearly away from zero (Shewchuk's error bound),
 * and otherwise the determinant is computed exactly in BigInt, as GEOS's robust predicates do.
 */

/** Relative error bound of the floating-point determinant (Shewchuk, ccwerrboundA). */
const ERROR_BOUND = (3 + 16 * Number.EPSILON) * Number.EPSILON;

/** > 0 when c lies left of a→b, < 0 right of it, 0 exactly on the line. */
export function orientation(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
): number {
  const left = (ax - cx) * (by - cy);
  const right = (ay - cy) * (bx - cx);
  const det = left - right;
  const bound = ERROR_BOUND * (Math.abs(left) + Math.abs(right));
  if (det > bound || -det > bound) return Math.sign(det);
  // Both products exactly zero (a difference of doubles is 0 only for equal values): shared
  // end points, the common case between neighbouring edges.
  if (bound === 0) return 0;
  return exactOrientation([ax, ay, bx, by, cx, cy]);
}

const view = new DataView(new ArrayBuffer(8));

/** A finite double as mantissa × 2^exponent. */
function decompose(x: number): [bigint, number] {
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = biased === 0 ? -1074 : biased - 1075;
  return [high >>> 31 === 1 ? -mantissa : mantissa, exponent];
}

function exactOrientation(values: number[]): number {
  const parts = values.map(decompose);
  const lowest = Math.min(...parts.map(([, e]) => e));
  const [ax, ay, bx, by, cx, cy] = parts.map(([m, e]) => m << BigInt(e - lowest)) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  const det = (ax - cx) * (by - cy) - (ay - cy) * (bx - cx);
  return det > 0n ? 1 : det < 0n ? -1 : 0;
}
