import { APPOINTMENT_VIEW_COLUMNS, APPOINTMENT_VIEW_FROM, type AppointmentViewRow } from './appointment-views.repository.ts';
import { queuedMessagesInsert, type QueuedMessageToRecord } from './messages.repository.ts';
import { scheduledInsert, type ScheduledPlan } from './scheduled-notifications.repository.ts';
import type { Queryable } from './database.ts';
import { asParts, type Statement } from './statement-gate.ts';

/** An undone booked event of migration 022's outbox, read with its appointment as it is now. */
export interface FoundBookedEvent {
  id: string;
  /** The appointment's version when it was booked: rendered only while the appointment is still at it. */
  version: number;
  appointment: AppointmentViewRow;
}

export type BookingEventOutcome = 'rendered' | 'superseded';

type FoundRow = AppointmentViewRow & { event_id: string; event_version: number };

const found = (row: FoundRow | undefined): FoundBookedEvent | null => {
  if (!row) return null;
  const { event_id: id, event_version: version, ...appointment } = row;
  return { id: String(id), version, appointment };
};

const FOUND_COLUMNS = `e.id AS event_id, e.version AS event_version, ${APPOINTMENT_VIEW_COLUMNS}`;

/** The appointment's undone booked event with its appointment, in one statement; null when it is done. */
export async function findUndoneEventOf(db: Queryable, appointmentId: string): Promise<FoundBookedEvent | null> {
  const [row] = await db.query<FoundRow>(
    `SELECT ${FOUND_COLUMNS} FROM booking_outbox e JOIN ${APPOINTMENT_VIEW_FROM} ON a.id = e.appointment_id
     WHERE e.appointment_id = $1 AND e.done_at IS NULL ORDER BY e.id LIMIT 1`,
    [appointmentId],
  );
  return found(row);
}

/**
 * Claims the oldest undone event recorded (and, if a rendering failed or a sweeper claimed it, last
 * failed or claimed) at or before `olderThan` and tried fewer than `maxAttempts` times: stamped
 * claimed at `at` and read with its appointment, in one statement. Instances sweeping at once take
 * different events (a row another one is stamping is skipped).
 */
export async function claimOverdueEvent(db: Queryable, olderThan: Date, maxAttempts: number, at: Date): Promise<FoundBookedEvent | null> {
  const [row] = await db.query<FoundRow>(
    `WITH claimed AS (
       UPDATE booking_outbox e SET claimed_at = $3
        WHERE e.id = (SELECT o.id FROM booking_outbox o
                       WHERE o.done_at IS NULL AND o.created_at <= $1 AND (o.failed_at IS NULL OR o.failed_at <= $1)
                         AND (o.claimed_at IS NULL OR o.claimed_at <= $1) AND o.attempts < $2
                       ORDER BY o.created_at, o.id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING e.id, e.appointment_id, e.version)
     SELECT ${FOUND_COLUMNS} FROM claimed e JOIN ${APPOINTMENT_VIEW_FROM} ON a.id = e.appointment_id`,
    [olderThan, maxAttempts, at],
  );
  return found(row);
}

/** What rendering a booked event recorded. */
export interface BookedRendering {
  eventId: string;
  at: Date;
  messages: readonly QueuedMessageToRecord[];
  /** The jobs that deliver `messages` (a statement of the job queue's, run as a part of this one). */
  deliveries: Statement | null;
  reminders: readonly ScheduledPlan[];
}

/**
 * Records a booked event's rendering in one statement, committed on its own: if the event is still
 * undone, it is marked done, rendered while its appointment is still at the event's version (the
 * appointment is locked for this, so no change interleaves), with its messages and reminders;
 * else superseded, with nothing. Null when the event was already done (another renderer was
 * first): nothing is recorded. The delivery jobs are inserted whatever the outcome: a job whose
 * message was not recorded finds nothing to send.
 */
export async function recordBookedRendering(db: Queryable, r: BookedRendering): Promise<BookingEventOutcome | null> {
  const rendered = `EXISTS (SELECT 1 FROM finished WHERE outcome = 'rendered')`;
  const parts: Statement[] = [{ sql: '', params: [r.eventId, r.at] }];
  if (r.messages.length > 0) parts.push(queuedMessagesInsert(r.messages, r.at, rendered));
  if (r.reminders.length > 0) parts.push(scheduledInsert(r.reminders, r.at, rendered));
  if (r.deliveries) parts.push(r.deliveries);
  const { texts: [, ...writes], params } = asParts(parts);
  const [row] = await db.query<{ outcome: BookingEventOutcome | null }>(
    `WITH current AS (
       SELECT a.version FROM appointments a JOIN booking_outbox o ON o.appointment_id = a.id WHERE o.id = $1 FOR SHARE OF a),
     finished AS (
       UPDATE booking_outbox e SET done_at = $2, claimed_at = NULL,
              outcome = CASE WHEN e.version = (SELECT version FROM current) THEN 'rendered' ELSE 'superseded' END
        WHERE e.id = $1 AND e.done_at IS NULL
        RETURNING e.outcome)
     ${writes.map((sql, i) => `, write${i} AS (${sql})`).join('\n')}
     SELECT (SELECT outcome FROM finished) AS outcome`,
    params,
  );
  return row?.outcome ?? null;
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
