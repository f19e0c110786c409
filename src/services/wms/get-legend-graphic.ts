/**
 * GetLegendGraphic (SLD 1.1.0's WMS extension, as QGIS Server and GeoServer offer it): LAYER,
 * optional STYLE (the layer's default when empty) and FORMAT (image/png, the default). The
 * legend is a small SVG rendered by sharp on libuv's threads.
 */
import sharp from 'sharp';
import { ServiceException } from '../../errors/service-exception.ts';
import type { MapServicesContext } from '../map-services-context.ts';
import type { OperationHandler } from '../ows-service.ts';
import { resolveLayerStyle } from './layer-styles.ts';
import { legendSvg } from './legend.ts';
import { readableLayer } from './readable-layers.ts';
import { WMS_LEGEND_FORMATS } from './wms-versions.ts';

export function getLegendGraphic(context: MapServicesContext): OperationHandler {
  return async ({ ctx, parameters }) => {
    const name = parameters.get('LAYER')?.trim();
    if (name === undefined || name === '') {
      throw new ServiceException(
        'MissingParameterValue',
        'The LAYER parameter is required',
        'LAYER',
      );
    }
    const layer = readableLayer(context, ctx, name, 'LAYER');
    const style = resolveLayerStyle(layer, parameters.get('STYLE') ?? '', 'STYLE');
    const format = parameters.get('FORMAT')?.split(';')[0]?.trim().toLowerCase();
    if (format !== undefined && format !== '' && format !== 'image/png' && format !== 'png') {
      throw new ServiceException(
        'InvalidFormat',
        `FORMAT ${parameters.get('FORMAT')} is not offered for legends; use ${WMS_LEGEND_FORMATS.join(', ')}`,
        'FORMAT',
      );
    }
    const body = await sharp(Buffer.from(legendSvg(layer, style)))
      .png()
      .toBuffer();
    return { body, contentType: 'image/png' };
  };
}
