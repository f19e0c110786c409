/** The WMS versions Relief speaks and the operations and formats its capabilities list. */
export const WMS_VERSIONS = ['1.1.1', '1.3.0'] as const;
export type WmsVersion = (typeof WMS_VERSIONS)[number];

/** Operations a WMS capabilities document lists; the schema requires GetCapabilities and GetMap. */
export type WmsOperationName = 'GetCapabilities' | 'GetMap' | 'GetFeatureInfo' | 'GetLegendGraphic';

/** GetMap output formats, the same in both versions. */
export const WMS_MAP_FORMATS = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type WmsMapFormat = (typeof WMS_MAP_FORMATS)[number];

/**
 * GetFeatureInfo INFO_FORMAT values. GML (a WFS 1.0 FeatureCollection, as QGIS Server writes
 * it; `text/xml` is the same) is what GDAL asks for.
 */
export const WMS_INFO_FORMATS = [
  'text/plain',
  'application/json',
  'text/html',
  'application/vnd.ogc.gml',
  'text/xml',
] as const;
export type WmsInfoFormat = (typeof WMS_INFO_FORMATS)[number];

/** GetLegendGraphic output formats. */
export const WMS_LEGEND_FORMATS = ['image/png'] as const;

/** The MIME type WMS 1.1.1 gives its capabilities document; 1.3.0 uses text/xml. */
export const WMS_1_1_1_CAPABILITIES_TYPE = 'application/vnd.ogc.wms_xml';

/** The SLD version Relief's GetLegendGraphic follows (SLD 1.1.0 / Symbology Encoding). */
export const SLD_VERSION = '1.1.0';
export const SLD_NS = 'http://www.opengis.net/sld';
