import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import type { Database } from '../models/database.ts';
import { seedDemo, DEMO_BRAND_ID } from '../models/seed.ts';
import { findBrand, type Brand } from '../models/brands.repository.ts';
import { findAppointment, statusHistory, type Appointment } from '../models/appointments.repository.ts';
import { rescheduleAppointment, type BookingDeps } from '../scheduling/booking.ts';
import type { DeliveryQueue } from '../notifications/delivery-queue.ts';
import { createSignedLinks, type LinkAction, type SignedLinks } from '../notifications/signed-links.ts';
import { errorHandler } from '../server/http-errors.ts';
import { appointmentPageRoutes } from '../server/routes/appointment-pages.routes.ts';
import { bookAsCustomer } from './support/booking.ts';
import { confirmationRendered, openTestDeliveryQueue, productNotifications } from './support/notifications.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';
import { getPage as get, postForm as post, proofOf } from './support/pages.ts';

/**
 * Signed links and their forms act on the version of the appointment they were made for, checked
 * under the row lock: parallel submits of one form change it once, and a change retires every
 * earlier link for good, even when a later change brings the appointment back where it was.
 */

// Monday 1 March 2027, 08:00 in Paris.
const START = '2027-03-01T07:00:00Z';
const clock = testClock(START);

/** The start times a picker page offers. */
const offeredStarts = (page: string) => [...page.matchAll(/start=([^"&]+)/g)].map((m) => decodeURIComponent(m[1]!));
const decode = (s: string) => s.replace(/&amp;/g, '&');

describe.each(DATABASE_KINDS)('links bound to the appointment version on %s', (kind) => {
  let db: Database;
  let brand: Brand;
  let queue: DeliveryQueue;
  let closeQueue: () => Promise<void>;
  let server: Server;
  let links: SignedLinks;
  let deps: BookingDeps;
  let notifications: ReturnType<typeof productNotifications>;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db, { allowedOrigins: [] });
    brand = (await findBrand(db, DEMO_BRAND_ID))!;
    ({ queue, close: closeQueue } = await openTestDeliveryQueue(db, kind, clock.now));
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    links = createSignedLinks({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, secret: 'v'.repeat(40), now: clock.now });
    // The real notifications: every change records its messages in its own transaction, a booking just after its commit.
    notifications = productNotifications({ db, links, queue, now: clock.now });
    deps = { db, now: clock.now, events: notifications.events };
    const app = express();
    app.use(appointmentPageRoutes({ ...deps, links, formKey: 'version-test-form-key' }));
    app.use(errorHandler(pino({ level: 'silent' })));
    server.on('request', app);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await notifications.outbox.stop();
    await closeQueue();
    await db.close();
  });

  let customerNo = 0;
  const book = async (start: string): Promise<Appointment> => {
    customerNo += 1;
    const a = await bookAsCustomer(deps, brand, {
      service: 'showroom-visit', store: 'paris-opera', mode: 'in_store', start,
      customer: { name: `Grace Hopper ${customerNo}`, email: `grace${customerNo}@example.com`, phone: null },
    });
    await confirmationRendered(db, a.id);
    return a;
  };
  const link = (action: LinkAction, a: Appointment) => links.url(action, a);
  /** Emails telling the customer of the appointment (each customer books one) that it moved. */
  const rescheduledEmails = async (a: Appointment) => (await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages m JOIN customers c ON c.email = m.recipient
      WHERE m.kind = 'rescheduled' AND m.channel = 'email' AND c.id = $1`,
    [a.customerId],
  ))[0]!.n;

  test('8 parallel submits of one reschedule link: exactly one move and one email, the others get a 409 page', async () => {
    const a = await book('2027-03-09T09:00:00Z');
    const picker = await get(link('reschedule', a) + '?from=2027-03-10');
    const starts = [...new Set(offeredStarts(picker.text))].filter((s) => s.startsWith('2027-03-1')).slice(0, 8);
    expect(starts).toHaveLength(8);
    const confirm = await get(link('reschedule', a) + `?start=${encodeURIComponent(starts[0]!)}`);
    expect(confirm.status).toBe(200);
    const proof = proofOf(confirm.text);

    // One link, one form proof, eight different times, all at once.
    const answers = await Promise.all(starts.map((start) => post(link('reschedule', a), { proof, start })));

    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    for (const lost of answers.filter((r) => r.status === 409)) expect(lost.text).toContain('This appointment has just changed');
    const after = (await findAppointment(db, brand.id, a.id))!;
    expect(after.version).toBe(a.version + 1);
    expect(starts).toContain(after.startAt.toISOString());
    const moves = (await statusHistory(db, a.id)).filter((h) => h.reason?.startsWith('Rescheduled'));
    expect(moves).toHaveLength(1);
    expect(await rescheduledEmails(a)).toBe(1);
  });

  test('A → B → A leaves the first links dead: they show where it stands and its current page, and never act', async () => {
    const a = await book('2027-03-16T09:00:00Z');
    const first = {
      manage: link('manage', a), reschedule: link('reschedule', a), cancel: link('cancel', a),
      staffReschedule: link('staff-reschedule', a), join: link('join', a),
    };
    const cancelForm = await get(first.cancel);
    const confirmB = await get(first.reschedule + '?start=2027-03-16T13%3A00%3A00.000Z');
    expect(confirmB.status).toBe(200);
    const toB = await post(first.reschedule, { proof: proofOf(confirmB.text), start: '2027-03-16T13:00:00.000Z' });
    expect(toB.status).toBe(200);
    // Staff move it back to A: the start is A again, the version is not.
    const back = await rescheduleAppointment(deps, { brand, appointmentId: a.id, start: a.startAt, actor: { kind: 'staff', id: a.staffId } });
    expect(back.startAt.toISOString()).toBe(a.startAt.toISOString());
    expect(back.version).toBe(a.version + 2);

    for (const url of [first.manage, first.reschedule, first.cancel, first.staffReschedule, first.join]) {
      const page = await get(url);
      expect(page.status).toBe(410);
      expect(page.text).toContain('This link is out of date');
      expect(page.text).not.toContain('name="proof"');
    }
    // The old forms, posted again, change nothing.
    expect((await post(first.cancel, { proof: proofOf(cancelForm.text), reason: 'old form' })).status).toBe(409);
    expect((await post(first.reschedule, { proof: proofOf(confirmB.text), start: '2027-03-16T13:00:00.000Z' })).status).toBe(409);
    const now = (await findAppointment(db, brand.id, a.id))!;
    expect(now).toMatchObject({ state: 'confirmed', version: back.version });
    expect(now.startAt.toISOString()).toBe(a.startAt.toISOString());

    // The stale page leads to the current appointment page, which works.
    const stale = await get(first.manage);
    expect(decode(stale.text)).toContain(link('manage', back));
    expect(decode(stale.text)).not.toContain(first.manage);
    expect((await get(link('manage', back))).status).toBe(200);
  });

  test('links minted before versions (start-bound) act while the appointment is unchanged, and are stale after a change', async () => {
    const a = await book('2027-03-23T09:00:00Z');
    const legacy = (action: LinkAction) => {
      const url = new URL(link(action, a));
      const payload = Buffer.from(JSON.stringify([a.id, action, a.startAt.getTime(), a.startAt.getTime() + 30 * 86_400_000])).toString('base64url');
      const signature = createHmac('sha256', 'v'.repeat(40)).update(payload).digest('base64url');
      return `${url.origin}/a/${payload}.${signature}/${action}`;
    };
    expect((await get(legacy('manage'))).status).toBe(200);
    await rescheduleAppointment(deps, { brand, appointmentId: a.id, start: new Date('2027-03-23T13:00:00Z'), actor: { kind: 'customer' } });
    const stale = await get(legacy('manage'));
    expect(stale.status).toBe(410);
    expect(stale.text).toContain('This link is out of date');
  });
});
