/**
 * Access control as the WFS applies it, resolved once per request (as QGIS Server's access
 * control filters apply to its WFS): a layer the request may not read is a feature type that
 * does not exist, a feature failing the layer's feature filter is a feature that does not
 * exist (not written, not counted, not found by id, not paged over), and an attribute that is
 * not authorised is a property the type does not have.
 *
 * `requestAccess` checks `AccessControl.empty` once; with no filter registered the request gets
 * OPEN_ACCESS, whose every answer is its input, so there is no per-layer or per-feature work.
 * Otherwise each layer's predicate and authorised properties are asked for once per request,
 * and each feature's visibility is evaluated at most once per request, when a query first
 * visits it; queries evaluate it after ids and boxes have narrowed the candidates, so counts,
 * hits and paging work from the exact positions.
 *
 * Attribute rules see the properties' keys (the names in the data), not the XML-safe names
 * the WFS publishes. The geometry is not an attribute and is never withheld.
 */
import type { Feature } from 'geojson';
import type { AccessControl } from '../../access/access-control.ts';
import type { PublishedLayer } from '../../layers/layer-registry.ts';
import type { RequestContext } from '../../request-loop/request-context.ts';
import type { FeatureIndex } from '../../vector/feature-index.ts';
import type { PropertySchema } from '../../vector/feature-schema.ts';
import type { VectorDataset } from '../../vector/vector-store.ts';

export interface VisibleProperties {
  /** The schema properties the request may see, in schema order. */
  readonly properties: readonly PropertySchema[];
  /** True when some property is withheld: features must then never be written whole. */
  readonly restricted: boolean;
}

export interface WfsAccess {
  /** True when no access control filter is registered. */
  readonly open: boolean;
  canRead(layer: PublishedLayer): boolean;
  /** The layers of `layers` the request may read, in order. */
  readable(layers: readonly PublishedLayer[]): readonly PublishedLayer[];
  /**
   * The positions of `candidates` (every feature when undefined), ascending, whose features the
   * request may see; `candidates` itself (undefined included) when the layer has no filter.
   */
  visible(
    layer: PublishedLayer,
    dataset: VectorDataset,
    candidates: Uint32Array | undefined,
  ): Uint32Array | undefined;
  properties(layer: PublishedLayer, dataset: VectorDataset): VisibleProperties;
}

export const OPEN_ACCESS: WfsAccess = {
  open: true,
  canRead: () => true,
  readable: (layers) => layers,
  visible: (_layer, _dataset, candidates) => candidates,
  properties: (_layer, dataset) => ({ properties: dataset.schema.properties, restricted: false }),
};

export function requestAccess(accessControl: AccessControl, ctx: RequestContext): WfsAccess {
  return accessControl.empty ? OPEN_ACCESS : new FilteredAccess(accessControl, ctx);
}

const UNKNOWN = 0;
const SHOWN = 1;
const HIDDEN = 2;

class FilteredAccess implements WfsAccess {
  readonly open = false;
  readonly #accessControl: AccessControl;
  readonly #ctx: RequestContext;
  readonly #predicates = new Map<string, ((feature: Feature) => boolean) | undefined>();
  /** Per layer: UNKNOWN, SHOWN or HIDDEN for each position of the features it was read from. */
  readonly #verdicts = new Map<string, { index: FeatureIndex; verdicts: Uint8Array }>();
  readonly #properties = new Map<FeatureIndex, Map<string, VisibleProperties>>();

  constructor(accessControl: AccessControl, ctx: RequestContext) {
    this.#accessControl = accessControl;
    this.#ctx = ctx;
  }

  canRead(layer: PublishedLayer): boolean {
    return this.#accessControl.canRead(this.#ctx, layer);
  }

  readable(layers: readonly PublishedLayer[]): readonly PublishedLayer[] {
    return this.#accessControl.readable(this.#ctx, layers);
  }

  visible(
    layer: PublishedLayer,
    dataset: VectorDataset,
    candidates: Uint32Array | undefined,
  ): Uint32Array | undefined {
    const predicate = this.#predicate(layer);
    if (predicate === undefined) return candidates;
    let memo = this.#verdicts.get(layer.name);
    if (memo?.index !== dataset.index) {
      // Two layers may share features but not their filters; data replaced mid-request is new.
      memo = { index: dataset.index, verdicts: new Uint8Array(dataset.size) };
      this.#verdicts.set(layer.name, memo);
    }
    const { verdicts } = memo;
    const total = candidates?.length ?? dataset.size;
    const found = new Uint32Array(total);
    let n = 0;
    for (let k = 0; k < total; k++) {
      const i = candidates === undefined ? k : (candidates[k] as number);
      let verdict = verdicts[i];
      if (verdict === UNKNOWN) {
        verdict = predicate(dataset.featureAt(i)) ? SHOWN : HIDDEN;
        verdicts[i] = verdict;
      }
      if (verdict === SHOWN) found[n++] = i;
    }
    return n === total ? found : found.slice(0, n);
  }

  properties(layer: PublishedLayer, dataset: VectorDataset): VisibleProperties {
    let byLayer = this.#properties.get(dataset.index);
    if (byLayer === undefined) {
      byLayer = new Map();
      this.#properties.set(dataset.index, byLayer);
    }
    let visible = byLayer.get(layer.name);
    if (visible === undefined) {
      const all = dataset.schema.properties;
      const authorized = new Set(
        this.#accessControl.authorizedAttributes(
          this.#ctx,
          layer,
          all.map((property) => property.key),
        ),
      );
      const properties = all.filter((property) => authorized.has(property.key));
      visible = { properties, restricted: properties.length < all.length };
      byLayer.set(layer.name, visible);
    }
    return visible;
  }

  #predicate(layer: PublishedLayer): ((feature: Feature) => boolean) | undefined {
    if (this.#predicates.has(layer.name)) return this.#predicates.get(layer.name);
    const predicate = this.#accessControl.featureFilter(this.#ctx, layer);
    this.#predicates.set(layer.name, predicate);
    return predicate;
  }
}
