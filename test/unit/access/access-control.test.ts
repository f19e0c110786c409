import type { Feature } from 'geojson';
import { describe, expect, it } from 'vitest';
import { AccessControl } from '../../../src/access/access-control.ts';
import type { PublishedLayer } from '../../../src/layers/layer-registry.ts';
import type { RequestContext } from '../../../src/request-loop/request-context.ts';

const ctx = (role?: string) =>
  ({
    state: new Map(),
    headers: role === undefined ? {} : { 'x-role': role },
  }) as unknown as RequestContext;
const layer = (name: string) =>
  ({
    name,
    title: name,
    kind: 'vector',
    source: { kind: 'features', data: { type: 'FeatureCollection', features: [] } },
    owner: 't',
    published: '',
  }) as PublishedLayer;
const feature = (kind: string): Feature => ({
  type: 'Feature',
  properties: { kind },
  geometry: { type: 'Point', coordinates: [0, 0] },
});

describe('AccessControl', () => {
  it('allows everything, cheaply, with no filter', () => {
    const access = new AccessControl();
    expect(access.empty).toBe(true);
    expect(access.canRead(ctx(), layer('a'))).toBe(true);
    expect(access.featureFilter(ctx(), layer('a'))).toBeUndefined();
    expect(access.authorizedAttributes(ctx(), layer('a'), ['x', 'y'])).toEqual(['x', 'y']);
    expect(access.cacheKey(ctx())).toBe('');
  });

  it('hides layers per request, memoising the answer within the request', () => {
    const access = new AccessControl();
    let calls = 0;
    access.register(
      {
        canRead: (c, l) => {
          calls++;
          return l.name !== 'secret' || c.headers['x-role'] === 'admin';
        },
      },
      0,
      'acl',
    );
    const request = ctx('guest');
    const layers = [layer('public'), layer('secret')];
    expect(access.readable(request, layers).map((l) => l.name)).toEqual(['public']);
    expect(access.canRead(request, layer('secret'))).toBe(false);
    expect(calls).toBe(2);
    expect(access.readable(ctx('admin'), layers).map((l) => l.name)).toEqual(['public', 'secret']);
  });

  it('combines feature filters and attribute rules of several filters, and builds cache keys', () => {
    const access = new AccessControl();
    access.register(
      {
        featureFilter: () => (f) => f.properties?.kind !== 'military',
        cacheKey: (c) => String(c.headers['x-role']),
      },
      1,
      'a',
    );
    access.register(
      {
        featureFilter: () => (f) => f.properties?.kind !== 'private',
        authorizedAttributes: (_c, _l, names) => names.filter((n) => n !== 'owner'),
      },
      2,
      'b',
    );
    const predicate = access.featureFilter(ctx(), layer('roads'));
    expect(['road', 'military', 'private'].map((k) => predicate?.(feature(k)))).toEqual([
      true,
      false,
      false,
    ]);
    expect(access.authorizedAttributes(ctx(), layer('roads'), ['name', 'owner'])).toEqual(['name']);
    expect(access.cacheKey(ctx('editor'))).toBe('a=editor');
    access.removeOwner('a');
    expect(access.cacheKey(ctx('editor'))).toBe('');
  });

  it('validates filters at registration', () => {
    const access = new AccessControl();
    expect(() => access.register({})).toThrow(TypeError);
    expect(() => access.register({ canRead: () => true }, 0.5)).toThrow(RangeError);
  });
});
