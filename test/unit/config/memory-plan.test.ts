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
  it('512 MiB, 1 CPU: 270 MiB fixed, 40 MiB of rows a thread, 80 MiB of maps', () => {
    expect(planMemory(512 * MiB, 1)).toEqual({
      poolThreads: 2,
      fixedBytes: (180 + 2 * 45) * MiB,
      workingBytes: 242 * MiB,
      rowCacheBytes: 40 * MiB, // 242 / 3 / 2 = 40.3
      maxMapMemory: 80 * MiB, // 242 / 3 = 80.7
    });
  });

  it('2 GiB, 2 CPUs: 192 MiB of rows a thread, 577 MiB of maps', () => {
    expect(planMemory(2 * GiB, 2)).toEqual({
      poolThreads: 3,
      fixedBytes: 315 * MiB,
      workingBytes: 1733 * MiB,
      rowCacheBytes: 192 * MiB, // 1733 / 9 = 192.6
      maxMapMemory: 577 * MiB, // 1733 / 3 = 577.7
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
      fixedBytes: 405 * MiB,
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
    // (1024 − 180) / 45 = 18.7 pool threads, one of them the extra request thread.
    expect(workersForMemory(2 * GiB)).toBe(17);
    expect(workersForMemory(16 * GiB)).toBe(177);
    const fixed = (workers: number) => (180 + (workers + 1) * 45) * MiB;
    expect(fixed(17)).toBeLessThanOrEqual(GiB);
    expect(fixed(18)).toBeGreaterThan(GiB);
  });
});
