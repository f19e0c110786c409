/**
 * Vector layers as WFS feature types: their qualified names in Relief's feature namespace, the
 * datasets behind the TYPENAMES a request lists, and the summaries capabilities need. A name is
 * accepted with any prefix (`relief:roads`, `ns:roads`) or none (`roads`), as clients differ.
 * Only the layers the request may read are feature types: a hidden layer is "not served here"
 * exactly like an unknown name, so a refusal never reveals that it exists.
 */
import type { Extent } from '../../vector/feature-index.ts';
import { VectorSourceError } from '../../vector/vector-source-error.ts';
import type { VectorDataset, VectorStore } from '../../vector/vector-store.ts';
import { ServiceException } from '../../errors/service-exception.ts';
import type { LayerRegistry, PublishedLayer } from '../../layers/layer-registry.ts';
import type { WfsAccess } from './wfs-access.ts';

/** The namespace of every feature type and property element Relief writes. */
export const FEATURE_NS = 'urn:x-relief:features';
export const FEATURE_PREFIX = 'relief';

export const WORLD: Extent = [-180, -90, 180, 90];

export function qualifiedName(layer: string): string {
  return `${FEATURE_PREFIX}:${layer}`;
}

/** `relief:roads` → `roads`; a Clark-notation `{ns}roads` also reads as `roads`. */
export function localName(name: string): string {
  const trimmed = name.trim();
  const clark = trimmed.startsWith('{') ? trimmed.slice(trimmed.indexOf('}') + 1) : trimmed;
  return clark.slice(clark.lastIndexOf(':') + 1);
}

export function vectorLayers(layers: LayerRegistry): PublishedLayer[] {
  return layers.list().filter((layer) => layer.kind === 'vector');
}

/** The vector layers this request may read. */
export function readableVectorLayers(
  layers: LayerRegistry,
  access: WfsAccess,
): readonly PublishedLayer[] {
  return access.readable(vectorLayers(layers));
}

/** A feature type a request works on: the layer (for access control) and its features. */
export interface FeatureType {
  readonly layer: PublishedLayer;
  readonly dataset: VectorDataset;
}

export interface FeatureTypeSummary {
  readonly name: string;
  readonly title: string;
  readonly abstract: string | undefined;
  readonly keywords: readonly string[];
  readonly bbox: Extent;
}

/**
 * What capabilities list for each vector layer in `layers`. The extent is the layer's declared
 * bbox or else computed from all its features (as QGIS Server, feature filters do not narrow
 * it); a layer whose data cannot be read is still listed (with the world as extent) and
 * reported through `onError`, so one bad file does not hide the others.
 */
export async function featureTypeSummaries(
  layers: readonly PublishedLayer[],
  store: VectorStore,
  onError: (layer: string, error: unknown) => void,
): Promise<FeatureTypeSummary[]> {
  return Promise.all(
    layers.map(async (layer) => {
      let bbox = layer.bbox;
      if (bbox === undefined) {
        try {
          bbox = (await store.dataset(layer)).extent;
        } catch (error) {
          onError(layer.name, error);
        }
      }
      return {
        name: layer.name,
        title: layer.title,
        abstract: layer.abstract,
        keywords: layer.keywords ?? [],
        bbox: bbox ?? WORLD,
      };
    }),
  );
}

/**
 * The layer and dataset of a type named in a request; unknown, non-vector and hidden names are
 * the same client error.
 */
export async function datasetFor(
  layers: LayerRegistry,
  store: VectorStore,
  access: WfsAccess,
  typeName: string,
  locator: string,
): Promise<FeatureType> {
  const layer = layers.get(localName(typeName));
  if (layer === undefined || layer.kind !== 'vector' || !access.canRead(layer)) {
    throw new ServiceException(
      'InvalidParameterValue',
      `Feature type "${typeName}" is not served here`,
      locator,
    );
  }
  return { layer, dataset: await openDataset(store, layer) };
}

export async function openFeatureType(
  store: VectorStore,
  layer: PublishedLayer,
): Promise<FeatureType> {
  return { layer, dataset: await openDataset(store, layer) };
}

export async function openDataset(
  store: VectorStore,
  layer: PublishedLayer,
): Promise<VectorDataset> {
  try {
    return await store.dataset(layer);
  } catch (error) {
    if (!(error instanceof VectorSourceError)) throw error;
    throw new ServiceException(
      'OperationProcessingFailed',
      `The features of ${layer.name} cannot be read`,
      undefined,
      500,
      { cause: error },
    );
  }
}

/**
 * A KVP list of names: `a,b` or, in the WFS 2.0 form with one group per query, `(a)(b)`.
 * Returns one list per group (a plain list is a single group).
 */
export function parseGroups(value: string): string[][] {
  const trimmed = value.trim();
  if (!trimmed.startsWith('(')) return [splitList(trimmed)];
  const groups: string[][] = [];
  const pattern = /\(([^()]*)\)/g;
  let match;
  let consumed = '';
  while ((match = pattern.exec(trimmed)) !== null) {
    groups.push(splitList(match[1] as string));
    consumed += match[0];
  }
  if (consumed !== trimmed.replace(/\s+(?=\()/g, '')) {
    throw new SyntaxError(`Unbalanced parentheses in ${value}`);
  }
  return groups;
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}
