import { describe, expect, it } from 'vitest';
import { CacheFilters, type CachedEntry } from '../../../src/access/cache-filter.ts';
import type { RequestContext } from '../../../src/request-loop/request-context.ts';

const ctx = {} as RequestContext;

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
});
