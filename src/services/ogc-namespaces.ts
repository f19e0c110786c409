/** The XML namespaces of the OGC documents Relief writes, spelled once. */
export const XLINK_NS = 'http://www.w3.org/1999/xlink';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
export const OGC_NS = 'http://www.opengis.net/ogc';
export const GML_NS = 'http://www.opengis.net/gml';
export const WMS_NS = 'http://www.opengis.net/wms';
export const WCS_1_0_NS = 'http://www.opengis.net/wcs';
export const WCS_2_0_NS = 'http://www.opengis.net/wcs/2.0';
export const WFS_1_1_NS = 'http://www.opengis.net/wfs';
export const WFS_2_0_NS = 'http://www.opengis.net/wfs/2.0';
export const FES_2_0_NS = 'http://www.opengis.net/fes/2.0';

/** OWS Common namespaces by OWS version: WFS 1.1 uses 1.0, WFS 2.0 uses 1.1, WCS 2.0 uses 2.0. */
export const OWS_NS = {
  '1.0.0': 'http://www.opengis.net/ows',
  '1.1.0': 'http://www.opengis.net/ows/1.1',
  '2.0.0': 'http://www.opengis.net/ows/2.0',
} as const;

export type OwsVersion = keyof typeof OWS_NS;
