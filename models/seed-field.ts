import type { Database, Tx } from './database.ts';
import { DEMO_BRAND_ID } from './seed.ts';
import { insertStatus } from './statuses.repository.ts';
import { insertAddress } from './customer-accounts.repository.ts';
import { insertContract, insertEquipment, setEquipmentTypeServices, upsertEquipmentType } from './equipment.repository.ts';
import {
  DEFAULT_FIELD_SETTINGS, insertSector, insertTechnician, insertTechnicianHours, saveFieldSettings, setServiceSkills, setTechnicianSkills,
} from './technicians.repository.ts';

/**
 * The demo brand's appliance-service branch (product document 002): three on-site services, the
 * equipment they serve, four technicians around Paris and Lyon with skills and daily sectors, and
 * customers with equipment and maintenance contracts, one of them due this month.
 */
export const DEMO_FIELD_CUSTOMER = { name: 'Marie Durand', email: 'marie.durand@example.com' };

const SERVICES = [
  { slug: 'boiler-service', names: { en: 'Annual boiler service', fr: 'Entretien annuel de chaudière' }, duration: 60, skills: ['boiler'] },
  { slug: 'heat-pump-service', names: { en: 'Heat pump maintenance', fr: 'Entretien de pompe à chaleur' }, duration: 90, skills: ['heat-pump'] },
  { slug: 'appliance-repair', names: { en: 'Kitchen appliance repair', fr: 'Dépannage électroménager' }, duration: 60, skills: ['appliance'] },
] as const;

const EQUIPMENT_TYPES = [
  { slug: 'boiler', names: { en: 'Gas boiler', fr: 'Chaudière gaz' }, services: ['boiler-service'] },
  { slug: 'heat-pump', names: { en: 'Heat pump', fr: 'Pompe à chaleur' }, services: ['heat-pump-service'] },
  { slug: 'kitchen-appliance', names: { en: 'Kitchen appliance', fr: 'Électroménager de cuisine' }, services: ['appliance-repair'] },
] as const;

// Document 002's workflow: a draft staff validate (exact time) or reject (with a reason).
const WORKFLOW = [
  { name: 'Draft', description: 'Booked online in an arrival window; staff set the exact time.', kind: 'start', color: '#90a4ae' },
  { name: 'Validated', description: 'Exact arrival time agreed; the customer has the invitation.', kind: 'confirmation', color: '#43a047' },
  { name: 'Rejected', description: 'The visit cannot take place; the customer is told why.', kind: 'cancellation', color: '#e53935' },
] as const;

const PARIS = { latitude: 48.8566, longitude: 2.3522 };
const LYON = { latitude: 45.764, longitude: 4.8357 };
const HOURS = [1, 2, 3, 4, 5].flatMap((d) => [[d, '08:00', '12:00'], [d, '13:00', '17:00']] as const);

type Sector = { weekdays: number[]; postcodes?: string[]; center?: { latitude: number; longitude: number }; radiusKm?: number; label: string };
// `store`: whose managers see the technician's visits in the console (no hours there: technicians serve no store).
const TECHNICIANS: { name: string; email: string; store: string; start: typeof PARIS; skills: string[]; sectors: Sector[] }[] = [
  { name: 'Julien Moreau', email: 'julien.moreau@atelier-lumiere.example', store: 'paris-opera', start: PARIS, skills: ['boiler', 'heat-pump'], sectors: [
    { weekdays: [1, 3, 5], center: PARIS, radiusKm: 15, label: 'Paris centre' },
    { weekdays: [2, 4], postcodes: ['75011', '75012', '75020', '93100', '94300'], label: 'Paris est' },
  ] },
  { name: 'Sarah Petit', email: 'sarah.petit@atelier-lumiere.example', store: 'paris-opera', start: { latitude: 48.8462, longitude: 2.2577 }, skills: ['boiler', 'appliance'], sectors: [
    { weekdays: [1, 2, 3, 4, 5], center: { latitude: 48.8462, longitude: 2.2577 }, radiusKm: 20, label: 'Paris ouest' },
  ] },
  { name: 'Antoine Roux', email: 'antoine.roux@atelier-lumiere.example', store: 'lyon-bellecour', start: LYON, skills: ['boiler', 'heat-pump'], sectors: [
    { weekdays: [1, 2, 3, 4, 5], center: LYON, radiusKm: 20, label: 'Grand Lyon' },
  ] },
  { name: 'Léa Fontaine', email: 'lea.fontaine@atelier-lumiere.example', store: 'lyon-bellecour', start: { latitude: 45.7485, longitude: 4.8467 }, skills: ['appliance', 'boiler'], sectors: [
    { weekdays: [2, 4], postcodes: ['69001', '69002', '69003', '69006', '69007'], label: 'Lyon centre' },
  ] },
];

interface DemoCustomer {
  name: string;
  email: string;
  locale: 'en' | 'fr';
  address: { label: string; addressLine: string; postcode: string; city: string; latitude: number; longitude: number; accessComment: string };
  equipment: {
    type: string; make: string; model: string; serial: string; installedOn: string;
    contract?: { service: string; task: string; dueInMonths: number };
  }[];
}

const BOILER_TASK = 'Entretien annuel obligatoire et attestation';
// Marie's boiler contract is due this month: she gets the "book your service" email.
const CUSTOMERS: DemoCustomer[] = [
  { ...DEMO_FIELD_CUSTOMER, locale: 'fr',
    address: { label: 'Maison', addressLine: '14 rue de la Roquette', postcode: '75011', city: 'Paris', latitude: 48.8549, longitude: 2.3733, accessComment: '' },
    equipment: [
      { type: 'boiler', make: 'Saunier Duval', model: 'ThemaPlus Condens', serial: 'SD-2019-448812', installedOn: '2019-10-14',
        contract: { service: 'boiler-service', task: BOILER_TASK, dueInMonths: 0 } },
      { type: 'kitchen-appliance', make: 'Bosch', model: 'Serie 6 oven', serial: 'HBA5780S0', installedOn: '2022-03-02' },
    ] },
  { name: 'Tom Baker', email: 'tom.baker@example.com', locale: 'en',
    address: { label: 'Flat', addressLine: '8 rue Mercière', postcode: '69002', city: 'Lyon', latitude: 45.7622, longitude: 4.833, accessComment: 'Door code 4821B, 3rd floor' },
    equipment: [
      { type: 'heat-pump', make: 'Daikin', model: 'Altherma 3', serial: 'DK-A3-77120', installedOn: '2021-05-20',
        contract: { service: 'heat-pump-service', task: 'Yearly heat pump check: refrigerant, filters, settings', dueInMonths: 5 } },
    ] },
  { name: 'Claire Lefèvre', email: 'claire.lefevre@example.com', locale: 'fr',
    address: { label: 'Maison', addressLine: '22 avenue Mozart', postcode: '75016', city: 'Paris', latitude: 48.8557, longitude: 2.2707, accessComment: '' },
    equipment: [
      { type: 'boiler', make: 'Viessmann', model: 'Vitodens 100-W', serial: 'VI-100-55310', installedOn: '2020-09-01',
        contract: { service: 'boiler-service', task: BOILER_TASK, dueInMonths: 8 } },
    ] },
];

/** Months from `today` (YYYY-MM-DD) to a date in that month; 0 → the last day of this month. */
function dueIn(today: string, months: number): string {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m - 1 + months + 1, 0));
  return last.toISOString().slice(0, 10);
}

export async function seedFieldServiceDemo(db: Database, today: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727004)');
    if ((await tx.query('SELECT 1 FROM equipment_types WHERE brand_id = $1 LIMIT 1', [DEMO_BRAND_ID])).length > 0) return false;
    await seed(tx, today);
    return true;
  });
}

async function seed(tx: Tx, today: string): Promise<void> {
  await saveFieldSettings(tx, DEMO_BRAND_ID, { ...DEFAULT_FIELD_SETTINGS, customersRegisterEquipment: true });
  const serviceIds = new Map<string, string>();
  for (const [i, s] of SERVICES.entries()) {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO services (brand_id, slug, names, descriptions, duration_minutes, modes, booking_mode, status_workflow, position)
       VALUES ($1,$2,$3,'{}',$4,ARRAY['at_home'],'request',true,$5) RETURNING id`,
      [DEMO_BRAND_ID, s.slug, JSON.stringify(s.names), s.duration, 100 + i],
    );
    serviceIds.set(s.slug, row!.id);
    await setServiceSkills(tx, row!.id, [...s.skills]);
    for (const [p, w] of WORKFLOW.entries()) await insertStatus(tx, { serviceId: row!.id, position: p + 1, ...w });
  }
  const typeIds = new Map<string, string>();
  for (const t of EQUIPMENT_TYPES) {
    const type = await upsertEquipmentType(tx, DEMO_BRAND_ID, { slug: t.slug, names: t.names, active: true });
    typeIds.set(t.slug, type.id);
    await setEquipmentTypeServices(tx, type.id, t.services.map((s) => serviceIds.get(s)!));
  }
  for (const t of TECHNICIANS) {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO staff (brand_id, name, email, home_store_id)
       VALUES ($1, $2, $3, (SELECT id FROM stores WHERE brand_id = $1 AND slug = $4)) RETURNING id`,
      [DEMO_BRAND_ID, t.name, t.email, t.store],
    );
    const staffId = row!.id;
    await insertTechnician(tx, staffId, { startLatitude: t.start.latitude, startLongitude: t.start.longitude, timeZone: 'Europe/Paris' });
    await setTechnicianSkills(tx, staffId, t.skills);
    for (const [weekday, starts, ends] of HOURS) await insertTechnicianHours(tx, { staffId, weekday, starts, ends });
    for (const s of t.sectors) {
      for (const weekday of s.weekdays) {
        await insertSector(tx, {
          staffId, weekday, localDate: null, label: s.label, postcodes: s.postcodes ?? null,
          centerLatitude: s.center?.latitude ?? null, centerLongitude: s.center?.longitude ?? null, radiusKm: s.radiusKm ?? null,
        });
      }
    }
  }
  for (const c of CUSTOMERS) {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO customers (brand_id, name, email, locale, time_zone) VALUES ($1,$2,$3,$4,'Europe/Paris') RETURNING id`,
      [DEMO_BRAND_ID, c.name, c.email, c.locale],
    );
    const customerId = row!.id;
    const address = await insertAddress(tx, customerId, { ...c.address, country: 'FR' });
    for (const e of c.equipment) {
      const equipment = await insertEquipment(tx, customerId, {
        typeId: typeIds.get(e.type)!, addressId: address.id, make: e.make, model: e.model, serialNumber: e.serial,
        installedOn: e.installedOn, registeredBy: 'staff',
      });
      if (e.contract) {
        await insertContract(tx, {
          equipmentId: equipment.id, serviceId: serviceIds.get(e.contract.service)!, task: e.contract.task,
          periodMonths: 12, nextDueOn: dueIn(today, e.contract.dueInMonths), active: true,
        });
      }
    }
  }
}
