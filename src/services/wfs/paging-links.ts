/**
 * The next and previous page of a GetFeature response, as GET URLs: the request's own
 * parameters (in the client's spelling and order) with STARTINDEX and COUNT (MAXFEATURES in
 * WFS 1.1) set for the other page. There is a next page only when the client asked for a page
 * size; a previous one whenever the page does not start at 0.
 */
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import type { FeatureQuery } from './wfs-query.ts';
import type { WfsVersion } from './wfs-versions.ts';

export interface PagingLinks {
  next: string | undefined;
  previous: string | undefined;
}

export function pagingLinks(
  endpoint: string,
  parameters: OwsParameters,
  version: WfsVersion,
  query: FeatureQuery,
): PagingLinks {
  if (query.hits) return { next: undefined, previous: undefined };
  const { startIndex, count, numberMatched } = query;
  const next =
    count !== undefined && count > 0 && startIndex + count < numberMatched
      ? pageUrl(endpoint, parameters, version, startIndex + count, count)
      : undefined;
  const previous =
    startIndex === 0
      ? undefined
      : count !== undefined && count > 0
        ? pageUrl(endpoint, parameters, version, Math.max(0, startIndex - count), count)
        : pageUrl(endpoint, parameters, version, 0, Math.min(startIndex, numberMatched));
  return { next, previous };
}

const PAGING = new Set(['STARTINDEX', 'COUNT', 'MAXFEATURES']);

function pageUrl(
  endpoint: string,
  parameters: OwsParameters,
  version: WfsVersion,
  startIndex: number,
  count: number,
): string {
  const search = new URLSearchParams();
  let countName = version === '2.0.0' ? 'COUNT' : 'MAXFEATURES';
  let startName = 'STARTINDEX';
  for (const [name, value] of parameters) {
    const key = name.toUpperCase();
    if (key === 'STARTINDEX') startName = name;
    else if (key === 'COUNT' || key === 'MAXFEATURES') countName = name;
    if (!PAGING.has(key)) search.append(name, value);
  }
  search.append(startName, String(startIndex));
  search.append(countName, String(count));
  return `${endpoint}?${search.toString()}`;
}
