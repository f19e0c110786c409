import { describe, expect, it } from 'vitest';
import { AccessControl } from '../../../src/access/access-control.ts';
import { CacheFilters } from '../../../src/access/cache-filter.ts';
import type { PublishedLayer } from '../../../src/layers/layer-registry.ts';
import type { RequestContext } from '../../../src/request-loop/request-context.ts';
import { cacheKey, throughCacheFilters } from '../../../src/services/filter-cache.ts';

const request = (role?: string) =>
  ({ headers: { 'x-role': role }, state: new Map(), log: console }) as unknown as RequestContext;
const layer = (name: string) => ({ name }) as PublishedLayer;
const PARTS = { service: 'WFS', operation: 'GetCapabilities', version: '2.0.0' };

describe('cacheKey', () => {
  it('holds the parts, the access-control cache key and the layers hidden from the request', () => {
    const open = { accessControl: new AccessControl() };
    const key = cacheKey(open, request(), PARTS);
    expect(JSON.parse(key)).toMatchObject({ ...PARTS, access: '' });
    expect(cacheKey(open, request('admin'), PARTS)).toBe(key);
    expect(cacheKey(open, request(), { ...PARTS, version: '1.1.0' })).not.toBe(key);

    const accessControl = new AccessControl();
    accessControl.register({ cacheKey: (ctx) => String(ctx.headers['x-role'] ?? 'guest') }, 0, 'a');
    // A filter without a cacheKey still makes variants, by the layers it hides.
    accessControl.register(
      { canRead: (ctx, l) => l.name !== 'secret' || ctx.headers['x-role'] === 'admin' },
      0,
      'b',
    );
    const filtered = { accessControl };
    const listed = [layer('open'), layer('secret')];
    expect(JSON.parse(cacheKey(filtered, request(), PARTS, listed)).access).toEqual({
      key: 'a=guest',
      hidden: ['secret'],
    });
    expect(JSON.parse(cacheKey(filtered, request('admin'), PARTS, listed)).access).toEqual({
      key: 'a=admin',
      hidden: [],
    });
    expect(typeof JSON.parse(key).run).toBe('string');
  });
});

describe('throughCacheFilters', () => {
  it('builds without making a key when no filter is registered', async () => {
    const context = { cacheFilters: new CacheFilters() };
    const answer = { body: 'x', contentType: 'text/plain' };
    const key = () => {
      throw new Error('no key needed');
    };
    expect(await throughCacheFilters(context, request(), 'document', key, async () => answer)).toBe(
      answer,
    );
  });

  it('answers a hit, and offers a built string as bytes', async () => {
    const cacheFilters = new CacheFilters();
    const stored = new Map<string, Buffer>();
    cacheFilters.register({
      get: (_c, _k, key) => {
        const body = stored.get(key);
        return body && { body, contentType: 'text/plain' };
      },
      set: (_c, _k, key, entry) => void stored.set(key, entry.body),
    });
    let builds = 0;
    const build = async () => ({ body: `built ${++builds}`, contentType: 'text/plain' });
    const through = () =>
      throughCacheFilters({ cacheFilters }, request(), 'document', () => 'k', build);
    expect((await through()).body).toBe('built 1');
    expect(stored.get('k')).toEqual(Buffer.from('built 1'));
    expect((await through()).body).toEqual(Buffer.from('built 1'));
    expect(builds).toBe(1);
  });
});
