import { describe, expect, it } from 'vitest';
import { LayerRegistry } from '../../../src/layers/layer-registry.ts';

const layer = (name: string) => ({
  name,
  title: name,
  kind: 'vector' as const,
  source: { kind: 'features' as const, data: { type: 'FeatureCollection' as const, features: [] } },
});

describe('LayerRegistry', () => {
  it('publishes, replaces its own layers, refuses others, and counts revisions', () => {
    const registry = new LayerRegistry();
    let changes = 0;
    registry.onChange(() => changes++);
    const told: unknown[] = [];
    registry.onChange((change) => told.push(change));
    registry.publish(layer('footprint'), 'elevation');
    registry.publish({ ...layer('footprint'), title: 'Footprint v2' }, 'elevation');
    expect(registry.get('footprint')?.title).toBe('Footprint v2');
    expect(() => registry.publish(layer('footprint'), 'other')).toThrow(
      'Layer footprint is already published by elevation',
    );
    expect(() => registry.publish(layer('bad name'), 'elevation')).toThrow(TypeError);
    expect(registry.unpublish('footprint', 'other')).toBe(false);
    expect(registry.unpublish('footprint', 'elevation')).toBe(true);
    expect(registry.list()).toEqual([]);
    expect(changes).toBe(3);
    expect(told).toEqual([
      { name: 'footprint', change: 'published' },
      { name: 'footprint', change: 'published' },
      { name: 'footprint', change: 'unpublished' },
    ]);
    expect(registry.revision).toBe(3);
  });
});
