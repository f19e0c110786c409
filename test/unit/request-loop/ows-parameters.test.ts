import { describe, expect, it } from 'vitest';
import { OwsParameters } from '../../../src/request-loop/ows-parameters.ts';

describe('OwsParameters', () => {
  it('matches names case-insensitively and keeps the client spelling', () => {
    const p = new OwsParameters({ service: 'WMS', Request: 'GetMap', layers: 'a,b' });
    expect(p.get('SERVICE')).toBe('WMS');
    expect(p.get('request')).toBe('GetMap');
    expect(p.has('LaYeRs')).toBe(true);
    expect(p.toObject()).toEqual({ service: 'WMS', Request: 'GetMap', layers: 'a,b' });
    expect(p.changed).toBe(false);
  });

  it('keeps values case-sensitive and the first of repeated names', () => {
    const p = new OwsParameters([
      ['CRS', 'EPSG:4326'],
      ['crs', 'EPSG:3857'],
    ]);
    expect(p.get('crs')).toBe('EPSG:4326');
    expect(new OwsParameters({ bbox: ['1,2,3,4', '5,6,7,8'] }).get('BBOX')).toBe('1,2,3,4');
  });

  it('tracks changes and keeps the original name on set', () => {
    const p = new OwsParameters({ Layers: 'a' });
    p.set('LAYERS', 'b');
    expect(p.toObject()).toEqual({ Layers: 'b' });
    expect(p.changed).toBe(true);
    const q = new OwsParameters({ a: '1' });
    expect(q.delete('B')).toBe(false);
    expect(q.changed).toBe(false);
    expect(q.delete('A')).toBe(true);
    expect(q.size).toBe(0);
  });
});

describe('OwsParameters.getAll', () => {
  it('keeps every value of a repeated parameter in request order (WCS 2.0 SUBSET)', () => {
    const p = new OwsParameters({ subset: ['Long(7,8)', 'Lat(46,47)'], SUBSET_X: 'x' });
    expect(p.get('SUBSET')).toBe('Long(7,8)');
    expect(p.getAll('Subset')).toEqual(['Long(7,8)', 'Lat(46,47)']);
    expect(p.getAll('missing')).toEqual([]);
    const pairs = new OwsParameters([
      ['SUBSET', 'a'],
      ['subset', 'b'],
    ]);
    expect(pairs.getAll('subset')).toEqual(['a', 'b']);
    pairs.set('SUBSET', 'c');
    expect(pairs.getAll('SUBSET')).toEqual(['c']);
  });
});
