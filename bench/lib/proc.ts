/**
 * What Linux says about a process (/proc): memory, CPU time by thread group, the machine's busy
 * time. Shared by the benchmarks that measure a server in a child process.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;

/** Fields of /proc/<pid>/status in kB (VmRSS, VmHWM, RssAnon, RssFile) or plain numbers (Threads). */
export function procStatus(pid: number): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const match = /^(VmRSS|VmHWM|RssAnon|RssFile|Threads):\s+(\d+)/.exec(line);
    if (match !== null) fields[match[1]!] = Number(match[2]);
  }
  return fields;
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0); false when not permitted. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** utime + stime in seconds and the nice value of a /proc stat line. */
function statTimes(stat: string): { seconds: number; nice: number } {
  // Fields after the command name (which may contain spaces): utime is field 14, nice 19.
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    seconds: (Number(after[11]) + Number(after[12])) / CLOCK_TICKS,
    nice: Number(after[16]),
  };
}

/** CPU seconds (user + system) the process has used so far, all its threads included. */
export function cpuSeconds(pid: number): number {
  return statTimes(readFileSync(`/proc/${pid}/stat`, 'utf8')).seconds;
}

/**
 * CPU seconds of the process's live threads by group: main (the event loop), pool (threads with
 * a positive nice value: Relief's worker pool, niced by default) and other (libuv, V8, libvips).
 * Threads that ended are missing, so compare two readings only over a time the pool kept its
 * threads (the pool keeps idle threads 30 s).
 */
export function threadCpu(pid: number): { main: number; pool: number; other: number } {
  const groups = { main: 0, pool: 0, other: 0 };
  for (const entry of readdirSync(`/proc/${pid}/task`)) {
    try {
      const times = statTimes(readFileSync(`/proc/${pid}/task/${entry}/stat`, 'utf8'));
      const group = Number(entry) === pid ? 'main' : times.nice > 0 ? 'pool' : 'other';
      groups[group] += times.seconds;
    } catch {
      // the thread ended meanwhile
    }
  }
  return groups;
}

/** CPU seconds the whole machine has been busy (steal included: time we could not have). */
export function machineBusySeconds(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
    CLOCK_TICKS
  );
}
