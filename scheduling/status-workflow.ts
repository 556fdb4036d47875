import type { Appointment, AppointmentState } from '../models/appointments.repository.ts';
import * as repo from '../models/appointments.repository.ts';
import { findService } from '../models/catalogue.repository.ts';
import { listStatuses, type StatusKind } from '../models/statuses.repository.ts';
import { errors } from '../models/errors.ts';
import { actorLabel, lockChangeable, type BookingDeps, type ChangeTarget } from './booking.ts';

/** What a status kind means for the appointment's lifecycle. */
const STATE_OF_KIND: Record<StatusKind, AppointmentState> = {
  start: 'pending',
  confirmation: 'confirmed',
  cancellation: 'cancelled',
};

export interface StatusChangeRequest extends ChangeTarget {
  /** A status of the service's workflow; omitted → plain confirmation of a request. */
  statusId?: string | undefined;
  reason: string | null;
}

/**
 * Moves an appointment to another status of its service's workflow (staff only). A cancellation
 * kind needs a reason and frees the time; a confirmation kind confirms the appointment.
 */
export async function changeStatus(deps: BookingDeps, r: StatusChangeRequest): Promise<Appointment> {
  if (r.actor.kind === 'customer') throw errors.forbidden('Only staff can change an appointment status.');
  const now = deps.now();
  return deps.db.transaction(async (tx) => {
    const current = await lockChangeable(tx, r.brand, r.appointmentId, r.actor, now, r.expectedVersion);
    const service = await findService(tx, r.brand.id, current.serviceId);
    if (!service) throw errors.notFound('Service');
    let toState: AppointmentState = 'confirmed';
    let toStatusId: string | null = current.statusId;
    let kind: StatusKind | null = null;
    if (r.statusId) {
      const status = (await listStatuses(tx, service.id)).find((s) => s.id === r.statusId);
      if (!status) throw errors.invalid('statusId', 'That status is not part of this service\'s workflow.');
      toState = STATE_OF_KIND[status.kind];
      toStatusId = status.id;
      kind = status.kind;
    } else if (current.state === 'confirmed') {
      throw errors.conflict('This appointment is already confirmed.');
    } else if (service.statusWorkflow) {
      toStatusId = (await listStatuses(tx, service.id)).find((s) => s.kind === 'confirmation')?.id ?? null;
      kind = toStatusId ? 'confirmation' : null;
    }
    if (toState === 'cancelled' && !r.reason?.trim()) {
      throw errors.invalid('reason', 'A reason is required to cancel or reject an appointment.');
    }
    if (toState === 'cancelled') await repo.releaseClaim(tx, current.id);
    const updated = await repo.updateAppointment(tx, current.id, {
      state: toState, statusId: toStatusId, ...(toState === 'cancelled' ? { cancellationReason: r.reason } : {}),
    }, now);
    await repo.recordStatusChange(tx, current.id, {
      fromState: current.state, toState, fromStatusId: current.statusId, toStatusId,
      actor: actorLabel(r.actor), reason: r.reason, at: now,
    });
    await deps.events?.handle(tx, { type: 'status_changed', appointment: updated, fromStatusId: current.statusId, kind, reason: r.reason, actor: r.actor });
    return updated;
  });
}
