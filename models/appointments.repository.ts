import { randomUUID } from 'node:crypto';
import type { Queryable, Tx } from './database.ts';
import type { Mode } from './catalogue.repository.ts';
import type { ContactAddress, CustomerDetails } from './customers.repository.ts';
import { isSlotConflict } from './errors.ts';
import { composableWrite } from './statement-gate.ts';

export type AppointmentState = 'pending' | 'confirmed' | 'cancelled';

/** Where the appointment takes place, and who serves it when. Shared by holds and appointments. */
export interface Placement {
  serviceId: string;
  mode: Mode;
  storeId: string | null;
  homeAddress: string | null;
  homeLatitude: number | null;
  homeLongitude: number | null;
  staffId: string;
  startAt: Date;
  endAt: Date;
}

export interface Appointment extends Placement {
  id: string;
  brandId: string;
  customerId: string;
  customerTimeZone: string;
  state: AppointmentState;
  statusId: string | null;
  notes: string;
  channel: string;
  conversationId: string | null;
  cancellationReason: string | null;
  idempotencyKey: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Hold extends Placement {
  id: string;
  brandId: string;
  expiresAt: Date;
}

export interface StatusChange {
  id: string;
  fromState: AppointmentState | null;
  toState: AppointmentState;
  fromStatusId: string | null;
  toStatusId: string | null;
  actor: string;
  reason: string | null;
  at: Date;
}

const PLACEMENT_COLUMNS = `service_id AS "serviceId", mode, store_id AS "storeId", home_address AS "homeAddress",
  home_latitude AS "homeLatitude", home_longitude AS "homeLongitude", staff_id AS "staffId",
  start_at AS "startAt", end_at AS "endAt"`;

const APPOINTMENT_COLUMNS = `id, brand_id AS "brandId", ${PLACEMENT_COLUMNS}, customer_id AS "customerId",
  customer_time_zone AS "customerTimeZone", state, status_id AS "statusId", notes, channel,
  conversation_id AS "conversationId", cancellation_reason AS "cancellationReason",
  idempotency_key AS "idempotencyKey", version, created_at AS "createdAt", updated_at AS "updatedAt"`;

const HOLD_COLUMNS = `id, brand_id AS "brandId", ${PLACEMENT_COLUMNS}, expires_at AS "expiresAt"`;

export async function findAppointment(db: Queryable, brandId: string, id: string): Promise<Appointment | null> {
  const [row] = await db.query<Appointment>(
    `SELECT ${APPOINTMENT_COLUMNS} FROM appointments WHERE brand_id = $1 AND id = $2`,
    [brandId, id],
  );
  return row ?? null;
}

/** Locks the appointment for the rest of the transaction. */
export async function lockAppointment(tx: Tx, brandId: string, id: string): Promise<Appointment | null> {
  const [row] = await tx.query<Appointment>(
    `SELECT ${APPOINTMENT_COLUMNS} FROM appointments WHERE brand_id = $1 AND id = $2 FOR UPDATE`,
    [brandId, id],
  );
  return row ?? null;
}

export async function findByIdempotencyKey(db: Queryable, brandId: string, key: string): Promise<Appointment | null> {
  const [row] = await db.query<Appointment>(
    `SELECT ${APPOINTMENT_COLUMNS} FROM appointments WHERE brand_id = $1 AND idempotency_key = $2`,
    [brandId, key],
  );
  return row ?? null;
}

/** The time a claim blocks, buffers included. */
export type Blocked = [from: Date, to: Date];

/** What every booking records, whether by slot or from a hold. */
export interface BookingBy {
  brandId: string;
  customer: CustomerDetails;
  /** An address the customer proved for this booking, stamped in the same transaction. */
  provenContact: ContactAddress | null;
  customerTimeZone: string;
  notes: string;
  channel: string;
  conversationId: string | null;
  idempotencyKey: string | null;
  /** Who booked, as the history records it. */
  actor: string;
  now: Date;
}

/** A booking by slot; the staff member is chosen by the database. */
export interface SlotBooking extends BookingBy {
  placement: Omit<Placement, 'staffId' | 'endAt'>;
  /** Only staff working at these stores are candidates (null: any store). */
  candidateStores: string[] | null;
  rules: {
    durationMinutes: number; bufferBeforeMinutes: number; bufferAfterMinutes: number;
    stepMinutes: number; minNoticeMinutes: number; maxHorizonDays: number;
  };
}

/** Calls a booking function of migration 019 with named arguments, in one round trip. */
async function callBooking(db: Queryable, fn: 'book_slot' | 'book_hold', b: BookingBy, own: [string, unknown][]): Promise<Appointment> {
  const c = b.customer;
  const args: [string, unknown][] = [
    ['p_brand', b.brandId], ['p_customer_name', c.name], ['p_customer_email', c.email], ['p_customer_phone', c.phone],
    ['p_customer_locale', c.locale], ['p_customer_zone', c.timeZone], ['p_proven_channel', b.provenContact?.channel ?? null],
    ['p_proven_to', b.provenContact?.to ?? null], ['p_appointment_zone', b.customerTimeZone], ['p_notes', b.notes],
    ['p_channel', b.channel], ['p_conversation', b.conversationId], ['p_idempotency_key', b.idempotencyKey],
    ['p_actor', b.actor], ['p_now', b.now], ...own,
  ];
  const [row] = await db.query<Appointment>(
    `SELECT ${APPOINTMENT_COLUMNS} FROM ${fn}(${args.map(([name], i) => `${name} => $${i + 1}`).join(', ')})`,
    args.map(([, value]) => value),
  );
  return row!;
}

/**
 * A whole booking by slot in one statement (book_slot): customer, proven contact, availability at
 * the start, the least booked free advisor, claim, appointment and first history entry. A time no
 * advisor can take raises 23P01, as a refused claim does. Outside a transaction it commits on its own.
 */
export async function bookSlot(db: Queryable, b: SlotBooking): Promise<Appointment> {
  const { placement: p, rules: r } = b;
  return callBooking(db, 'book_slot', b, [
    ['p_service', p.serviceId], ['p_mode', p.mode], ['p_store', p.storeId], ['p_home_address', p.homeAddress],
    ['p_home_latitude', p.homeLatitude], ['p_home_longitude', p.homeLongitude], ['p_candidate_stores', b.candidateStores],
    ['p_start', p.startAt], ['p_duration_minutes', r.durationMinutes], ['p_buffer_before_minutes', r.bufferBeforeMinutes],
    ['p_buffer_after_minutes', r.bufferAfterMinutes], ['p_step_minutes', r.stepMinutes], ['p_min_notice_minutes', r.minNoticeMinutes],
    ['p_max_horizon_days', r.maxHorizonDays],
  ]);
}

/**
 * A whole booking from a hold in one statement (book_hold): the appointment takes over the hold's
 * claim. A missing or expired hold raises an error models/errors.ts translates.
 */
export async function bookHold(db: Queryable, b: BookingBy & { holdId: string }): Promise<Appointment> {
  return callBooking(db, 'book_hold', b, [['p_hold', b.holdId]]);
}

export async function updateAppointment(
  tx: Tx,
  id: string,
  change: Partial<Pick<Appointment, 'staffId' | 'startAt' | 'endAt' | 'state' | 'statusId' | 'cancellationReason'>>,
  now: Date,
): Promise<Appointment> {
  const columns: Record<string, string> = {
    staffId: 'staff_id', startAt: 'start_at', endAt: 'end_at', state: 'state',
    statusId: 'status_id', cancellationReason: 'cancellation_reason',
  };
  const entries = Object.entries(change).filter(([, v]) => v !== undefined);
  const sets = entries.map(([k], i) => `${columns[k]} = $${i + 3}`);
  const [row] = await tx.query<Appointment>(
    `UPDATE appointments SET ${[...sets, 'version = version + 1', 'updated_at = $2'].join(', ')}
     WHERE id = $1 RETURNING ${APPOINTMENT_COLUMNS}`,
    [id, now, ...entries.map(([, v]) => v)],
  );
  return row!;
}

// ---- holds -------------------------------------------------------------------------------------

/**
 * A hold with its claim in one statement; null when the staff member's time is taken: a claim
 * overlapping another of the staff member's is skipped by ON CONFLICT DO NOTHING, which honours the
 * exclusion constraint and waits on concurrent claims like a plain insert, without aborting the transaction.
 * Outside a transaction it commits on its own.
 */
export async function insertClaimedHold(
  db: Queryable, brandId: string, p: Placement, [from, to]: Blocked, expiresAt: Date, now: Date,
): Promise<Hold | null> {
  const [row] = await db.query<Hold>(
    `WITH claim AS (
       INSERT INTO slot_claims (staff_id, blocked_from, blocked_to, hold_id) VALUES ($8, $13, $14, $15)
       ON CONFLICT DO NOTHING RETURNING hold_id
     )
     INSERT INTO holds (id, brand_id, service_id, mode, store_id, home_address, home_latitude, home_longitude,
       staff_id, start_at, end_at, expires_at, created_at)
     SELECT hold_id, $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12 FROM claim RETURNING ${HOLD_COLUMNS}`,
    [brandId, p.serviceId, p.mode, p.storeId, p.homeAddress, p.homeLatitude, p.homeLongitude, p.staffId,
      p.startAt, p.endAt, expiresAt, now, from, to, randomUUID()],
  );
  return row ?? null;
}

/** A hold by slot; the staff member is chosen by the database. */
export interface SlotHold {
  brandId: string;
  placement: Omit<Placement, 'staffId' | 'endAt'>;
  candidateStores: string[] | null;
  rules: SlotBooking['rules'];
  expiresAt: Date;
  now: Date;
}

/** hold_slot's parameters (migration 026), by name. */
const HOLD_SLOT_PARAMS = [
  'p_brand', 'p_hold', 'p_service', 'p_mode', 'p_store', 'p_home_address', 'p_home_latitude', 'p_home_longitude',
  'p_candidate_stores', 'p_start', 'p_duration_minutes', 'p_buffer_before_minutes', 'p_buffer_after_minutes',
  'p_step_minutes', 'p_min_notice_minutes', 'p_max_horizon_days', 'p_expires', 'p_now',
] as const;

// A bot turn's first write: it may carry the customer's message (models/statement-gate.ts).
const HOLD_SLOT = composableWrite(
  `SELECT ${HOLD_COLUMNS} FROM hold_slot(${HOLD_SLOT_PARAMS.map((name, i) => `${name} => $${i + 1}`).join(', ')})`,
);

/**
 * A whole hold by slot in one statement (migration 026's hold_slot): availability at the start, the
 * least booked free advisor, the hold with its claim. A time no advisor can take raises 23P01.
 */
export async function holdSlot(db: Queryable, h: SlotHold): Promise<Hold> {
  const { placement: p, rules: r } = h;
  const args: Record<(typeof HOLD_SLOT_PARAMS)[number], unknown> = {
    p_brand: h.brandId, p_hold: randomUUID(), p_service: p.serviceId, p_mode: p.mode, p_store: p.storeId,
    p_home_address: p.homeAddress, p_home_latitude: p.homeLatitude, p_home_longitude: p.homeLongitude,
    p_candidate_stores: h.candidateStores, p_start: p.startAt, p_duration_minutes: r.durationMinutes,
    p_buffer_before_minutes: r.bufferBeforeMinutes, p_buffer_after_minutes: r.bufferAfterMinutes,
    p_step_minutes: r.stepMinutes, p_min_notice_minutes: r.minNoticeMinutes, p_max_horizon_days: r.maxHorizonDays,
    p_expires: h.expiresAt, p_now: h.now,
  };
  const [row] = await db.query<Hold>(HOLD_SLOT, HOLD_SLOT_PARAMS.map((name) => args[name]));
  return row!;
}

/** Removes expired holds (and, by cascade, their claims); returns how many. */
export async function sweepExpiredHolds(db: Queryable, now: Date, staffId?: string): Promise<number> {
  const rows = await db.query(
    `DELETE FROM holds WHERE expires_at <= $1 AND ($2::uuid IS NULL OR staff_id = $2::uuid) RETURNING id`,
    [now, staffId ?? null],
  );
  return rows.length;
}

// ---- claims: the rows the exclusion constraint guards ------------------------------------------

/**
 * Runs a change of claims in a savepoint, so that a taken time (the exclusion constraint refusing
 * it) answers null instead of aborting the transaction.
 */
export async function inClaimSavepoint<T>(tx: Tx, work: () => Promise<T>): Promise<T | null> {
  await tx.query('SAVEPOINT claim');
  try {
    const result = await work();
    await tx.query('RELEASE SAVEPOINT claim');
    return result;
  } catch (error) {
    await tx.query('ROLLBACK TO SAVEPOINT claim');
    if (!isSlotConflict(error)) throw error;
    return null;
  }
}

export async function moveClaim(tx: Tx, appointmentId: string, staffId: string, from: Date, to: Date): Promise<void> {
  await tx.query('UPDATE slot_claims SET staff_id = $2, blocked_from = $3, blocked_to = $4 WHERE appointment_id = $1', [appointmentId, staffId, from, to]);
}

export async function releaseClaim(tx: Tx, appointmentId: string): Promise<void> {
  await tx.query('DELETE FROM slot_claims WHERE appointment_id = $1', [appointmentId]);
}

// ---- status history ----------------------------------------------------------------------------

export async function recordStatusChange(tx: Tx, appointmentId: string, change: Omit<StatusChange, 'id'>): Promise<void> {
  await tx.query(
    `INSERT INTO appointment_status_history (appointment_id, from_state, to_state, from_status_id, to_status_id, actor, reason, at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
    [appointmentId, change.fromState, change.toState, change.fromStatusId, change.toStatusId, change.actor, change.reason, change.at],
  );
}

/** Newest first, as the console shows it. */
export async function statusHistory(db: Queryable, appointmentId: string): Promise<StatusChange[]> {
  return db.query<StatusChange>(
    `SELECT id::text, from_state AS "fromState", to_state AS "toState", from_status_id AS "fromStatusId",
            to_status_id AS "toStatusId", actor, reason, at
     FROM appointment_status_history WHERE appointment_id = $1 ORDER BY at DESC, appointment_status_history.id DESC`,
    [appointmentId],
  );
}
