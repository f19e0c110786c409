/**
 * The WFS 2.0 conformance statement: the service constraints of ISO 19142 Table 13 and the
 * filter conformance constraints of ISO 19143 Table 1, all of which a capabilities document must
 * list. The values say what this build does:
 * - Basic WFS (A.1.2): simple WFS (GetCapabilities, DescribeFeatureType, ListStoredQueries,
 *   DescribeStoredQueries, GetFeature with GetFeatureById) plus ad hoc GetFeature queries,
 *   GetPropertyValue and the minimum spatial filter (BBOX); result paging with STARTINDEX and
 *   COUNT; KVP encoding only (an XML GetFeature body is not read).
 * - Filters: ad hoc queries, resource ids, BBOX (as a KVP parameter or inside FILTER). No
 *   comparison or logical operators beyond And, no sorting, no temporal filters.
 */
export type WfsServiceConstraint =
  | 'ImplementsBasicWFS'
  | 'ImplementsTransactionalWFS'
  | 'ImplementsLockingWFS'
  | 'KVPEncoding'
  | 'XMLEncoding'
  | 'SOAPEncoding'
  | 'ImplementsInheritance'
  | 'ImplementsRemoteResolve'
  | 'ImplementsResultPaging'
  | 'ImplementsStandardJoins'
  | 'ImplementsSpatialJoins'
  | 'ImplementsTemporalJoins'
  | 'ImplementsFeatureVersioning'
  | 'ManageStoredQueries';

export const WFS_SERVICE_CONSTRAINTS: Readonly<Record<WfsServiceConstraint, boolean>> = {
  ImplementsBasicWFS: true,
  ImplementsTransactionalWFS: false,
  ImplementsLockingWFS: false,
  KVPEncoding: true,
  // Only GetCapabilities can be sent as an XML document.
  XMLEncoding: false,
  SOAPEncoding: false,
  ImplementsInheritance: false,
  ImplementsRemoteResolve: false,
  ImplementsResultPaging: true,
  ImplementsStandardJoins: false,
  ImplementsSpatialJoins: false,
  ImplementsTemporalJoins: false,
  ImplementsFeatureVersioning: false,
  ManageStoredQueries: false,
};

export type FilterConformanceConstraint =
  | 'ImplementsQuery'
  | 'ImplementsAdHocQuery'
  | 'ImplementsFunctions'
  | 'ImplementsResourceId'
  | 'ImplementsMinStandardFilter'
  | 'ImplementsStandardFilter'
  | 'ImplementsMinSpatialFilter'
  | 'ImplementsSpatialFilter'
  | 'ImplementsMinTemporalFilter'
  | 'ImplementsTemporalFilter'
  | 'ImplementsVersionNav'
  | 'ImplementsSorting'
  | 'ImplementsExtendedOperators'
  | 'ImplementsMinimumXPath'
  | 'ImplementsSchemaElementFunc';

export const FILTER_CONFORMANCE: Readonly<Record<FilterConformanceConstraint, boolean>> = {
  ImplementsQuery: true,
  ImplementsAdHocQuery: true,
  ImplementsFunctions: false,
  ImplementsResourceId: true,
  ImplementsMinStandardFilter: false,
  ImplementsStandardFilter: false,
  ImplementsMinSpatialFilter: true,
  ImplementsSpatialFilter: false,
  ImplementsMinTemporalFilter: false,
  ImplementsTemporalFilter: false,
  ImplementsVersionNav: false,
  ImplementsSorting: false,
  ImplementsExtendedOperators: false,
  ImplementsMinimumXPath: false,
  ImplementsSchemaElementFunc: false,
};
