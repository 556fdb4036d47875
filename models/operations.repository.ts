import type { Queryable } from './database.ts';

/** Read-only figures for operators (metrics and readiness); every instance reads the same rows. */

export interface MessageCount {
  channel: string;
  status: string;
  count: number;
}

/** Messages by channel and status (the notification outbox). */
export async function messageCounts(db: Queryable): Promise<MessageCount[]> {
  const rows = await db.query<{ channel: string; status: string; count: string }>(
    'SELECT channel, status, count(*) AS count FROM messages GROUP BY channel, status',
  );
  return rows.map((r) => ({ channel: r.channel, status: r.status, count: Number(r.count) }));
}

/** Messages waiting for delivery, and how long the oldest has waited (seconds; 0 when none). */
export async function deliveryBacklog(db: Queryable, now: Date): Promise<{ depth: number; oldestAgeSeconds: number }> {
  const [row] = await db.query<{ depth: string; oldest: Date | null }>(
    "SELECT count(*) AS depth, min(created_at) AS oldest FROM messages WHERE status = 'queued'",
  );
  const oldest = row?.oldest ? new Date(row.oldest) : null;
  return { depth: Number(row?.depth ?? 0), oldestAgeSeconds: oldest ? Math.max(0, (now.getTime() - oldest.getTime()) / 1000) : 0 };
}

/** Customers waiting for a live agent, across brands. */
export async function waitingHandoffs(db: Queryable): Promise<number> {
  const [row] = await db.query<{ count: string }>("SELECT count(*) AS count FROM conversations WHERE handoff_state = 'waiting'");
  return Number(row?.count ?? 0);
}

/** True when the job queue's tables (pg-boss, in `schema`) answer. */
export async function jobQueueInstalled(db: Queryable, schema: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, 'job']);
  return rows.length > 0;
}

/** A round trip to the database (health checks): throws the database's own error when it is unreachable. */
export async function pingDatabase(db: Queryable): Promise<boolean> {
  return (await db.query('SELECT 1')).length === 1;
}
