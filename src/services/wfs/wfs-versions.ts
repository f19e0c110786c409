/** The WFS versions Relief speaks and the operations their capabilities list. */
export const WFS_VERSIONS = ['1.1.0', '2.0.0'] as const;
export type WfsVersion = (typeof WFS_VERSIONS)[number];

export type WfsOperationName =
  | 'GetCapabilities'
  | 'DescribeFeatureType'
  | 'ListStoredQueries'
  | 'DescribeStoredQueries'
  | 'GetPropertyValue'
  | 'GetFeature';

/**
 * What each version's capabilities list, which is what the service implements: WFS 1.1.0 basic
 * WFS; WFS 2.0 basic WFS (ISO 19142 A.1.2: simple WFS plus GetPropertyValue).
 */
export const WFS_OPERATIONS: Record<WfsVersion, readonly WfsOperationName[]> = {
  '1.1.0': ['GetCapabilities', 'DescribeFeatureType', 'GetFeature'],
  '2.0.0': [
    'GetCapabilities',
    'DescribeFeatureType',
    'ListStoredQueries',
    'DescribeStoredQueries',
    'GetPropertyValue',
    'GetFeature',
  ],
};
