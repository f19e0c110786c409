/**
 * The settings whose default depends on the machine: the memory budget, the pool's threads, the
 * row caches and the map memory. Each one set explicitly is kept; the others are derived, in
 * that order, from the container's limits (container-limits.ts) and the share-out of the budget
 * (memory-plan.ts). Each derived value says what it came from, for the start-up log.
 */
import { containerLimits, type ContainerLimits } from './container-limits.ts';
import { planMemory, workersForMemory } from './memory-plan.ts';

export interface SizedSettings {
  memoryLimit: number;
  workers: number;
  rowCacheBytes: number;
  maxMapMemory: number;
}

export type SizedKey = keyof SizedSettings;

export interface ResolvedSizing {
  values: SizedSettings;
  /** For each value that was not set: what it was derived from. */
  derivedFrom: Partial<Record<SizedKey, string>>;
}

export function resolveSizedSettings(
  explicit: Partial<Record<SizedKey, number | undefined>>,
  limits: () => ContainerLimits = containerLimits,
): ResolvedSizing {
  const derivedFrom: Partial<Record<SizedKey, string>> = {};
  let machine: ContainerLimits | undefined;
  const probe = () => (machine ??= limits());

  let memoryLimit = explicit.memoryLimit;
  if (memoryLimit === undefined) {
    memoryLimit = probe().memory;
    derivedFrom.memoryLimit = probe().memorySource;
  }
  let workers = explicit.workers;
  if (workers === undefined) {
    const { cpus, cpuSource } = probe();
    const fitting = workersForMemory(memoryLimit);
    workers = Math.min(cpus, fitting);
    derivedFrom.workers =
      fitting < cpus
        ? `${cpuSource} gives ${cpus}; fewer, so the threads fit half of RELIEF_MEMORY_LIMIT`
        : cpuSource;
  }
  const plan = planMemory(memoryLimit, workers);
  const share = `a third of (RELIEF_MEMORY_LIMIT − ${mib(plan.fixedBytes)} MiB for the process and ${plan.poolThreads} pool threads)`;
  let rowCacheBytes = explicit.rowCacheBytes;
  if (rowCacheBytes === undefined) {
    rowCacheBytes = plan.rowCacheBytes;
    derivedFrom.rowCacheBytes = `${share}, per thread (4 to 256 MiB)`;
  }
  let maxMapMemory = explicit.maxMapMemory;
  if (maxMapMemory === undefined) {
    maxMapMemory = plan.maxMapMemory;
    derivedFrom.maxMapMemory = `${share} (16 MiB to 1 GiB)`;
  }
  return { values: { memoryLimit, workers, rowCacheBytes, maxMapMemory }, derivedFrom };
}

function mib(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}
