/** The namespaces and schema locations of the WFS responses, besides the shared OGC ones. */
import { GML_NS } from '../ogc-namespaces.ts';

export const GML_3_2_NS = 'http://www.opengis.net/gml/3.2';
export const GML_3_1_NS = GML_NS;
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

export const GML_3_2_SCHEMA = 'http://schemas.opengis.net/gml/3.2.1/gml.xsd';
export const GML_3_1_SCHEMA = 'http://schemas.opengis.net/gml/3.1.1/base/gml.xsd';
export const WFS_2_0_SCHEMA = 'http://schemas.opengis.net/wfs/2.0/wfs.xsd';
export const WFS_1_1_SCHEMA = 'http://schemas.opengis.net/wfs/1.1.0/wfs.xsd';
