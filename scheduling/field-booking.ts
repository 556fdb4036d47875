/**
 * On-site visits (product document 002): arrival windows for an appliance at a customer's address,
 * a hold on one technician's window, and the draft appointment staff validate later. Holds and
 * drafts claim the window in `slot_claims`, so the exclusion constraint rules out double booking;
 * each technician's claims are also serialised (`lockTechnician`) so the travel check before a
 * claim sees every job committed before it.
 */
import type { Queryable, Tx } from '../models/database.ts';
import type { Brand } from '../models/brands.repository.ts';
import type { Service } from '../models/catalogue.repository.ts';
import { findCustomer, type Customer } from '../models/customers.repository.ts';
import { findAddress, type CustomerAddress } from '../models/customer-accounts.repository.ts';
import {
  findCustomerContract, findCustomerEquipment, servicesForEquipmentType, type InstalledEquipment, type MaintenanceContract,
} from '../models/equipment.repository.ts';
import { findFieldHold, insertFieldHold, insertFieldVisit } from '../models/field-visits.repository.ts';
import { fieldSettings, lockTechnician, onsiteSchedule, serviceSkills, type FieldSettings, type OnsiteSchedule } from '../models/technicians.repository.ts';
import * as repo from '../models/appointments.repository.ts';
import type { Appointment, Hold } from '../models/appointments.repository.ts';
import { errors } from '../models/errors.ts';
import { bookAppointment, type BookingDeps, type BookingRequest } from './booking.ts';
import { findArrivalWindows, windowClaim, type ArrivalWindow, type OnsiteSite, type TechnicianCalendar } from './onsite-slot-finder.ts';
import { straightLineTravel, type TravelEstimator } from './travel-estimator.ts';

const MINUTE = 60_000;

/** The travel estimate a brand's settings describe. */
export const travelFor = (s: FieldSettings): TravelEstimator =>
  straightLineTravel({ circuityFactor: s.circuityFactor, averageSpeedKmh: s.averageSpeedKmh, bufferMinutes: s.travelBufferMinutes });

export const siteOf = (a: CustomerAddress): OnsiteSite => ({ point: { latitude: a.latitude, longitude: a.longitude }, postcode: a.postcode });

/** The finder's calendars from the rows the repository read. */
export function technicianCalendars(s: OnsiteSchedule): TechnicianCalendar[] {
  return s.technicians.map((t) => ({
    staffId: t.staffId,
    timeZone: t.timeZone,
    start: { latitude: t.startLatitude, longitude: t.startLongitude },
    skills: t.skills,
    hours: s.hours.filter((h) => h.staffId === t.staffId).map(({ weekday, starts, ends }) => ({ weekday, starts, ends })),
    sectors: s.sectors.filter((x) => x.staffId === t.staffId).map((x) => ({
      weekday: x.weekday, localDate: x.localDate, postcodes: x.postcodes, radiusKm: x.radiusKm,
      center: x.centerLatitude !== null && x.centerLongitude !== null ? { latitude: x.centerLatitude, longitude: x.centerLongitude } : null,
    })),
    jobs: s.jobs.filter((j) => j.staffId === t.staffId).map((j) => ({
      from: j.from, to: j.to, place: j.latitude !== null && j.longitude !== null ? { latitude: j.latitude, longitude: j.longitude } : null,
    })),
  }));
}

export interface WindowQuery {
  brand: Brand;
  service: Service;
  address: CustomerAddress;
  from: Date;
  to: Date;
  now: Date;
  /** Only these technicians (a booking re-checks the one it claims). */
  staffIds?: string[] | undefined;
  /** A draft being moved does not stand in its own way. */
  ignoreAppointmentId?: string | null | undefined;
}

/** Open arrival windows for a visit at this address. */
export async function findOnsiteWindows(db: Queryable, q: WindowQuery): Promise<ArrivalWindow[]> {
  const settings = await fieldSettings(db, q.brand.id);
  const skills = await serviceSkills(db, q.service.id);
  const schedule = await onsiteSchedule(db, q.brand.id, { from: q.from, to: q.to, now: q.now, staffIds: q.staffIds, ignoreAppointmentId: q.ignoreAppointmentId });
  const b = q.brand.settings;
  return findArrivalWindows({
    from: q.from, to: q.to, now: q.now,
    durationMinutes: q.service.durationMinutes,
    bufferBeforeMinutes: q.service.bufferBeforeMinutes,
    bufferAfterMinutes: q.service.bufferAfterMinutes,
    windowMinutes: settings.arrivalWindowMinutes,
    minNoticeMinutes: b.minNoticeMinutes,
    maxHorizonDays: b.maxHorizonDays,
    requiredSkills: skills,
    site: siteOf(q.address),
  }, technicianCalendars(schedule), travelFor(settings));
}

/** What the customer books: an appliance of theirs (or a contract on it), where it is, which service. */
export interface VisitChoice {
  brand: Brand;
  customerId: string;
  equipmentId: string;
  contractId?: string | null | undefined;
  addressId: string;
  serviceId: string;
}

export interface CheckedVisit {
  customer: Customer;
  equipment: InstalledEquipment;
  contract: MaintenanceContract | null;
  address: CustomerAddress;
  service: Service;
}

/**
 * Everything named belongs to this customer and fits together: another customer's appliance,
 * address or contract reads as not found; the service must be open to this kind of equipment and
 * a contract's appliance and service are its own.
 */
export async function checkVisit(db: Queryable, v: VisitChoice): Promise<CheckedVisit> {
  const customer = await findCustomer(db, v.customerId);
  if (!customer || customer.brandId !== v.brand.id) throw errors.notFound('Customer');
  const equipment = await findCustomerEquipment(db, customer.id, v.equipmentId);
  if (!equipment) throw errors.notFound('Equipment');
  const contract = v.contractId ? await findCustomerContract(db, customer.id, v.contractId) : null;
  if (v.contractId && !contract) throw errors.notFound('Contract');
  if (contract && contract.equipmentId !== equipment.id) throw errors.invalid('contractId', 'This contract covers another appliance.');
  const address = await findAddress(db, customer.id, v.addressId);
  if (!address) throw errors.notFound('Address');
  const open = await servicesForEquipmentType(db, equipment.typeId);
  const service = open.find((s) => s.id === v.serviceId || s.slug === v.serviceId);
  if (!service) throw errors.invalid('serviceId', 'This service cannot be booked online for this appliance.');
  if (contract && contract.serviceId !== service.id) throw errors.invalid('serviceId', 'A contract visit uses the contract\'s service.');
  return { customer, equipment, contract, address, service };
}

/** A maintenance contract fills in the visit: its appliance, where that is, its service and task. */
export async function prefillFromContract(db: Queryable, customerId: string, contractId: string) {
  const contract = await findCustomerContract(db, customerId, contractId);
  if (!contract) throw errors.notFound('Contract');
  const equipment = (await findCustomerEquipment(db, customerId, contract.equipmentId))!;
  return { contractId: contract.id, equipmentId: equipment.id, addressId: equipment.addressId, serviceId: contract.serviceId, task: contract.task };
}

const addressLine = (a: CustomerAddress) => `${a.addressLine}, ${a.postcode} ${a.city}`;

/**
 * Holds one technician's arrival window for the brand's hold time. Each technician offering it is
 * tried in turn under their lock, the window re-checked with what is committed by then; the claim
 * itself is the last word (exclusion constraint).
 */
export async function holdWindow(deps: BookingDeps, v: VisitChoice & { windowStart: Date }): Promise<Hold & { windowEnd: Date }> {
  const now = deps.now();
  const checked = await checkVisit(deps.db, v);
  const at = v.windowStart;
  const offered = (db: Queryable, staffIds?: string[]) => findOnsiteWindows(db, {
    brand: v.brand, service: checked.service, address: checked.address, from: at, to: new Date(at.getTime() + 1), now, staffIds,
  }).then((ws) => ws.find((w) => w.start.getTime() === at.getTime()));
  const window = await offered(deps.db);
  if (!window) throw errors.slotTaken();
  return deps.db.transaction(async (tx) => {
    // Ascending ids: two bookings never wait on each other's technicians in opposite orders.
    for (const staffId of window.staffIds) {
      await lockTechnician(tx, staffId);
      const still = await offered(tx, [staffId]);
      if (!still) continue;
      const hold = await claimHold(tx, v.brand, checked, staffId, still, now);
      if (hold) return hold;
    }
    throw errors.slotTaken();
  });
}

async function claimHold(tx: Tx, brand: Brand, c: CheckedVisit, staffId: string, w: ArrivalWindow, now: Date): Promise<(Hold & { windowEnd: Date }) | null> {
  const placement: repo.Placement = {
    serviceId: c.service.id, mode: 'at_home', storeId: null,
    homeAddress: addressLine(c.address), homeLatitude: c.address.latitude, homeLongitude: c.address.longitude,
    staffId, startAt: w.start, endAt: new Date(w.start.getTime() + c.service.durationMinutes * MINUTE),
  };
  const expiresAt = new Date(now.getTime() + brand.settings.holdMinutes * MINUTE);
  const hold = await repo.insertClaimedHold(tx, brand.id, placement, windowClaim(c.service, w.start, w.end), expiresAt, now);
  if (!hold) return null;
  await insertFieldHold(tx, hold.id, w.start, w.end);
  return { ...hold, windowEnd: w.end };
}

export interface DraftRequest extends VisitChoice, Pick<BookingRequest, 'customerTimeZone' | 'notes' | 'channel' | 'conversationId' | 'idempotencyKey' | 'actor'> {
  holdId: string;
  task: string;
}

/**
 * Turns a held window into a draft appointment (the first status of the service's workflow): the
 * hold's claim passes to it and the visit's facts are written in the same transaction, through
 * the booking core, whose event tells the customer their request was received.
 */
export async function bookDraft(deps: BookingDeps, r: DraftRequest): Promise<Appointment> {
  const c = await checkVisit(deps.db, r);
  const held = await findFieldHold(deps.db, r.holdId);
  if (!held) {
    // A booked hold is gone: a retry with the same key answers with its draft.
    const first = r.idempotencyKey ? await repo.findByIdempotencyKey(deps.db, r.brand.id, r.idempotencyKey) : null;
    if (first && first.customerId === c.customer.id) return first;
    throw errors.notFound('Hold');
  }
  const task = r.task.trim() || c.contract?.task || '';
  const notifications = deps.events;
  const { appointment } = await bookAppointment({
    ...deps,
    events: {
      // The visit's facts commit with the draft; its notifications still go through the outbox.
      bookedInTransaction: true,
      outbox: notifications?.outbox,
      async handle(tx, event) {
        if (event.type === 'booked') {
          const a = event.appointment;
          if (a.serviceId !== c.service.id || a.homeLatitude !== c.address.latitude || a.homeLongitude !== c.address.longitude) {
            throw errors.invalid('holdId', 'This hold is for another visit.');
          }
          await insertFieldVisit(tx, {
            appointmentId: a.id, equipmentId: c.equipment.id, contractId: c.contract?.id ?? null, addressId: c.address.id,
            task, windowStart: held.windowStart, windowEnd: held.windowEnd,
          });
        }
        if (!notifications?.outbox) await notifications?.handle(tx, event);
      },
    },
  }, {
    brand: r.brand,
    holdId: r.holdId,
    customer: { name: c.customer.name, email: c.customer.email, phone: c.customer.phone, locale: c.customer.locale, timeZone: c.customer.timeZone },
    customerTimeZone: r.customerTimeZone,
    notes: [task, c.address.accessComment, r.notes].filter((s) => s.trim()).join('\n'),
    channel: r.channel,
    conversationId: r.conversationId,
    idempotencyKey: r.idempotencyKey,
    actor: r.actor,
  });
  return appointment;
}

/** Holds a window and books it as a draft at once (the chat and integrations). */
export async function placeDraft(deps: BookingDeps, r: Omit<DraftRequest, 'holdId'> & { windowStart: Date }): Promise<Appointment> {
  const hold = await holdWindow(deps, r);
  return bookDraft(deps, { ...r, holdId: hold.id });
}
