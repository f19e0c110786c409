/**
 * WFS 2.0 stored queries: the one every server must offer, GetFeatureById
 * (ISO 19142 §7.9.3.6), listed by ListStoredQueries, described by DescribeStoredQueries and run
 * by GetFeature with STOREDQUERY_ID and ID. Its answer is the feature alone (no collection);
 * an unknown id is NotFound (404). GeoJSON answers are always in WGS84 longitude/latitude.
 * Access control applies as to GetFeature: only readable types are listed, and a feature of a
 * hidden type or one the feature filter hides is not found, exactly like an unknown id.
 */
import type { GeoJsonProperties } from 'geojson';
import { xmlDocument } from '../../xml/xml-document.ts';
import type { PropertySchema } from '../../vector/feature-schema.ts';
import { ServiceException } from '../../errors/service-exception.ts';
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import { WFS_2_0_NS } from '../ogc-namespaces.ts';
import type { OperationHandler, OwsResult } from '../ows-service.ts';
import { TEXT_XML, xmlResult } from '../xml-result.ts';
import { gmlFeature } from './gml-feature.ts';
import { requestAccess, type WfsAccess } from './wfs-access.ts';
import {
  FEATURE_NS,
  FEATURE_PREFIX,
  openDataset,
  qualifiedName,
  readableVectorLayers,
  splitList,
} from './wfs-feature-types.ts';
import type { OutputFormat } from './wfs-formats.ts';
import { GML_3_2_NS, XSD_NS } from './wfs-namespaces.ts';
import { readCrs } from './query-parameters.ts';
import type { QuerySources } from './wfs-query.ts';
import { escapeAttribute } from '../../xml/xml-escape.ts';

export const GET_FEATURE_BY_ID = 'urn:ogc:def:query:OGC-WFS::GetFeatureById';
const TITLE = 'Get feature by identifier';
const ABSTRACT = 'Returns the single feature whose identifier is ID.';

function root(name: string) {
  return xmlDocument().ele(WFS_2_0_NS, `wfs:${name}`, {
    'xmlns:xsd': XSD_NS,
    [`xmlns:${FEATURE_PREFIX}`]: FEATURE_NS,
  });
}

export function listStoredQueries(sources: QuerySources): OperationHandler {
  return ({ ctx }) => {
    const access = requestAccess(sources.accessControl, ctx);
    const document = root('ListStoredQueriesResponse');
    const query = document.ele('wfs:StoredQuery', { id: GET_FEATURE_BY_ID });
    query.ele('wfs:Title').txt(TITLE);
    for (const layer of readableVectorLayers(sources.layers, access)) {
      query.ele('wfs:ReturnFeatureType').txt(qualifiedName(layer.name));
    }
    return xmlResult(document, TEXT_XML);
  };
}

export function describeStoredQueries(sources: QuerySources): OperationHandler {
  return ({ ctx, parameters }) => {
    const requested = splitList(parameters.get('STOREDQUERY_ID') ?? GET_FEATURE_BY_ID);
    for (const id of requested) {
      if (id !== GET_FEATURE_BY_ID) {
        throw new ServiceException(
          'InvalidParameterValue',
          `No stored query ${id}; the one stored query is ${GET_FEATURE_BY_ID}`,
          'STOREDQUERY_ID',
        );
      }
    }
    const access = requestAccess(sources.accessControl, ctx);
    const document = root('DescribeStoredQueriesResponse');
    const description = document.ele('wfs:StoredQueryDescription', { id: GET_FEATURE_BY_ID });
    description.ele('wfs:Title').txt(TITLE);
    description.ele('wfs:Abstract').txt(ABSTRACT);
    description.ele('wfs:Parameter', { name: 'ID', type: 'xsd:string' });
    description.ele('wfs:QueryExpressionText', {
      returnFeatureTypes: readableVectorLayers(sources.layers, access)
        .map((layer) => qualifiedName(layer.name))
        .join(' '),
      language: 'urn:ogc:def:queryLanguage:OGC-WFS::WFSQueryExpression',
      isPrivate: 'true',
    });
    return xmlResult(document, TEXT_XML);
  };
}

export async function getFeatureById(
  parameters: OwsParameters,
  format: OutputFormat,
  sources: QuerySources,
  access: WfsAccess,
): Promise<OwsResult> {
  const storedQuery = parameters.get('STOREDQUERY_ID');
  if (storedQuery !== GET_FEATURE_BY_ID) {
    throw new ServiceException(
      'InvalidParameterValue',
      `No stored query ${storedQuery}; the one stored query is ${GET_FEATURE_BY_ID}`,
      'STOREDQUERY_ID',
    );
  }
  const id = parameters.get('ID');
  if (id === undefined || id === '') {
    throw new ServiceException('MissingParameterValue', 'ID is required', 'ID');
  }
  const crs = readCrs(parameters.get('SRSNAME'));
  for (const layer of readableVectorLayers(sources.layers, access)) {
    const dataset = await openDataset(sources.store, layer);
    const position = access.visible(layer, dataset, dataset.positionsOf([id]))?.[0];
    if (position === undefined) continue;
    const feature = dataset.featureAt(position);
    const visible = access.properties(layer, dataset);
    if (format.encoding === 'geojson') {
      const body = JSON.stringify({
        type: 'Feature',
        id,
        geometry: feature.geometry,
        properties: visible.restricted
          ? authorizedValues(feature.properties, visible.properties)
          : feature.properties,
      });
      return { body, contentType: format.contentType };
    }
    const schema = dataset.schema;
    const namespaces =
      ` xmlns:${FEATURE_PREFIX}="${escapeAttribute(FEATURE_NS)}"` + ` xmlns:gml="${GML_3_2_NS}"`;
    const element = gmlFeature(feature, id, {
      layer: dataset.layer,
      geometryName: schema.geometryName,
      geometry: true,
      properties: visible.properties,
      crs,
      gml32: true,
      namespaces,
    });
    return {
      body: `<?xml version="1.0" encoding="UTF-8"?>\n${element}\n`,
      contentType: format.contentType,
    };
  }
  throw new ServiceException('NotFound', `No feature has the id ${id}`, 'ID', 404);
}

function authorizedValues(
  values: GeoJsonProperties,
  properties: readonly PropertySchema[],
): Record<string, unknown> {
  const authorized: Record<string, unknown> = {};
  for (const { key } of properties) {
    const value = values?.[key];
    if (value !== undefined) authorized[key] = value;
  }
  return authorized;
}
