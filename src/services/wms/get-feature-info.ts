/**
 * GetFeatureInfo: what lies under one pixel of a map. QUERY_LAYERS must be among LAYERS
 * (LayerNotQueryable otherwise; every layer is queryable); I/J (1.3.0) or X/Y (1.1.1) must name
 * a pixel of the map (InvalidPoint). A raster layer reports its height at the pixel, read on
 * the pool exactly as GetMap samples it; a vector layer its features at the point (up to
 * FEATURE_COUNT, cut to RELIEF_MAX_FEATURE_COUNT), with the attributes access control lets this
 * request see. LAYERS and QUERY_LAYERS count against RELIEF_MAX_MAP_LAYERS.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import { readWindowOnPool } from '../../raster/raster-jobs.ts';
import { isRasterSource } from '../../raster/raster-types.ts';
import { pixelRequest } from '../../raster/read-window.ts';
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import type { RequestContext } from '../../request-loop/request-context.ts';
import type { VectorStore } from '../../vector/vector-store.ts';
import { knownVersion } from '../known-version.ts';
import { checkLayerCount } from '../map-budget.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import type { OperationHandler } from '../ows-service.ts';
import { featureHit, type QueryPoint } from './feature-hit.ts';
import { formatFeatureInfo, type LayerInfo } from './feature-info-formats.ts';
import { pixelBoxToLonLat, pixelToLonLat, type MapGrid } from './map-grid.ts';
import { parseMapRequest, type MapLayer } from './map-request.ts';
import { nameList, readableLayer } from './readable-layers.ts';
import { featuresInBox } from './vector-features.ts';
import { POINT_RADIUS } from './vector-svg.ts';
import {
  WMS_INFO_FORMATS,
  WMS_VERSIONS,
  type WmsInfoFormat,
  type WmsVersion,
} from './wms-versions.ts';

export function getFeatureInfo(context: MapServicesContext, store: VectorStore): OperationHandler {
  return async ({ ctx, parameters, version: requested }) => {
    const version = knownVersion(WMS_VERSIONS, requested);
    const map = parseMapRequest(context, ctx, version, parameters);
    const queried = queryLayers(context, ctx, parameters, map.layers);
    const format = infoFormat(version, parameters.get('INFO_FORMAT'));
    const [xName, yName] = version === '1.3.0' ? ['I', 'J'] : ['X', 'Y'];
    const [xOther, yOther] = version === '1.3.0' ? ['X', 'Y'] : ['I', 'J'];
    const column = pixelIndex(
      parameters.get(xName) ?? parameters.get(xOther),
      xName,
      map.grid.width,
    );
    const row = pixelIndex(parameters.get(yName) ?? parameters.get(yOther), yName, map.grid.height);
    const featureCount = parseFeatureCount(
      parameters.get('FEATURE_COUNT'),
      context.limits.maxFeatureCount,
    );
    const [lon, lat] = pixelToLonLat(map.grid, column + 0.5, row + 0.5);
    const point: QueryPoint = { x: column + 0.5, y: row + 0.5, lon, lat };
    const infos = await Promise.all(
      queried.map((mapLayer) =>
        layerInfo(context, store, ctx, mapLayer, map.grid, point, column, row, featureCount),
      ),
    );
    const contentType = `${format}; charset=utf-8`;
    return { body: formatFeatureInfo(format, infos), contentType };
  };
}

function queryLayers(
  context: MapServicesContext,
  ctx: RequestContext,
  parameters: OwsParameters,
  mapLayers: readonly MapLayer[],
): MapLayer[] {
  const names = nameList(parameters.get('QUERY_LAYERS'), 'QUERY_LAYERS');
  checkLayerCount(context.limits, names.length, 'QUERY_LAYERS');
  return names.map((name) => {
    const layer = readableLayer(context, ctx, name, 'QUERY_LAYERS');
    const mapLayer = mapLayers.find((candidate) => candidate.layer === layer);
    if (mapLayer === undefined) {
      throw new ServiceException(
        'LayerNotQueryable',
        `Layer ${name} is not in LAYERS, so it cannot be queried`,
        'QUERY_LAYERS',
      );
    }
    return mapLayer;
  });
}

/** INFO_FORMAT is mandatory in 1.3.0 (Table 9); 1.1.1 leaves it optional (text/plain here). */
function infoFormat(version: WmsVersion, value: string | undefined): WmsInfoFormat {
  if (value === undefined || value.trim() === '') {
    if (version === '1.1.1') return 'text/plain';
    throw new ServiceException(
      'MissingParameterValue',
      `The INFO_FORMAT parameter is required; use one of ${WMS_INFO_FORMATS.join(', ')}`,
      'INFO_FORMAT',
    );
  }
  const type = value.split(';')[0]!.trim().toLowerCase();
  const format = WMS_INFO_FORMATS.find((candidate) => candidate === type);
  if (format === undefined) {
    throw new ServiceException(
      'InvalidFormat',
      `INFO_FORMAT ${value} is not offered; use one of ${WMS_INFO_FORMATS.join(', ')}`,
      'INFO_FORMAT',
    );
  }
  return format;
}

function pixelIndex(value: string | undefined, parameter: string, size: number): number {
  if (value === undefined || value.trim() === '') {
    throw new ServiceException(
      'MissingParameterValue',
      `The ${parameter} parameter is required`,
      parameter,
    );
  }
  const index = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!(Number.isSafeInteger(index) && index < size)) {
    throw new ServiceException(
      'InvalidPoint',
      `${parameter} must be a pixel index from 0 to ${size - 1}, got ${value}`,
      parameter,
    );
  }
  return index;
}

/** FEATURE_COUNT, cut to `max` (WMS lets a server answer fewer features than asked for). */
function parseFeatureCount(value: string | undefined, max: number): number {
  if (value === undefined || value.trim() === '') return 1;
  const count = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!(Number.isSafeInteger(count) && count > 0)) {
    throw new ServiceException(
      'InvalidParameterValue',
      `FEATURE_COUNT must be a positive whole number, got ${value}`,
      'FEATURE_COUNT',
    );
  }
  return Math.min(count, max);
}

async function layerInfo(
  context: MapServicesContext,
  store: VectorStore,
  ctx: RequestContext,
  { layer, style }: MapLayer,
  grid: MapGrid,
  point: QueryPoint,
  column: number,
  row: number,
  featureCount: number,
): Promise<LayerInfo> {
  if (style.kind === 'raster') {
    let value: number | null = null;
    if (isRasterSource(layer.source)) {
      const request = pixelRequest({ source: layer.source, ...grid }, column, row);
      const window = await readWindowOnPool(context.pool, { request }, { signal: ctx.signal });
      const height = window.values[0];
      value = height === undefined || height === window.nodata ? null : height;
    }
    return { kind: 'raster', layer: layer.name, value, lon: point.lon, lat: point.lat };
  }
  const tolerance = POINT_RADIUS + style.paint.strokeWidth / 2 + 1;
  const box = pixelBoxToLonLat(
    grid,
    point.x - tolerance,
    point.y - tolerance,
    point.x + tolerance,
    point.y + tolerance,
  );
  const { dataset, positions } = await featuresInBox(context, store, ctx, layer, box);
  const features: Array<{ id: string; properties: Record<string, unknown> }> = [];
  for (const position of positions) {
    if (features.length >= featureCount) break;
    const feature = dataset.featureAt(position);
    if (!featureHit(feature.geometry, point, grid, tolerance)) continue;
    const properties = feature.properties ?? {};
    const allowed = context.accessControl.authorizedAttributes(ctx, layer, Object.keys(properties));
    features.push({
      id: dataset.idOf(position),
      properties: Object.fromEntries(allowed.map((name) => [name, properties[name]])),
    });
  }
  return { kind: 'vector', layer: layer.name, features };
}
