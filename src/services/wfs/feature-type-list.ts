/**
 * One wfs:FeatureType of the capabilities FeatureTypeList. WFS 2.0 (OWS 1.1) and 1.1 (OWS 1.0)
 * differ in names (DefaultCRS/DefaultSRS) and in what is required (1.1 needs a Title and a
 * WGS84BoundingBox); the element order is the same: Name, Title, Abstract, Keywords, default
 * and other CRSs, WGS84BoundingBox.
 */
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { WEB_MERCATOR_URN, WGS84_URN } from './wfs-crs.ts';
import { qualifiedName, type FeatureTypeSummary } from './wfs-feature-types.ts';
import type { WfsVersion } from './wfs-versions.ts';

export function addFeatureType(
  list: XMLBuilder,
  version: WfsVersion,
  featureType: FeatureTypeSummary,
): void {
  const element = list.ele('wfs:FeatureType');
  element.ele('wfs:Name').txt(qualifiedName(featureType.name));
  element.ele('wfs:Title').txt(featureType.title);
  if (featureType.abstract !== undefined) element.ele('wfs:Abstract').txt(featureType.abstract);
  if (featureType.keywords.length > 0) {
    const keywords = element.ele('ows:Keywords');
    for (const keyword of featureType.keywords) keywords.ele('ows:Keyword').txt(keyword);
  }
  const crs = version === '2.0.0' ? 'CRS' : 'SRS';
  element.ele(`wfs:Default${crs}`).txt(WGS84_URN);
  element.ele(`wfs:Other${crs}`).txt(WEB_MERCATOR_URN);
  const [west, south, east, north] = featureType.bbox;
  const box = element.ele('ows:WGS84BoundingBox');
  box.ele('ows:LowerCorner').txt(`${west} ${south}`);
  box.ele('ows:UpperCorner').txt(`${east} ${north}`);
}
