import type { Tx } from '../models/database.ts';
import type { Appointment } from '../models/appointments.repository.ts';
import type { StatusKind } from '../models/statuses.repository.ts';
import type { Actor } from './booking.ts';

/** What happened to an appointment, told inside the transaction that made it happen. */
export type BookingEvent =
  | { type: 'booked'; appointment: Appointment; actor: Actor }
  | { type: 'rescheduled'; appointment: Appointment; previousStartAt: Date; actor: Actor }
  | { type: 'cancelled'; appointment: Appointment; reason: string; actor: Actor }
  | {
      type: 'status_changed';
      appointment: Appointment;
      fromStatusId: string | null;
      /** The kind of the new workflow status; null for a plain confirmation without workflow. */
      kind: StatusKind | null;
      reason: string | null;
      actor: Actor;
    };

/**
 * Where booked events go once the booking has committed. The booking statement records its
 * 'booked' event in the outbox table itself (migration 022), so a booking stays one round trip;
 * this is told of each committed booking and renders its event in the background, never making the
 * caller wait. Whatever it misses (a crash right after commit) a later sweep renders.
 */
export interface BookingOutbox {
  booked(appointment: Appointment): void;
}

/**
 * Listens to booking events in the same transaction as the change, so whatever it records
 * (messages to send, reminders to schedule) commits or rolls back with it. With an `outbox`,
 * 'booked' goes there after commit instead, and `handle` is told of it in the booking's
 * transaction only when `bookedInTransaction` asks (a field visit's facts written with its draft).
 */
export interface BookingEventSink {
  handle(tx: Tx, event: BookingEvent): Promise<void>;
  readonly outbox?: BookingOutbox | undefined;
  readonly bookedInTransaction?: boolean | undefined;
}
