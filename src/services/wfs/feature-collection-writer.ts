/**
 * What a GetFeature response format writes: an opening with the counts, one string per
 * feature, a closing. GetFeature streams these through chunked(), so a writer never holds more
 * than one feature.
 */
import type { StoredFeature } from '../../vector/vector-store.ts';
import type { FeatureQuery, QueryPart } from './wfs-query.ts';

export interface CollectionInfo {
  readonly query: FeatureQuery;
  readonly timeStamp: string;
  /** Paging links (GetFeature URLs), when there is a next or previous page. */
  readonly next: string | undefined;
  readonly previous: string | undefined;
  /** DescribeFeatureType URL for the types in the response (for xsi:schemaLocation). */
  readonly describeUrl: string;
}

export interface FeatureCollectionWriter {
  open(info: CollectionInfo): string;
  feature(part: QueryPart, stored: StoredFeature): string;
  close(): string;
}
