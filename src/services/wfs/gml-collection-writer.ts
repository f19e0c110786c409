/**
 * GetFeature responses in GML: for WFS 2.0 a wfs:FeatureCollection (numberMatched,
 * numberReturned, timeStamp, next/previous) of wfs:member elements with GML 3.2 features; for
 * WFS 1.1 a wfs:FeatureCollection (numberOfFeatures, timeStamp) of gml:featureMember elements
 * with GML 3.1.1 features. With RESULTTYPE=hits the collection is empty; WFS 1.1 then gives as
 * numberOfFeatures the number a results request would return.
 */
import type { StoredFeature } from '../../vector/vector-store.ts';
import { XSI_NS, WFS_1_1_NS, WFS_2_0_NS } from '../ogc-namespaces.ts';
import type { CollectionInfo, FeatureCollectionWriter } from './feature-collection-writer.ts';
import { gmlFeature } from './gml-feature.ts';
import { FEATURE_NS, FEATURE_PREFIX } from './wfs-feature-types.ts';
import {
  GML_3_1_NS,
  GML_3_2_NS,
  GML_3_2_SCHEMA,
  WFS_1_1_SCHEMA,
  WFS_2_0_SCHEMA,
} from './wfs-namespaces.ts';
import type { FeatureQuery, QueryPart } from './wfs-query.ts';
import { escapeAttribute } from '../../xml/xml-escape.ts';

export class GmlCollectionWriter implements FeatureCollectionWriter {
  readonly #gml32: boolean;
  #crs: FeatureQuery['crs'] | undefined;

  constructor(gml32: boolean) {
    this.#gml32 = gml32;
  }

  open(info: CollectionInfo): string {
    const { query } = info;
    this.#crs = query.crs;
    const schemaLocation = this.#gml32
      ? `${FEATURE_NS} ${info.describeUrl} ${WFS_2_0_NS} ${WFS_2_0_SCHEMA} ${GML_3_2_NS} ${GML_3_2_SCHEMA}`
      : `${FEATURE_NS} ${info.describeUrl} ${WFS_1_1_NS} ${WFS_1_1_SCHEMA}`;
    const attributes: Array<[string, string | number]> = [
      ['xmlns:wfs', this.#gml32 ? WFS_2_0_NS : WFS_1_1_NS],
      ['xmlns:gml', this.#gml32 ? GML_3_2_NS : GML_3_1_NS],
      [`xmlns:${FEATURE_PREFIX}`, FEATURE_NS],
      ['xmlns:xsi', XSI_NS],
      ['xsi:schemaLocation', schemaLocation],
      ['timeStamp', info.timeStamp],
    ];
    if (this.#gml32) {
      attributes.push(['numberMatched', query.numberMatched]);
      attributes.push(['numberReturned', query.numberReturned]);
      if (info.next !== undefined) attributes.push(['next', info.next]);
      if (info.previous !== undefined) attributes.push(['previous', info.previous]);
    } else {
      const available = Math.max(0, query.numberMatched - query.startIndex);
      const wouldReturn = Math.min(available, query.count ?? available);
      attributes.push(['numberOfFeatures', query.hits ? wouldReturn : query.numberReturned]);
    }
    const text = attributes
      .map(([name, value]) => `${name}="${escapeAttribute(String(value))}"`)
      .join(' ');
    return `<?xml version="1.0" encoding="UTF-8"?>\n<wfs:FeatureCollection ${text}>\n`;
  }

  feature(part: QueryPart, stored: StoredFeature): string {
    const element = gmlFeature(stored.feature, stored.id, {
      layer: part.dataset.layer,
      geometryName: part.dataset.schema.geometryName,
      geometry: part.geometry,
      properties: part.properties,
      crs: this.#crs as FeatureQuery['crs'],
      gml32: this.#gml32,
    });
    return this.#gml32
      ? `<wfs:member>${element}</wfs:member>\n`
      : `<gml:featureMember>${element}</gml:featureMember>\n`;
  }

  close(): string {
    return '</wfs:FeatureCollection>\n';
  }
}
