import type { Queryable } from './database.ts';
import type { AppointmentState, StatusChange } from './appointments.repository.ts';
import type { StatusKind } from './statuses.repository.ts';

/** The console's reads of appointments: the filtered, paginated list, one row of it, what a file adds. */

/** Whose appointments a console user sees (scheduling/staff-access.ts decides; this applies it in SQL). */
export interface AppointmentScope {
  brandId: string;
  staffId: string;
  /** Every store of the brand. */
  allStores: boolean;
  storeIds: readonly string[];
}

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

export interface AppointmentListRow {
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
  /** The zone of the store (or of the advisor's home store), else the brand's: what staff read. */
  zone: string;
  is_request: boolean;
}

/** What an appointment's file shows beyond its list row. */
export interface AppointmentFileExtras {
  notes: string;
  cancellation_reason: string | null;
  version: number;
  conversation_id: string | null;
  updated_at: Date;
  status_workflow: boolean;
  booking_mode: string;
}

/** A growing list of SQL parameters: `p(value)` adds one and returns its placeholder. */
class SqlParams {
  readonly values: unknown[] = [];
  p(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The store an appointment belongs to, in SQL: aliases `a` (appointments) and `sf` (its staff). */
const APPOINTMENT_STORE_SQL = 'COALESCE(a.store_id, sf.home_store_id)';

/** The WHERE condition limiting appointments (aliases a, sf) to the scope. */
function appointmentScopeSql(scope: AppointmentScope, params: SqlParams): string {
  const brand = `a.brand_id = ${params.p(scope.brandId)}`;
  if (scope.allStores) return brand;
  return `${brand} AND (a.staff_id = ${params.p(scope.staffId)}::uuid OR ${APPOINTMENT_STORE_SQL} = ANY(${params.p(scope.storeIds)}::uuid[]))`;
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

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** One page of the appointments in scope that match the filters, and how many match in all. */
export async function listAppointmentRows(
  db: Queryable, scope: AppointmentScope, f: ListFilters, now: Date,
): Promise<{ rows: AppointmentListRow[]; total: number }> {
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
  const rows = await db.query<AppointmentListRow>(
    `${LIST_SELECT} ${LIST_FROM} WHERE ${condition} ORDER BY ${order} LIMIT ${params.p(f.limit)} OFFSET ${params.p(f.offset)}`,
    params.values,
  );
  return { rows, total: count?.n ?? 0 };
}

/** One appointment of the brand as the list shows it (no scope check: the caller has done it). */
export async function findAppointmentListRow(db: Queryable, brandId: string, id: string): Promise<AppointmentListRow | null> {
  const [row] = await db.query<AppointmentListRow>(`${LIST_SELECT} ${LIST_FROM} WHERE a.brand_id = $1 AND a.id = $2`, [brandId, id]);
  return row ?? null;
}

export async function appointmentFileExtras(db: Queryable, id: string): Promise<AppointmentFileExtras | null> {
  const [row] = await db.query<AppointmentFileExtras>(
    `SELECT a.notes, a.cancellation_reason, a.version, a.conversation_id, a.updated_at, s.status_workflow, s.booking_mode
     FROM appointments a JOIN services s ON s.id = a.service_id WHERE a.id = $1`,
    [id],
  );
  return row ?? null;
}

/**
 * Newest first; changes made in the same instant by insertion order. (Ordered by the numeric id:
 * statusHistory in the appointments repository orders by its text rendering, which puts id 9 after id 10.)
 */
export async function historyNewestFirst(db: Queryable, appointmentId: string): Promise<StatusChange[]> {
  return db.query<StatusChange>(
    `SELECT h.id::text AS id, h.from_state AS "fromState", h.to_state AS "toState", h.from_status_id AS "fromStatusId",
            h.to_status_id AS "toStatusId", h.actor, h.reason, h.at
     FROM appointment_status_history h WHERE h.appointment_id = $1 ORDER BY h.at DESC, h.id DESC`,
    [appointmentId],
  );
}
