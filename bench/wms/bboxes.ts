/**
 * The GetMap requests of bench/wms: a deterministic, seeded sequence of map boxes of varying zoom
 * inside the mosaic, as WMS 1.3.0 query strings. Zoom is uniform on a log scale, from the whole
 * mosaic down to about 1.5 source samples per pixel; most boxes are EPSG:4326 (latitude first,
 * as WMS 1.3.0 orders that CRS), a share EPSG:3857 (x first, metres).
 */
import { seededRandom as random } from '../../src/testing/seeded-random.ts';
import type { Mosaic } from './terrain.ts';

export type BoxCrs = 'EPSG:4326' | 'EPSG:3857';

export interface MapBox {
  crs: BoxCrs;
  /** [west, south, east, north] in degrees. */
  wgs84: [number, number, number, number];
  /** The mosaic's width over the box's: 1 = the whole mosaic. */
  zoom: number;
}

export interface SequenceOptions {
  count: number;
  seed: number;
  /** Share of EPSG:3857 boxes, 0-1. */
  mercatorShare: number;
  /** The deepest zoom as a power of 2 (5.5: 2° / 45 ≈ 0.044°, 160 samples on 256 px). */
  maxZoomLevel: number;
}

export const DEFAULT_SEQUENCE: SequenceOptions = {
  count: 256,
  seed: 20261125,
  mercatorShare: 0.25,
  maxZoomLevel: 5.5,
};

export function boxSequence(mosaic: Mosaic, options: SequenceOptions): MapBox[] {
  const next = random(options.seed);
  return Array.from({ length: options.count }, () => {
    const level = next() * options.maxZoomLevel;
    const span = mosaic.size / 2 ** level;
    const west = mosaic.west + next() * (mosaic.size - span);
    const south = mosaic.south + next() * (mosaic.size - span);
    const crs: BoxCrs = next() < options.mercatorShare ? 'EPSG:3857' : 'EPSG:4326';
    return { crs, wgs84: [west, south, west + span, south + span], zoom: 2 ** level };
  });
}

const EARTH_RADIUS = 6378137;

function mercatorX(lon: number): number {
  return (EARTH_RADIUS * lon * Math.PI) / 180;
}

function mercatorY(lat: number): number {
  return EARTH_RADIUS * Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
}

/** The box in its CRS, x first (the raster module's order), rounded as BBOX writes it. */
export function gridBbox(box: MapBox): [number, number, number, number] {
  const [west, south, east, north] = box.wgs84;
  if (box.crs === 'EPSG:3857') {
    const [x0, y0, x1, y1] = [mercatorX(west), mercatorY(south), mercatorX(east), mercatorY(north)];
    return [x0, y0, x1, y1].map((n) => Number(n.toFixed(2))) as [number, number, number, number];
  }
  return [west, south, east, north].map((n) => Number(n.toFixed(6))) as [
    number,
    number,
    number,
    number,
  ];
}

/** BBOX as WMS 1.3.0 writes it for the box's CRS: EPSG:4326 latitude first. */
export function bboxParameter(box: MapBox): string {
  const [x0, y0, x1, y1] = gridBbox(box);
  return (box.crs === 'EPSG:3857' ? [x0, y0, x1, y1] : [y0, x0, y1, x1]).join(',');
}

/** The GetMap path and query of one box. */
export function getMapPath(
  layer: string,
  box: MapBox,
  size: number,
  style = 'hillshade',
  format = 'image/png',
): string {
  const query = new URLSearchParams({
    SERVICE: 'WMS',
    VERSION: '1.3.0',
    REQUEST: 'GetMap',
    LAYERS: layer,
    STYLES: style,
    CRS: box.crs,
    BBOX: bboxParameter(box),
    WIDTH: String(size),
    HEIGHT: String(size),
    FORMAT: format,
  });
  return `/ows?${query.toString()}`;
}
