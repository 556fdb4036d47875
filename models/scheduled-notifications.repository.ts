import type { Queryable, Tx } from './database.ts';
import type { Statement } from './statement-gate.ts';

/**
 * `scheduled_notifications`: the reminders and follow-ups planned for an appointment's start,
 * scheduled → sent | skipped | failed | cancelled. A row becomes a job once it is due (job_id).
 */

type Kind = 'reminder' | 'follow_up';
type Channel = 'email' | 'sms' | 'whatsapp';

export interface ScheduledRow {
  id: string;
  appointment_id: string;
  kind: Kind;
  channel: Channel;
  position: number;
  for_start_at: Date | string;
  status: string;
}

/** What a due reminder or follow-up re-checks of its appointment. */
export interface ReminderAppointmentFacts {
  id: string;
  service_id: string;
  customer_id: string;
  state: 'pending' | 'confirmed' | 'cancelled';
  /** The channel it was booked on. */
  channel: string;
  start_at: Date | string;
  created_at: Date | string;
}

export interface ScheduledPlan {
  appointmentId: string;
  kind: Kind;
  channel: Channel;
  position: number;
  sendAt: Date;
  forStartAt: Date;
}

/**
 * The INSERT that plans reminders and follow-ups, as a statement that may be a part of a larger one
 * (only when `onlyIf`, SQL, holds). One already planned or done for that start is not planned again;
 * one cancelled for the same start (moved away and back) is.
 */
export function scheduledInsert(plans: readonly ScheduledPlan[], at: Date, onlyIf = 'true'): Statement {
  return {
    sql: `INSERT INTO scheduled_notifications (appointment_id, kind, channel, position, send_at, for_start_at, created_at)
     SELECT p.appointment_id, p.kind, p.channel, p.position, p.send_at, p.for_start_at, $7
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::timestamptz[])
         AS p (appointment_id, kind, channel, position, send_at, for_start_at)
      WHERE ${onlyIf}
     ON CONFLICT (appointment_id, kind, channel, position, for_start_at) DO UPDATE
       SET status = 'scheduled', send_at = EXCLUDED.send_at, job_id = NULL, note = NULL, processed_at = NULL
       WHERE scheduled_notifications.status = 'cancelled'
     RETURNING id`,
    params: [plans.map((p) => p.appointmentId), plans.map((p) => p.kind), plans.map((p) => p.channel), plans.map((p) => p.position),
      plans.map((p) => p.sendAt), plans.map((p) => p.forStartAt), at],
  };
}

/** Plans reminders and follow-ups in one statement (scheduledInsert); returns how many were planned. */
export async function insertScheduled(tx: Tx, plans: readonly ScheduledPlan[], at: Date): Promise<number> {
  if (plans.length === 0) return 0;
  const insert = scheduledInsert(plans, at);
  return (await tx.query(insert.sql, insert.params)).length;
}

/** Cancels what is still planned for the appointment; returns the job of each row (null: not yet due). */
export async function cancelScheduledFor(tx: Tx, appointmentId: string, at: Date): Promise<(string | null)[]> {
  const rows = await tx.query<{ job_id: string | null }>(
    `UPDATE scheduled_notifications SET status = 'cancelled', processed_at = $2
      WHERE appointment_id = $1 AND status = 'scheduled'
      RETURNING job_id`,
    [appointmentId, at],
  );
  return rows.map((r) => r.job_id);
}

/** Due rows without a job yet, locked; SKIP LOCKED lets several processes dispatch at once. */
export async function lockDueScheduled(tx: Tx, dueBy: Date, limit: number): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `SELECT id FROM scheduled_notifications
      WHERE status = 'scheduled' AND job_id IS NULL AND send_at <= $1
      ORDER BY send_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [dueBy, limit],
  );
  return rows.map((r) => r.id);
}

export async function setScheduledJob(tx: Tx, id: string, jobId: string): Promise<void> {
  await tx.query('UPDATE scheduled_notifications SET job_id = $2 WHERE id = $1', [id, jobId]);
}

export async function scheduledAppointmentId(db: Queryable, id: string): Promise<string | null> {
  const [row] = await db.query<{ appointment_id: string }>('SELECT appointment_id FROM scheduled_notifications WHERE id = $1', [id]);
  return row?.appointment_id ?? null;
}

/** The appointment behind a due row, share-locked: a reschedule or cancellation waits for the run. */
export async function shareLockReminderAppointment(tx: Tx, appointmentId: string): Promise<ReminderAppointmentFacts | null> {
  const [row] = await tx.query<ReminderAppointmentFacts>(
    'SELECT id, service_id, customer_id, state, channel, start_at, created_at FROM appointments WHERE id = $1 FOR SHARE',
    [appointmentId],
  );
  return row ?? null;
}

export async function lockScheduled(tx: Tx, id: string): Promise<ScheduledRow | null> {
  const [row] = await tx.query<ScheduledRow>(
    'SELECT id, appointment_id, kind, channel, position, for_start_at, status FROM scheduled_notifications WHERE id = $1 FOR UPDATE',
    [id],
  );
  return row ?? null;
}

/** Whether the customer booked another appointment after this one (and kept it). */
export async function customerBookedAgain(db: Queryable, a: Pick<ReminderAppointmentFacts, 'id' | 'customer_id' | 'created_at'>): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM appointments
      WHERE customer_id = $1 AND id <> $2 AND created_at > $3 AND state <> 'cancelled' LIMIT 1`,
    [a.customer_id, a.id, a.created_at],
  );
  return rows.length > 0;
}

/** Closes a planned row with its outcome; a row no longer 'scheduled' is left as it is. */
export async function settleScheduled(
  tx: Tx, id: string, outcome: { status: 'sent' | 'skipped' | 'failed'; note: string | null; messageId: string | null }, at: Date,
): Promise<void> {
  await tx.query(
    `UPDATE scheduled_notifications SET status = $2, note = $3, message_id = $4, processed_at = $5
      WHERE id = $1 AND status = 'scheduled'`,
    [id, outcome.status, outcome.note, outcome.messageId, at],
  );
}
