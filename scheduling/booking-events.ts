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
 * Listens to booking events in the same transaction as the change, so whatever it records
 * (messages to send, reminders to schedule) commits or rolls back with it: a transactional outbox.
 */
export interface BookingEventSink {
  handle(tx: Tx, event: BookingEvent): Promise<void>;
}
