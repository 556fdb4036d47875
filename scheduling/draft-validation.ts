/**
 * Staff decide on on-site drafts (product document 002): validating sets the exact arrival time
 * inside the promised window and confirms, in one transaction, shrinking the claim to the visit;
 * moving claims another open window (its technician kept when free); rejecting is the workflow's
 * cancellation with its reason. The booking events tell the customer
 * (confirmation with the invite, or the rejection with its reason).
 */
import type { Brand } from '../models/brands.repository.ts';
import type { Appointment } from '../models/appointments.repository.ts';
import * as repo from '../models/appointments.repository.ts';
import { findService } from '../models/catalogue.repository.ts';
import { findFieldVisit, moveFieldVisitWindow } from '../models/field-visits.repository.ts';
import { findAddress } from '../models/customer-accounts.repository.ts';
import { lockTechnician } from '../models/technicians.repository.ts';
import { listStatuses } from '../models/statuses.repository.ts';
import { errors } from '../models/errors.ts';
import { actorLabel, cancelAppointment, type Actor, type BookingDeps } from './booking.ts';
import { findOnsiteWindows } from './field-booking.ts';
import { windowClaim } from './onsite-slot-finder.ts';
import { changeStatus } from './status-workflow.ts';

const MINUTE = 60_000;

export interface ValidateDraft {
  brand: Brand;
  appointmentId: string;
  /** The exact arrival time, inside the draft's window. */
  arrivalAt: Date;
  actor: Actor;
}

export async function validateDraft(deps: BookingDeps, r: ValidateDraft): Promise<Appointment> {
  if (r.actor.kind === 'customer') throw errors.forbidden('Only staff can validate a visit.');
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const current = await repo.lockAppointment(tx, r.brand.id, r.appointmentId);
    const visit = current ? await findFieldVisit(tx, current.id) : null;
    if (!current || !visit) throw errors.notFound('Visit');
    if (current.state !== 'pending') throw errors.conflict('Only a draft can be validated.');
    const at = r.arrivalAt.getTime();
    if (!(at >= visit.windowStart.getTime() && at <= visit.windowEnd.getTime())) {
      throw errors.invalid('arrivalAt', 'The arrival time must be inside the window the customer was promised.');
    }
    const service = await findService(tx, r.brand.id, current.serviceId);
    if (!service) throw errors.notFound('Service');
    const confirmation = (await listStatuses(tx, service.id)).find((s) => s.kind === 'confirmation');
    const endAt = new Date(at + service.durationMinutes * MINUTE);
    // Inside the window's claim, so nothing can refuse it: the rest of the window is freed.
    await repo.moveClaim(tx, current.id, current.staffId,
      new Date(at - service.bufferBeforeMinutes * MINUTE), new Date(endAt.getTime() + service.bufferAfterMinutes * MINUTE));
    const validated = await repo.updateAppointment(tx, current.id, {
      startAt: r.arrivalAt, endAt, state: 'confirmed', statusId: confirmation?.id ?? current.statusId,
    }, now);
    await repo.recordStatusChange(tx, current.id, {
      fromState: current.state, toState: 'confirmed', fromStatusId: current.statusId, toStatusId: validated.statusId,
      actor: actorLabel(r.actor), reason: `Arrival set at ${r.arrivalAt.toISOString()}`, at: now,
    });
    await deps.events?.handle(tx, {
      type: 'status_changed', appointment: validated, fromStatusId: current.statusId,
      kind: confirmation ? 'confirmation' : null, reason: null, actor: r.actor,
    });
    return validated;
  });
}

export interface RejectDraft {
  brand: Brand;
  appointmentId: string;
  reason: string;
  actor: Actor;
}

/** The workflow's cancellation status with the reason the customer will read; the window is freed. */
export async function rejectDraft(deps: BookingDeps, r: RejectDraft): Promise<Appointment> {
  const current = await repo.findAppointment(deps.db, r.brand.id, r.appointmentId);
  if (!current || !(await findFieldVisit(deps.db, current.id))) throw errors.notFound('Visit');
  if (current.state !== 'pending') throw errors.conflict('Only a draft can be rejected.');
  const rejected = (await listStatuses(deps.db, current.serviceId)).find((s) => s.kind === 'cancellation');
  if (!rejected) return cancelAppointment(deps, { brand: r.brand, appointmentId: current.id, reason: r.reason, actor: r.actor });
  return changeStatus(deps, { brand: r.brand, appointmentId: current.id, statusId: rejected.id, reason: r.reason, actor: r.actor });
}

export interface MoveDraft {
  brand: Brand;
  appointmentId: string;
  /** The start of another open arrival window. */
  windowStart: Date;
  actor: Actor;
}

/** Moves a draft to another open window in one transaction: the new window is claimed and the old one freed. */
export async function moveDraft(deps: BookingDeps, r: MoveDraft): Promise<Appointment> {
  if (r.actor.kind === 'customer') throw errors.forbidden('Only staff can move a draft.');
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const current = await repo.lockAppointment(tx, r.brand.id, r.appointmentId);
    const visit = current ? await findFieldVisit(tx, current.id) : null;
    if (!current || !visit) throw errors.notFound('Visit');
    if (current.state !== 'pending') throw errors.conflict('Only a draft can be moved; a validated visit is rescheduled.');
    const service = await findService(tx, r.brand.id, current.serviceId);
    const address = await findAddress(tx, current.customerId, visit.addressId);
    if (!service || !address) throw errors.notFound('Visit');
    const at = r.windowStart;
    const offered = (staffIds?: string[]) => findOnsiteWindows(tx, {
      brand: r.brand, service, address, from: at, to: new Date(at.getTime() + 1), now, staffIds, ignoreAppointmentId: current.id,
    }).then((ws) => ws.find((w) => w.start.getTime() === at.getTime()));
    const window = await offered();
    if (!window) throw errors.slotTaken();
    // The customer keeps their technician when they are free then; ids ascending otherwise, as holds lock them.
    const order = window.staffIds.includes(current.staffId) ? [current.staffId, ...window.staffIds.filter((s) => s !== current.staffId)] : window.staffIds;
    for (const staffId of order) {
      await lockTechnician(tx, staffId);
      const still = await offered([staffId]);
      if (!still) continue;
      const moved = await repo.inClaimSavepoint(tx, async () => {
        await repo.moveClaim(tx, current.id, staffId, ...windowClaim(service, still.start, still.end));
        return repo.updateAppointment(tx, current.id, {
          staffId, startAt: still.start, endAt: new Date(still.start.getTime() + service.durationMinutes * MINUTE),
        }, now);
      });
      if (!moved) continue;
      await moveFieldVisitWindow(tx, current.id, still.start, still.end);
      await repo.recordStatusChange(tx, current.id, {
        fromState: current.state, toState: moved.state, fromStatusId: current.statusId, toStatusId: moved.statusId, actor: actorLabel(r.actor),
        reason: `Window moved from ${visit.windowStart.toISOString()} to ${still.start.toISOString()}`, at: now,
      });
      await deps.events?.handle(tx, { type: 'rescheduled', appointment: moved, previousStartAt: current.startAt, actor: r.actor });
      return moved;
    }
    throw errors.slotTaken();
  });
}
