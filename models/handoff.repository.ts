import type { Queryable } from './database.ts';
import type { Locale, Mode } from './catalogue.repository.ts';
import { isUuid } from './ids.ts';

/** Live-agent hand-off state of conversations (migration 009). */

export type HandoffState = 'bot' | 'waiting' | 'attached';

export interface Handoff {
  conversationId: string;
  brandId: string;
  channel: string;
  customerId: string | null;
  locale: Locale;
  timeZone: string | null;
  lastSeq: number;
  state: HandoffState;
  agentStaffId: string | null;
  /** The appointment joined (kept after the hand-off ends); null while waiting → a queue request. */
  appointmentId: string | null;
  requestedAt: Date | null;
  offeredTo: string[];
  /** FIFO order among waiting requests. */
  ticket: number | null;
  awaitingMessage: boolean;
  customerReadSeq: number;
  agentReadSeq: number;
  /** The assigned advisor's grace is running (by the database's clock): nobody else is offered the customer yet. */
  inGrace: boolean;
}

const HANDOFF_COLUMNS = `c.id AS "conversationId", c.brand_id AS "brandId", c.channel, c.customer_id AS "customerId",
  c.locale, c.time_zone AS "timeZone", c.last_seq AS "lastSeq", c.handoff_state AS "state",
  c.agent_staff_id AS "agentStaffId", c.handoff_appointment_id AS "appointmentId",
  c.handoff_requested_at AS "requestedAt", c.handoff_offered_to::text[] AS "offeredTo",
  c.handoff_ticket::float8 AS "ticket", c.handoff_awaiting_message AS "awaitingMessage",
  c.customer_read_seq AS "customerReadSeq", c.agent_read_seq AS "agentReadSeq",
  COALESCE(c.handoff_grace_until > now(), false) AS "inGrace"`;


export async function findHandoff(db: Queryable, conversationId: string): Promise<Handoff | null> {
  if (!isUuid(conversationId)) return null;
  const [row] = await db.query<Handoff>(`SELECT ${HANDOFF_COLUMNS} FROM conversations c WHERE c.id = $1`, [conversationId]);
  return row ?? null;
}

/**
 * bot → waiting (an appointment's advisor, or the brand's queue when appointmentId is null).
 * Null when the conversation is not with the bot (already waiting or attached).
 */
export async function startWaiting(
  db: Queryable, conversationId: string, r: { appointmentId: string | null; offeredTo: string[]; now: Date },
): Promise<Handoff | null> {
  const [row] = await db.query<Handoff>(
    `UPDATE conversations c SET handoff_state = 'waiting', agent_staff_id = NULL, handoff_appointment_id = $2,
       handoff_requested_at = $3, handoff_offered_to = $4::uuid[], handoff_ticket = nextval('handoff_tickets'),
       handoff_awaiting_message = false, handoff_grace_until = NULL, handoff_told_position = NULL, updated_at = now()
     WHERE c.id = $1 AND c.handoff_state = 'bot' RETURNING ${HANDOFF_COLUMNS}`,
    [conversationId, r.appointmentId, r.now, r.offeredTo],
  );
  return row ?? null;
}

/**
 * waiting → attached to this agent; exactly one of racing agents gets the row, the others null.
 * (An attached conversation whose agent was deleted can be taken over too.)
 */
export async function claimHandoff(db: Queryable, conversationId: string, staffId: string): Promise<Handoff | null> {
  const [row] = await db.query<Handoff>(
    `UPDATE conversations c SET handoff_state = 'attached', agent_staff_id = $2, updated_at = now()
     WHERE c.id = $1 AND (c.handoff_state = 'waiting' OR (c.handoff_state = 'attached' AND c.agent_staff_id IS NULL))
     RETURNING ${HANDOFF_COLUMNS}`,
    [conversationId, staffId],
  );
  return row ?? null;
}

/** attached (to this agent) → bot. */
export async function releaseHandoff(db: Queryable, conversationId: string, staffId: string): Promise<Handoff | null> {
  const [row] = await db.query<Handoff>(
    `UPDATE conversations c SET handoff_state = 'bot', agent_staff_id = NULL, handoff_ticket = NULL, updated_at = now()
     WHERE c.id = $1 AND c.handoff_state = 'attached' AND c.agent_staff_id = $2 RETURNING ${HANDOFF_COLUMNS}`,
    [conversationId, staffId],
  );
  return row ?? null;
}

/** waiting → bot (the customer chose to reschedule or to leave a message). */
export async function withdrawHandoff(db: Queryable, conversationId: string, awaitingMessage: boolean): Promise<Handoff | null> {
  const [row] = await db.query<Handoff>(
    `UPDATE conversations c SET handoff_state = 'bot', handoff_ticket = NULL, handoff_awaiting_message = $2, updated_at = now()
     WHERE c.id = $1 AND c.handoff_state = 'waiting' RETURNING ${HANDOFF_COLUMNS}`,
    [conversationId, awaitingMessage],
  );
  return row ?? null;
}

export async function setAwaitingMessage(db: Queryable, conversationId: string, awaiting: boolean): Promise<void> {
  await db.query('UPDATE conversations SET handoff_awaiting_message = $2 WHERE id = $1', [conversationId, awaiting]);
}

/** Adds staff to those a waiting request was offered to; the new full list, or null when no longer waiting. */
export async function addOffers(db: Queryable, conversationId: string, staffIds: string[]): Promise<string[] | null> {
  const [row] = await db.query<{ offeredTo: string[] }>(
    `UPDATE conversations SET handoff_offered_to = ARRAY(
       SELECT DISTINCT x FROM unnest(handoff_offered_to || $2::uuid[]) AS x)
     WHERE id = $1 AND handoff_state = 'waiting' RETURNING handoff_offered_to::text[] AS "offeredTo"`,
    [conversationId, staffIds],
  );
  return row?.offeredTo ?? null;
}

/** Starts the assigned advisor's grace of a waiting request (`ms` from now by the database's clock). */
export async function startGrace(db: Queryable, conversationId: string, ms: number): Promise<void> {
  await db.query(
    `UPDATE conversations SET handoff_grace_until = now() + $2 * interval '1 millisecond' WHERE id = $1 AND handoff_state = 'waiting'`,
    [conversationId, ms],
  );
}

/**
 * Ends a grace that is over (a second's leeway for the timer's own clock): true for the one caller
 * that ended it while the request was still waiting, so a timer run twice, or by two instances,
 * widens the request once, and a stale timer of an earlier request does not cut a new grace short.
 */
export async function endGrace(db: Queryable, conversationId: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE conversations SET handoff_grace_until = NULL
     WHERE id = $1 AND handoff_state = 'waiting' AND handoff_grace_until <= now() + interval '1 second' RETURNING id`,
    [conversationId],
  );
  return rows.length > 0;
}

/** Records the place a queued customer is told; false when they were already told that place (by any instance). */
export async function tellPosition(db: Queryable, conversationId: string, position: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE conversations SET handoff_told_position = $2
     WHERE id = $1 AND handoff_state = 'waiting' AND handoff_told_position IS DISTINCT FROM $2 RETURNING id`,
    [conversationId, position],
  );
  return rows.length > 0;
}

/** Raises a side's read position (never lowers it, never past the transcript); the new value. */
export async function markRead(db: Queryable, conversationId: string, by: 'customer' | 'agent', seq: number): Promise<number | null> {
  const column = by === 'customer' ? 'customer_read_seq' : 'agent_read_seq';
  const [row] = await db.query<{ seq: number }>(
    `UPDATE conversations SET ${column} = GREATEST(${column}, LEAST($2::int, last_seq)) WHERE id = $1 RETURNING ${column} AS seq`,
    [conversationId, seq],
  );
  return row?.seq ?? null;
}

/** Staff attached to a conversation right now (busy), among those given. */
export async function busyStaff(db: Queryable, staffIds: string[]): Promise<Set<string>> {
  if (staffIds.length === 0) return new Set();
  const rows = await db.query<{ id: string }>(
    `SELECT DISTINCT agent_staff_id::text AS id FROM conversations WHERE handoff_state = 'attached' AND agent_staff_id = ANY($1::uuid[])`,
    [staffIds],
  );
  return new Set(rows.map((r) => r.id));
}

/** Conversations attached to an agent (rejoined on reconnection). */
export async function attachedTo(db: Queryable, staffId: string): Promise<Handoff[]> {
  return db.query<Handoff>(
    `SELECT ${HANDOFF_COLUMNS} FROM conversations c WHERE c.handoff_state = 'attached' AND c.agent_staff_id = $1 ORDER BY c.handoff_requested_at`,
    [staffId],
  );
}

/** Waiting requests of a brand, oldest first. */
export async function waitingRequests(db: Queryable, brandId: string): Promise<Handoff[]> {
  return db.query<Handoff>(
    `SELECT ${HANDOFF_COLUMNS} FROM conversations c WHERE c.brand_id = $1 AND c.handoff_state = 'waiting' ORDER BY c.handoff_ticket`,
    [brandId],
  );
}

/** The 1-based places of the brand's waiting queue requests (no appointment), in FIFO order. */
export async function queueOrder(db: Queryable, brandId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM conversations WHERE brand_id = $1 AND handoff_state = 'waiting' AND handoff_appointment_id IS NULL
     ORDER BY handoff_ticket`,
    [brandId],
  );
  return rows.map((r) => r.id);
}

// ---- appointments ------------------------------------------------------------------------------

/** What the console shows about the appointment being joined. */
export interface HandoffAppointment {
  id: string;
  brandId: string;
  /** The brand's default language (what the console shows). */
  brandLocale: Locale;
  state: 'pending' | 'confirmed' | 'cancelled';
  serviceId: string;
  serviceNames: Partial<Record<Locale, string>>;
  mode: Mode;
  startAt: Date;
  endAt: Date;
  customerTimeZone: string;
  /** The store it belongs to (its own, else its advisor's home store). */
  storeId: string | null;
  storeName: string | null;
  staffId: string;
  staffName: string;
  customerId: string;
  customerName: string;
  customerEmail: string | null;
  customerPhone: string | null;
  customerLocale: Locale;
  conversationId: string | null;
  meetingUrl: string | null;
  /** Join links are signed for one version (see notifications/signed-links.ts). */
  version: number;
}

const HANDOFF_APPOINTMENT_SELECT = `SELECT a.id, a.brand_id AS "brandId", b.default_locale AS "brandLocale", a.state, a.service_id AS "serviceId", s.names AS "serviceNames", a.mode,
            a.start_at AS "startAt", a.end_at AS "endAt", a.customer_time_zone AS "customerTimeZone",
            COALESCE(a.store_id, sf.home_store_id) AS "storeId", so.name AS "storeName",
            a.staff_id AS "staffId", sf.name AS "staffName",
            a.customer_id AS "customerId", cu.name AS "customerName", cu.email AS "customerEmail", cu.phone AS "customerPhone",
            cu.locale AS "customerLocale", a.conversation_id AS "conversationId", a.meeting_url AS "meetingUrl",
            a.version
     FROM appointments a
     JOIN brands b ON b.id = a.brand_id
     JOIN services s ON s.id = a.service_id
     JOIN staff sf ON sf.id = a.staff_id
     JOIN customers cu ON cu.id = a.customer_id
     LEFT JOIN stores so ON so.id = COALESCE(a.store_id, sf.home_store_id)`;

export async function findHandoffAppointment(db: Queryable, brandId: string, appointmentId: string): Promise<HandoffAppointment | null> {
  if (!isUuid(appointmentId)) return null;
  const [row] = await db.query<HandoffAppointment>(`${HANDOFF_APPOINTMENT_SELECT} WHERE a.brand_id = $1 AND a.id = $2`, [brandId, appointmentId]);
  return row ?? null;
}

/** The appointments booked in a conversation and not cancelled, soonest first (what the advisor sees beside the chat). */
export async function conversationAppointments(db: Queryable, brandId: string, conversationId: string): Promise<HandoffAppointment[]> {
  return db.query<HandoffAppointment>(
    `${HANDOFF_APPOINTMENT_SELECT} WHERE a.brand_id = $1 AND a.conversation_id = $2 AND a.state <> 'cancelled' ORDER BY a.start_at`,
    [brandId, conversationId],
  );
}

/**
 * Points the appointment at a conversation, unless another one was linked meanwhile (two devices
 * joining at once): the conversation the appointment is linked to afterwards.
 */
export async function linkAppointmentConversation(
  db: Queryable, appointmentId: string, previous: string | null, conversationId: string,
): Promise<string> {
  const [row] = await db.query<{ conversation_id: string }>(
    `UPDATE appointments SET conversation_id = $3 WHERE id = $1 AND conversation_id IS NOT DISTINCT FROM $2 RETURNING conversation_id`,
    [appointmentId, previous, conversationId],
  );
  if (row) return row.conversation_id;
  const [current] = await db.query<{ conversation_id: string | null }>('SELECT conversation_id FROM appointments WHERE id = $1', [appointmentId]);
  return current?.conversation_id ?? conversationId;
}

/** Sets the meeting link once (the first join wins); the link the appointment has afterwards. */
export async function ensureMeetingUrl(db: Queryable, appointmentId: string, candidate: string): Promise<string> {
  const [row] = await db.query<{ meeting_url: string }>(
    `UPDATE appointments SET meeting_url = COALESCE(meeting_url, $2) WHERE id = $1 RETURNING meeting_url`,
    [appointmentId, candidate],
  );
  return row?.meeting_url ?? candidate;
}

/**
 * Staff of the brand who could take over an appointment: they offer its service and work at its
 * store (hours, home store or granted access) — any store when storeId is null.
 */
export async function staffForStoreService(db: Queryable, brandId: string, storeId: string | null, serviceId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT s.id FROM staff s JOIN staff_services ss ON ss.staff_id = s.id AND ss.service_id = $3
     WHERE s.brand_id = $1 AND s.active AND (
       $2::uuid IS NULL OR s.home_store_id = $2
       OR EXISTS (SELECT 1 FROM staff_hours h WHERE h.staff_id = s.id AND h.store_id = $2)
       OR EXISTS (SELECT 1 FROM staff_store_access x WHERE x.staff_id = s.id AND x.store_id = $2))
     ORDER BY s.name, s.id`,
    [brandId, storeId, serviceId],
  );
  return rows.map((r) => r.id);
}

/** Every store a staff member is attached to: working hours, granted access, home store. */
export async function storesOfStaffMember(db: Queryable, staffId: string): Promise<string[]> {
  const rows = await db.query<{ store_id: string }>(
    `SELECT store_id FROM staff_hours WHERE staff_id = $1
     UNION SELECT store_id FROM staff_store_access WHERE staff_id = $1
     UNION SELECT home_store_id FROM staff WHERE id = $1 AND home_store_id IS NOT NULL`,
    [staffId],
  );
  return rows.map((r) => r.store_id);
}

/** A staff member's display name (the advisor in the chat). */
export async function staffName(db: Queryable, staffId: string): Promise<string | null> {
  const [row] = await db.query<{ name: string }>('SELECT name FROM staff WHERE id = $1', [staffId]);
  return row?.name ?? null;
}

/** The video link of an appointment, once made. */
export async function meetingUrlOf(db: Queryable, appointmentId: string): Promise<string | null> {
  const [row] = await db.query<{ meeting_url: string | null }>('SELECT meeting_url FROM appointments WHERE id = $1', [appointmentId]);
  return row?.meeting_url ?? null;
}
