import type { Queryable, Tx } from './database.ts';
import type { Locale } from './catalogue.repository.ts';

/** What an on-site appointment is about, and the arrival window the customer was promised. */
export interface FieldVisit {
  appointmentId: string;
  equipmentId: string;
  contractId: string | null;
  addressId: string;
  task: string;
  windowStart: Date;
  windowEnd: Date;
}

const VISIT_COLUMNS = `appointment_id AS "appointmentId", equipment_id AS "equipmentId", contract_id AS "contractId",
  address_id AS "addressId", task, window_start AS "windowStart", window_end AS "windowEnd"`;

export async function insertFieldVisit(tx: Tx, v: FieldVisit): Promise<void> {
  await tx.query(
    `INSERT INTO field_visits (appointment_id, equipment_id, contract_id, address_id, task, window_start, window_end)
     VALUES ($1,$2,$3,$4,$5,$6,$7)`,
    [v.appointmentId, v.equipmentId, v.contractId, v.addressId, v.task, v.windowStart, v.windowEnd],
  );
}

export async function findFieldVisit(db: Queryable, appointmentId: string): Promise<FieldVisit | null> {
  const [row] = await db.query<FieldVisit>(`SELECT ${VISIT_COLUMNS} FROM field_visits WHERE appointment_id = $1`, [appointmentId]);
  return row ?? null;
}

export async function moveFieldVisitWindow(tx: Tx, appointmentId: string, windowStart: Date, windowEnd: Date): Promise<void> {
  await tx.query('UPDATE field_visits SET window_start = $2, window_end = $3 WHERE appointment_id = $1', [appointmentId, windowStart, windowEnd]);
}

export async function insertFieldHold(tx: Tx, holdId: string, windowStart: Date, windowEnd: Date): Promise<void> {
  await tx.query('INSERT INTO field_holds (hold_id, window_start, window_end) VALUES ($1,$2,$3)', [holdId, windowStart, windowEnd]);
}

export async function findFieldHold(db: Queryable, holdId: string): Promise<{ windowStart: Date; windowEnd: Date } | null> {
  const [row] = await db.query<{ windowStart: Date; windowEnd: Date }>(
    'SELECT window_start AS "windowStart", window_end AS "windowEnd" FROM field_holds WHERE hold_id = $1', [holdId],
  );
  return row ?? null;
}

/** A draft as staff see it in the requests view: who, what, where (with the pin) and when. */
export interface DraftView {
  appointmentId: string;
  serviceId: string;
  staffId: string;
  /** The store the visit belongs to for console access: its technician's home store. */
  homeStoreId: string | null;
  technicianName: string;
  customerName: string;
  customerEmail: string | null;
  customerPhone: string | null;
  equipmentType: Record<Locale, string>;
  make: string;
  model: string;
  serialNumber: string;
  task: string;
  windowStart: Date;
  windowEnd: Date;
  address: { line: string; postcode: string; city: string; latitude: number; longitude: number; correctedByCustomer: boolean; accessComment: string };
  statusId: string | null;
}

const DRAFT_VIEW_SQL = `SELECT a.id AS "appointmentId", a.service_id AS "serviceId", a.staff_id AS "staffId", s.home_store_id AS "homeStoreId",
    s.name AS "technicianName", c.name AS "customerName", c.email AS "customerEmail", c.phone AS "customerPhone",
    t.names AS "equipmentType", e.make, e.model, e.serial_number AS "serialNumber", v.task,
    v.window_start AS "windowStart", v.window_end AS "windowEnd", a.status_id AS "statusId",
    json_build_object('line', ad.address_line, 'postcode', ad.postcode, 'city', ad.city, 'latitude', ad.latitude,
      'longitude', ad.longitude, 'correctedByCustomer', ad.corrected_by_customer, 'accessComment', ad.access_comment) AS address
  FROM field_visits v JOIN appointments a ON a.id = v.appointment_id
  JOIN staff s ON s.id = a.staff_id JOIN customers c ON c.id = a.customer_id
  JOIN installed_equipment e ON e.id = v.equipment_id JOIN equipment_types t ON t.id = e.equipment_type_id
  JOIN customer_addresses ad ON ad.id = v.address_id`;

/** On-site visits still awaiting staff validation, soonest first. */
export async function listDrafts(db: Queryable, brandId: string): Promise<DraftView[]> {
  return db.query<DraftView>(`${DRAFT_VIEW_SQL} WHERE a.brand_id = $1 AND a.state = 'pending' ORDER BY v.window_start, a.id`, [brandId]);
}

/** One on-site visit as staff see it, whatever its state; null when the appointment is not one. */
export async function findVisitView(db: Queryable, brandId: string, appointmentId: string): Promise<DraftView | null> {
  const [row] = await db.query<DraftView>(`${DRAFT_VIEW_SQL} WHERE a.brand_id = $1 AND a.id = $2`, [brandId, appointmentId]);
  return row ?? null;
}
