import type { Database, Queryable, Tx } from '../models/database.ts';
import type { Brand } from '../models/brands.repository.ts';
import { findService, findStore, type Mode, type Service, type Store } from '../models/catalogue.repository.ts';
import type { ContactAddress, CustomerDetails } from '../models/customers.repository.ts';
import * as repo from '../models/appointments.repository.ts';
import type { Appointment, Hold, Placement } from '../models/appointments.repository.ts';
import { listStatuses } from '../models/statuses.repository.ts';
import { AppError, errors, translateDbError } from '../models/errors.ts';
import { availabilityAndLoad, slotRulesOf, staffStores, type Coordinates } from './availability.ts';
import type { BookingEventSink } from './booking-events.ts';

/**
 * Who asks for a change: customers are bound by the brand's notice, staff are not. Staff with
 * `stores` act for those stores only: the advisors of other stores are never candidates.
 */
export type Actor =
  | { kind: 'customer' }
  | { kind: 'staff'; id: string; stores?: readonly string[] | null }
  | { kind: 'api'; label: string }
  | { kind: 'system' };

export const actorLabel = (a: Actor): string =>
  a.kind === 'staff' ? `staff:${a.id}` : a.kind === 'api' ? `api-key:${a.label}` : a.kind;

export interface BookingDeps {
  db: Database;
  now: () => Date;
  /** Told of every change inside its transaction (notifications, reminders); of bookings, after commit through its outbox. */
  events?: BookingEventSink | undefined;
}

export interface HomeAddress extends Coordinates {
  address: string;
}

/** A wanted slot: what, how, where, when. */
export interface SlotRequest {
  brand: Brand;
  service: Service;
  mode: Mode;
  store: Store | null;
  home: HomeAddress | null;
  start: Date;
}

const MINUTE = 60_000;

function checkPlacement(r: SlotRequest): void {
  if (!r.service.modes.includes(r.mode)) {
    throw errors.invalid('mode', `The service "${r.service.slug}" is not offered ${r.mode.replace('_', ' ')}; choose one of: ${r.service.modes.join(', ')}.`);
  }
  if (r.mode === 'in_store' && !r.store) throw errors.invalid('store', 'An in-store appointment needs a store.');
  if (r.mode === 'at_home' && !r.home) throw errors.invalid('home', 'An at-home appointment needs the home address with its coordinates.');
}

/** Where and when, before anyone is chosen to serve it. */
function requestedPlacement(r: SlotRequest, start: Date): Omit<Placement, 'staffId' | 'endAt'> {
  return {
    serviceId: r.service.id,
    mode: r.mode,
    storeId: r.mode === 'at_home' ? null : r.store?.id ?? null,
    homeAddress: r.mode === 'at_home' ? r.home!.address : null,
    homeLatitude: r.mode === 'at_home' ? r.home!.latitude : null,
    homeLongitude: r.mode === 'at_home' ? r.home!.longitude : null,
    startAt: start,
  };
}

function placementFor(r: SlotRequest, staffId: string, start: Date): Placement {
  return { ...requestedPlacement(r, start), staffId, endAt: new Date(start.getTime() + r.service.durationMinutes * MINUTE) };
}

/** The time a placement keeps its staff member busy: the appointment and its buffers. */
function blockedRange(service: Service, p: Pick<Placement, 'startAt' | 'endAt'>): [Date, Date] {
  return [
    new Date(p.startAt.getTime() - service.bufferBeforeMinutes * MINUTE),
    new Date(p.endAt.getTime() + service.bufferAfterMinutes * MINUTE),
  ];
}

/** The stores whose advisors an actor may give work to (null: any). */
export const advisorStoresOf = (actor: Actor): readonly string[] | null => (actor.kind === 'staff' ? actor.stores ?? null : null);

/**
 * Staff free at exactly this start by hours, rules and known bookings, least booked that day first
 * so work is shared fairly. Races are settled later by the exclusion constraint, not here.
 */
async function candidateStaff(
  db: Queryable, r: SlotRequest, now: Date, advisorStores: readonly string[] | null, ignoreAppointmentId: string | null = null,
): Promise<string[]> {
  const { slots: [slot], load } = await availabilityAndLoad(db, {
    brand: r.brand, service: r.service, mode: r.mode, store: r.store, home: r.home,
    from: r.start, to: new Date(r.start.getTime() + 1), now, ignoreAppointmentId, advisorStores,
  }, true);
  if (!slot || slot.start.getTime() !== r.start.getTime()) return [];
  return [...slot.staffIds].sort((a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0) || a.localeCompare(b));
}

/**
 * Tries each candidate until the database accepts a claim; `claim` answers null when the staff
 * member's time is taken. Availability ignores expired holds but their claims still block, so a
 * refused staff member's expired holds are swept then and the claim tried once more: sweeping
 * only on a conflict spares every other booking a statement.
 */
async function claimFirstFree<T>(db: Queryable, candidates: string[], now: Date, claim: (staffId: string) => Promise<T | null>): Promise<T> {
  for (const staffId of candidates) {
    let result = await claim(staffId);
    if (result === null) {
      await repo.sweepExpiredHolds(db, now, staffId);
      result = await claim(staffId);
    }
    if (result !== null) return result;
  }
  throw errors.slotTaken();
}

/**
 * Holds a slot for the brand's hold time while the customer confirms and verifies: one statement
 * (hold_slot) checks the start against the rules, picks the least booked free advisor and claims the
 * time with its hold, the exclusion constraint settling races.
 */
export async function holdSlot(deps: BookingDeps, r: SlotRequest): Promise<Hold> {
  checkPlacement(r);
  const now = deps.now();
  try {
    return await repo.holdSlot(deps.db, {
      brandId: r.brand.id,
      placement: requestedPlacement(r, r.start),
      candidateStores: staffStores({ mode: r.mode, store: r.store, advisorStores: null }),
      rules: slotRulesOf(r.brand, r.service),
      expiresAt: new Date(now.getTime() + r.brand.settings.holdMinutes * MINUTE),
      now,
    });
  } catch (error) {
    return translateDbError(error);
  }
}

export interface BookingRequest {
  brand: Brand;
  /** Either a hold made earlier, or a slot to claim now. */
  holdId?: string | undefined;
  slot?: SlotRequest | undefined;
  customer: CustomerDetails;
  /** An address the customer proved for this booking (a code typed back), stamped with it or not at all. */
  provenContact?: ContactAddress | undefined;
  customerTimeZone: string;
  notes: string;
  channel: string;
  conversationId: string | null;
  idempotencyKey: string | null;
  actor: Actor;
}

export interface BookingResult {
  appointment: Appointment;
  /** True when an idempotent retry returned the first booking. */
  replayed: boolean;
}

export async function bookAppointment(deps: BookingDeps, b: BookingRequest): Promise<BookingResult> {
  if (!b.holdId === !b.slot) throw errors.invalid('holdId', 'Give either a hold id or a slot, not both.');
  if (b.slot) checkPlacement(b.slot);
  const now = deps.now();
  try {
    const appointment = b.slot ? await bookSlot(deps, b, b.slot, now) : await bookHold(deps, b, b.holdId!, now);
    return { appointment, replayed: false };
  } catch (error) {
    // A retry of a booking made earlier or concurrently cannot succeed: its insert breaks the key's
    // uniqueness, or its slot or hold is gone. Answer with that booking. Looking the key up only
    // once the transaction failed (and rolled back) spares a first booking that round trip.
    const first = b.idempotencyKey ? await repo.findByIdempotencyKey(deps.db, b.brand.id, b.idempotencyKey) : null;
    if (first) return { appointment: first, replayed: true };
    if (error instanceof AppError) throw error;
    return translateDbError(error);
  }
}

/** What every booking records of the request, whichever way it is booked. */
const bookedBy = (b: BookingRequest, now: Date): repo.BookingBy => ({
  brandId: b.brand.id, customer: b.customer, provenContact: b.provenContact ?? null, customerTimeZone: b.customerTimeZone,
  notes: b.notes, channel: b.channel, conversationId: b.conversationId, idempotencyKey: b.idempotencyKey,
  actor: actorLabel(b.actor), now,
});

/**
 * A booking is one statement (`book`) committed on its own, its booked event recorded in the
 * outbox by that statement and handed to the sink's outbox once committed. Only a sink that must
 * see the booking in its transaction (no outbox, or `bookedInTransaction`) makes it a transaction.
 */
async function bookOnce(deps: BookingDeps, actor: Actor, book: (db: Queryable) => Promise<Appointment>): Promise<Appointment> {
  const events = deps.events;
  const booked = events && (!events.outbox || events.bookedInTransaction)
    ? await deps.db.transaction(async (tx) => {
      const appointment = await book(tx);
      await events.handle(tx, { type: 'booked', appointment, actor });
      return appointment;
    })
    : await book(deps.db);
  events?.outbox?.booked(booked);
  return booked;
}

/** Books the least booked advisor free at the slot's start; the database checks and chooses. */
async function bookSlot(deps: BookingDeps, b: BookingRequest, slot: SlotRequest, now: Date): Promise<Appointment> {
  return bookOnce(deps, b.actor, (db) => repo.bookSlot(db, {
    ...bookedBy(b, now),
    placement: requestedPlacement(slot, slot.start),
    candidateStores: staffStores({ mode: slot.mode, store: slot.store, advisorStores: advisorStoresOf(b.actor) }),
    rules: slotRulesOf(slot.brand, slot.service),
  }));
}

/** Turns a hold into the appointment, handing over its claim without ever freeing the time. */
async function bookHold(deps: BookingDeps, b: BookingRequest, holdId: string, now: Date): Promise<Appointment> {
  return bookOnce(deps, b.actor, (db) => repo.bookHold(db, { ...bookedBy(b, now), holdId }));
}

/**
 * Locks the appointment and checks it may still be changed by this actor. `expectedVersion` (a
 * signed link's or a form's) is compared under the lock, so of several submits made from one
 * version only the first changes anything: every change increments the version.
 */
export async function lockChangeable(
  tx: Tx, brand: Brand, id: string, actor: Actor, now: Date, expectedVersion?: number | undefined,
): Promise<Appointment> {
  const appointment = await repo.lockAppointment(tx, brand.id, id);
  if (!appointment) throw errors.notFound('Appointment');
  if (appointment.state === 'cancelled') throw errors.alreadyCancelled();
  if (expectedVersion !== undefined && appointment.version !== expectedVersion) throw errors.changedMeanwhile(appointment.version);
  const notice = brand.settings.customerChangeNoticeMinutes;
  if (actor.kind === 'customer' && appointment.startAt.getTime() - now.getTime() < notice * MINUTE) {
    throw errors.tooLate(notice);
  }
  return appointment;
}

/** What every change of an existing appointment names. */
export interface ChangeTarget {
  brand: Brand;
  appointmentId: string;
  actor: Actor;
  /** The version the change was decided on (signed links, forms); absent → whatever is current. */
  expectedVersion?: number | undefined;
}

export interface RescheduleRequest extends ChangeTarget {
  start: Date;
}

/** Moves an appointment atomically: the new time is claimed and the old one freed in one transaction. */
export async function rescheduleAppointment(deps: BookingDeps, r: RescheduleRequest): Promise<Appointment> {
  const now = deps.now();
  try {
    return await deps.db.transaction(async (tx) => {
      const current = await lockChangeable(tx, r.brand, r.appointmentId, r.actor, now, r.expectedVersion);
      const service = await findService(tx, r.brand.id, current.serviceId);
      if (!service) throw errors.notFound('Service');
      const store = current.storeId ? await findStore(tx, r.brand.id, current.storeId) : null;
      const home = current.homeAddress !== null && current.homeLatitude !== null && current.homeLongitude !== null
        ? { address: current.homeAddress, latitude: current.homeLatitude, longitude: current.homeLongitude }
        : null;
      const request: SlotRequest = { brand: r.brand, service, mode: current.mode, store, home, start: r.start };
      const candidates = await candidateStaff(tx, request, now, advisorStoresOf(r.actor), current.id);
      // The customer keeps their advisor when the advisor is free at the new time.
      const ordered = candidates.includes(current.staffId)
        ? [current.staffId, ...candidates.filter((c) => c !== current.staffId)]
        : candidates;
      const moved = await claimFirstFree(tx, ordered, now, (staffId) => repo.inClaimSavepoint(tx, async () => {
        const next = placementFor(request, staffId, r.start);
        await repo.moveClaim(tx, current.id, staffId, ...blockedRange(service, next));
        return repo.updateAppointment(tx, current.id, { staffId, startAt: next.startAt, endAt: next.endAt }, now);
      }));
      await repo.recordStatusChange(tx, current.id, {
        fromState: current.state, toState: moved.state, fromStatusId: current.statusId, toStatusId: moved.statusId,
        actor: actorLabel(r.actor), reason: `Rescheduled from ${current.startAt.toISOString()} to ${moved.startAt.toISOString()}`, at: now,
      });
      await deps.events?.handle(tx, { type: 'rescheduled', appointment: moved, previousStartAt: current.startAt, actor: r.actor });
      return moved;
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    return translateDbError(error);
  }
}

export interface CancelRequest extends ChangeTarget {
  reason: string;
}

/** Cancels and frees the time; the reason is kept and shown to the customer. */
export async function cancelAppointment(deps: BookingDeps, c: CancelRequest): Promise<Appointment> {
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const current = await lockChangeable(tx, c.brand, c.appointmentId, c.actor, now, c.expectedVersion);
    const service = await findService(tx, c.brand.id, current.serviceId);
    const cancelStatus = service?.statusWorkflow
      ? (await listStatuses(tx, service.id)).find((s) => s.kind === 'cancellation')
      : undefined;
    await repo.releaseClaim(tx, current.id);
    const cancelled = await repo.updateAppointment(
      tx, current.id, { state: 'cancelled', statusId: cancelStatus?.id ?? current.statusId, cancellationReason: c.reason }, now,
    );
    await repo.recordStatusChange(tx, current.id, {
      fromState: current.state, toState: 'cancelled', fromStatusId: current.statusId, toStatusId: cancelled.statusId,
      actor: actorLabel(c.actor), reason: c.reason, at: now,
    });
    await deps.events?.handle(tx, { type: 'cancelled', appointment: cancelled, reason: c.reason, actor: c.actor });
    return cancelled;
  });
}
