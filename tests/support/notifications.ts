import type { Database } from '../../models/database.ts';
import { createBookingOutbox, withOutbox, type BookingOutboxOptions } from '../../notifications/booking-outbox.ts';
import { createDeliveryQueue, type DeliveryQueue, type DeliveryQueueOptions } from '../../notifications/delivery-queue.ts';
import { createNotificationSink, type NotificationSink } from '../../notifications/notification-sink.ts';
import type { SignedLinks } from '../../notifications/signed-links.ts';
import { jobQueueSchemaOf, type DatabaseKind } from './databases.ts';
import { until } from './wait.ts';

/**
 * A delivery queue in the test database's own job-queue schema (test files share the PostgreSQL
 * server), without pg-boss maintenance unless asked; `close` stops it and drops that schema.
 */
export async function openTestDeliveryQueue(
  db: Database, kind: DatabaseKind, now: () => Date, options: Partial<Omit<DeliveryQueueOptions, 'db' | 'now' | 'schema'>> = {},
) {
  const schema = await jobQueueSchemaOf(db, kind);
  const queueOptions: DeliveryQueueOptions = { db, now, schema, maintenance: false, ...options };
  const queue = await createDeliveryQueue(queueOptions);
  const close = async () => {
    await queue.stop();
    if (kind === 'postgres') await db.query(`DROP SCHEMA "${schema}" CASCADE`);
  };
  return { queue, schema, options: queueOptions, close };
}

/**
 * Notifications as the server composes them (server/composition.ts): changes rendered in their
 * transaction, bookings rendered after commit through the outbox, by this process at once.
 */
export function productNotifications(
  o: { db: Database; links: SignedLinks; queue: DeliveryQueue; now: () => Date; render?: NotificationSink }
    & Partial<Omit<BookingOutboxOptions, 'db' | 'now' | 'render'>>,
) {
  const render = o.render ?? createNotificationSink({ links: o.links, queue: o.queue, now: o.now });
  const outbox = createBookingOutbox({ ...o, render });
  return { events: withOutbox(render, outbox), outbox, render };
}

/** What became of an appointment's booked event: null while undone. */
export async function bookedEventOutcome(db: Database, appointmentId: string): Promise<string | null> {
  const [row] = await db.query<{ outcome: string | null }>('SELECT outcome FROM booking_outbox WHERE appointment_id = $1', [appointmentId]);
  return row?.outcome ?? null;
}

/** Waits (without anyone awaiting the rendering itself) until the booking's confirmation was rendered after its commit. */
export async function confirmationRendered(db: Database, appointmentId: string): Promise<void> {
  await until(async () => (await bookedEventOutcome(db, appointmentId)) === 'rendered', 20_000);
}
