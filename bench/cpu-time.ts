import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of processes, read from Linux's /proc (undefined elsewhere), so the benchmark can say
 * how many milliseconds of the provider's and of PostgreSQL's CPU one request costs: on a small
 * shared machine that moves far less from run to run than requests per second do.
 */

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

/**
 * utime + stime of one process, in seconds (with `reapedChildren`, plus the cutime + cstime of its
 * children that have exited); undefined when /proc has no such process.
 */
export function processCpuSeconds(pid: number, reapedChildren = false): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, in parentheses): state is field 3, ppid 4, utime 14, stime 15, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const own = fields[11]! + fields[12]!;
    return (reapedChildren ? own + fields[13]! + fields[14]! : own) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * The CPU seconds of every process named postgres (the server and its backends), and of the
 * backends that have exited since the server started (a connection pool closes idle ones
 * mid-run, and their time must not vanish from the sum); undefined without /proc.
 */
export function postgresCpuSeconds(): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let total = 0;
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    // The postmaster (parent not a postgres process) also counts its reaped children.
    total += processCpuSeconds(Number(pid), isPostmaster(pid)) ?? 0;
  }
  return total;
}

/** Whether this postgres process is the server itself rather than one of its backends. */
function isPostmaster(pid: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parent = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
    return readFileSync(`/proc/${parent}/comm`, 'utf8').trim() !== 'postgres';
  } catch {
    return false;
  }
}
