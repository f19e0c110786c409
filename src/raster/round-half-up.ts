/**
 * Rounding for per-pixel loops. V8 compiles `Math.round` into a slow path when the result goes
 * into a typed array: about 7 ns a call against 0.6 ns for `Math.floor(x + 0.5)` (Node 20, a
 * million Float64 → Int16 stores; docs/performance.md, "Per-pixel rounding"), which made it half
 * of a hillshade's shading time. Both give the same result for every value these loops round:
 * they differ only within one ulp below a half.
 */
export function roundHalfUp(value: number): number {
  return Math.floor(value + 0.5);
}
