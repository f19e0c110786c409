/**
 * A GetFeature or GetPropertyValue request, read from its KVP parameters and run against the
 * datasets up to the point where features are written: which types, which features of each
 * (BBOX, RESOURCEID/FEATUREID, FILTER), which properties, which page, which CRS. Everything
 * that can fail is done here, before the response starts streaming, so a bad request is still
 * answered with an exception document. Only positions are kept (4 bytes per matching feature,
 * none when every feature matches).
 *
 * Access control (wfs-access.ts) is part of the query: hidden layers are unknown types, the
 * feature filter narrows the positions after ids and boxes (so the predicate runs only on the
 * candidates, and counts, hits and pages are exact), and withheld attributes are unknown
 * properties.
 *
 * Parameter spellings: TYPENAMES (2.0) / TYPENAME (1.1), COUNT (2.0) / MAXFEATURES (1.1),
 * RESOURCEID (2.0) / FEATUREID (1.1); each version also accepts the other's spelling.
 */
import type { AccessControl } from '../../access/access-control.ts';
import { positionsIntersecting } from '../../vector/bbox-filter.ts';
import type { PropertySchema } from '../../vector/feature-schema.ts';
import type { VectorDataset, VectorStore } from '../../vector/vector-store.ts';
import { ServiceException } from '../../errors/service-exception.ts';
import type { LayerRegistry } from '../../layers/layer-registry.ts';
import type { WorkerPool } from '../../pool/worker-pool.ts';
import type { OwsParameters } from '../../request-loop/ows-parameters.ts';
import {
  checkedBox,
  readBbox,
  readCardinal,
  readCrs,
  readIds,
  readPropertyGroups,
  readResultType,
} from './query-parameters.ts';
import type { VisibleProperties, WfsAccess } from './wfs-access.ts';
import type { Crs } from './wfs-crs.ts';
import {
  datasetFor,
  localName,
  openFeatureType,
  parseGroups,
  readableVectorLayers,
  type FeatureType,
} from './wfs-feature-types.ts';
import type { BoxCondition } from './wfs-filter.ts';
import { parseFilterOnPool } from './wfs-jobs.ts';
import type { WfsVersion } from './wfs-versions.ts';

export interface QueryPart {
  readonly dataset: VectorDataset;
  /** Matching positions, ascending; undefined when every feature matches. */
  readonly positions: Uint32Array | undefined;
  readonly matched: number;
  /** The properties to write, in schema order. */
  readonly properties: readonly PropertySchema[];
  /**
   * No PROPERTYNAME and no attribute withheld: every property, including any the schema sample
   * missed.
   */
  readonly allProperties: boolean;
  /** The properties the request may see at all (a VALUEREFERENCE may name one of them). */
  readonly visibleProperties: readonly PropertySchema[];
  readonly geometry: boolean;
}

export interface FeatureQuery {
  readonly parts: readonly QueryPart[];
  readonly numberMatched: number;
  readonly numberReturned: number;
  readonly startIndex: number;
  readonly count: number | undefined;
  readonly hits: boolean;
  readonly crs: Crs;
}

export interface QuerySources {
  layers: LayerRegistry;
  store: VectorStore;
  accessControl: AccessControl;
  /** FILTER is parsed here. */
  pool: WorkerPool;
  /** The largest FILTER accepted, in bytes (RELIEF_MAX_XML_BYTES). */
  maxXmlBytes: number;
}

export async function readFeatureQuery(
  parameters: OwsParameters,
  version: WfsVersion,
  sources: QuerySources,
  access: WfsAccess,
  /** The request's ctx.signal: the FILTER's parse is dropped when the client goes away. */
  signal?: AbortSignal,
): Promise<FeatureQuery> {
  for (const name of ['SORTBY', 'STOREDQUERY_ID']) {
    if (parameters.has(name)) {
      throw new ServiceException('OptionNotSupported', `${name} is not supported here`, name);
    }
  }
  const crs = readCrs(parameters.get('SRSNAME'));
  const boxes: BoxCondition[] = [];
  const bbox = parameters.get('BBOX');
  if (bbox !== undefined) boxes.push(readBbox(bbox));
  let ids = readIds(parameters);
  const filter = parameters.get('FILTER');
  if (filter !== undefined && filter.trim() !== '') {
    const conditions = await parseFilterOnPool(sources.pool, filter, sources.maxXmlBytes, signal);
    boxes.push(...conditions.boxes);
    if (conditions.ids !== undefined) {
      ids = ids === undefined ? conditions.ids : ids.filter((id) => conditions.ids?.includes(id));
    }
  }
  const extents = boxes.map(({ crs: boxCrs, values }) => checkedBox(boxCrs, values));

  const types = await readDatasets(parameters, version, sources, access, ids !== undefined);
  const propertyGroups = readPropertyGroups(parameters.get('PROPERTYNAME'), types.length);
  const parts = types.map(({ layer, dataset }, i): QueryPart => {
    const visible = access.properties(layer, dataset);
    const selection = selectProperties(
      dataset,
      visible,
      propertyGroups?.[i] ?? propertyGroups?.[0],
    );
    let positions = ids === undefined ? undefined : dataset.positionsOf(ids);
    for (const extent of extents) positions = positionsIntersecting(dataset, extent, positions);
    positions = access.visible(layer, dataset, positions);
    return {
      dataset,
      positions,
      matched: positions?.length ?? dataset.size,
      visibleProperties: visible.properties,
      ...selection,
    };
  });

  const numberMatched = parts.reduce((sum, part) => sum + part.matched, 0);
  const startIndex = readCardinal(parameters, ['STARTINDEX']) ?? 0;
  const count = readCardinal(
    parameters,
    version === '2.0.0' ? ['COUNT', 'MAXFEATURES'] : ['MAXFEATURES', 'COUNT'],
  );
  const hits = readResultType(parameters.get('RESULTTYPE'));
  const available = Math.max(0, numberMatched - startIndex);
  return {
    parts,
    numberMatched,
    numberReturned: hits ? 0 : Math.min(available, count ?? available),
    startIndex,
    count,
    hits,
    crs,
  };
}

async function readDatasets(
  parameters: OwsParameters,
  version: WfsVersion,
  sources: QuerySources,
  access: WfsAccess,
  byId: boolean,
): Promise<FeatureType[]> {
  const [primary, alternative] =
    version === '2.0.0' ? ['TYPENAMES', 'TYPENAME'] : ['TYPENAME', 'TYPENAMES'];
  const locator = version === '2.0.0' ? 'typeNames' : 'typeName';
  const value = parameters.get(primary) ?? parameters.get(alternative);
  if (value === undefined || value.trim() === '') {
    // Resource ids are unique across types, so they may stand alone.
    if (byId) {
      const layers = readableVectorLayers(sources.layers, access);
      return Promise.all(layers.map((layer) => openFeatureType(sources.store, layer)));
    }
    throw new ServiceException(
      'MissingParameterValue',
      `${primary} is required (or RESOURCEID)`,
      locator,
    );
  }
  let groups;
  try {
    groups = parseGroups(value);
  } catch (error) {
    throw new ServiceException('InvalidParameterValue', (error as Error).message, locator);
  }
  const names = groups.flatMap((group) => {
    if (group.length > 1 && value.trim().startsWith('(')) {
      throw new ServiceException(
        'OptionNotSupported',
        'Joins are not supported; list each type in its own parentheses',
        locator,
      );
    }
    return group;
  });
  if (names.length === 0) {
    throw new ServiceException('MissingParameterValue', `${primary} is empty`, locator);
  }
  return Promise.all(
    names.map((name) => datasetFor(sources.layers, sources.store, access, name, locator)),
  );
}

/** The properties a query writes, out of those the request may see; a withheld one is unknown. */
function selectProperties(
  dataset: VectorDataset,
  visible: VisibleProperties,
  names: readonly string[] | undefined,
): Pick<QueryPart, 'properties' | 'allProperties' | 'geometry'> {
  const schema = dataset.schema;
  const { properties } = visible;
  if (names === undefined || names.includes('*')) {
    return { properties, allProperties: !visible.restricted, geometry: true };
  }
  // `relief:roads/relief:name` and `relief:name` both name the property `name`.
  const wanted = new Set(names.map((name) => localName(name.slice(name.lastIndexOf('/') + 1))));
  for (const name of wanted) {
    if (name !== schema.geometryName && !properties.some((p) => p.name === name)) {
      throw new ServiceException(
        'InvalidParameterValue',
        `Feature type ${dataset.layer} has no property "${name}"`,
        'PROPERTYNAME',
      );
    }
  }
  return {
    properties: properties.filter((p) => wanted.has(p.name)),
    allProperties: false,
    geometry: wanted.has(schema.geometryName),
  };
}

/** The (part, positions) slices that make up the page, in order. */
export function* pageOf(
  query: FeatureQuery,
): Generator<{ part: QueryPart; positions: Iterable<number> }> {
  let skip = query.startIndex;
  let remaining = query.numberReturned;
  for (const part of query.parts) {
    if (remaining === 0) return;
    if (skip >= part.matched) {
      skip -= part.matched;
      continue;
    }
    const end = Math.min(part.matched, skip + remaining);
    const positions = part.positions?.subarray(skip, end) ?? range(skip, end);
    remaining -= end - skip;
    skip = 0;
    yield { part, positions };
  }
}

function* range(start: number, end: number): Generator<number> {
  for (let i = start; i < end; i++) yield i;
}
