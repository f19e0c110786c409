import { describe, expect, it } from 'vitest';
import { resolveResultLinks } from '../../../../src/api/processes/result-links.ts';

const BASE = 'https://maps.example.org/relief';

describe('resolveResultLinks', () => {
  it('puts the public base in front of root-relative hrefs, at any depth', () => {
    const result = {
      tiles: [{ name: 'N46E007', href: '/elevation/tiles/N46/N46E007.hgt' }],
      mosaic: { href: '/elevation/jobs/j1/mosaic.tif', width: 3 },
    };
    expect(resolveResultLinks(result, BASE)).toEqual({
      tiles: [{ name: 'N46E007', href: `${BASE}/elevation/tiles/N46/N46E007.hgt` }],
      mosaic: { href: `${BASE}/elevation/jobs/j1/mosaic.tif`, width: 3 },
    });
    // The stored result is not changed.
    expect(result.mosaic.href).toBe('/elevation/jobs/j1/mosaic.tif');
  });

  it('leaves absolute, scheme-relative and relative hrefs, other keys and other types alone', () => {
    const result = {
      a: { href: 'https://other.example/x' },
      b: { href: '//cdn.example/x' },
      c: { href: 'relative/x' },
      d: { link: '/not/an/href', href: 5 },
      e: [null, 1, 'text', true],
    };
    expect(resolveResultLinks(result, BASE)).toEqual(result);
    expect(resolveResultLinks('/x', BASE)).toBe('/x');
    expect(resolveResultLinks(null, BASE)).toBeNull();
  });

  it('stops at a depth no result reaches rather than recursing without end', () => {
    let deep: Record<string, unknown> = { href: '/bottom' };
    for (let i = 0; i < 1_000; i++) deep = { next: deep };
    const resolved = resolveResultLinks(deep, BASE) as Record<string, unknown>;
    // The top is a copy; the part below the depth limit is returned as it was.
    expect(resolved).not.toBe(deep);
    expect(JSON.stringify(resolved)).not.toContain(BASE);
  });
});
