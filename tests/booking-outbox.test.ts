import type { Database } from '../models/database.ts';
import { findUndoneEventOf } from '../models/booking-outbox.repository.ts';
import { findBrand, type Brand } from '../models/brands.repository.ts';
import { findService, findStore } from '../models/catalogue.repository.ts';
import { seedDemo } from '../models/seed.ts';
import { bookAppointment, cancelAppointment, rescheduleAppointment, type BookingDeps, type BookingRequest } from '../scheduling/booking.ts';
import type { DeliveryQueue } from '../notifications/delivery-queue.ts';
import { createDeliveryWorkers } from '../notifications/delivery-worker.ts';
import { localTransports } from '../notifications/message-sender.ts';
import { createNotificationSink, type NotificationSink } from '../notifications/notification-sink.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import { startApp } from './support/app.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { bookedEventOutcome, confirmationRendered, openTestDeliveryQueue, productNotifications } from './support/notifications.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';

// Monday 1 March 2027, 08:00 in Paris.
const START = '2027-03-01T07:00:00Z';
const clock = testClock(START);

/** The database as a booking sees it, counting its round trips: statements outside transactions, and transactions. */
function counting(db: Database) {
  const counts = { statements: 0, transactions: 0 };
  const wrapped: Database = {
    ...db,
    query: (sql, params) => {
      counts.statements++;
      return db.query(sql, params);
    },
    transaction: (work) => {
      counts.transactions++;
      return db.transaction(work);
    },
  };
  return { db: wrapped, counts };
}

interface EventRow {
  kind: string;
  version: number;
  actor: string;
  done_at: Date | null;
  outcome: string | null;
  attempts: number;
}

describe.each(DATABASE_KINDS)('booking outbox on %s', (kind) => {
  let db: Database;
  let brand: Brand;
  let bossSchema: string;
  let closeQueue: () => Promise<void>;
  let queue: DeliveryQueue;
  const links = createSignedLinks({ baseUrl: 'http://rdv.test', secret: 's'.repeat(32), now: clock.now });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db, { allowedOrigins: [] });
    brand = (await findBrand(db, 'demo'))!;
    ({ queue, schema: bossSchema, close: closeQueue } = await openTestDeliveryQueue(db, kind, clock.now));
  });
  afterAll(async () => {
    await closeQueue();
    await db.close();
  });
  beforeEach(() => clock.set(START));

  /** Notifications as the server composes them; `immediate: false` is a process that crashed right after each commit. */
  const notifications = (o: { immediate?: boolean; render?: NotificationSink } = {}) =>
    productNotifications({ db, links, queue, now: clock.now, sweepAfterSeconds: 15, ...o });

  // What a test left undone (a simulated crash) is swept, so the next test's sweeps see only their own events.
  afterEach(async () => {
    clock.advanceMinutes(60);
    await notifications().outbox.sweep();
  });

  async function request(o: { start: string; email: string; service?: string; idempotencyKey?: string }): Promise<BookingRequest> {
    const service = (await findService(db, 'demo', o.service ?? 'showroom-visit'))!;
    const store = await findStore(db, 'demo', 'paris-opera');
    return {
      brand,
      slot: { brand, service, mode: 'in_store', store, home: null, start: new Date(o.start) },
      customer: { name: 'Ada Lovelace', email: o.email, phone: null, locale: 'en', timeZone: 'Europe/Paris' },
      customerTimeZone: 'Europe/Paris', notes: '', channel: 'web', conversationId: null,
      idempotencyKey: o.idempotencyKey ?? null, actor: { kind: 'customer' },
    };
  }

  const eventsOf = (appointmentId: string) => db.query<EventRow>(
    'SELECT kind, version, actor, done_at, outcome, attempts FROM booking_outbox WHERE appointment_id = $1', [appointmentId],
  );
  const messagesOf = (appointmentId: string) => db.query<{ kind: string; recipient: string }>(
    'SELECT kind, recipient FROM messages WHERE idempotency_key LIKE $1 ORDER BY seq', [`%:${appointmentId}:%`],
  );
  const remindersOf = (appointmentId: string) => db.query<{ send_at: Date; for_start_at: Date }>(
    `SELECT send_at, for_start_at FROM scheduled_notifications WHERE appointment_id = $1 AND kind = 'reminder' AND status = 'scheduled'`,
    [appointmentId],
  );

  test('the booking is one statement that records its booked event with it, nothing else in its transaction', async () => {
    const { events } = notifications({ immediate: false });
    const { db: counted, counts } = counting(db);
    const { appointment: a } = await bookAppointment({ db: counted, now: clock.now, events }, await request({
      start: '2027-03-02T09:00:00Z', email: 'one-trip@example.com',
    }));
    expect(counts).toEqual({ statements: 1, transactions: 0 });
    expect(await eventsOf(a.id)).toEqual([
      { kind: 'booked', version: a.version, actor: 'customer', done_at: null, outcome: null, attempts: 0 },
    ]);
    // Rendering is the outbox's business: the booking itself queued nothing.
    expect(await messagesOf(a.id)).toEqual([]);
  });

  test('a booking that fails leaves no event; a replayed one leaves only the first', async () => {
    const { events } = notifications({ immediate: false });
    const deps: BookingDeps = { db, now: clock.now, events };
    const eventCount = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM booking_outbox'))[0]!.n);
    const before = await eventCount();
    // 06:00 in Paris: no advisor works then, so book_slot raises after trying.
    await expect(bookAppointment(deps, await request({ start: '2027-03-02T05:00:00Z', email: 'too-early@example.com' })))
      .rejects.toMatchObject({ code: 'slot_unavailable' });
    expect(await eventCount()).toBe(before);

    const keyed = await request({ start: '2027-03-02T13:00:00Z', email: 'keyed@example.com', idempotencyKey: 'outbox-replay' });
    const first = await bookAppointment(deps, keyed);
    const again = await bookAppointment(deps, keyed);
    expect(again).toMatchObject({ replayed: true, appointment: { id: first.appointment.id } });
    expect(await eventCount()).toBe(before + 1);
  });

  test('the confirmation, its deliveries and reminders appear after commit, rendered in the background', async () => {
    const { events, outbox } = notifications();
    const { appointment: a } = await bookAppointment({ db, now: clock.now, events }, await request({
      start: '2027-03-03T09:00:00Z', email: 'after-commit@example.com',
    }));
    // Nobody awaits the rendering: the messages come.
    await until(async () => (await messagesOf(a.id)).length === 3, 20_000);
    expect((await messagesOf(a.id)).map((m) => [m.kind, m.recipient])).toEqual([
      ['confirmed', 'after-commit@example.com'],
      ['staff_confirmed', expect.stringMatching(/@atelier-lumiere\.example$/)],
      ['staff_confirmed', 'paris@atelier-lumiere.example'],
    ]);
    await confirmationRendered(db, a.id);
    expect((await remindersOf(a.id)).map((r) => r.for_start_at)).toEqual([a.startAt]);
    const jobs = await db.query(`SELECT 1 FROM "${bossSchema}".job j JOIN messages m ON m.id::text = j.data->>'messageId' WHERE m.idempotency_key LIKE $1`, [`%:${a.id}:%`]);
    expect(jobs).toHaveLength(3);
    // Done is done: the sweep, even much later, finds nothing to render again.
    await outbox.idle();
    clock.advanceMinutes(10);
    expect(await outbox.sweep()).toBe(0);
    expect(await messagesOf(a.id)).toHaveLength(3);
  });

  test('a confirmation is two statements and no transaction: one finds the event with its appointment, one records it all', async () => {
    const { db: counted, counts } = counting(db);
    const { events, outbox } = productNotifications({ db: counted, links, queue, now: clock.now });
    const { appointment: a } = await bookAppointment({ db, now: clock.now, events }, await request({
      start: '2027-03-03T13:00:00Z', email: 'two-statements@example.com',
    }));
    await confirmationRendered(db, a.id);
    await outbox.idle();
    expect(counts).toEqual({ statements: 2, transactions: 0 });
    // The messages, a delivery job for each (named in the same statement), the reminder, the event done.
    expect((await messagesOf(a.id)).map((m) => m.kind)).toEqual(['confirmed', 'staff_confirmed', 'staff_confirmed']);
    const jobs = await db.query(`SELECT 1 FROM "${bossSchema}".job j JOIN messages m ON m.id::text = j.data->>'messageId' WHERE m.idempotency_key LIKE $1`, [`%:${a.id}:%`]);
    expect(jobs).toHaveLength(3);
    expect(await remindersOf(a.id)).toHaveLength(1);
  });

  test('a change committed between finding a booked event and recording it supersedes it: nothing stale is recorded', async () => {
    const sink = createNotificationSink({ links, queue, now: clock.now });
    const newStart = new Date('2027-03-10T13:00:00Z');
    let moved: Promise<unknown> | null = null;
    // The customer moves the appointment just before the rendering's statement reaches the database.
    const movedFirst: Database = {
      ...db,
      query: async (sql, params) => {
        if (/finished AS/.test(sql)) {
          moved ??= rescheduleAppointment({ db, now: clock.now, events: sink }, { brand, appointmentId: a.id, actor: { kind: 'customer' }, start: newStart });
          await moved;
        }
        return db.query(sql, params);
      },
    };
    const crashed = notifications({ immediate: false });
    const { appointment: a } = await bookAppointment({ db, now: clock.now, events: crashed.events }, await request({
      start: '2027-03-10T09:00:00Z', email: 'moved-meanwhile@example.com',
    }));
    const found = await findUndoneEventOf(db, a.id);
    expect(found).toMatchObject({ version: a.version, appointment: { version: a.version } });
    expect(await sink.recordBooked(movedFirst, found!)).toBe('superseded');
    expect(await bookedEventOutcome(db, a.id)).toBe('superseded');
    // Only the move told the customer; the reminder is the new time's.
    expect((await messagesOf(a.id)).map((m) => m.kind)).toEqual(['rescheduled']);
    expect((await remindersOf(a.id)).map((r) => r.for_start_at)).toEqual([newStart]);
    // Its delivery jobs went in with the statement, and find nothing to send.
    const orphans = await db.query<{ id: string }>(
      `SELECT j.data->>'messageId' AS id FROM "${bossSchema}".job j
        WHERE j.name = 'notification-delivery' AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id::text = j.data->>'messageId')`,
    );
    expect(orphans.length).toBeGreaterThanOrEqual(3);
    const { sender } = createDeliveryWorkers({ db, links, queue, now: clock.now, transports: localTransports(db, clock.now) });
    expect(await sender.send(orphans[0]!.id)).toEqual({ status: 'unchanged' });
  });

  test('two renderers recording the same booked event at once record it once', async () => {
    const sink = createNotificationSink({ links, queue, now: clock.now });
    const crashed = notifications({ immediate: false });
    const { appointment: a } = await bookAppointment({ db, now: clock.now, events: crashed.events }, await request({
      start: '2027-03-11T09:00:00Z', email: 'twice-at-once@example.com',
    }));
    const found = (await findUndoneEventOf(db, a.id))!;
    const outcomes = await Promise.all([sink.recordBooked(db, found), sink.recordBooked(db, found)]);
    expect(outcomes).toHaveLength(2);
    expect(outcomes).toEqual(expect.arrayContaining(['rendered', null]));
    expect((await messagesOf(a.id)).map((m) => m.kind)).toEqual(['confirmed', 'staff_confirmed', 'staff_confirmed']);
    expect(await remindersOf(a.id)).toHaveLength(1);
    expect(await findUndoneEventOf(db, a.id)).toBeNull();
  });

  test('rendered events are kept a week, then pruned by a sweep; failed ones stay', async () => {
    const { events, outbox } = notifications();
    const booked = await Promise.all(['2027-03-08T09:00:00Z', '2027-03-08T10:00:00Z'].map(async (start, i) =>
      (await bookAppointment({ db, now: clock.now, events }, await request({ start, email: `pruned-${i}@example.com` }))).appointment));
    await Promise.all(booked.map((a) => confirmationRendered(db, a.id)));
    await outbox.idle();
    // One of them as if its rendering had been given up.
    await db.query(`UPDATE booking_outbox SET outcome = 'failed' WHERE appointment_id = $1`, [booked[1]!.id]);
    clock.advanceMinutes(6 * 24 * 60);
    await notifications().outbox.sweep();
    expect(await eventsOf(booked[0]!.id)).toHaveLength(1);
    clock.advanceMinutes(2 * 24 * 60);
    await notifications().outbox.sweep();
    expect(await eventsOf(booked[0]!.id)).toEqual([]);
    expect(await eventsOf(booked[1]!.id)).toHaveLength(1);
  });

  test('an event left undone by a crash is rendered by the sweep exactly once, with three dispatchers racing', async () => {
    const crashed = notifications({ immediate: false });
    const { appointment: a } = await bookAppointment({ db, now: clock.now, events: crashed.events }, await request({
      start: '2027-03-04T09:00:00Z', email: 'crashed@example.com',
    }));
    let renders = 0;
    const sink = createNotificationSink({ links, queue, now: clock.now });
    const counted: NotificationSink = {
      ...sink,
      recordBooked(on, event) {
        renders++;
        return sink.recordBooked(on, event);
      },
    };
    // Instances sweeping the same database at once.
    const dispatchers = [1, 2, 3].map(() => notifications({ render: counted }).outbox);
    // Not yet overdue: the booking process may still be rendering it.
    expect(await dispatchers[0]!.sweep()).toBe(0);
    clock.advanceMinutes(1);
    const taken = await Promise.all(dispatchers.map((d) => d.sweep()));
    expect(taken.reduce((n, t) => n + t, 0)).toBe(1);
    expect(renders).toBe(1);
    expect(await bookedEventOutcome(db, a.id)).toBe('rendered');
    expect((await messagesOf(a.id)).map((m) => m.kind)).toEqual(['confirmed', 'staff_confirmed', 'staff_confirmed']);
    expect(await remindersOf(a.id)).toHaveLength(1);
  });

  test('a booked event whose appointment was rescheduled or cancelled first sends no stale confirmation', async () => {
    const crashed = notifications({ immediate: false });
    const deps: BookingDeps = { db, now: clock.now, events: crashed.events };
    const { appointment: moved } = await bookAppointment(deps, await request({ start: '2027-03-05T09:00:00Z', email: 'moved@example.com' }));
    const { appointment: dropped } = await bookAppointment(deps, await request({ start: '2027-03-05T13:00:00Z', email: 'dropped@example.com' }));
    const newStart = new Date('2027-03-08T09:00:00Z');
    await rescheduleAppointment(deps, { brand, appointmentId: moved.id, actor: { kind: 'customer' }, start: newStart });
    await cancelAppointment(deps, { brand, appointmentId: dropped.id, actor: { kind: 'customer' }, reason: 'Plans changed' });

    clock.advanceMinutes(1);
    expect(await notifications().outbox.sweep()).toBe(2);
    expect(await bookedEventOutcome(db, moved.id)).toBe('superseded');
    expect(await bookedEventOutcome(db, dropped.id)).toBe('superseded');
    // Each change told the customer itself, in its transaction; the old time is never confirmed.
    expect((await messagesOf(moved.id)).map((m) => m.kind)).toEqual(['rescheduled']);
    expect((await remindersOf(moved.id)).map((r) => r.for_start_at)).toEqual([newStart]);
    expect((await messagesOf(dropped.id)).map((m) => m.kind)).toEqual(['cancelled', 'staff_cancelled', 'staff_cancelled']);
    expect(await remindersOf(dropped.id)).toEqual([]);
  });

  test('a rendering that fails leaves the booking made and its event to the sweep, which renders it later', async () => {
    const sink = createNotificationSink({ links, queue, now: clock.now });
    let failures = 1;
    // The first rendering's statement fails (the database went away a moment): nothing of it is recorded.
    const failingOnce: Database = {
      ...db,
      query: (sql, params) => (failures-- > 0 ? Promise.reject(new Error('connection terminated unexpectedly')) : db.query(sql, params)),
    };
    const flaky: NotificationSink = { ...sink, recordBooked: (_, event) => sink.recordBooked(failingOnce, event) };
    const errors: unknown[] = [];
    const { events, outbox } = productNotifications({ db, links, queue, now: clock.now, render: flaky, onError: (e) => void errors.push(e) });
    const { appointment: a } = await bookAppointment({ db, now: clock.now, events }, await request({
      start: '2027-03-09T09:00:00Z', email: 'flaky-render@example.com',
    }));
    await until(async () => (await eventsOf(a.id))[0]!.attempts === 1, 20_000);
    expect(errors).toHaveLength(1);
    // The failed rendering recorded nothing; the booking stands.
    expect(await messagesOf(a.id)).toEqual([]);
    expect(await db.query('SELECT 1 FROM appointments WHERE id = $1', [a.id])).toHaveLength(1);
    // Tried again once the failure is as old as an overdue event, not before.
    expect(await outbox.sweep()).toBe(0);
    clock.advanceMinutes(1);
    expect(await outbox.sweep()).toBe(1);
    expect(await bookedEventOutcome(db, a.id)).toBe('rendered');
    expect((await messagesOf(a.id)).map((m) => m.kind)).toEqual(['confirmed', 'staff_confirmed', 'staff_confirmed']);
  });
});

describe('the server', () => {
  test('renders, with its periodic sweep, a booking whose process crashed before rendering it', async () => {
    clock.set(START);
    const app = await startApp(clock.now);
    try {
      const brand = (await findBrand(app.db, 'demo'))!;
      const service = (await findService(app.db, 'demo', 'showroom-visit'))!;
      const store = await findStore(app.db, 'demo', 'paris-opera');
      const links = createSignedLinks({ baseUrl: app.url, secret: 'x'.repeat(32), now: clock.now });
      // Another process of the same database, which died right after its booking committed.
      const crashed = productNotifications({ db: app.db, links, queue: app.rendezvous.queue, now: clock.now, immediate: false });
      const { appointment: a } = await bookAppointment({ db: app.db, now: clock.now, events: crashed.events }, {
        brand, slot: { brand, service, mode: 'in_store', store, home: null, start: new Date('2027-03-02T09:00:00Z') },
        customer: { name: 'Ada Lovelace', email: 'orphan@example.com', phone: null, locale: 'en', timeZone: 'Europe/Paris' },
        customerTimeZone: 'Europe/Paris', notes: '', channel: 'web', conversationId: null, idempotencyKey: null, actor: { kind: 'customer' },
      });
      clock.advanceMinutes(1);
      await confirmationRendered(app.db, a.id);
      const kinds = await app.db.query<{ kind: string }>('SELECT kind FROM messages WHERE idempotency_key LIKE $1 ORDER BY seq', [`%:${a.id}:%`]);
      expect(kinds.map((m) => m.kind)).toEqual(['confirmed', 'staff_confirmed', 'staff_confirmed']);
    } finally {
      await app.close();
    }
  }, 60_000);
});
