/**
 * The map part of GetMap and GetFeatureInfo: LAYERS with their STYLES, the CRS (SRS) and BBOX,
 * and the grid of WIDTH × HEIGHT pixels. Checked in that order, each failure with the code
 * and locator WMS 1.3.0 annex E (and 1.1.1 annex A) give it; the number of LAYERS against
 * RELIEF_MAX_MAP_LAYERS before any layer is looked up.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import type { PublishedLayer } from '../../layers/layer-registry.ts';
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import type { RequestContext } from '../../request-loop/request-context.ts';
import { checkLayerCount } from '../map-budget.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import { parseSize } from './image-output.ts';
import { resolveLayerStyle, type LayerStyle } from './layer-styles.ts';
import type { MapGrid } from './map-grid.ts';
import { nameList, readableLayer } from './readable-layers.ts';
import { crsParameter, gridCrs, parseBbox, parseCrs, type WmsCrs } from './wms-crs.ts';
import type { WmsVersion } from './wms-versions.ts';

export interface MapLayer {
  layer: PublishedLayer;
  style: LayerStyle;
}

export interface MapRequest {
  version: WmsVersion;
  /** In LAYERS order: the first is drawn at the bottom. */
  layers: MapLayer[];
  crs: WmsCrs;
  grid: MapGrid;
}

export function parseMapRequest(
  context: MapServicesContext,
  ctx: RequestContext,
  version: WmsVersion,
  parameters: OwsParameters,
): MapRequest {
  const names = nameList(parameters.get('LAYERS'), 'LAYERS');
  checkLayerCount(context.limits, names.length, 'LAYERS');
  const layers = names.map((name) => readableLayer(context, ctx, name, 'LAYERS'));
  const styles = styleList(parameters.get('STYLES'), layers.length);
  const mapLayers = layers.map((layer, k) => ({
    layer,
    style: resolveLayerStyle(layer, styles[k] ?? '', 'STYLES'),
  }));
  const parameter = crsParameter(version);
  const other = parameter === 'CRS' ? 'SRS' : 'CRS';
  const crs = parseCrs(version, parameters.get(parameter) ?? parameters.get(other));
  const bbox = parseBbox(version, crs, parameters.get('BBOX'));
  const width = parseSize(parameters.get('WIDTH'), 'WIDTH', context.limits.maxWidth);
  const height = parseSize(parameters.get('HEIGHT'), 'HEIGHT', context.limits.maxHeight);
  return { version, layers: mapLayers, crs, grid: { crs: gridCrs(crs), bbox, width, height } };
}

/**
 * One style per layer, or none at all (every layer's default). STYLES is mandatory in GetMap and
 * GetFeatureInfo of both versions, though it may be empty (`STYLES=`).
 */
function styleList(value: string | undefined, count: number): string[] {
  if (value === undefined) {
    throw new ServiceException(
      'MissingParameterValue',
      'The STYLES parameter is required; leave it empty (STYLES=) for the default styles',
      'STYLES',
    );
  }
  if (value.trim() === '') return [];
  const styles = value.split(',');
  if (styles.length !== count) {
    throw new ServiceException(
      'StyleNotDefined',
      `STYLES names ${styles.length} styles for ${count} layers; give one per layer or none`,
      'STYLES',
    );
  }
  return styles;
}
