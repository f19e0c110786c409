/**
 * The raster styles of the map services, rendering a RasterWindow to RGBA (only the window's
 * inner pixels: the margin is context, see RasterWindowRequest.margin). Nodata pixels are fully
 * transparent in every style.
 *
 * - 'grey': heights stretched linearly from black at range[0] to white at range[1], clamped.
 *   The default range is fixed, -100 … 4500 m, so adjacent map tiles match; 'window' stretches
 *   each window from its own minimum to maximum instead (tiles will then not match).
 * - 'hillshade': see hillshade.ts; needs `margin: 1` (styleMargin) for seamless tiles.
 * - 'color-relief': a colour ramp, DEFAULT_COLOR_RAMP unless one is given (color-relief.ts).
 */
import type { ColorRamp } from './color-relief.ts';
import { DEFAULT_COLOR_RAMP, checkColorRamp, colorTable } from './color-relief.ts';
import type { HillshadeOptions } from './hillshade.ts';
import { DEFAULT_HILLSHADE, hillshade } from './hillshade.ts';
import type { RasterWindow } from './raster-types.ts';

export type RasterStyleName = 'grey' | 'hillshade' | 'color-relief';
export const RASTER_STYLE_NAMES: readonly RasterStyleName[] = ['grey', 'hillshade', 'color-relief'];

export interface GreyStyle {
  name: 'grey';
  /** [black, white] in metres; default DEFAULT_GREY_RANGE. */
  range?: [number, number] | 'window';
}
export interface HillshadeStyle extends HillshadeOptions {
  name: 'hillshade';
}
export interface ColorReliefStyle {
  name: 'color-relief';
  ramp?: ColorRamp;
}
export type RasterStyle = GreyStyle | HillshadeStyle | ColorReliefStyle;

export const DEFAULT_GREY_RANGE: readonly [number, number] = [-100, 4500];

export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes: red, green, blue, alpha; row 0 = north. */
  rgba: Uint8ClampedArray;
}

export function isRasterStyleName(name: string): name is RasterStyleName {
  return (RASTER_STYLE_NAMES as readonly string[]).includes(name);
}

/** A style given by name or in full, checked (throws a RangeError on a bad one). */
export function resolveStyle(style: RasterStyle | RasterStyleName): RasterStyle {
  const name: unknown = typeof style === 'string' ? style : style?.name;
  if (typeof name !== 'string' || !isRasterStyleName(name)) {
    throw new RangeError(`Unknown raster style ${JSON.stringify(name)}`);
  }
  const resolved = typeof style === 'string' ? ({ name: style } as RasterStyle) : style;
  if (resolved.name === 'grey' && resolved.range !== undefined && resolved.range !== 'window') {
    const [black, white] = resolved.range;
    if (!(Number.isFinite(black) && Number.isFinite(white) && black < white)) {
      throw new RangeError('A grey range must be [black, white] with black < white');
    }
  }
  if (resolved.name === 'color-relief' && resolved.ramp !== undefined) {
    checkColorRamp(resolved.ramp);
  }
  return resolved;
}

/** Border pixels a style needs around the window: read the window with this `margin`. */
export function styleMargin(style: RasterStyle | RasterStyleName): number {
  return resolveStyle(style).name === 'hillshade' ? 1 : 0;
}

export function renderRaster(
  window: RasterWindow,
  style: RasterStyle | RasterStyleName,
): RgbaImage {
  const resolved = resolveStyle(style);
  switch (resolved.name) {
    case 'hillshade':
      return renderHillshade(window, resolved);
    case 'grey': {
      const range = greyRange(window, resolved.range);
      // A window's own range is used once: not worth a cache entry.
      const table = resolved.range === 'window' ? buildGreyTable(range) : greyTable(range);
      return renderTable(window, table);
    }
    case 'color-relief':
      return renderTable(window, colorTable(resolved.ramp ?? DEFAULT_COLOR_RAMP));
  }
}

function renderHillshade(window: RasterWindow, options: HillshadeOptions): RgbaImage {
  const { width, height, shade, valid } = hillshade(window, options);
  const rgba = new Uint8ClampedArray(width * height * 4);
  const pixels = new Uint32Array(rgba.buffer);
  for (let p = 0; p < shade.length; p++) {
    if (valid[p] !== 0) pixels[p] = OPAQUE_GREYS[shade[p]!]!;
  }
  return { width, height, rgba };
}

/** Opaque grey pixels by shade, as whole RGBA pixels in the platform's byte order. */
const OPAQUE_GREYS = (() => {
  const bytes = new Uint8Array(256 * 4);
  for (let grey = 0; grey < 256; grey++) bytes.set([grey, grey, grey, 255], grey * 4);
  return new Uint32Array(bytes.buffer);
})();

/** Each inner pixel through a 65536-entry RGBA table indexed by value + 32768. */
function renderTable(window: RasterWindow, table: Uint8ClampedArray): RgbaImage {
  const { margin, values } = window;
  const width = window.width - 2 * margin;
  const height = window.height - 2 * margin;
  const rgba = new Uint8ClampedArray(width * height * 4);
  const pixels = new Uint32Array(rgba.buffer);
  const entries = new Uint32Array(table.buffer, table.byteOffset, table.length / 4);
  for (let y = 0; y < height; y++) {
    const from = (y + margin) * window.width + margin;
    for (let x = 0; x < width; x++) pixels[y * width + x] = entries[values[from + x]! + 32768]!;
  }
  return { width, height, rgba };
}

function greyRange(window: RasterWindow, range: GreyStyle['range']): readonly [number, number] {
  if (range !== 'window') return range ?? DEFAULT_GREY_RANGE;
  const { margin, values, nodata } = window;
  let min = Infinity;
  let max = -Infinity;
  for (let y = margin; y < window.height - margin; y++) {
    for (let x = margin; x < window.width - margin; x++) {
      const value = values[y * window.width + x]!;
      if (value === nodata) continue;
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  if (min === Infinity) return DEFAULT_GREY_RANGE;
  return min === max ? [min - 0.5, max + 0.5] : [min, max];
}

/** The tables of the fixed ranges in use (a 'window' range makes one per map): 256 KiB each. */
const greyTables = new Map<string, Uint8ClampedArray>();
const MAX_GREY_TABLES = 16;

function greyTable(range: readonly [number, number]): Uint8ClampedArray {
  const key = `${range[0]} ${range[1]}`;
  let table = greyTables.get(key);
  if (table === undefined) {
    table = buildGreyTable(range);
    if (greyTables.size >= MAX_GREY_TABLES) greyTables.delete(greyTables.keys().next().value!);
    greyTables.set(key, table);
  }
  return table;
}

function buildGreyTable([black, white]: readonly [number, number]): Uint8ClampedArray {
  const table = new Uint8ClampedArray(65536 * 4);
  for (let value = -32767; value <= 32767; value++) {
    const grey = Math.round((255 * (value - black)) / (white - black));
    const at = (value + 32768) * 4;
    table[at] = table[at + 1] = table[at + 2] = grey; // clamped to 0–255
    table[at + 3] = 255;
  }
  return table;
}

// ---- legends ------------------------------------------------------------------------------

export interface LegendStop {
  /** Metres (grey, color-relief) or shade 0–255 (hillshade). */
  value: number;
  color: [number, number, number, number];
  label: string;
}

export interface LegendRamp {
  style: RasterStyleName;
  title: string;
  /** 'm' for heights; null for hillshade, whose stops are shades, not heights. */
  unit: 'm' | null;
  /** Colours are interpolated linearly between the stops. Empty for grey 'window' ranges. */
  stops: LegendStop[];
}

/** What a legend (GetLegendGraphic) shows for a style: its colour stops, lowest first. */
export function legendRamp(style: RasterStyle | RasterStyleName): LegendRamp {
  const resolved = resolveStyle(style);
  switch (resolved.name) {
    case 'grey': {
      if (resolved.range === 'window') {
        return { style: 'grey', title: 'Elevation, stretched per image', unit: 'm', stops: [] };
      }
      const [black, white] = resolved.range ?? DEFAULT_GREY_RANGE;
      return {
        style: 'grey',
        title: 'Elevation',
        unit: 'm',
        stops: [
          { value: black, color: [0, 0, 0, 255], label: `${black} m` },
          { value: white, color: [255, 255, 255, 255], label: `${white} m` },
        ],
      };
    }
    case 'hillshade': {
      const { azimuth, altitude } = { ...DEFAULT_HILLSHADE, ...resolved };
      return {
        style: 'hillshade',
        title: `Hillshade (sun at azimuth ${azimuth}°, altitude ${altitude}°)`,
        unit: null,
        stops: [
          { value: 0, color: [0, 0, 0, 255], label: 'Facing away from the sun' },
          { value: 255, color: [255, 255, 255, 255], label: 'Facing the sun' },
        ],
      };
    }
    case 'color-relief': {
      const ramp = resolved.ramp ?? DEFAULT_COLOR_RAMP;
      return {
        style: 'color-relief',
        title: 'Elevation',
        unit: 'm',
        stops: ramp.stops.map(([value, color]) => ({
          value,
          color: [color[0], color[1], color[2], color[3] ?? 255],
          label: `${value} m`,
        })),
      };
    }
  }
}
