/** The WMS versions Relief speaks and the operations and formats its capabilities list. */
export const WMS_VERSIONS = ['1.1.1', '1.3.0'] as const;
export type WmsVersion = (typeof WMS_VERSIONS)[number];

/** Operations a WMS capabilities document lists; the schema requires GetCapabilities and GetMap. */
export type WmsOperationName = 'GetCapabilities' | 'GetMap' | 'GetFeatureInfo';

/** GetMap output formats, the same in both versions. */
export const WMS_MAP_FORMATS = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** The MIME type WMS 1.1.1 gives its capabilities document; 1.3.0 uses text/xml. */
export const WMS_1_1_1_CAPABILITIES_TYPE = 'application/vnd.ogc.wms_xml';
