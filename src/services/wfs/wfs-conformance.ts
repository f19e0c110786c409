/**
 * The WFS 2.0 conformance statement: the service constraints of ISO 19142 Table 13 and the
 * filter conformance constraints of ISO 19143 Table 1, all of which a capabilities document must
 * list. The values say what this build does: only GetCapabilities so far, so nearly all are
 * FALSE. Flip them as GetFeature and filtering land.
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
  ImplementsBasicWFS: false,
  ImplementsTransactionalWFS: false,
  ImplementsLockingWFS: false,
  KVPEncoding: true,
  // Only GetCapabilities can be sent as an XML document so far.
  XMLEncoding: false,
  SOAPEncoding: false,
  ImplementsInheritance: false,
  ImplementsRemoteResolve: false,
  ImplementsResultPaging: false,
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
  ImplementsQuery: false,
  ImplementsAdHocQuery: false,
  ImplementsFunctions: false,
  ImplementsResourceId: false,
  ImplementsMinStandardFilter: false,
  ImplementsStandardFilter: false,
  ImplementsMinSpatialFilter: false,
  ImplementsSpatialFilter: false,
  ImplementsMinTemporalFilter: false,
  ImplementsTemporalFilter: false,
  ImplementsVersionNav: false,
  ImplementsSorting: false,
  ImplementsExtendedOperators: false,
  ImplementsMinimumXPath: false,
  ImplementsSchemaElementFunc: false,
};
