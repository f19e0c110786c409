/**
 * Colour ramps for heights: colours at given heights (stops), linear interpolation in RGB between
 * them, the end colours beyond the first and last stop. A ramp is turned into a lookup table
 * over every Int16 value once, so colouring a window is one table read per pixel.
 */

/** [red, green, blue] or [red, green, blue, alpha], each 0–255. */
export type RampColor =
  readonly [number, number, number] | readonly [number, number, number, number];

/** Stops as [metres, colour], heights strictly increasing; at least one stop. */
export interface ColorRamp {
  stops: readonly (readonly [number, RampColor])[];
}

/**
 * The default hypsometric ramp (colours exactly at the stops, linear between them):
 *   -500 m blue (30, 90, 190) · 0 m green (40, 140, 70) · 500 m light green (150, 200, 90) ·
 *   1000 m yellow (240, 220, 110) · 2500 m brown (150, 95, 55) · 4000 m white (255, 255, 255).
 * Below -500 m stays blue, above 4000 m white.
 */
export const DEFAULT_COLOR_RAMP: ColorRamp = {
  stops: [
    [-500, [30, 90, 190]],
    [0, [40, 140, 70]],
    [500, [150, 200, 90]],
    [1000, [240, 220, 110]],
    [2500, [150, 95, 55]],
    [4000, [255, 255, 255]],
  ],
};

/** Throws a RangeError describing what is wrong with a (client- or project-supplied) ramp. */
export function checkColorRamp(ramp: ColorRamp): void {
  const { stops } = ramp;
  if (!Array.isArray(stops) || stops.length === 0) {
    throw new RangeError('A colour ramp needs at least one stop [metres, [r, g, b]]');
  }
  stops.forEach((stop, k) => {
    const [metres, color] = stop;
    if (!Number.isFinite(metres)) throw new RangeError(`Stop ${k}: height must be a number`);
    if (k > 0 && !(metres > stops[k - 1]![0])) {
      throw new RangeError(`Stop ${k}: heights must increase strictly`);
    }
    if (
      !Array.isArray(color) ||
      (color.length !== 3 && color.length !== 4) ||
      !color.every((c) => Number.isFinite(c) && c >= 0 && c <= 255)
    ) {
      throw new RangeError(`Stop ${k}: colour must be [r, g, b] or [r, g, b, a] in 0–255`);
    }
  });
}

/** The colour of `metres` on the ramp, [r, g, b, a] rounded to integers. */
export function rampColor(ramp: ColorRamp, metres: number): [number, number, number, number] {
  const { stops } = ramp;
  const first = stops[0]!;
  if (metres <= first[0]) return rgba(first[1]);
  for (let k = 1; k < stops.length; k++) {
    const [upper, upperColor] = stops[k]!;
    if (metres > upper) continue;
    const [lower, lowerColor] = stops[k - 1]!;
    const t = (metres - lower) / (upper - lower);
    const a = rgba(lowerColor);
    const b = rgba(upperColor);
    return [0, 1, 2, 3].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * t)) as [
      number,
      number,
      number,
      number,
    ];
  }
  return rgba(stops[stops.length - 1]![1]);
}

const MAX_TABLES = 16;
/** Tables by ramp (stops as JSON): ramps arrive structured-cloned, a new object per job. */
const tables = new Map<string, Uint8ClampedArray>();

/**
 * RGBA for every Int16 value: entry (value + 32768) · 4; RASTER_NODATA is transparent. The last
 * few ramps' tables are kept per thread.
 */
export function colorTable(ramp: ColorRamp): Uint8ClampedArray {
  const key = JSON.stringify(ramp.stops);
  const cached = tables.get(key);
  if (cached !== undefined) return cached;
  checkColorRamp(ramp);
  const table = buildTable(ramp);
  if (tables.size >= MAX_TABLES) tables.delete(tables.keys().next().value!);
  tables.set(key, table);
  return table;
}

function buildTable(ramp: ColorRamp): Uint8ClampedArray {
  const stops = ramp.stops.map(([metres, color]) => [metres, rgba(color)] as const);
  const table = new Uint8ClampedArray(65536 * 4);
  let next = 0; // the first stop at or above `value`
  for (let value = -32767; value <= 32767; value++) {
    while (next < stops.length && stops[next]![0] < value) next++;
    const at = (value + 32768) * 4;
    if (next === 0 || next === stops.length) {
      table.set(stops[next === 0 ? 0 : stops.length - 1]![1], at);
      continue;
    }
    const [lower, a] = stops[next - 1]!;
    const [upper, b] = stops[next]!;
    const t = (value - lower) / (upper - lower);
    for (let c = 0; c < 4; c++) table[at + c] = Math.round(a[c]! + (b[c]! - a[c]!) * t);
  }
  // RASTER_NODATA (-32768, entry 0) stays 0, 0, 0, 0: transparent.
  return table;
}

function rgba(color: RampColor): [number, number, number, number] {
  return [color[0], color[1], color[2], color[3] ?? 255];
}
