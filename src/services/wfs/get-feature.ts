/**
 * GetFeature: the query is read and run (wfs-query.ts) before anything is sent, then the page
 * is streamed: the body is an async generator that writes one feature at a time and hands the
 * request loop chunks of at most MAX_CHUNK_BYTES. Memory stays flat however many features the
 * layers hold. There is no server-side default for COUNT: without one the whole match is
 * streamed. The stored query GetFeatureById goes to stored-queries.ts.
 */
import type { OperationHandler, OwsResult } from '../ows-service.ts';
import { knownVersion } from '../known-version.ts';
import { chunked } from './chunked-body.ts';
import type { CollectionInfo, FeatureCollectionWriter } from './feature-collection-writer.ts';
import { GeoJsonCollectionWriter } from './geojson-collection-writer.ts';
import { GmlCollectionWriter } from './gml-collection-writer.ts';
import { pagingLinks } from './paging-links.ts';
import { getFeatureById } from './stored-queries.ts';
import { requestAccess } from './wfs-access.ts';
import { qualifiedName } from './wfs-feature-types.ts';
import { featureFormat } from './wfs-formats.ts';
import { pageOf, readFeatureQuery, type QuerySources } from './wfs-query.ts';
import { WFS_VERSIONS, type WfsVersion } from './wfs-versions.ts';

export function getFeature(sources: QuerySources): OperationHandler {
  return async ({ ctx, parameters, version: requested, endpoint }): Promise<OwsResult> => {
    const version = knownVersion(WFS_VERSIONS, requested);
    const format = featureFormat(version, parameters.get('OUTPUTFORMAT'));
    const access = requestAccess(sources.accessControl, ctx);
    if (version === '2.0.0' && parameters.has('STOREDQUERY_ID')) {
      return getFeatureById(parameters, format, sources, access);
    }
    const query = await readFeatureQuery(parameters, version, sources, access, ctx.signal);
    const writer: FeatureCollectionWriter =
      format.encoding === 'geojson'
        ? new GeoJsonCollectionWriter(format.contentType)
        : new GmlCollectionWriter(format.encoding === 'gml32');
    const typeNames = [...new Set(query.parts.map((part) => part.dataset.layer))];
    const info: CollectionInfo = {
      query,
      timeStamp: new Date().toISOString(),
      ...pagingLinks(endpoint, parameters, version, query),
      describeUrl: describeUrl(endpoint, version, typeNames),
    };
    return { body: chunked(pieces(writer, info)), contentType: format.contentType };
  };
}

async function* pieces(writer: FeatureCollectionWriter, info: CollectionInfo) {
  yield writer.open(info);
  if (!info.query.hits) {
    for (const { part, positions } of pageOf(info.query)) {
      for await (const stored of part.dataset.features(positions)) {
        yield writer.feature(part, stored);
      }
    }
  }
  yield writer.close();
}

export function describeUrl(endpoint: string, version: WfsVersion, layers: readonly string[]) {
  const typeNames = version === '2.0.0' ? 'TYPENAMES' : 'TYPENAME';
  const search = new URLSearchParams({
    SERVICE: 'WFS',
    VERSION: version,
    REQUEST: 'DescribeFeatureType',
    [typeNames]: layers.map(qualifiedName).join(','),
  });
  return `${endpoint}?${search.toString()}`;
}
