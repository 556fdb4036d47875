/**
 * CPU time of processes on this machine, read from /proc (Linux): kernel accounting, not clocks, so
 * other work on a shared machine slows a phase down but does not add to its CPU time.
 */
import { readFileSync } from 'node:fs';
import type { Queryable } from '../models/database.ts';

/** Linux's USER_HZ: /proc counts CPU time in hundredths of a second. */
const CLOCK_TICKS_PER_S = 100;

/** CPU time a process has used so far (user + system, ms); null when it cannot be read. */
export function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // After "pid (name) ": state is field 3, utime and stime are fields 14 and 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}

/**
 * CPU time the database's client backends (every connection to it, whoever opened it) have used so
 * far, per backend pid, in ms: for PostgreSQL on this machine only (null otherwise).
 */
export async function databaseCpu(db: Queryable): Promise<Map<number, number> | null> {
  const backends = await db.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
  ).catch(() => null);
  if (!backends) return null;
  // A backend that ended since the listing is left out; none readable: the server is elsewhere.
  const readings = backends.flatMap(({ pid }): [number, number][] => {
    const ms = processCpuMs(pid);
    return ms === null ? [] : [[pid, ms]];
  });
  return readings.length > 0 ? new Map(readings) : null;
}

/** The backends' CPU between two readings (a backend opened in between counts whole). */
export function databaseCpuUsed(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  return [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);
}
