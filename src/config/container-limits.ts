/**
 * What the container (or the host) lets this process use: CPUs and memory, read from the cgroup
 * files as a container runtime or the kubelet writes them. `os.availableParallelism()` sees the
 * cpuset but not a CFS quota (`--cpus 1`, a Kubernetes CPU limit), so the quota is read here.
 *
 * Both cgroup versions are read. v2 (one hierarchy at /sys/fs/cgroup, `cgroup.controllers` at
 * its top): `cpu.max` ("max 100000" is no quota) and `memory.max` ("max" is no limit). v1 (one
 * mount per controller): `cpu.cfs_quota_us` / `cpu.cfs_period_us` (-1 is no quota) and
 * `memory.limit_in_bytes` (a huge number is no limit). The process's own cgroup comes from
 * /proc/self/cgroup; its folder and every parent up to the mount's top are read and the tightest
 * limit wins, since a parent's limit binds its children. A runtime that mounts the container's
 * own cgroup as the top (no cgroup namespace) names a path that does not exist there: the walk
 * then only finds the top's files, which are the container's.
 *
 * Every read is optional: a file that is absent, unreadable or malformed means "no limit known".
 * The filesystem root is a parameter, so tests point it at a fake tree.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join, posix } from 'node:path';

/** A limit and the file it was read from (relative to the root, for the start-up log). */
export interface CgroupCpuLimit {
  /** CPUs the quota allows: quota / period, not rounded (1.5 for 150000/100000). */
  cpus: number;
  quota: number;
  period: number;
  file: string;
}

export interface CgroupMemoryLimit {
  bytes: number;
  file: string;
}

export interface CgroupLimits {
  version: 1 | 2 | undefined;
  cpu: CgroupCpuLimit | undefined;
  memory: CgroupMemoryLimit | undefined;
}

/** v1's "no limit": the kernel writes the largest page-aligned counter, about 2^63. */
const V1_UNLIMITED_BYTES = 2 ** 60;

/** The cgroup CPU quota and memory limit of this process, read under `root` ("/" normally). */
export function readCgroupLimits(root = '/'): CgroupLimits {
  const memberships = parseProcCgroup(readText(root, '/proc/self/cgroup'));
  if (readText(root, '/sys/fs/cgroup/cgroup.controllers') !== undefined) {
    const path = memberships.get('') ?? '/';
    return {
      version: 2,
      cpu: tightest(root, '/sys/fs/cgroup', path, readCpuMax),
      memory: tightest(root, '/sys/fs/cgroup', path, readMemoryMax),
    };
  }
  const cpuMount = ['cpu,cpuacct', 'cpuacct,cpu', 'cpu']
    .map((name) => `/sys/fs/cgroup/${name}`)
    .find((mount) => readText(root, `${mount}/cpu.cfs_period_us`) !== undefined);
  const memoryMount = '/sys/fs/cgroup/memory';
  const cpu =
    cpuMount === undefined
      ? undefined
      : tightest(root, cpuMount, memberships.get('cpu') ?? '/', readCfsQuota);
  const memory = tightest(root, memoryMount, memberships.get('memory') ?? '/', readMemoryLimit);
  const found = cpuMount !== undefined || existsSync(join(root, memoryMount));
  return { version: found ? 1 : undefined, cpu, memory };
}

/** The CPUs and memory this process may use, each with where the figure came from. */
export interface ContainerLimits {
  /** Whole CPUs: min(os.availableParallelism(), the cgroup quota rounded up). */
  cpus: number;
  cpuSource: string;
  /** Bytes: the tightest of the cgroup limit and process.constrainedMemory(), else total memory. */
  memory: number;
  memorySource: string;
}

/** Where the figures come from; each defaults to this machine (tests replace them). */
export interface ContainerProbe {
  root?: string;
  availableParallelism?: () => number;
  /** process.constrainedMemory(): the cgroup limit per libuv, 0 or a huge number when none. */
  constrainedMemory?: () => number | undefined;
  totalMemory?: () => number;
}

export function containerLimits(probe: ContainerProbe = {}): ContainerLimits {
  const cgroup = readCgroupLimits(probe.root);
  const cores = (probe.availableParallelism ?? availableParallelism)();
  let cpus = cores;
  let cpuSource = 'os.availableParallelism()';
  if (cgroup.cpu !== undefined && Math.ceil(cgroup.cpu.cpus) < cores) {
    cpus = Math.max(1, Math.ceil(cgroup.cpu.cpus));
    cpuSource = `CPU quota ${cgroup.cpu.quota}/${cgroup.cpu.period} in ${cgroup.cpu.file}`;
  }
  const total = (probe.totalMemory ?? totalmem)();
  let memory = total;
  let memorySource = 'os.totalmem()';
  const constrained = (probe.constrainedMemory ?? (() => process.constrainedMemory?.()))();
  if (constrained !== undefined && constrained > 0 && constrained < memory) {
    memory = constrained;
    memorySource = 'process.constrainedMemory()';
  }
  if (cgroup.memory !== undefined && cgroup.memory.bytes < memory) {
    memory = cgroup.memory.bytes;
    memorySource = `memory limit in ${cgroup.memory.file}`;
  }
  return { cpus, cpuSource, memory, memorySource };
}

/** Controller name → cgroup path; v2's single hierarchy is under the empty name. */
function parseProcCgroup(text: string | undefined): Map<string, string> {
  const memberships = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    // hierarchy-ID:controller-list:cgroup-path; the path may itself hold colons.
    const match = /^\d+:([^:]*):(\/.*)$/.exec(line.trim());
    if (match === null) continue;
    const controllers = match[1]!;
    const path = match[2]!;
    if (controllers === '') memberships.set('', path);
    for (const controller of controllers.split(',')) {
      if (controller !== '') memberships.set(controller, path);
    }
  }
  return memberships;
}

type LimitReader<T> = (root: string, folder: string) => T | undefined;

/** The smallest limit found in the cgroup's folder and its parents up to the mount's top. */
function tightest<T extends { cpus: number } | { bytes: number }>(
  root: string,
  mount: string,
  cgroupPath: string,
  read: LimitReader<T>,
): T | undefined {
  let best: T | undefined;
  for (let path = posix.normalize(cgroupPath); ; path = posix.dirname(path)) {
    const found = read(root, posix.join(mount, path));
    if (found !== undefined && (best === undefined || size(found) < size(best))) best = found;
    if (path === '/' || path === '.') return best;
  }
}

function size(limit: { cpus: number } | { bytes: number }): number {
  return 'cpus' in limit ? limit.cpus : limit.bytes;
}

const readCpuMax: LimitReader<CgroupCpuLimit> = (root, folder) => {
  const file = posix.join(folder, 'cpu.max');
  const match = /^(max|\d+)\s+(\d+)$/.exec(readText(root, file) ?? '');
  if (match === null || match[1] === 'max') return undefined;
  return cpuLimit(Number(match[1]), Number(match[2]), file);
};

const readCfsQuota: LimitReader<CgroupCpuLimit> = (root, folder) => {
  const quota = readInteger(root, posix.join(folder, 'cpu.cfs_quota_us'));
  const period = readInteger(root, posix.join(folder, 'cpu.cfs_period_us'));
  if (quota === undefined || period === undefined) return undefined;
  return cpuLimit(quota, period, posix.join(folder, 'cpu.cfs_quota_us'));
};

function cpuLimit(quota: number, period: number, file: string): CgroupCpuLimit | undefined {
  if (!(quota > 0 && period > 0)) return undefined;
  return { cpus: quota / period, quota, period, file };
}

const readMemoryMax: LimitReader<CgroupMemoryLimit> = (root, folder) => {
  const file = posix.join(folder, 'memory.max');
  const bytes = readInteger(root, file);
  return bytes === undefined || bytes <= 0 ? undefined : { bytes, file };
};

const readMemoryLimit: LimitReader<CgroupMemoryLimit> = (root, folder) => {
  const file = posix.join(folder, 'memory.limit_in_bytes');
  const bytes = readInteger(root, file);
  return bytes === undefined || bytes <= 0 || bytes >= V1_UNLIMITED_BYTES
    ? undefined
    : { bytes, file };
};

function readInteger(root: string, file: string): number | undefined {
  const text = readText(root, file);
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;
}

function readText(root: string, file: string): string | undefined {
  try {
    return readFileSync(join(root, file), 'utf8').trim();
  } catch {
    return undefined;
  }
}
