import { DateTime } from 'luxon';
import type { Queryable } from '../../models/database.ts';
import type { AppointmentState, StatusChange } from '../../models/appointments.repository.ts';
import { serviceName } from '../../models/catalogue.repository.ts';
import { findCustomer } from '../../models/customers.repository.ts';
import { entriesAfter, findConversation } from '../../models/conversations.repository.ts';
import { listStatuses, type StatusKind } from '../../models/statuses.repository.ts';
import { APPOINTMENT_STORE_SQL, SqlParams, appointmentScopeSql, canReadConversation, type StaffScope } from '../../scheduling/staff-access.ts';

/** The console's reads of appointments: the filtered, paginated list and one appointment's file. */

export type ListView = 'today' | 'upcoming' | 'past' | 'requests';

export interface ListFilters {
  view: ListView;
  storeId?: string | undefined;
  staffId?: string | undefined;
  serviceId?: string | undefined;
  state?: AppointmentState | undefined;
  statusId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Requests view: also the requests confirmed since (hidden by default). */
  showConfirmed: boolean;
  /** Part of the customer's name, email or phone. */
  search?: string | undefined;
  limit: number;
  offset: number;
}

interface ListRow {
  id: string;
  mode: 'in_store' | 'online' | 'at_home';
  state: AppointmentState;
  start_at: Date;
  end_at: Date;
  customer_time_zone: string;
  channel: string;
  created_at: Date;
  home_address: string | null;
  status_id: string | null;
  status_name: string | null;
  status_color: string | null;
  status_kind: StatusKind | null;
  customer_id: string;
  customer_name: string;
  service_id: string;
  service_slug: string;
  service_names: Record<string, string>;
  store_id: string | null;
  store_name: string | null;
  store_time_zone: string | null;
  staff_id: string;
  staff_name: string;
  zone: string;
  is_request: boolean;
}

/** The zone an appointment is read in at its store: its store's, its advisor's home store's, the brand's. */
const ZONE_SQL = 'COALESCE(st.time_zone, hs.time_zone, b.time_zone)';

const LIST_SELECT = `SELECT a.id, a.mode, a.state, a.start_at, a.end_at, a.customer_time_zone, a.channel, a.created_at,
    a.home_address, a.status_id, ast.name AS status_name, ast.color AS status_color, ast.kind AS status_kind,
    c.id AS customer_id, c.name AS customer_name, sv.id AS service_id, sv.slug AS service_slug, sv.names AS service_names,
    a.store_id, st.name AS store_name, st.time_zone AS store_time_zone, sf.id AS staff_id, sf.name AS staff_name,
    ${ZONE_SQL} AS zone,
    EXISTS (SELECT 1 FROM appointment_status_history h
            WHERE h.appointment_id = a.id AND h.from_state IS NULL AND h.to_state = 'pending') AS is_request`;

const LIST_FROM = `FROM appointments a
  JOIN brands b ON b.id = a.brand_id
  JOIN customers c ON c.id = a.customer_id
  JOIN services sv ON sv.id = a.service_id
  JOIN staff sf ON sf.id = a.staff_id
  LEFT JOIN stores st ON st.id = a.store_id
  LEFT JOIN stores hs ON hs.id = sf.home_store_id
  LEFT JOIN appointment_statuses ast ON ast.id = a.status_id`;

const localIso = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toISO({ suppressMilliseconds: true });

function listItem(r: ListRow) {
  return {
    id: r.id,
    mode: r.mode,
    state: r.state,
    status: r.status_id ? { id: r.status_id, name: r.status_name, color: r.status_color, kind: r.status_kind } : null,
    isRequest: r.is_request,
    customer: { id: r.customer_id, name: r.customer_name },
    service: { id: r.service_id, slug: r.service_slug, name: serviceName(r.service_names, r.service_slug), names: r.service_names },
    store: r.store_id ? { id: r.store_id, name: r.store_name, timeZone: r.store_time_zone } : null,
    homeAddress: r.home_address,
    staff: { id: r.staff_id, name: r.staff_name },
    start: r.start_at.toISOString(),
    end: r.end_at.toISOString(),
    /** The zone of the store (or of the advisor's home store): what staff read. */
    timeZone: r.zone,
    localStart: localIso(r.start_at, r.zone),
    localEnd: localIso(r.end_at, r.zone),
    customerTimeZone: r.customer_time_zone,
    customerLocalStart: localIso(r.start_at, r.customer_time_zone),
    channel: r.channel,
    createdAt: r.created_at.toISOString(),
  };
}

export type AppointmentListItem = ReturnType<typeof listItem>;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listAppointments(db: Queryable, scope: StaffScope, f: ListFilters, now: Date) {
  const params = new SqlParams();
  const where = [appointmentScopeSql(scope, params)];
  // Only the views that read the clock add it: an unused parameter has no type for PostgreSQL.
  const at = () => `${params.p(now)}::timestamptz`;
  let order = 'a.start_at, a.id';
  switch (f.view) {
    case 'today':
      where.push(`(a.start_at AT TIME ZONE ${ZONE_SQL})::date = (${at()} AT TIME ZONE ${ZONE_SQL})::date`);
      if (!f.state && !f.statusId) where.push(`a.state <> 'cancelled'`);
      break;
    case 'upcoming':
      where.push(`a.start_at >= ${at()}`);
      if (!f.state && !f.statusId) where.push(`a.state <> 'cancelled'`);
      break;
    case 'past':
      where.push(`a.start_at < ${at()}`);
      order = 'a.start_at DESC, a.id DESC';
      break;
    case 'requests':
      // The unconfirmed requests; a confirmed one leaves the list unless asked for (document 001).
      where.push(`EXISTS (SELECT 1 FROM appointment_status_history h
        WHERE h.appointment_id = a.id AND h.from_state IS NULL AND h.to_state = 'pending')`);
      where.push(f.showConfirmed ? `a.state IN ('pending', 'confirmed')` : `a.state = 'pending'`);
      break;
  }
  if (f.storeId) where.push(`${APPOINTMENT_STORE_SQL} = ${params.p(f.storeId)}::uuid`);
  if (f.staffId) where.push(`a.staff_id = ${params.p(f.staffId)}::uuid`);
  if (f.serviceId) where.push(`a.service_id = ${params.p(f.serviceId)}::uuid`);
  if (f.state) where.push(`a.state = ${params.p(f.state)}`);
  if (f.statusId) where.push(`a.status_id = ${params.p(f.statusId)}::uuid`);
  if (f.from) where.push(`a.start_at >= ${params.p(f.from)}`);
  if (f.to) where.push(`a.start_at < ${params.p(f.to)}`);
  if (f.search) {
    const like = params.p(`%${escapeLike(f.search)}%`);
    where.push(`(c.name ILIKE ${like} OR c.email ILIKE ${like} OR c.phone ILIKE ${like})`);
  }
  const condition = where.join(' AND ');
  const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${LIST_FROM} WHERE ${condition}`, params.values);
  const rows = await db.query<ListRow>(
    `${LIST_SELECT} ${LIST_FROM} WHERE ${condition} ORDER BY ${order} LIMIT ${params.p(f.limit)} OFFSET ${params.p(f.offset)}`,
    params.values,
  );
  return { appointments: rows.map(listItem), total: count?.n ?? 0, limit: f.limit, offset: f.offset };
}

/** One appointment as the list shows it (no scope check: the caller has done it). */
export async function appointmentListItem(db: Queryable, brandId: string, id: string): Promise<AppointmentListItem | null> {
  const [row] = await db.query<ListRow>(`${LIST_SELECT} ${LIST_FROM} WHERE a.brand_id = $1 AND a.id = $2`, [brandId, id]);
  return row ? listItem(row) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who made a change, from the history's actor label ('staff:<id>', 'api-key:<label>', 'customer', 'system'). */
function actorOf(label: string, staffNames: Map<string, string>, customerName: string) {
  if (label.startsWith('staff:')) {
    const id = label.slice('staff:'.length);
    return { kind: 'staff' as const, id, name: staffNames.get(id) ?? 'Former staff member' };
  }
  if (label.startsWith('api-key:')) return { kind: 'api' as const, id: null, name: `API key "${label.slice('api-key:'.length)}"` };
  if (label === 'customer') return { kind: 'customer' as const, id: null, name: customerName };
  return { kind: 'system' as const, id: null, name: 'System' };
}

/**
 * Newest first; changes made in the same instant by insertion order. (Ordered by the numeric id:
 * statusHistory in the repository orders by its text rendering, which puts id 9 after id 10.)
 */
async function historyNewestFirst(db: Queryable, appointmentId: string): Promise<StatusChange[]> {
  return db.query<StatusChange>(
    `SELECT h.id::text AS id, h.from_state AS "fromState", h.to_state AS "toState", h.from_status_id AS "fromStatusId",
            h.to_status_id AS "toStatusId", h.actor, h.reason, h.at
     FROM appointment_status_history h WHERE h.appointment_id = $1 ORDER BY h.at DESC, h.id DESC`,
    [appointmentId],
  );
}

/**
 * The whole file of an appointment (the caller has checked the user sees it): contact, statuses,
 * history newest first, and the chat transcript when the user may read that conversation.
 */
export async function appointmentDetail(db: Queryable, scope: StaffScope, id: string) {
  const { brandId } = scope;
  const item = await appointmentListItem(db, brandId, id);
  if (!item) return null;
  const [extra] = await db.query<{
    notes: string; cancellation_reason: string | null; version: number; conversation_id: string | null; updated_at: Date;
    status_workflow: boolean; booking_mode: string;
  }>(
    `SELECT a.notes, a.cancellation_reason, a.version, a.conversation_id, a.updated_at, s.status_workflow, s.booking_mode
     FROM appointments a JOIN services s ON s.id = a.service_id WHERE a.id = $1`,
    [id],
  );
  const customer = (await findCustomer(db, item.customer.id))!;
  const statuses = await listStatuses(db, item.service.id);
  const statusById = new Map(statuses.map((s) => [s.id, s]));
  const history = await historyNewestFirst(db, id);
  const staffIds = [...new Set(history.map((h) => h.actor).filter((a) => a.startsWith('staff:')).map((a) => a.slice(6)).filter((s) => UUID.test(s)))];
  const staffNames = new Map(
    (staffIds.length ? await db.query<{ id: string; name: string }>('SELECT id, name FROM staff WHERE id = ANY($1::uuid[])', [staffIds]) : [])
      .map((r) => [r.id, r.name]),
  );
  const statusJson = (sid: string | null) => {
    if (!sid) return null;
    const s = statusById.get(sid);
    return s ? { id: s.id, name: s.name, color: s.color, kind: s.kind } : { id: sid, name: null, color: null, kind: null };
  };

  let transcript = null;
  const conversationId = extra?.conversation_id ?? null;
  if (conversationId && UUID.test(conversationId) && (await canReadConversation(db, scope, conversationId))) {
    const conversation = await findConversation(db, conversationId);
    if (conversation) {
      const entries = await entriesAfter(db, conversationId, 0, 1000);
      transcript = {
        conversationId,
        channel: conversation.channel,
        entries: entries.map((e) => ({
          seq: e.seq, sender: e.sender, senderName: e.senderName, text: e.text, content: e.content,
          at: new Date(e.createdAt).toISOString(),
        })),
      };
    }
  }

  return {
    appointment: {
      ...item,
      notes: extra?.notes ?? '',
      cancellationReason: extra?.cancellation_reason ?? null,
      version: extra?.version ?? 1,
      // Only with its transcript: an id of a conversation the user may not read is not theirs either.
      conversationId: transcript ? conversationId : null,
      updatedAt: extra?.updated_at.toISOString() ?? null,
      service: { ...item.service, statusWorkflow: extra?.status_workflow ?? false, bookingMode: extra?.booking_mode ?? 'direct' },
      customer: {
        id: customer.id,
        name: customer.name,
        email: customer.email,
        phone: customer.phone,
        emailVerified: customer.emailVerifiedAt !== null,
        phoneVerified: customer.phoneVerifiedAt !== null,
        locale: customer.locale,
        timeZone: customer.timeZone,
      },
      /** The workflow the status picker offers (empty without one). */
      statuses: extra?.status_workflow ? statuses : [],
    },
    history: history.map((h) => ({
      at: h.at.toISOString(),
      fromState: h.fromState,
      toState: h.toState,
      fromStatus: statusJson(h.fromStatusId),
      toStatus: statusJson(h.toStatusId),
      actor: actorOf(h.actor, staffNames, customer.name),
      reason: h.reason,
    })),
    transcript,
  };
}
