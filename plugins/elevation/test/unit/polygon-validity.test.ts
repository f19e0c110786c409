/**
 * The pieces of the polygon validity check: the box index finds exactly the boxes a brute-force
 * scan finds, the orientation predicate is exact on and a hair beside a line,
 * and edge contacts are classified as GEOS would (cross, touch, overlap).
 */
import { describe, expect, it } from 'vitest';
import { BoxIndex } from '../../src/input/box-index.ts';
import { orientation } from '../../src/input/orientation.ts';
import { contactOf } from '../../src/input/polygon-validity.ts';
import { seededRandom } from 'relief/testing';

describe('BoxIndex', () => {
  it('finds the same boxes as a scan of every box, for any query, including none and one box', () => {
    const random = seededRandom(7);
    for (const count of [0, 1, 15, 16, 17, 300, 5000]) {
      const boxes = new Float64Array(count * 4);
      for (let i = 0; i < count; i++) {
        const [x, y] = [random() * 100, random() * 100];
        boxes.set([x, y, x + random() * 5, y + random() * 5], i * 4);
      }
      const index = new BoxIndex(boxes);
      for (let q = 0; q < 50; q++) {
        const [x, y, w, h] = [random() * 100, random() * 100, random() * 20, random() * 20];
        const found: number[] = [];
        index.search(x, y, x + w, y + h, (item) => void found.push(item));
        const expected: number[] = [];
        for (let i = 0; i < count; i++) {
          const [a, b, c, d] = boxes.subarray(i * 4, i * 4 + 4);
          if (a! <= x + w && b! <= y + h && c! >= x && d! >= y) expected.push(i);
        }
        expect(found.sort((m, n) => m - n)).toEqual(expected);
      }
    }
  });

  it('stops searching when the visitor returns true', () => {
    const index = new BoxIndex(new Float64Array([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]));
    let visits = 0;
    expect(index.search(0, 0, 1, 1, () => ++visits === 2)).toBe(true);
    expect(visits).toBe(2);
  });
});

describe('orientation', () => {
  it('is exact on a line and a hair beside it, for degrees and metres', () => {
    expect(orientation(0, 0, 1, 1, 0.5, 0.5)).toBe(0);
    expect(orientation(0.1, 0.1, 0.7, 0.7, 0.1 + 2 ** -40, 0.1)).toBe(-1);
    expect(orientation(1e6, 5e6, 2e6, 6e6, 3e6, 7e6)).toBe(0);
    expect(orientation(0, 0, 1, 0, 0.5, 1e-300)).toBe(1);
  });
});

describe('contactOf', () => {
  it('tells crossing, touching at an end, sharing a stretch and apart', () => {
    expect(contactOf([0, 0], [2, 2], [0, 2], [2, 0])).toEqual({ kind: 'cross', at: [1, 1] });
    expect(contactOf([0, 0], [2, 0], [1, 0], [1, 1])).toEqual({ kind: 'touch', at: [1, 0] });
    expect(contactOf([0, 0], [1, 0], [1, 0], [1, 1])).toEqual({ kind: 'touch', at: [1, 0] });
    expect(contactOf([0, 0], [2, 0], [1, 0], [3, 0])).toEqual({ kind: 'overlap', at: [1, 0] });
    expect(contactOf([0, 0], [1, 0], [1, 0], [2, 0])).toEqual({ kind: 'touch', at: [1, 0] });
    expect(contactOf([0, 0], [1, 0], [2, 0], [3, 0])).toEqual({ kind: 'none' });
    expect(contactOf([0, 0], [1, 1], [0, 1], [0.4, 0.6])).toEqual({ kind: 'none' });
  });
});
