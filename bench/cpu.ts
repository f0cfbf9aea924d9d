// CPU time of process trees, read from /proc (Linux): what each process of a load spent.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux whatever the kernel's HZ). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime: its own time and its reaped children's, in ticks. */
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields count from after it.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    return { pid, ppid: Number(fields[1]), ticks: utime + stime + cutime + cstime };
  } catch {
    return undefined; // exited meanwhile
  }
}

/**
 * CPU seconds of `root` and every live descendant. A descendant that exited and was reaped is in
 * its parent's child times, so a difference of two readings counts each process once.
 */
export function treeCpuSeconds(root: number): number {
  const stats = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is ProcStat => s !== undefined);
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) {
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  }
  let ticks = 0;
  const visit = (pid: number): void => {
    ticks += byPid.get(pid)?.ticks ?? 0;
    for (const child of children.get(pid) ?? []) {
      visit(child.pid);
    }
  };
  visit(root);
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds each named process tree spent while `work` ran. */
export async function cpuDuring<T>(
  trees: Record<string, number>,
  work: () => Promise<T>,
): Promise<{ result: T; seconds: Record<string, number> }> {
  const read = (): Record<string, number> =>
    Object.fromEntries(Object.entries(trees).map(([name, pid]) => [name, treeCpuSeconds(pid)]));
  const before = read();
  const result = await work();
  const after = read();
  return {
    result,
    seconds: Object.fromEntries(
      Object.keys(trees).map((name) => [name, after[name] - before[name]]),
    ),
  };
}
