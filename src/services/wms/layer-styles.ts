/**
 * The styles a layer offers: a raster layer the raster module's styles (its default first, so
 * clients that take the first one get what STYLES= gives), a vector layer one `default` style
 * painted from the layer's `vectorStyle` (project file). A plugin may publish anything as
 * `vectorStyle`, so the paint is read defensively: colours are parsed into numbers, never copied
 * into SVG as text.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import type { PublishedLayer } from '../../layers/layer-registry.ts';
import {
  RASTER_STYLE_NAMES,
  isRasterStyleName,
  type RasterStyleName,
} from '../../raster/styles.ts';

export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 0–1. */
  a: number;
}

export interface VectorPaint {
  fill: Rgba;
  stroke: Rgba;
  /** Pixels. */
  strokeWidth: number;
  /** Of the whole layer, 0–1. */
  opacity: number;
}

export type LayerStyle =
  | { kind: 'raster'; name: RasterStyleName }
  | { kind: 'vector'; name: 'default'; paint: VectorPaint };

export const VECTOR_STYLE_NAME = 'default';

export const DEFAULT_VECTOR_PAINT: VectorPaint = {
  fill: { r: 51, g: 136, b: 255, a: 0.4 },
  stroke: { r: 26, g: 84, b: 170, a: 1 },
  strokeWidth: 1.5,
  opacity: 1,
};

const STYLE_TITLES: Record<RasterStyleName, string> = {
  grey: 'Grey elevation',
  hillshade: 'Hillshade',
  'color-relief': 'Colour relief',
};

/** Raster layers shade by default: elevation reads best as relief. */
export function defaultStyleName(layer: PublishedLayer): string {
  if (layer.kind === 'vector') return VECTOR_STYLE_NAME;
  return layer.style !== undefined && isRasterStyleName(layer.style) ? layer.style : 'hillshade';
}

/** The style names a layer offers, its default first. */
export function styleNames(layer: PublishedLayer): string[] {
  if (layer.kind === 'vector') return [VECTOR_STYLE_NAME];
  const first = defaultStyleName(layer);
  return [first, ...RASTER_STYLE_NAMES.filter((name) => name !== first)];
}

export function styleTitle(name: string): string {
  return isRasterStyleName(name) ? STYLE_TITLES[name] : 'Default';
}

/**
 * The style `requested` names for `layer`: '' (and `default`) mean the layer's default;
 * StyleNotDefined for a style the layer does not offer.
 */
export function resolveLayerStyle(
  layer: PublishedLayer,
  requested: string,
  locator: string,
): LayerStyle {
  const name = requested.trim();
  if (layer.kind === 'vector') {
    if (name === '' || name.toLowerCase() === VECTOR_STYLE_NAME) {
      return { kind: 'vector', name: VECTOR_STYLE_NAME, paint: vectorPaint(layer) };
    }
  } else {
    const chosen = name === '' || name.toLowerCase() === 'default' ? defaultStyleName(layer) : name;
    if (isRasterStyleName(chosen)) return { kind: 'raster', name: chosen };
  }
  throw new ServiceException(
    'StyleNotDefined',
    `Style "${name}" is not defined for layer ${layer.name}; use one of ${styleNames(layer).join(', ')}`,
    locator,
  );
}

/** The layer's paint: its `vectorStyle` where valid, the defaults elsewhere. */
export function vectorPaint(layer: PublishedLayer): VectorPaint {
  const style = (layer as { vectorStyle?: unknown }).vectorStyle;
  if (style === null || typeof style !== 'object') return DEFAULT_VECTOR_PAINT;
  const { fill, stroke, strokeWidth, opacity } = style as Record<string, unknown>;
  return {
    fill: parseColor(fill) ?? DEFAULT_VECTOR_PAINT.fill,
    stroke: parseColor(stroke) ?? DEFAULT_VECTOR_PAINT.stroke,
    strokeWidth:
      typeof strokeWidth === 'number' && strokeWidth > 0 && strokeWidth <= 100
        ? strokeWidth
        : DEFAULT_VECTOR_PAINT.strokeWidth,
    opacity:
      typeof opacity === 'number' && opacity >= 0 && opacity <= 1
        ? opacity
        : DEFAULT_VECTOR_PAINT.opacity,
  };
}

const HEX = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i;
const FUNCTIONAL =
  /^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*([\d.]+)\s*)?\)$/i;

/** `#rrggbb`, `rgb(r, g, b)` or `rgba(r, g, b, a)`; undefined for anything else. */
export function parseColor(value: unknown): Rgba | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const hex = HEX.exec(text);
  if (hex !== null) {
    const [, r, g, b] = hex as unknown as [string, string, string, string];
    return { r: parseInt(r, 16), g: parseInt(g, 16), b: parseInt(b, 16), a: 1 };
  }
  const functional = FUNCTIONAL.exec(text);
  if (functional === null) return undefined;
  const [r, g, b] = [1, 2, 3].map((k) => Number(functional[k]));
  const a = functional[4] === undefined ? 1 : Number(functional[4]);
  if (![r, g, b].every((c) => c !== undefined && c <= 255) || !(a >= 0 && a <= 1)) {
    return undefined;
  }
  return { r: r!, g: g!, b: b!, a };
}

/** `#rrggbb` for SVG attributes (the alpha goes into a separate opacity attribute). */
export function hexColor({ r, g, b }: Rgba): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}
