/**
 * Legend images (GetLegendGraphic) as SVG, rasterised by sharp: for a raster style a vertical
 * colour ramp, highest value at the top, with a label at each stop (the stops spaced evenly,
 * the colours linear between them as the style draws them); for a vector layer a swatch in its
 * fill and stroke next to the layer title. Sizes depend only on the layer and style, so
 * capabilities can announce them in LegendURL. Without fonts the labels are simply missing.
 */
import type { PublishedLayer } from '../../layers/layer-registry.ts';
import { legendRamp, type RasterStyleName } from '../../raster/styles.ts';
import { escapeText } from '../../xml/xml-escape.ts';
import { hexColor, type LayerStyle } from './layer-styles.ts';

export const LEGEND_WIDTH = 200;
const TOP = 24;
const BAR_WIDTH = 20;
const STOP_SPACING = 24;
const MIN_BAR = 60;
const VECTOR_HEIGHT = 30;

export function legendSize(style: LayerStyle): { width: number; height: number } {
  if (style.kind === 'vector') return { width: LEGEND_WIDTH, height: VECTOR_HEIGHT };
  return { width: LEGEND_WIDTH, height: TOP + barHeight(style.name) + 10 };
}

function barHeight(style: RasterStyleName): number {
  const stops = legendRamp(style).stops.length;
  return Math.max(MIN_BAR, (stops - 1) * STOP_SPACING);
}

export function legendSvg(layer: PublishedLayer, style: LayerStyle): string {
  const { width, height } = legendSize(style);
  const title = (x: number, y: number) =>
    `<text x="${x}" y="${y}" font-family="sans-serif" font-size="12" font-weight="bold" ` +
    `fill="#000000">${escapeText(layer.title)}</text>`;
  let body: string;
  if (style.kind === 'vector') {
    const { fill, stroke, strokeWidth, opacity } = style.paint;
    body =
      `<rect x="6" y="6" width="20" height="18" opacity="${opacity}" fill="${hexColor(fill)}" ` +
      `fill-opacity="${fill.a}" stroke="${hexColor(stroke)}" stroke-opacity="${stroke.a}" ` +
      `stroke-width="${Math.min(strokeWidth, 4)}"/>${title(32, 19)}`;
  } else {
    const ramp = legendRamp(style.name);
    const stops = [...ramp.stops].reverse();
    const bar = barHeight(style.name);
    const at = (k: number) => (stops.length === 1 ? 0 : k / (stops.length - 1));
    const gradient = stops
      .map(({ color: [r, g, b, a] }, k) => {
        const colour = hexColor({ r, g, b, a: 1 });
        return `<stop offset="${at(k)}" stop-color="${colour}" stop-opacity="${a / 255}"/>`;
      })
      .join('');
    const labels = stops
      .map(
        ({ label }, k) =>
          `<text x="${12 + BAR_WIDTH}" y="${TOP + at(k) * bar + 4}" font-family="sans-serif" ` +
          `font-size="11" fill="#000000">${escapeText(label)}</text>`,
      )
      .join('');
    body =
      `<defs><linearGradient id="ramp" x1="0" y1="0" x2="0" y2="1">${gradient}</linearGradient></defs>` +
      `${title(6, 14)}<rect x="6" y="${TOP}" width="${BAR_WIDTH}" height="${bar}" ` +
      `fill="url(#ramp)" stroke="#000000" stroke-width="0.5"/>${labels}`;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}">${body}</svg>`
  );
}
