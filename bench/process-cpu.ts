/**
 * CPU time of processes on this machine, read from /proc (Linux): kernel accounting, not clocks, so
 * other work on a shared machine slows a phase down but does not add to its CPU time.
 */
import { readFileSync } from 'node:fs';
import type { Queryable } from '../models/database.ts';

/** Linux's USER_HZ: /proc counts CPU time in hundredths of a second. */
const CLOCK_TICKS_PER_S = 100;

/** The fields of /proc/<pid>/stat after "pid (name) " (state is [0], ppid [1], utime [11] …); null when unreadable. */
function statFields(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  } catch {
    return null;
  }
}

const ticksToMs = (...ticks: (string | undefined)[]) => (ticks.reduce((sum, t) => sum + Number(t), 0) * 1000) / CLOCK_TICKS_PER_S;

/** CPU time a process has used so far (user + system, ms); null when it cannot be read. */
export function processCpuMs(pid: number | undefined): number | null {
  const fields = pid === undefined ? null : statFields(pid);
  return fields ? ticksToMs(fields[11], fields[12]) : null;
}

/**
 * PostgreSQL's CPU so far, for the server on this machine: each client backend of the database (every
 * connection to it, whoever opened it) by pid, and what the backends that have ended used in all, from the
 * postmaster's total for its reaped children. The pool closes connections idle for 10 s, so at a slow pace
 * backends end within a phase and only that total still holds their time.
 */
export interface DatabaseCpu {
  backends: Map<number, number>;
  ended: number;
}

/** PostgreSQL's CPU so far (see DatabaseCpu), in ms; null when the server is elsewhere. */
export async function databaseCpu(db: Queryable): Promise<DatabaseCpu | null> {
  const listed = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
  ).catch(() => null);
  if (!listed) return null;
  // A backend that ended since the listing is left out; none readable: the server is elsewhere.
  const stats = listed.flatMap(({ pid }): [number, string[]][] => {
    const fields = statFields(pid);
    return fields ? [[pid, fields]] : [];
  });
  const postmaster = stats[0] ? statFields(Number(stats[0][1][1])) : null;
  if (!postmaster) return null;
  return {
    backends: new Map(stats.map(([pid, fields]) => [pid, ticksToMs(fields[11], fields[12])])),
    ended: ticksToMs(postmaster[13], postmaster[14]),
  };
}

/**
 * PostgreSQL's CPU between two readings, ms: the listed backends' (one opened in between counts whole), and
 * those that ended in between, whose whole lifetime the postmaster's total took in (less what they had used by
 * the first reading). Any PostgreSQL process that ended in between counts: a backend of another database, a
 * worker.
 */
export function databaseCpuUsed(before: DatabaseCpu | null, after: DatabaseCpu | null): number | null {
  if (!before || !after) return null;
  const listed = [...after.backends].reduce((sum, [pid, ms]) => sum + ms - (before.backends.get(pid) ?? 0), 0);
  const usedBefore = [...before.backends].reduce((sum, [pid, ms]) => sum + (after.backends.has(pid) ? 0 : ms), 0);
  return listed + after.ended - before.ended - usedBefore;
}
