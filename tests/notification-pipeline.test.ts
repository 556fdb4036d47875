import { randomUUID } from 'node:crypto';
import type { Database } from '../models/database.ts';
import { findBrand, type Brand } from '../models/brands.repository.ts';
import { findService, findStore, type Mode } from '../models/catalogue.repository.ts';
import { listStatuses } from '../models/statuses.repository.ts';
import { upsertTemplate } from '../models/templates.repository.ts';
import { seedDemo } from '../models/seed.ts';
import { bookAppointment, cancelAppointment, rescheduleAppointment, type BookingDeps } from '../scheduling/booking.ts';
import type { BookingEventSink } from '../scheduling/booking-events.ts';
import { changeStatus } from '../scheduling/status-workflow.ts';
import { createDeliveryQueue, type DeliveryQueue, type DeliveryQueueOptions } from '../notifications/delivery-queue.ts';
import { createDeliveryWorkers } from '../notifications/delivery-worker.ts';
import { PermanentDeliveryError, TransientDeliveryError, type ProviderOutgoingMessage } from '../notifications/delivery-errors.ts';
import { localTransports } from '../notifications/message-sender.ts';
import { queuedTransport } from '../notifications/queued.transport.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import type { OutgoingMessage, Transport } from '../notifications/transport.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { confirmationRendered, openTestDeliveryQueue, productNotifications } from './support/notifications.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';

// Monday 1 March 2027, 08:00 in Paris (UTC+1 until 28 March).
const START = '2027-03-01T07:00:00Z';
const clock = testClock(START);

interface MessageRow {
  id: string;
  kind: string;
  channel: string;
  recipient: string;
  status: string;
  provider: string;
  provider_id: string | null;
  error: string | null;
  note: string | null;
  subject: string | null;
  body_text: string;
  attachments: { filename: string; contentType: string; contentBase64: string }[];
  idempotency_key: string;
}

interface ScheduledRow {
  kind: string;
  channel: string;
  position: number;
  send_at: Date;
  for_start_at: Date;
  status: string;
  note: string | null;
  job_id: string | null;
}

const ics = (m: MessageRow) => m.attachments.map((a) => Buffer.from(a.contentBase64, 'base64').toString('utf8')).join('\n');

/** A transport that records what it is given; fail decides per call whether (and how) it throws. */
function recordingTransport(name: string, fail: (call: number) => Error | null = () => null) {
  const sent: OutgoingMessage[] = [];
  let calls = 0;
  const transport: Transport = {
    name,
    async send(message) {
      calls++;
      const error = fail(calls);
      if (error) throw error;
      sent.push(message);
      return { id: `${name}-${sent.length}` };
    },
  };
  return { transport, sent, calls: () => calls };
}

describe.each(DATABASE_KINDS)('notification pipeline on %s', (kind) => {
  let db: Database;
  let brand: Brand;
  let bossSchema: string;
  let closeQueue: () => Promise<void>;
  let queueOptions: DeliveryQueueOptions;
  let queue: DeliveryQueue;
  let deps: BookingDeps;
  let notifications: ReturnType<typeof productNotifications>;
  let workers: ReturnType<typeof createDeliveryWorkers>;
  const links = createSignedLinks({ baseUrl: 'http://rdv.test', secret: 's'.repeat(32), now: clock.now });

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db, { allowedOrigins: [] });
    brand = (await findBrand(db, 'demo'))!;
    ({ queue, schema: bossSchema, options: queueOptions, close: closeQueue } = await openTestDeliveryQueue(db, kind, clock.now));
    notifications = productNotifications({ db, links, queue, now: clock.now });
    deps = { db, now: clock.now, events: notifications.events };
    workers = createDeliveryWorkers({ db, links, queue, now: clock.now });
  });
  afterAll(async () => {
    await notifications.outbox.stop();
    await closeQueue();
    await db.close();
  });
  beforeEach(() => clock.set(START));

  async function book(o: {
    start: string; email?: string | null; phone?: string | null; service?: string; store?: string; mode?: Mode; with?: BookingDeps; channel?: string;
  }) {
    const service = (await findService(db, 'demo', o.service ?? 'showroom-visit'))!;
    const mode = o.mode ?? 'in_store';
    const store = mode === 'in_store' ? await findStore(db, 'demo', o.store ?? 'paris-opera') : null;
    const { appointment } = await bookAppointment(o.with ?? deps, {
      brand,
      slot: { brand, service, mode, store, home: null, start: new Date(o.start) },
      customer: { name: 'Ada Lovelace', email: o.email === undefined ? 'ada@example.com' : o.email, phone: o.phone ?? null, locale: 'en', timeZone: 'Europe/Paris' },
      customerTimeZone: 'Europe/Paris', notes: '', channel: o.channel ?? 'api', conversationId: null, idempotencyKey: null, actor: { kind: 'customer' },
    });
    // Its messages and reminders are rendered after the commit, in the background.
    if ((o.with ?? deps).events?.outbox) await confirmationRendered(db, appointment.id);
    return appointment;
  }

  const messagesOf = (appointmentId: string) =>
    db.query<MessageRow>('SELECT * FROM messages WHERE idempotency_key LIKE $1 ORDER BY seq', [`%:${appointmentId}:%`]);
  const scheduleOf = (appointmentId: string) =>
    db.query<ScheduledRow>('SELECT * FROM scheduled_notifications WHERE appointment_id = $1 ORDER BY for_start_at, kind, position, channel', [appointmentId]);
  const statusId = async (serviceSlug: string, statusKind: string) => {
    const service = (await findService(db, 'demo', serviceSlug))!;
    return (await listStatuses(db, service.id)).find((s) => s.kind === statusKind)!.id;
  };

  test('a direct booking queues the confirmation with its invite, and the worker sends it', async () => {
    const a = await book({ start: '2027-03-02T09:00:00Z', email: 'direct@example.com' });
    const queued = await messagesOf(a.id);
    expect(queued.map((m) => [m.kind, m.recipient, m.status])).toEqual([
      ['confirmed', 'direct@example.com', 'queued'],
      ['staff_confirmed', expect.stringMatching(/@atelier-lumiere\.example$/), 'queued'],
      ['staff_confirmed', 'paris@atelier-lumiere.example', 'queued'],
    ]);
    const confirmation = queued[0]!;
    expect(confirmation.idempotency_key).toBe(`confirmed:${a.id}:${a.version}:customer:email`);
    expect(confirmation.attachments[0]).toMatchObject({ filename: 'invite.ics' });
    expect(ics(confirmation)).toContain('METHOD:REQUEST');
    expect(ics(confirmation)).toContain(`UID:${a.id}@rendezvous`);

    const run = await queue.runDue(workers);
    expect(run.failed).toBe(0);
    const sent = await messagesOf(a.id);
    expect(sent.map((m) => [m.status, m.provider])).toEqual([['sent', 'local'], ['sent', 'local'], ['sent', 'local']]);
    // Nothing is left to send, and nothing is sent twice.
    expect((await queue.runDue(workers)).completed).toBe(0);
    expect(await messagesOf(a.id)).toHaveLength(3);
  });

  test('a request sends request_received to the customer and staff_request where the store routes it', async () => {
    const store = (await findStore(db, 'demo', 'paris-opera'))!;
    const booked: string[] = [];
    const cases = [
      ['store', '2027-03-03T08:00:00Z', 'paris@atelier-lumiere.example'],
      ['salesman', '2027-03-03T10:00:00Z', null],
      ['headquarters', '2027-03-03T13:00:00Z', 'hq@atelier-lumiere.example'],
    ] as const;
    await db.query(`UPDATE brands SET settings = settings || '{"headquartersEmail":"hq@atelier-lumiere.example"}' WHERE id = 'demo'`);
    try {
      for (const [routing, start, expected] of cases) {
        await db.query('UPDATE stores SET notification_routing = $2 WHERE id = $1', [store.id, routing]);
        const a = await book({ service: 'design-consultation', start, email: `request-${routing}@example.com` });
        expect(a.state).toBe('pending');
        booked.push(a.id);
        const [staff] = await db.query<{ email: string }>('SELECT email FROM staff WHERE id = $1', [a.staffId]);
        const messages = await messagesOf(a.id);
        expect(messages.map((m) => m.kind)).toEqual(['request_received', 'staff_request']);
        expect(messages[0]!.recipient).toBe(`request-${routing}@example.com`);
        expect(messages[0]!.attachments).toEqual([]);
        expect(messages[1]!.recipient).toBe(expected ?? staff!.email);
        // A request is not confirmed: no reminders yet.
        expect(await scheduleOf(a.id)).toEqual([]);
      }
    } finally {
      await db.query(`UPDATE stores SET notification_routing = 'store' WHERE id = $1`, [store.id]);
      await db.query(`UPDATE brands SET settings = settings - 'headquartersEmail' WHERE id = 'demo'`);
    }
    await queue.runDue(workers);
    for (const id of booked) expect((await messagesOf(id)).map((m) => m.status)).toEqual(['sent', 'sent']);
  });

  test('confirming a request through changeStatus sends confirmed and staff_confirmed, and plans the reminder', async () => {
    const a = await book({ service: 'design-consultation', start: '2027-03-04T09:00:00Z', email: 'confirm@example.com' });
    const confirmed = await changeStatus(deps, {
      brand, appointmentId: a.id, statusId: await statusId('design-consultation', 'confirmation'), reason: null, actor: { kind: 'staff', id: a.staffId },
    });
    expect(confirmed.state).toBe('confirmed');
    const messages = (await messagesOf(a.id)).filter((m) => m.idempotency_key.includes(`:${confirmed.version}:`));
    expect(messages.map((m) => m.kind).sort()).toEqual(['confirmed', 'staff_confirmed', 'staff_confirmed']);
    const customer = messages.find((m) => m.kind === 'confirmed')!;
    expect(customer.recipient).toBe('confirm@example.com');
    expect(ics(customer)).toContain('METHOD:REQUEST');
    expect((await scheduleOf(a.id)).map((s) => [s.kind, s.send_at.toISOString(), s.status])).toEqual([
      ['follow_up', '2027-03-05T10:00:00.000Z', 'scheduled'],
      ['reminder', '2027-03-03T09:00:00.000Z', 'scheduled'],
    ]);
    // An intermediate status tells no one.
    const b = await book({ service: 'design-consultation', start: '2027-03-04T13:00:00Z', email: 'checking@example.com' });
    const checking = (await listStatuses(db, b.serviceId)).filter((s) => s.kind === 'start')[1]!;
    await changeStatus(deps, { brand, appointmentId: b.id, statusId: checking.id, reason: null, actor: { kind: 'staff', id: b.staffId } });
    expect((await messagesOf(b.id)).map((m) => m.kind)).toEqual(['request_received', 'staff_request']);
  });

  test('a status of kind cancellation sends the rejection with its reason', async () => {
    const a = await book({ service: 'design-consultation', start: '2027-03-05T09:00:00Z', email: 'reject@example.com' });
    await changeStatus(deps, {
      brand, appointmentId: a.id, statusId: await statusId('design-consultation', 'cancellation'),
      reason: 'The showroom is closed for inventory.', actor: { kind: 'staff', id: a.staffId },
    });
    const messages = await messagesOf(a.id);
    const rejection = messages.find((m) => m.kind === 'cancelled')!;
    expect(rejection.recipient).toBe('reject@example.com');
    expect(rejection.body_text).toContain('The showroom is closed for inventory.');
    // Never confirmed: there is no calendar entry to remove.
    expect(rejection.attachments).toEqual([]);
    expect(messages.filter((m) => m.kind === 'staff_cancelled').length).toBeGreaterThan(0);

    // A confirmed appointment cancelled: the invite is withdrawn (METHOD:CANCEL, same UID).
    const b = await book({ start: '2027-03-05T13:00:00Z', email: 'cancel@example.com' });
    await cancelAppointment(deps, { brand, appointmentId: b.id, reason: 'Sick child', actor: { kind: 'customer' } });
    const cancellation = (await messagesOf(b.id)).find((m) => m.kind === 'cancelled')!;
    expect(cancellation.body_text).toContain('Sick child');
    expect(ics(cancellation)).toContain('METHOD:CANCEL');
    expect(ics(cancellation)).toContain(`UID:${b.id}@rendezvous`);
    await queue.runDue(workers);
    expect((await messagesOf(b.id)).every((m) => m.status === 'sent')).toBe(true);
  });

  test('a booking rolled back by a sink told in its transaction leaves no event, message, schedule or job', async () => {
    const jobs = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${bossSchema}".job`))[0]!.n);
    const before = await jobs();
    const outboxEvents = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM booking_outbox'))[0]!.n);
    const eventsBefore = await outboxEvents();
    const sink = deps.events!;
    const failing: BookingEventSink = {
      async handle(tx, event) {
        await sink.handle(tx, event);
        throw new Error('something later in the booking failed');
      },
    };
    await expect(book({ start: '2027-03-08T09:00:00Z', email: 'rollback@example.com', with: { ...deps, events: failing } }))
      .rejects.toThrow('something later in the booking failed');
    expect(await db.query(`SELECT 1 FROM messages WHERE recipient = 'rollback@example.com'`)).toEqual([]);
    expect(await db.query(`SELECT 1 FROM appointments a JOIN customers c ON c.id = a.customer_id WHERE c.email = 'rollback@example.com'`)).toEqual([]);
    expect(await outboxEvents()).toBe(eventsBefore);
    expect(await jobs()).toBe(before);
  });

  test('reminders: planned at start − 24 h, moved on reschedule, dropped on cancel, sent when due', async () => {
    const a = await book({ start: '2027-03-09T09:00:00Z', email: 'remind@example.com' });
    const reminder = () => scheduleOf(a.id).then((rows) => rows.filter((r) => r.kind === 'reminder'));
    expect((await reminder()).map((r) => [r.send_at.toISOString(), r.for_start_at.toISOString(), r.status])).toEqual([
      ['2027-03-08T09:00:00.000Z', '2027-03-09T09:00:00.000Z', 'scheduled'],
    ]);

    const moved = await rescheduleAppointment(deps, { brand, appointmentId: a.id, start: new Date('2027-03-10T10:00:00Z'), actor: { kind: 'customer' } });
    expect((await reminder()).map((r) => [r.send_at.toISOString(), r.status])).toEqual([
      ['2027-03-08T09:00:00.000Z', 'cancelled'],
      ['2027-03-09T10:00:00.000Z', 'scheduled'],
    ]);
    const rescheduled = (await messagesOf(a.id)).find((m) => m.kind === 'rescheduled')!;
    expect(ics(rescheduled)).toContain(`UID:${a.id}@rendezvous`);
    expect(ics(rescheduled)).toContain(`SEQUENCE:${moved.version}`);

    // The old time passes: nothing goes out for it.
    clock.set('2027-03-08T09:30:00Z');
    await queue.runDue(workers);
    expect((await messagesOf(a.id)).filter((m) => m.kind === 'reminder')).toEqual([]);
    // One minute early, still nothing; on time, the reminder with its invite.
    clock.set('2027-03-09T09:59:00Z');
    await queue.runDue(workers);
    expect((await messagesOf(a.id)).filter((m) => m.kind === 'reminder')).toEqual([]);
    clock.set('2027-03-09T10:00:00Z');
    await queue.runDue(workers);
    const [sent] = (await messagesOf(a.id)).filter((m) => m.kind === 'reminder');
    expect(sent).toMatchObject({ recipient: 'remind@example.com', status: 'sent' });
    expect(ics(sent!)).toContain('METHOD:REQUEST');
    expect((await reminder()).map((r) => r.status)).toEqual(['cancelled', 'sent']);

    // Cancelled: everything still planned is dropped.
    clock.set(START);
    const b = await book({ start: '2027-03-11T09:00:00Z', email: 'dropped@example.com' });
    expect((await scheduleOf(b.id)).map((r) => r.status)).toEqual(['scheduled', 'scheduled']);
    await cancelAppointment(deps, { brand, appointmentId: b.id, reason: 'Changed my mind', actor: { kind: 'customer' } });
    expect((await scheduleOf(b.id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    clock.set('2027-03-13T00:00:00Z');
    await queue.runDue(workers);
    expect((await messagesOf(b.id)).filter((m) => m.kind === 'reminder' || m.kind === 'follow_up')).toEqual([]);
  });

  test('no reminder is planned when its time has already passed', async () => {
    // Booked at 08:00 Paris for 16:00 the same day: 24 h before is in the past.
    const a = await book({ start: '2027-03-01T15:00:00Z', email: 'late@example.com' });
    expect((await scheduleOf(a.id)).map((r) => r.kind)).toEqual(['follow_up']);
  });

  test('SMS confirmation and SMS reminder when the service turns them on', async () => {
    const service = (await findService(db, 'demo', 'showroom-visit'))!;
    await db.query('UPDATE services SET notification_settings = $2 WHERE id = $1', [service.id, JSON.stringify({
      smsReminder: { enabled: true, offsetMinutes: 120 }, confirmationChannels: { email: true, sms: true }, followUps: [],
    })]);
    try {
      const a = await book({ start: '2027-03-12T09:00:00Z', email: 'texts@example.com', phone: '+33611111111' });
      const customer = (await messagesOf(a.id)).filter((m) => m.kind === 'confirmed');
      expect(customer.map((m) => [m.channel, m.recipient])).toEqual([['email', 'texts@example.com'], ['sms', '+33611111111']]);
      expect(customer[1]!.attachments).toEqual([]);
      expect((await scheduleOf(a.id)).map((r) => [r.channel, r.send_at.toISOString()])).toEqual([
        ['email', '2027-03-11T09:00:00.000Z'],
        ['sms', '2027-03-12T07:00:00.000Z'],
      ]);
    } finally {
      await db.query('UPDATE services SET notification_settings = NULL WHERE id = $1', [service.id]);
    }
  });

  test('text reminders follow the channel booked on (plus email), moved on reschedule, dropped on cancel; web bookings follow the settings', async () => {
    // The brand's text reminder is off (the default): only the booked channel asks for one.
    const a = await book({ start: '2027-03-15T09:00:00Z', email: 'whatsapp@example.com', phone: '+33622222222', channel: 'whatsapp' });
    const reminders = async (id: string) => (await scheduleOf(id)).filter((r) => r.kind === 'reminder').map((r) => [r.channel, r.send_at.toISOString(), r.status]);
    expect(await reminders(a.id)).toEqual([
      ['email', '2027-03-14T09:00:00.000Z', 'scheduled'],
      ['whatsapp', '2027-03-15T07:00:00.000Z', 'scheduled'],
    ]);
    await rescheduleAppointment(deps, { brand, appointmentId: a.id, start: new Date('2027-03-16T10:00:00Z'), actor: { kind: 'customer' } });
    expect(await reminders(a.id)).toEqual([
      ['email', '2027-03-14T09:00:00.000Z', 'cancelled'],
      ['whatsapp', '2027-03-15T07:00:00.000Z', 'cancelled'],
      ['email', '2027-03-15T10:00:00.000Z', 'scheduled'],
      ['whatsapp', '2027-03-16T08:00:00.000Z', 'scheduled'],
    ]);
    clock.set('2027-03-16T08:00:00Z');
    await queue.runDue(workers);
    // Both due at once; the WhatsApp one was checked by the channel rules when sent: this customer never
    // wrote on WhatsApp (window closed) and the brand has no template, so it went by SMS.
    const sent = (await messagesOf(a.id)).filter((m) => m.kind === 'reminder').map((m) => [m.channel, m.recipient, m.note]);
    expect(sent.sort()).toEqual([
      ['email', 'whatsapp@example.com', null], ['sms', '+33622222222', 'WhatsApp window closed: sent by SMS instead.'],
    ]);
    expect((await reminders(a.id)).map((r) => r[2])).toEqual(['cancelled', 'cancelled', 'sent', 'sent']);

    clock.set(START);
    const sms = await book({ start: '2027-03-17T09:00:00Z', email: null, phone: '+33633333333', channel: 'sms' });
    expect(await reminders(sms.id)).toEqual([['sms', '2027-03-17T07:00:00.000Z', 'scheduled']]);
    await cancelAppointment(deps, { brand, appointmentId: sms.id, reason: 'Changed my mind', actor: { kind: 'customer' } });
    expect(await reminders(sms.id)).toEqual([['sms', '2027-03-17T07:00:00.000Z', 'cancelled']]);

    // Booked on the web with a phone: email only, as the settings say.
    const web = await book({ start: '2027-03-18T09:00:00Z', email: 'web@example.com', phone: '+33644444444', channel: 'web' });
    expect(await reminders(web.id)).toEqual([['email', '2027-03-17T09:00:00.000Z', 'scheduled']]);
  });

  test('a process restart between scheduling and sending still sends each reminder exactly once', async () => {
    const a = await book({ start: '2027-03-16T09:00:00Z', email: 'restart@example.com' });
    await queue.runDue(workers);
    clock.set('2027-03-15T09:00:00Z');
    // The first process makes the reminder's job, then stops before running it.
    const first = await createDeliveryQueue(queueOptions);
    expect(await first.dispatchDue()).toBeGreaterThanOrEqual(1);
    await first.stop();
    expect((await scheduleOf(a.id)).find((r) => r.kind === 'reminder')!.job_id).not.toBeNull();
    // A fresh process on the same database picks the job up; running again finds nothing more.
    const second = await createDeliveryQueue(queueOptions);
    const secondWorkers = createDeliveryWorkers({ db, links, queue: second, now: clock.now });
    try {
      await second.runDue(secondWorkers);
      await second.runDue(secondWorkers);
      await queue.runDue(workers);
    } finally {
      await second.stop();
    }
    const reminders = (await messagesOf(a.id)).filter((m) => m.kind === 'reminder');
    expect(reminders.map((m) => m.status)).toEqual(['sent']);
  });

  test('the same delivery run twice (or enqueued twice) sends once', async () => {
    const provider = recordingTransport('provider');
    const providerWorkers = createDeliveryWorkers({
      db, links, queue, now: clock.now, transports: { ...localTransports(db, clock.now), email: provider.transport },
    });
    const a = await book({ start: '2027-03-17T09:00:00Z', email: 'twice@example.com' });
    const confirmation = (await messagesOf(a.id)).find((m) => m.kind === 'confirmed')!;
    // A second job for the same message, as a redelivered job would be.
    await db.transaction((tx) => queue.enqueueDelivery(tx, confirmation.id));
    const attempt = { retryCount: 0, final: false };
    await Promise.all([providerWorkers.deliver(confirmation.id, attempt), providerWorkers.deliver(confirmation.id, attempt)]);
    await queue.runDue(providerWorkers);
    expect(provider.sent.filter((m) => m.to === 'twice@example.com')).toHaveLength(1);
    const [row] = await db.query<MessageRow>('SELECT * FROM messages WHERE id = $1', [confirmation.id]);
    expect(row).toMatchObject({ status: 'sent', provider: 'provider', provider_id: expect.stringMatching(/^provider-/) });
    expect(provider.sent[0]).toMatchObject({ idempotencyKey: confirmation.idempotency_key, subject: confirmation.subject });
  });

  const code = (to: string, channel: 'email' | 'sms', key: string) => ({
    brandId: 'demo', channel, to, kind: 'otp', subject: channel === 'email' ? 'Your code' : null, text: 'Your code is 123456',
    html: null, attachments: [], idempotencyKey: key,
  });
  const jobsOf = (id: string) => db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${bossSchema}".job WHERE data->>'messageId' = $1`, [id]);

  test('a code email: recorded already claimed and sent at once, no job; a transient failure is queued again with its job', async () => {
    const provider = recordingTransport('provider');
    const providerWorkers = createDeliveryWorkers({ db, links, queue, now: clock.now, transports: { ...localTransports(db, clock.now), email: provider.transport } });
    const { id } = await queuedTransport({ db, queue, sender: providerWorkers.sender, now: clock.now }).send(code('code@example.com', 'email', 'otp:email-at-once'));
    expect(provider.sent.map((m) => m.to)).toEqual(['code@example.com']);
    expect((provider.sent[0] as ProviderOutgoingMessage)).toMatchObject({ messageId: id, attempt: 1, idempotencyKey: 'otp:email-at-once' });
    const [row] = await db.query<MessageRow & { attempts: number }>('SELECT * FROM messages WHERE id = $1', [id]);
    expect(row).toMatchObject({ status: 'sent', provider: 'provider', kind: 'otp', attempts: 1 });
    expect(await jobsOf(id)).toEqual([{ n: 0 }]);
    // The same key again (a double submit) sends nothing more.
    await queuedTransport({ db, queue, sender: providerWorkers.sender, now: clock.now }).send(code('code@example.com', 'email', 'otp:email-at-once'));
    expect(provider.sent).toHaveLength(1);

    const flaky = recordingTransport('provider', (call) => (call === 1 ? new TransientDeliveryError('sendgrid', 'SendGrid answered 503', 503) : null));
    const flakyWorkers = createDeliveryWorkers({ db, links, queue, now: clock.now, transports: { ...localTransports(db, clock.now), email: flaky.transport } });
    const retried = await queuedTransport({ db, queue, sender: flakyWorkers.sender, now: clock.now }).send(code('retry@example.com', 'email', 'otp:email-retried'));
    const [waiting] = await db.query<MessageRow>('SELECT * FROM messages WHERE id = $1', [retried.id]);
    expect(waiting).toMatchObject({ status: 'queued', error: 'SendGrid answered 503' });
    // Its job waits a retry delay on the database's clock; when it runs, the code goes.
    const [job] = await db.query<{ later: boolean }>(
      `SELECT start_after > now() + interval '20 seconds' AS later FROM "${bossSchema}".job WHERE data->>'messageId' = $1`, [retried.id]);
    expect(job).toEqual({ later: true });
    await flakyWorkers.deliver(retried.id, { retryCount: 0, final: false });
    expect(flaky.sent.map((m) => [m.to, (m as ProviderOutgoingMessage).attempt])).toEqual([['retry@example.com', 2]]);
  });

  test('a code email whose process died mid-send is sent again by the recovery sweep, once, with the same key', async () => {
    const dying: Transport = { name: 'provider', send: () => new Promise<{ id: string }>(() => undefined) };
    const dead = createDeliveryWorkers({ db, links, queue, now: clock.now, transports: { ...localTransports(db, clock.now), email: dying } });
    void queuedTransport({ db, queue, sender: dead.sender, now: clock.now }).send(code('dying@example.com', 'email', 'otp:email-crashed'));
    const rowOf = async () => (await db.query<{ id: string; status: string }>(`SELECT id, status FROM messages WHERE idempotency_key = 'otp:email-crashed'`))[0];
    await until(async () => (await rowOf())?.status === 'sending');
    const provider = recordingTransport('provider');
    const restarted = createDeliveryWorkers({ db, links, queue, now: clock.now, transports: { ...localTransports(db, clock.now), email: provider.transport } });
    clock.set(new Date(clock.now().getTime() + 31_000));
    expect((await queue.runDue(restarted)).recovered).toBe(1);
    await queue.runDue(restarted);
    expect(provider.sent.map((m) => [m.to, m.idempotencyKey, (m as ProviderOutgoingMessage).attempt])).toEqual([['dying@example.com', 'otp:email-crashed', 2]]);
    expect(await rowOf()).toMatchObject({ status: 'sent' });
  });

  test('a code text: its safety-net job committed first, then the row, sent at once; a job left without its message sends nothing', async () => {
    const phone = recordingTransport('provider');
    const providerWorkers = createDeliveryWorkers({ db, links, queue, now: clock.now, transports: { ...localTransports(db, clock.now), sms: phone.transport } });
    const { id } = await queuedTransport({ db, queue, sender: providerWorkers.sender, now: clock.now }).send(code('+33612345670', 'sms', 'otp:text-at-once'));
    expect(phone.sent.map((m) => m.to)).toEqual(['+33612345670']);
    const [row] = await db.query<MessageRow>('SELECT * FROM messages WHERE id = $1', [id]);
    expect(row).toMatchObject({ status: 'sent', provider: 'provider', kind: 'otp' });
    expect(await jobsOf(id)).toEqual([{ n: 1 }]);

    // What a crash between the two statements leaves: a due job whose message was never recorded.
    await queue.enqueueDeliveryAhead(randomUUID());
    const summary = await queue.runDue(providerWorkers);
    expect(summary.failed).toBe(0);
    expect(summary.completed).toBeGreaterThanOrEqual(1);
    expect(phone.sent).toHaveLength(1);
  });

  test('a send is claimed and committed before its provider is called, with the row id as idempotency token', async () => {
    const seen: { status: string; attempts: number; message: ProviderOutgoingMessage }[] = [];
    const observing: Transport = {
      name: 'provider',
      async send(message: ProviderOutgoingMessage) {
        // Read outside the sender: what another process (or a crash) would see at this moment.
        const [row] = await db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM messages WHERE id = $1', [message.messageId]);
        seen.push({ ...row!, message });
        return { id: 'provider-1' };
      },
    };
    const observed = createDeliveryWorkers({ db, links, queue, now: clock.now, transports: { ...localTransports(db, clock.now), email: observing } });
    const a = await book({ start: '2027-03-17T13:00:00Z', email: 'claimed@example.com' });
    const confirmation = (await messagesOf(a.id)).find((m) => m.kind === 'confirmed')!;
    await observed.deliver(confirmation.id, { retryCount: 0, final: false });
    expect(seen.map((s) => [s.status, s.attempts, s.message.messageId, s.message.attempt, s.message.idempotencyKey])).toEqual([
      ['sending', 1, confirmation.id, 1, confirmation.idempotency_key],
    ]);
    const [row] = await db.query<MessageRow & { attempts: number; claimed_at: Date | null }>('SELECT * FROM messages WHERE id = $1', [confirmation.id]);
    expect(row).toMatchObject({ status: 'sent', provider: 'provider', provider_id: 'provider-1', attempts: 1, claimed_at: null });
    await queue.runDue(workers);
  });

  /**
   * A booking whose confirmation email is being sent by a process that then dies mid-request (its
   * provider call never returns), and the workers of the process that comes after it.
   */
  async function interruptedConfirmation(email: string, start: string) {
    const dying: Transport = { name: 'provider', send: () => new Promise<{ id: string }>(() => undefined) };
    const dead = createDeliveryWorkers({ db, links, queue, now: clock.now, transports: { ...localTransports(db, clock.now), email: dying } });
    const provider = recordingTransport('provider');
    const restarted = createDeliveryWorkers({ db, links, queue, now: clock.now, transports: { ...localTransports(db, clock.now), email: provider.transport } });
    const a = await book({ start, email });
    const confirmation = (await messagesOf(a.id)).find((m) => m.kind === 'confirmed')!;
    void dead.deliver(confirmation.id, { retryCount: 0, final: false });
    const status = async () => (await db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM messages WHERE id = $1', [confirmation.id]))[0]!;
    await until(async () => (await status()).status === 'sending');
    return { confirmation, provider, restarted, status };
  }

  test('a send cut off by a dead process is sent again after the claim timeout, with the same token, once', async () => {
    const { confirmation, provider, restarted, status } = await interruptedConfirmation('interrupted@example.com', '2027-03-17T15:00:00Z');

    // While the claim is younger than the send timeout, it is someone's send in flight: left alone.
    clock.set(new Date(clock.now().getTime() + 29_000));
    expect((await queue.runDue(restarted)).recovered).toBe(0);
    expect(provider.sent.filter((m) => m.to === 'interrupted@example.com')).toEqual([]);
    expect(await status()).toEqual({ status: 'sending', attempts: 1 });

    clock.set(new Date(clock.now().getTime() + 2_000));
    expect((await queue.runDue(restarted)).recovered).toBe(1);
    await queue.runDue(restarted);
    const resent = provider.sent.filter((m) => m.to === 'interrupted@example.com') as ProviderOutgoingMessage[];
    expect(resent.map((m) => [m.messageId, m.attempt])).toEqual([[confirmation.id, 2]]);
    const [row] = await db.query<MessageRow & { attempts: number }>('SELECT * FROM messages WHERE id = $1', [confirmation.id]);
    expect(row).toMatchObject({ status: 'sent', provider: 'provider', attempts: 2, error: null });
  });

  test('an interrupted send the provider already reported on is not sent again', async () => {
    const { confirmation, provider, restarted } = await interruptedConfirmation('reported@example.com', '2027-03-17T16:00:00Z');
    // The provider had accepted it: its event webhook recorded an event for the message (one that moves no status).
    await db.query(
      `INSERT INTO delivery_events (provider, provider_event_id, message_id, event, payload) VALUES ('provider', 'evt-1', $1, 'group_resubscribe', '{}')`,
      [confirmation.id],
    );
    clock.set(new Date(clock.now().getTime() + 31_000));
    await queue.runDue(restarted);
    expect(provider.sent.filter((m) => m.to === 'reported@example.com')).toEqual([]);
    const [row] = await db.query<MessageRow & { attempts: number }>('SELECT * FROM messages WHERE id = $1', [confirmation.id]);
    expect(row).toMatchObject({ status: 'sent', provider: 'provider', attempts: 1 });
  });

  test('a permanent failure leaves the message failed with its error; a transient one is retried', async () => {
    await queue.runDue(workers);
    const broken = recordingTransport('sendgrid', () => new PermanentDeliveryError('sendgrid', 'SendGrid answered 400: to: invalid address', 400));
    const brokenWorkers = createDeliveryWorkers({ db, links, queue, now: clock.now, transports: { ...localTransports(db, clock.now), email: broken.transport } });
    const a = await book({ start: '2027-03-18T09:00:00Z', email: 'bounce@example.com' });
    const run = await queue.runDue(brokenWorkers);
    expect(run.failed).toBe(0);
    const [failed] = (await messagesOf(a.id)).filter((m) => m.kind === 'confirmed');
    expect(failed).toMatchObject({ status: 'failed', provider: 'sendgrid', error: 'SendGrid answered 400: to: invalid address' });
    // The customer's confirmation and the two staff copies, each tried once.
    expect(broken.calls()).toBe(3);

    // Transient: the row stays queued with the error, pg-boss keeps the job for a retry with backoff.
    const flaky = recordingTransport('sendgrid', () => new TransientDeliveryError('sendgrid', 'SendGrid answered 503', 503));
    const flakyWorkers = createDeliveryWorkers({ db, links, queue, now: clock.now, transports: { ...localTransports(db, clock.now), email: flaky.transport } });
    const b = await book({ start: '2027-03-18T13:00:00Z', email: 'flaky@example.com' });
    expect((await queue.runDue(flakyWorkers)).failed).toBe(3);
    const [waiting] = (await messagesOf(b.id)).filter((m) => m.kind === 'confirmed');
    expect(waiting).toMatchObject({ status: 'queued', error: 'SendGrid answered 503' });
    const retries = await db.query<{ state: string; retry_limit: number; retry_backoff: boolean }>(
      `SELECT state, retry_limit, retry_backoff FROM "${bossSchema}".job WHERE name = 'notification-delivery' AND data->>'messageId' = $1`, [waiting!.id],
    );
    expect(retries).toEqual([{ state: 'retry', retry_limit: 5, retry_backoff: true }]);
    // The last attempt gives up visibly.
    await expect(flakyWorkers.deliver(waiting!.id, { retryCount: 5, final: true })).resolves.toBeUndefined();
    const [gaveUp] = await db.query<MessageRow>('SELECT * FROM messages WHERE id = $1', [waiting!.id]);
    expect(gaveUp).toMatchObject({ status: 'failed', error: 'SendGrid answered 503' });
  });

  test('a follow-up with onlyIfNotRebooked is skipped when the customer booked again', async () => {
    const service = (await findService(db, 'demo', 'video-advice'))!;
    await db.query('UPDATE services SET notification_settings = $2 WHERE id = $1', [service.id, JSON.stringify({
      reminders: [], followUps: [{ offsetMinutes: 60, onlyIfNotRebooked: true }],
    })]);
    await upsertTemplate(db, { brandId: 'demo', event: 'follow_up', locale: 'en', channel: 'email', subject: 'How was it?', body: '<p>Thanks {{customerName}}!</p>' });
    try {
      const loyal = await book({ service: 'video-advice', mode: 'online', start: '2027-03-19T09:00:00Z', email: 'loyal@example.com' });
      const once = await book({ service: 'video-advice', mode: 'online', start: '2027-03-19T09:00:00Z', email: 'once@example.com' });
      clock.advanceMinutes(5);
      await book({ service: 'video-advice', mode: 'online', start: '2027-03-26T09:00:00Z', email: 'loyal@example.com' });
      clock.set('2027-03-19T10:20:00Z');
      await queue.runDue(workers);
      expect((await scheduleOf(loyal.id)).map((r) => [r.kind, r.status, r.note])).toEqual([['follow_up', 'skipped', 'customer booked again']]);
      expect((await messagesOf(loyal.id)).filter((m) => m.kind === 'follow_up')).toEqual([]);
      const [followUp] = (await messagesOf(once.id)).filter((m) => m.kind === 'follow_up');
      expect(followUp).toMatchObject({ recipient: 'once@example.com', status: 'sent', subject: 'How was it?' });
    } finally {
      await db.query('UPDATE services SET notification_settings = NULL WHERE id = $1', [service.id]);
      await db.query(`DELETE FROM message_templates WHERE brand_id = 'demo' AND event = 'follow_up'`);
    }
  });

  test('follow-ups stay silent while their template is empty (the default)', async () => {
    const a = await book({ start: '2027-03-22T09:00:00Z', email: 'silent@example.com' });
    clock.set('2027-03-23T10:00:00Z');
    await queue.runDue(workers);
    const followUp = (await scheduleOf(a.id)).find((r) => r.kind === 'follow_up')!;
    expect([followUp.status, followUp.note]).toEqual(['skipped', 'empty template']);
    expect((await messagesOf(a.id)).map((m) => m.kind)).not.toContain('follow_up');
  });

  test('in production, polling workers deliver without runDue', async () => {
    const live = await createDeliveryQueue({ ...queueOptions, pollingIntervalSeconds: 0.5 });
    await live.start(createDeliveryWorkers({ db, links, queue: live, now: clock.now }));
    try {
      const a = await book({ start: '2027-03-24T09:00:00Z', email: 'live@example.com' });
      const deadline = Date.now() + 15_000;
      let statuses: string[] = [];
      while (Date.now() < deadline) {
        statuses = (await messagesOf(a.id)).map((m) => m.status);
        if (statuses.every((s) => s === 'sent')) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(statuses).toEqual(['sent', 'sent', 'sent']);
    } finally {
      await live.stop();
    }
  });
});
