import type { Queryable, Tx } from './database.ts';

/** A booked event of migration 022's outbox, claimed (row-locked) by the transaction rendering it. */
export interface ClaimedBookingEvent {
  id: string;
  appointmentId: string;
  brandId: string;
  /** The appointment's version when it was booked. */
  version: number;
  /** Who booked, as the history records it. */
  actor: string;
}

export type BookingEventOutcome = 'rendered' | 'superseded';

const CLAIMED_COLUMNS = `e.id::text, e.appointment_id AS "appointmentId", a.brand_id AS "brandId", e.version, e.actor`;

/**
 * The appointment's undone booked event, locked for this transaction; null when it is done or
 * another transaction holds it (SKIP LOCKED: that one renders it).
 */
export async function claimEventOf(tx: Tx, appointmentId: string): Promise<ClaimedBookingEvent | null> {
  const [row] = await tx.query<ClaimedBookingEvent>(
    `SELECT ${CLAIMED_COLUMNS} FROM booking_outbox e JOIN appointments a ON a.id = e.appointment_id
     WHERE e.appointment_id = $1 AND e.done_at IS NULL ORDER BY e.id LIMIT 1 FOR UPDATE OF e SKIP LOCKED`,
    [appointmentId],
  );
  return row ?? null;
}

/**
 * The oldest undone event recorded (and, if a rendering failed, last failed) at or before
 * `olderThan` and tried fewer than `maxAttempts` times, locked for this transaction; events other transactions hold are skipped, so several
 * sweeping instances never take the same one.
 */
export async function claimOverdueEvent(tx: Tx, olderThan: Date, maxAttempts: number): Promise<ClaimedBookingEvent | null> {
  const [row] = await tx.query<ClaimedBookingEvent>(
    `SELECT ${CLAIMED_COLUMNS} FROM booking_outbox e JOIN appointments a ON a.id = e.appointment_id
     WHERE e.done_at IS NULL AND e.created_at <= $1 AND (e.failed_at IS NULL OR e.failed_at <= $1) AND e.attempts < $2
     ORDER BY e.created_at, e.id LIMIT 1 FOR UPDATE OF e SKIP LOCKED`,
    [olderThan, maxAttempts],
  );
  return row ?? null;
}

export async function finishEvent(tx: Tx, id: string, outcome: BookingEventOutcome, at: Date): Promise<void> {
  await tx.query('UPDATE booking_outbox SET done_at = $2, outcome = $3 WHERE id = $1', [id, at, outcome]);
}

/** A rendering that threw: counted, and given up ('failed') at `maxAttempts`. */
export async function recordEventFailure(db: Queryable, id: string, error: string, maxAttempts: number, at: Date): Promise<void> {
  await db.query(
    `UPDATE booking_outbox SET attempts = attempts + 1, last_error = $2, failed_at = $4,
       done_at = CASE WHEN attempts + 1 >= $3 THEN $4::timestamptz END,
       outcome = CASE WHEN attempts + 1 >= $3 THEN 'failed' END
     WHERE id = $1 AND done_at IS NULL`,
    [id, error, maxAttempts, at],
  );
}

/**
 * Deletes up to `limit` events rendered or superseded before `before` (failed ones stay, for a
 * person to look at); how many it deleted.
 */
export async function pruneFinishedEvents(db: Queryable, before: Date, limit: number): Promise<number> {
  const rows = await db.query(
    `DELETE FROM booking_outbox WHERE id IN (
       SELECT id FROM booking_outbox WHERE done_at < $1 AND outcome IN ('rendered', 'superseded') ORDER BY id LIMIT $2)
     RETURNING id`,
    [before, limit],
  );
  return rows.length;
}
