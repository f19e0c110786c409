/**
 * GetPropertyValue (WFS 2.0): the values of one property of the queried features, streamed in a
 * wfs:ValueCollection like GetFeature streams features. VALUEREFERENCE names a property
 * (`name`, `relief:name` or `relief:layer/relief:name`), the geometry property, or `@gml:id`.
 * Simple values are written as the member's text, geometries as GML 3.2; a feature without a
 * value gets an empty member, so numberReturned counts members.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import { WFS_2_0_NS, XSI_NS } from '../ogc-namespaces.ts';
import type { OperationHandler } from '../ows-service.ts';
import { chunked } from './chunked-body.ts';
import { textOf } from './gml-feature.ts';
import { gmlGeometry } from './gml-geometry.ts';
import { pagingLinks } from './paging-links.ts';
import { requestAccess } from './wfs-access.ts';
import { FEATURE_NS, FEATURE_PREFIX, localName } from './wfs-feature-types.ts';
import { schemaFormat } from './wfs-formats.ts';
import { GML_3_2_NS, GML_3_2_SCHEMA, WFS_2_0_SCHEMA } from './wfs-namespaces.ts';
import { pageOf, readFeatureQuery, type FeatureQuery, type QuerySources } from './wfs-query.ts';
import { escapeAttribute, escapeText } from '../../xml/xml-escape.ts';

type Reference = { kind: 'id' } | { kind: 'geometry' } | { kind: 'property'; name: string };

export function getPropertyValue(sources: QuerySources): OperationHandler {
  return async ({ ctx, parameters, version, endpoint }) => {
    if (version !== '2.0.0') {
      throw new ServiceException(
        'OperationNotSupported',
        'GetPropertyValue is a WFS 2.0 operation',
        'REQUEST',
      );
    }
    const format = schemaFormat('2.0.0', parameters.get('OUTPUTFORMAT'));
    if (format.encoding !== 'gml32') {
      throw new ServiceException(
        'InvalidParameterValue',
        'GetPropertyValue answers in GML 3.2 only',
        'outputFormat',
      );
    }
    const valueReference = parameters.get('VALUEREFERENCE');
    if (valueReference === undefined || valueReference.trim() === '') {
      throw new ServiceException(
        'MissingParameterValue',
        'VALUEREFERENCE is required',
        'valueReference',
      );
    }
    const access = requestAccess(sources.accessControl, ctx);
    const query = await readFeatureQuery(parameters, '2.0.0', sources, access, ctx.signal);
    const reference = resolveReference(valueReference, query);
    const links = pagingLinks(endpoint, parameters, '2.0.0', query);
    return {
      body: chunked(values(query, reference, { timeStamp: new Date().toISOString(), ...links })),
      contentType: format.contentType,
    };
  };
}

function resolveReference(text: string, query: FeatureQuery): Reference {
  const step = text.trim().slice(text.trim().lastIndexOf('/') + 1);
  if (step === '@gml:id' || step === 'gml:id') return { kind: 'id' };
  const name = localName(step);
  for (const part of query.parts) {
    const schema = part.dataset.schema;
    if (name === schema.geometryName) continue;
    if (!part.visibleProperties.some((property) => property.name === name)) {
      throw new ServiceException(
        'InvalidParameterValue',
        `Feature type ${part.dataset.layer} has no property "${name}"`,
        'valueReference',
      );
    }
  }
  const geometry = query.parts.every((part) => part.dataset.schema.geometryName === name);
  return geometry ? { kind: 'geometry' } : { kind: 'property', name };
}

async function* values(
  query: FeatureQuery,
  reference: Reference,
  info: { timeStamp: string; next: string | undefined; previous: string | undefined },
) {
  const attributes: Array<[string, string | number]> = [
    ['xmlns:wfs', WFS_2_0_NS],
    ['xmlns:gml', GML_3_2_NS],
    [`xmlns:${FEATURE_PREFIX}`, FEATURE_NS],
    ['xmlns:xsi', XSI_NS],
    ['xsi:schemaLocation', `${WFS_2_0_NS} ${WFS_2_0_SCHEMA} ${GML_3_2_NS} ${GML_3_2_SCHEMA}`],
    ['timeStamp', info.timeStamp],
    ['numberMatched', query.numberMatched],
    ['numberReturned', query.numberReturned],
  ];
  if (info.next !== undefined) attributes.push(['next', info.next]);
  if (info.previous !== undefined) attributes.push(['previous', info.previous]);
  const text = attributes.map(([n, v]) => `${n}="${escapeAttribute(String(v))}"`).join(' ');
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<wfs:ValueCollection ${text}>\n`;
  for (const { part, positions } of pageOf(query)) {
    const key =
      reference.kind === 'property'
        ? part.visibleProperties.find((p) => p.name === reference.name)?.key
        : undefined;
    for await (const { id, feature } of part.dataset.features(positions)) {
      let value: string;
      if (reference.kind === 'id') value = escapeText(id);
      else if (reference.kind === 'geometry') {
        value =
          feature.geometry == null
            ? ''
            : gmlGeometry(feature.geometry, id, { crs: query.crs, gml32: true });
      } else {
        const raw = key === undefined ? undefined : feature.properties?.[key];
        value = raw === null || raw === undefined ? '' : escapeText(textOf(raw));
      }
      yield value === '' ? '<wfs:member/>\n' : `<wfs:member>${value}</wfs:member>\n`;
    }
  }
  yield '</wfs:ValueCollection>\n';
}
