/**
 * Issue 16, item 2 (not cgroup-aware): the CPU quota and memory limit are read from cgroup v1
 * and v2 files, here in fake trees under a temporary root, as a container runtime writes them.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containerLimits, readCgroupLimits } from '../../../src/config/container-limits.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
/** cgroup v1's "no limit" as the kernel writes it. */
const V1_UNLIMITED = '9223372036854771712';

/** What `machine()` reports when no cgroup limits anything. */
const NO_LIMITS = {
  cpus: 8,
  cpuSource: 'os.availableParallelism()',
  memory: 16 * GiB,
  memorySource: 'os.totalmem()',
};

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'relief-cgroup-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes `files` (path under the root → content) into the fake tree. */
async function tree(files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), `${content}\n`);
  }
}

/** A machine of 8 cores and 16 GiB whose cgroups live under the fake root. */
const machine = (constrained = 0) => ({
  root,
  availableParallelism: () => 8,
  totalMemory: () => 16 * GiB,
  constrainedMemory: () => constrained,
});

describe('cgroup v2', () => {
  it('reads the quota and memory limit of a container whose cgroup is the root (cgroup namespace)', async () => {
    await tree({
      '/proc/self/cgroup': '0::/',
      '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory pids',
      '/sys/fs/cgroup/cpu.max': '150000 100000',
      '/sys/fs/cgroup/memory.max': String(512 * MiB),
    });
    expect(readCgroupLimits(root)).toEqual({
      version: 2,
      cpu: { cpus: 1.5, quota: 150000, period: 100000, file: '/sys/fs/cgroup/cpu.max' },
      memory: { bytes: 512 * MiB, file: '/sys/fs/cgroup/memory.max' },
    });
    // 1.5 CPUs of quota round up to 2 threads' worth.
    expect(containerLimits(machine())).toEqual({
      cpus: 2,
      cpuSource: 'CPU quota 150000/100000 in /sys/fs/cgroup/cpu.max',
      memory: 512 * MiB,
      memorySource: 'memory limit in /sys/fs/cgroup/memory.max',
    });
  });

  it('treats "max" as no quota and no limit', async () => {
    await tree({
      '/proc/self/cgroup': '0::/',
      '/sys/fs/cgroup/cgroup.controllers': 'cpu memory',
      '/sys/fs/cgroup/cpu.max': 'max 100000',
      '/sys/fs/cgroup/memory.max': 'max',
    });
    expect(readCgroupLimits(root)).toEqual({ version: 2, cpu: undefined, memory: undefined });
    expect(containerLimits(machine())).toEqual(NO_LIMITS);
  });

  it("reads the process's nested cgroup and its parents, the tightest limit winning", async () => {
    const slice = '/kubepods.slice/kubepods-burstable.slice/pod42/cri-containerd-abc.scope';
    await tree({
      '/proc/self/cgroup': `0::${slice}`,
      '/sys/fs/cgroup/cgroup.controllers': 'cpu memory',
      // The pod's limit is tighter in CPU, the container's in memory.
      '/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/pod42/cpu.max': '100000 100000',
      '/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/pod42/memory.max': String(GiB),
      [`/sys/fs/cgroup${slice}/cpu.max`]: '300000 100000',
      [`/sys/fs/cgroup${slice}/memory.max`]: String(768 * MiB),
    });
    const limits = readCgroupLimits(root);
    expect(limits.cpu).toMatchObject({
      cpus: 1,
      file: '/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/pod42/cpu.max',
    });
    expect(limits.memory).toEqual({
      bytes: 768 * MiB,
      file: `/sys/fs/cgroup${slice}/memory.max`,
    });
    expect(containerLimits(machine()).cpus).toBe(1);
  });

  it("falls back to the mount's top when the named cgroup is not mounted there", async () => {
    await tree({
      '/proc/self/cgroup': '0::/system.slice/docker-1234.scope',
      '/sys/fs/cgroup/cgroup.controllers': 'cpu memory',
      '/sys/fs/cgroup/cpu.max': '200000 100000',
    });
    expect(readCgroupLimits(root).cpu).toMatchObject({ cpus: 2, file: '/sys/fs/cgroup/cpu.max' });
  });
});

describe('cgroup v1', () => {
  it('reads cpu.cfs_quota_us / cpu.cfs_period_us and memory.limit_in_bytes', async () => {
    await tree({
      '/proc/self/cgroup': [
        '12:memory:/docker/abc',
        '4:cpu,cpuacct:/docker/abc',
        '1:name=systemd:/docker/abc',
      ].join('\n'),
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '50000',
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '-1',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000',
      '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': String(2 * GiB),
      '/sys/fs/cgroup/memory/memory.limit_in_bytes': V1_UNLIMITED,
    });
    expect(readCgroupLimits(root)).toEqual({
      version: 1,
      cpu: {
        cpus: 0.5,
        quota: 50000,
        period: 100000,
        file: '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us',
      },
      memory: { bytes: 2 * GiB, file: '/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes' },
    });
    // Half a CPU is still one thread.
    expect(containerLimits(machine())).toMatchObject({ cpus: 1, memory: 2 * GiB });
  });

  it('treats a quota of -1 and the huge memory number as no limit (a hybrid host)', async () => {
    await tree({
      '/proc/self/cgroup': '4:memory:/process_api/1ce9\n1:cpu:/\n0::/',
      '/sys/fs/cgroup/unified/cgroup.controllers': '',
      '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1',
      '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000',
      '/sys/fs/cgroup/memory/process_api/1ce9/memory.limit_in_bytes': V1_UNLIMITED,
      '/sys/fs/cgroup/memory/memory.limit_in_bytes': V1_UNLIMITED,
    });
    expect(readCgroupLimits(root)).toEqual({ version: 1, cpu: undefined, memory: undefined });
    expect(containerLimits(machine())).toEqual(NO_LIMITS);
  });
});

describe('fallbacks', () => {
  it('uses the cores and total memory when there are no cgroup files at all', () => {
    expect(readCgroupLimits(root)).toEqual({
      version: undefined,
      cpu: undefined,
      memory: undefined,
    });
    expect(containerLimits(machine())).toEqual(NO_LIMITS);
  });

  it('ignores unreadable or malformed files', async () => {
    await tree({
      '/proc/self/cgroup': '0::/',
      '/sys/fs/cgroup/cgroup.controllers': 'cpu memory',
      '/sys/fs/cgroup/cpu.max': 'lots',
      // A folder where the file should be: reading it fails.
      '/sys/fs/cgroup/memory.max/oops': '',
    });
    expect(readCgroupLimits(root)).toEqual({ version: 2, cpu: undefined, memory: undefined });
    expect(containerLimits(machine())).toEqual(NO_LIMITS);
  });

  it('takes process.constrainedMemory() when it is tighter, but not 0 or more than the machine has', async () => {
    expect(containerLimits(machine(700 * MiB))).toMatchObject({
      memory: 700 * MiB,
      memorySource: 'process.constrainedMemory()',
    });
    expect(containerLimits(machine(0)).memory).toBe(16 * GiB);
    expect(containerLimits(machine(2 ** 64)).memory).toBe(16 * GiB);
    await tree({
      '/proc/self/cgroup': '0::/',
      '/sys/fs/cgroup/cgroup.controllers': 'memory',
      '/sys/fs/cgroup/memory.max': String(512 * MiB),
    });
    expect(containerLimits(machine(700 * MiB)).memory).toBe(512 * MiB);
  });

  it('never counts fewer CPUs than the quota allows when the cores are fewer still', async () => {
    await tree({
      '/proc/self/cgroup': '0::/',
      '/sys/fs/cgroup/cgroup.controllers': 'cpu',
      '/sys/fs/cgroup/cpu.max': '1600000 100000',
    });
    expect(containerLimits(machine())).toMatchObject({
      cpus: 8,
      cpuSource: 'os.availableParallelism()',
    });
  });
});
