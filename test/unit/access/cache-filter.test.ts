import { describe, expect, it } from 'vitest';
import {
  CacheFilters,
  type CachedEntry,
  type CachedKind,
  type CacheInvalidation,
} from '../../../src/access/cache-filter.ts';
import type { RequestContext } from '../../../src/request-loop/request-context.ts';

const warnings: string[] = [];
const log = { warn: (_details: object, message: string) => void warnings.push(message) };
const ctx = { log } as unknown as RequestContext;

describe('CacheFilters', () => {
  it('answers from the first filter that has the entry and offers new entries to all', async () => {
    const filters = new CacheFilters();
    expect(filters.empty).toBe(true);
    const memory = new Map<string, CachedEntry>();
    const seen: string[] = [];
    filters.register(
      {
        get: (_c, kind, key) => memory.get(`${kind}:${key}`),
        set: (_c, kind, key, e) => void memory.set(`${kind}:${key}`, e),
      },
      1,
      'memory',
    );
    filters.register(
      { set: async (_c, kind, key) => void seen.push(`${kind}:${key}`) },
      2,
      'audit',
    );
    expect(await filters.get(ctx, 'document', 'caps')).toBeUndefined();
    const entry = { body: Buffer.from('<x/>'), contentType: 'text/xml' };
    await filters.set(ctx, 'document', 'caps', entry);
    expect(await filters.get(ctx, 'document', 'caps')).toBe(entry);
    expect(await filters.get(ctx, 'image', 'caps')).toBeUndefined();
    expect(seen).toEqual(['document:caps']);
    expect(() => filters.register({})).toThrow(TypeError);
  });

  it('skips and logs a filter whose get or set throws, and answers from the next one', async () => {
    warnings.length = 0;
    const filters = new CacheFilters();
    const entry = { body: Buffer.from('<x/>'), contentType: 'text/xml' };
    const stored: string[] = [];
    filters.register(
      {
        get: () => {
          throw new Error('down');
        },
        set: async () => Promise.reject(new Error('full')),
      },
      0,
      'broken',
    );
    filters.register({ get: () => entry, set: (_c, _k, key) => void stored.push(key) }, 1, 'ok');
    expect(await filters.get(ctx, 'document', 'k')).toBe(entry);
    await filters.set(ctx, 'image', 'k', entry);
    expect(stored).toEqual(['k']);
    expect(warnings).toEqual([
      'cache filter of broken: get failed (down); answering without the cache',
      'cache filter of broken: set failed (full); answering without the cache',
    ]);
  });

  it('deletes a hit that is no entry, and takes bytes or text as a body', async () => {
    warnings.length = 0;
    const filters = new CacheFilters();
    const deleted: string[] = [];
    let answer: unknown = { body: 42, contentType: 'text/xml' };
    filters.register({
      get: () => answer as CachedEntry,
      delete: (_c, kind, key) => void deleted.push(`${kind} ${key}`),
    });
    expect(await filters.get(ctx, 'image', 'k')).toBeUndefined();
    expect(deleted).toEqual(['image k']);
    expect(warnings).toHaveLength(1);
    answer = { body: 'text', contentType: 'text/plain' };
    expect(await filters.get(ctx, 'document', 'k')).toEqual({
      body: Buffer.from('text'),
      contentType: 'text/plain',
    });
    answer = { body: new Uint8Array([1, 2]), contentType: 'image/png' };
    const bytes = await filters.get(ctx, 'image', 'k');
    expect(Buffer.isBuffer(bytes?.body) && [...bytes.body]).toEqual([1, 2]);
    answer = { body: Buffer.from('x') };
    expect(await filters.get(ctx, 'image', 'k')).toBeUndefined();
    expect(deleted).toHaveLength(2);
  });

  it('sends the invalidations of one tick together, and logs a clear that throws', async () => {
    const logged: string[] = [];
    const filters = new CacheFilters({ warn: (_d: object, m: string) => void logged.push(m) });
    filters.invalidate({ reason: 'project' }); // no filter: nothing to tell
    const clears: Array<[CachedKind | undefined, CacheInvalidation]> = [];
    filters.register({ clear: (kind, why) => void clears.push([kind, why]) }, 0, 'memory');
    filters.register(
      {
        clear: () => {
          throw new Error('offline');
        },
      },
      1,
      'redis',
    );
    filters.register({ get: () => undefined }, 2, 'get-only');
    filters.invalidate({ reason: 'layers', layers: ['a'] });
    filters.invalidate({ reason: 'layers', layers: ['b', 'a'] });
    filters.invalidate({ reason: 'project' });
    expect(clears).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(clears).toEqual([
      [undefined, { reason: 'layers', layers: ['a', 'b'] }],
      ['document', { reason: 'project' }],
    ]);
    expect(logged).toEqual([
      'cache filter of redis: clear failed (offline); answering without the cache',
      'cache filter of redis: clear failed (offline); answering without the cache',
    ]);
    filters.invalidate({ reason: 'plugin', plugin: 'gone' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(clears.at(-1)).toEqual([undefined, { reason: 'plugin', plugin: 'gone' }]);
  });
});
