import type { Queryable } from './database.ts';
import { toService, type Locale, type Service, type ServiceRow } from './catalogue.repository.ts';
import { cachedRead } from './read-cache.ts';

export interface EquipmentType {
  id: string;
  brandId: string;
  slug: string;
  names: Record<Locale, string>;
  active: boolean;
}

/** An appliance installed at a customer's address. */
export interface InstalledEquipment {
  id: string;
  customerId: string;
  typeId: string;
  typeNames: Record<Locale, string>;
  addressId: string;
  make: string;
  model: string;
  serialNumber: string;
  installedOn: string | null;
  registeredBy: 'staff' | 'customer';
}

/** A recurring maintenance request on one appliance: its service, task and next due date. */
export interface MaintenanceContract {
  id: string;
  equipmentId: string;
  serviceId: string;
  task: string;
  periodMonths: number;
  nextDueOn: string;
  active: boolean;
}

const TYPE_COLUMNS = 'id, brand_id AS "brandId", slug, names, active';
const EQUIPMENT_COLUMNS = `e.id, e.customer_id AS "customerId", e.equipment_type_id AS "typeId", t.names AS "typeNames",
  e.address_id AS "addressId", e.make, e.model, e.serial_number AS "serialNumber",
  to_char(e.installed_on, 'YYYY-MM-DD') AS "installedOn", e.registered_by AS "registeredBy"`;
const EQUIPMENT_FROM = 'installed_equipment e JOIN equipment_types t ON t.id = e.equipment_type_id';
const CONTRACT_COLUMNS = `c.id, c.equipment_id AS "equipmentId", c.service_id AS "serviceId", c.task,
  c.period_months AS "periodMonths", to_char(c.next_due_on, 'YYYY-MM-DD') AS "nextDueOn", c.active`;

// ---- equipment types ---------------------------------------------------------------------------

/** The brand's equipment types (the read cache serves them: the chat's menu asks on every greeting). */
export async function listEquipmentTypes(db: Queryable, brandId: string): Promise<EquipmentType[]> {
  return cachedRead(db, ['equipment_types'], `equipment-types:${brandId}`, () =>
    db.query<EquipmentType>(`SELECT ${TYPE_COLUMNS} FROM equipment_types WHERE brand_id = $1 ORDER BY slug`, [brandId]));
}

export async function findEquipmentType(db: Queryable, brandId: string, id: string): Promise<EquipmentType | null> {
  const [row] = await db.query<EquipmentType>(`SELECT ${TYPE_COLUMNS} FROM equipment_types WHERE brand_id = $1 AND id = $2 AND active`, [brandId, id]);
  return row ?? null;
}

export async function upsertEquipmentType(db: Queryable, brandId: string, t: Pick<EquipmentType, 'slug' | 'names' | 'active'>): Promise<EquipmentType> {
  const [row] = await db.query<EquipmentType>(
    `INSERT INTO equipment_types (brand_id, slug, names, active) VALUES ($1,$2,$3,$4)
     ON CONFLICT (brand_id, slug) DO UPDATE SET names = EXCLUDED.names, active = EXCLUDED.active
     RETURNING ${TYPE_COLUMNS}`,
    [brandId, t.slug, JSON.stringify(t.names), t.active],
  );
  return row!;
}

/** The services open to online booking for this kind of equipment. */
export async function servicesForEquipmentType(db: Queryable, typeId: string): Promise<Service[]> {
  const rows = await db.query<ServiceRow>(
    `SELECT s.* FROM services s JOIN equipment_type_services e ON e.service_id = s.id
     WHERE e.equipment_type_id = $1 AND s.active ORDER BY s.position, s.slug`,
    [typeId],
  );
  return rows.map(toService);
}

export async function setEquipmentTypeServices(db: Queryable, typeId: string, serviceIds: string[]): Promise<void> {
  await db.query(
    `WITH gone AS (DELETE FROM equipment_type_services WHERE equipment_type_id = $1 AND NOT (service_id = ANY($2::uuid[])))
     INSERT INTO equipment_type_services (equipment_type_id, service_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
    [typeId, serviceIds],
  );
}

// ---- installed equipment -----------------------------------------------------------------------

export async function listCustomerEquipment(db: Queryable, customerId: string): Promise<InstalledEquipment[]> {
  return db.query<InstalledEquipment>(
    `SELECT ${EQUIPMENT_COLUMNS} FROM ${EQUIPMENT_FROM}
     WHERE e.customer_id = $1 ORDER BY e.created_at, e.installed_on NULLS LAST, e.id`,
    [customerId],
  );
}

/** One of this customer's appliances; another customer's id answers null. */
export async function findCustomerEquipment(db: Queryable, customerId: string, id: string): Promise<InstalledEquipment | null> {
  const [row] = await db.query<InstalledEquipment>(
    `SELECT ${EQUIPMENT_COLUMNS} FROM ${EQUIPMENT_FROM}
     WHERE e.customer_id = $1 AND e.id = $2`,
    [customerId, id],
  );
  return row ?? null;
}

/** Any customer's appliance of the brand (staff set-up). */
export async function findBrandEquipment(db: Queryable, brandId: string, id: string): Promise<InstalledEquipment | null> {
  const [row] = await db.query<InstalledEquipment>(
    `SELECT ${EQUIPMENT_COLUMNS} FROM ${EQUIPMENT_FROM}
     WHERE t.brand_id = $1 AND e.id = $2`,
    [brandId, id],
  );
  return row ?? null;
}

export type NewEquipment = Pick<InstalledEquipment, 'typeId' | 'addressId' | 'make' | 'model' | 'serialNumber' | 'installedOn' | 'registeredBy'>;

export async function insertEquipment(db: Queryable, customerId: string, e: NewEquipment): Promise<InstalledEquipment> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO installed_equipment (customer_id, equipment_type_id, address_id, make, model, serial_number, installed_on, registered_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`,
    [customerId, e.typeId, e.addressId, e.make, e.model, e.serialNumber, e.installedOn, e.registeredBy],
  );
  return (await findCustomerEquipment(db, customerId, row!.id))!;
}

// ---- maintenance contracts ---------------------------------------------------------------------

export async function listCustomerContracts(db: Queryable, customerId: string): Promise<MaintenanceContract[]> {
  return db.query<MaintenanceContract>(
    `SELECT ${CONTRACT_COLUMNS} FROM maintenance_contracts c JOIN installed_equipment e ON e.id = c.equipment_id
     WHERE e.customer_id = $1 AND c.active ORDER BY c.next_due_on, c.id`,
    [customerId],
  );
}

export async function findCustomerContract(db: Queryable, customerId: string, id: string): Promise<MaintenanceContract | null> {
  const [row] = await db.query<MaintenanceContract>(
    `SELECT ${CONTRACT_COLUMNS} FROM maintenance_contracts c JOIN installed_equipment e ON e.id = c.equipment_id
     WHERE e.customer_id = $1 AND c.id = $2 AND c.active`,
    [customerId, id],
  );
  return row ?? null;
}

export type NewContract = Omit<MaintenanceContract, 'id'>;

export async function insertContract(db: Queryable, c: NewContract): Promise<MaintenanceContract> {
  const [row] = await db.query<MaintenanceContract>(
    `INSERT INTO maintenance_contracts AS c (equipment_id, service_id, task, period_months, next_due_on, active)
     VALUES ($1,$2,$3,$4,$5,$6) RETURNING ${CONTRACT_COLUMNS}`,
    [c.equipmentId, c.serviceId, c.task, c.periodMonths, c.nextDueOn, c.active],
  );
  return row!;
}

/** A contract due within its brand's notice whose "book your service" message has not gone out for that due date. */
export interface DueContract extends MaintenanceContract {
  brandId: string;
  brandName: string;
  customerName: string;
  customerEmail: string | null;
  customerLocale: Locale;
  typeNames: Record<Locale, string>;
  make: string;
  model: string;
}

export async function contractsToRemind(db: Queryable, today: string, limit: number): Promise<DueContract[]> {
  return db.query<DueContract>(
    `SELECT ${CONTRACT_COLUMNS}, cu.brand_id AS "brandId", b.name AS "brandName", cu.name AS "customerName",
            cu.email AS "customerEmail", cu.locale AS "customerLocale", t.names AS "typeNames", e.make, e.model
     FROM maintenance_contracts c JOIN installed_equipment e ON e.id = c.equipment_id
     JOIN equipment_types t ON t.id = e.equipment_type_id
     JOIN customers cu ON cu.id = e.customer_id JOIN brands b ON b.id = cu.brand_id
     LEFT JOIN field_service_settings fs ON fs.brand_id = cu.brand_id
     WHERE c.active AND c.next_due_on <= $1::date + coalesce(fs.contract_notice_days, 30)
       AND (c.reminded_for IS NULL OR c.reminded_for <> c.next_due_on)
     ORDER BY c.next_due_on, c.id LIMIT $2`,
    [today, limit],
  );
}

/** Claims the reminder of one due date: true for the one caller that gets to send it. */
export async function markContractReminded(db: Queryable, id: string, dueOn: string): Promise<boolean> {
  const rows = await db.query(
    `UPDATE maintenance_contracts SET reminded_for = next_due_on
     WHERE id = $1 AND next_due_on = $2 AND (reminded_for IS NULL OR reminded_for <> next_due_on) RETURNING id`,
    [id, dueOn],
  );
  return rows.length === 1;
}
