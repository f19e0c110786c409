/**
 * Issue 16, item 1 (OOM-killed at 512 MiB): the share-out of the memory budget, checked against
 * the sizing table of docs/deployment.md.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_MAP_MEMORY,
  MIN_MAP_MEMORY,
  MIN_ROW_CACHE_BYTES,
  planMemory,
  workersForMemory,
} from '../../../src/config/memory-plan.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('planMemory', () => {
  it('512 MiB, 1 CPU: 400 MiB fixed, 18 MiB of rows a thread, 37 MiB of maps', () => {
    expect(planMemory(512 * MiB, 1)).toEqual({
      poolThreads: 2,
      fixedBytes: (260 + 2 * 70) * MiB,
      workingBytes: 112 * MiB,
      rowCacheBytes: 18 * MiB, // 112 / 3 / 2 = 18.7
      maxMapMemory: 37 * MiB, // 112 / 3 = 37.3
    });
  });

  it('2 GiB, 2 CPUs: 175 MiB of rows a thread, 526 MiB of maps', () => {
    expect(planMemory(2 * GiB, 2)).toEqual({
      poolThreads: 3,
      fixedBytes: 470 * MiB,
      workingBytes: 1578 * MiB,
      rowCacheBytes: 175 * MiB, // 1578 / 9 = 175.3
      maxMapMemory: 526 * MiB, // 1578 / 3
    });
  });

  it('16 GiB, 8 CPUs: the old fixed defaults, 256 MiB of rows a thread and 1 GiB of maps', () => {
    expect(planMemory(16 * GiB, 8)).toMatchObject({
      poolThreads: 9,
      rowCacheBytes: 256 * MiB,
      maxMapMemory: MAX_MAP_MEMORY,
    });
  });

  it('never goes below a useful cache and one 1024² map, even when the fixed costs eat the budget', () => {
    expect(planMemory(256 * MiB, 4)).toEqual({
      poolThreads: 5,
      fixedBytes: 610 * MiB,
      workingBytes: 0,
      rowCacheBytes: MIN_ROW_CACHE_BYTES,
      maxMapMemory: MIN_MAP_MEMORY,
    });
  });

  it('keeps caches, maps and the fixed costs within the budget above the minimums', () => {
    for (const [budget, workers] of [
      [512 * MiB, 1],
      [GiB, 1],
      [2 * GiB, 2],
      [4 * GiB, 4],
      [16 * GiB, 8],
    ] as const) {
      const plan = planMemory(budget, workers);
      const used = plan.fixedBytes + plan.poolThreads * plan.rowCacheBytes + plan.maxMapMemory;
      // A third of the working memory is left for job work and slack.
      expect(budget - used).toBeGreaterThanOrEqual(plan.workingBytes / 3);
    }
  });
});

describe('workersForMemory', () => {
  it('leaves half the budget as working memory, never fewer than one thread', () => {
    expect(workersForMemory(256 * MiB)).toBe(1);
    expect(workersForMemory(512 * MiB)).toBe(1);
    expect(workersForMemory(GiB)).toBe(2);
    // (1024 − 260) / 70 = 10.9 pool threads, one of them the extra request thread.
    expect(workersForMemory(2 * GiB)).toBe(9);
    expect(workersForMemory(16 * GiB)).toBe(112);
    const fixed = (workers: number) => (260 + (workers + 1) * 70) * MiB;
    expect(fixed(9)).toBeLessThanOrEqual(GiB);
    expect(fixed(10)).toBeGreaterThan(GiB);
  });
});
