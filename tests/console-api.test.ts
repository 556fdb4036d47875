import type { Database } from '../models/database.ts';
import { findBrand, type Brand } from '../models/brands.repository.ts';
import { findStore, type Store } from '../models/catalogue.repository.ts';
import type { Appointment } from '../models/appointments.repository.ts';
import { appendEntry, createWebConversation } from '../models/conversations.repository.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import { DEMO_ADMIN, seedDemoStaffAccounts, type DemoLogin } from '../models/seed-staff.ts';
import { insertConsoleTask } from '../models/staff-accounts.repository.ts';
import { bookAsCustomer } from './support/booking.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';
import { signIn, startConsoleServer, type ConsoleClient, type ConsoleServer } from './support/console.ts';

// Monday 1 March 2027, 08:00 in Paris.
const START = '2027-03-01T07:00:00Z';
const clock = testClock(START);
const TEST_PARAMS = { N: 2 ** 14, r: 8, p: 1 };
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe.each(DATABASE_KINDS)('console API on %s', (kind) => {
  let db: Database;
  let server: ConsoleServer;
  let logins: DemoLogin[];
  let brand: Brand;
  let paris: Store;
  let lyon: Store;
  const changes: [string, string][] = [];
  /** Admin; Camille (Paris manager); Lucas (Paris agent); Hugo (Lyon agent). */
  let admin: ConsoleClient;
  let camille: ConsoleClient;
  let lucas: ConsoleClient;
  let hugo: ConsoleClient;

  const as = (email: string) => {
    const l = logins.find((x) => x.email === email)!;
    return signIn(server, l.email, l.password);
  };

  /** A booking made by a customer (the bot or the widget), optionally at another time of the clock. */
  const book = (o: {
    service: string; store: Store | null; start: string; mode?: 'in_store' | 'online' | 'at_home';
    customer?: { name: string; email?: string; phone?: string; locale?: 'en' | 'fr' }; conversationId?: string; at?: string;
  }): Promise<Appointment> =>
    bookAsCustomer({ db, now: () => new Date(o.at ?? clock.now()) }, brand, {
      service: o.service, store: o.store, start: o.start, mode: o.mode,
      customer: o.customer ?? { name: 'Ada Lovelace', email: 'ada@example.com' }, conversationId: o.conversationId,
    });

  const ids = (reply: { body: { appointments: { id: string }[] } }) => reply.body.appointments.map((a) => a.id);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db, { allowedOrigins: [] });
    logins = await seedDemoStaffAccounts(db, { passwordParams: TEST_PARAMS });
    server = await startConsoleServer(db, clock.now, { onChange: (b, a) => changes.push([b, a]) });
    brand = (await findBrand(db, DEMO_BRAND_ID))!;
    paris = (await findStore(db, brand.id, 'paris-opera'))!;
    lyon = (await findStore(db, brand.id, 'lyon-bellecour'))!;
    admin = await as(DEMO_ADMIN.email);
    camille = await as('camille.martin@atelier-lumiere.example');
    lucas = await as('lucas.bernard@atelier-lumiere.example');
    hugo = await as('hugo.laurent@atelier-lumiere.example');
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });
  beforeEach(() => clock.set(START));

  test('an agent of Paris sees Paris appointments only: a Lyon one is 403, an unknown one 404', async () => {
    const parisRequest = await book({ service: 'design-consultation', store: paris, start: '2027-03-02T09:00:00Z' });
    const lyonVisit = await book({ service: 'showroom-visit', store: lyon, start: '2027-03-02T09:00:00Z', customer: { name: 'Blaise Pascal', email: 'blaise@example.com' } });

    const mine = await lucas.get('/appointments?view=upcoming');
    expect(mine.status).toBe(200);
    expect(ids(mine)).toContain(parisRequest.id);
    expect(ids(mine)).not.toContain(lyonVisit.id);
    const item = mine.body.appointments.find((a: { id: string }) => a.id === parisRequest.id);
    expect(item).toMatchObject({
      state: 'pending',
      isRequest: true,
      customer: { name: 'Ada Lovelace' },
      service: { slug: 'design-consultation', name: 'Kitchen design consultation' },
      store: { id: paris.id, name: 'Paris Opéra', timeZone: 'Europe/Paris' },
      start: '2027-03-02T09:00:00.000Z',
      end: '2027-03-02T10:00:00.000Z',
      timeZone: 'Europe/Paris',
      localStart: '2027-03-02T10:00:00+01:00',
      status: { name: 'Request received', color: '#1e88e5', kind: 'start' },
    });
    expect(['Camille Martin', 'Lucas Bernard']).toContain(item.staff.name);

    const denied = await lucas.get(`/appointments/${lyonVisit.id}`);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    expect((await lucas.get(`/appointments/${UNKNOWN_ID}`)).status).toBe(404);
    expect((await lucas.get('/appointments/not-an-id')).status).toBe(400);
    expect((await lucas.get(`/appointments?store=${lyon.id}`)).status).toBe(403);
    expect((await lucas.get(`/appointments/${lyonVisit.id}/slots`)).status).toBe(403);
    expect((await lucas.post(`/appointments/${lyonVisit.id}/cancel`, { reason: 'Not mine' })).status).toBe(403);
    expect((await lucas.post(`/appointments/${lyonVisit.id}/confirm`)).status).toBe(403);
    expect((await lucas.get('/appointments?view=upcoming&q=Blaise')).body.total).toBe(0);

    const theirs = await hugo.get('/appointments?view=upcoming');
    expect(ids(theirs)).toContain(lyonVisit.id);
    expect(ids(theirs)).not.toContain(parisRequest.id);
    expect((await hugo.get(`/appointments/${lyonVisit.id}`)).body.appointment.state).toBe('confirmed');

    const all = await admin.get('/appointments?view=upcoming');
    expect(ids(all)).toEqual(expect.arrayContaining([parisRequest.id, lyonVisit.id]));
    const onlyLyon = await admin.get(`/appointments?view=upcoming&store=${lyon.id}`);
    expect(ids(onlyLyon)).toEqual([lyonVisit.id]);
    const paged = await admin.get('/appointments?view=upcoming&limit=1&offset=1');
    expect(paged.body).toMatchObject({ total: 2, limit: 1, offset: 1 });
    expect(ids(paged)).toEqual([all.body.appointments[1].id]);
    expect((await admin.get('/appointments?view=someday')).body.error.field).toBe('view');
  });

  test('requests dashboard and status workflow: history newest first with actor names, rejection needs a reason', async () => {
    const conversation = await createWebConversation(db, brand.id, 'fr', 'Europe/Paris');
    await appendEntry(db, conversation.conversation.id, { sender: 'customer', text: 'Bonjour, je voudrais un rendez-vous.' });
    await appendEntry(db, conversation.conversation.id, { sender: 'bot', text: 'Avec plaisir !' });
    const request = await book({
      service: 'design-consultation', store: paris, start: '2027-03-03T09:00:00Z', conversationId: conversation.conversation.id,
      customer: { name: 'Émile Zola', email: 'emile@example.com', phone: '+33612345678', locale: 'fr' },
    });

    const requests = await lucas.get('/appointments?view=requests');
    expect(ids(requests)).toContain(request.id);

    const file = await lucas.get(`/appointments/${request.id}`);
    expect(file.status).toBe(200);
    expect(file.body.appointment.customer).toEqual({
      id: request.customerId, name: 'Émile Zola', email: 'emile@example.com', phone: '+33612345678',
      emailVerified: false, phoneVerified: false, locale: 'fr', timeZone: null,
    });
    expect(file.body.transcript.entries.map((e: { sender: string; text: string }) => [e.sender, e.text])).toEqual([
      ['customer', 'Bonjour, je voudrais un rendez-vous.'], ['bot', 'Avec plaisir !'],
    ]);
    const statuses = file.body.appointment.statuses as { id: string; name: string; kind: string }[];
    expect(statuses.map((s) => s.name)).toEqual(['Request received', 'Checking availability', 'Confirmed', 'Rejected']);
    const [received, checking, confirmed, rejected] = statuses;
    expect(file.body.history).toHaveLength(1);
    expect(file.body.history[0].actor).toEqual({ kind: 'customer', id: null, name: 'Émile Zola' });

    const step = await lucas.post(`/appointments/${request.id}/status`, { statusId: checking!.id });
    expect(step.status).toBe(200);
    expect(step.body.appointment).toMatchObject({ state: 'pending', status: { name: 'Checking availability' } });
    const noReason = await lucas.post(`/appointments/${request.id}/status`, { statusId: rejected!.id });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.field).toBe('reason');
    const foreign = await lucas.post(`/appointments/${request.id}/status`, { statusId: UNKNOWN_ID });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.field).toBe('statusId');

    const done = await camille.post(`/appointments/${request.id}/status`, { statusId: confirmed!.id, reason: 'Advisor available' });
    expect(done.body.appointment).toMatchObject({ state: 'confirmed', status: { name: 'Confirmed', color: '#43a047', kind: 'confirmation' } });
    // Confirmed requests leave the dashboard unless asked for.
    expect(ids(await lucas.get('/appointments?view=requests'))).not.toContain(request.id);
    const shown = await lucas.get('/appointments?view=requests&showConfirmed=true');
    expect(ids(shown)).toContain(request.id);

    const history = (await lucas.get(`/appointments/${request.id}`)).body.history as any[];
    expect(history.map((h) => [h.toStatus?.name, h.actor.name])).toEqual([
      ['Confirmed', 'Camille Martin'], ['Checking availability', 'Lucas Bernard'], ['Request received', 'Émile Zola'],
    ]);
    expect(history[0]).toMatchObject({ fromState: 'pending', toState: 'confirmed', reason: 'Advisor available', fromStatus: { id: checking!.id } });
    expect(history[0].actor).toMatchObject({ kind: 'staff' });

    const reject = await lucas.post(`/appointments/${request.id}/status`, { statusId: rejected!.id, reason: 'The showroom is closed for works' });
    expect(reject.body.appointment).toMatchObject({ state: 'cancelled', status: { name: 'Rejected' } });
    const after = (await lucas.get(`/appointments/${request.id}`)).body;
    expect(after.appointment.cancellationReason).toBe('The showroom is closed for works');
    expect(after.history[0]).toMatchObject({ toState: 'cancelled', reason: 'The showroom is closed for works', actor: { name: 'Lucas Bernard' } });
    expect(ids(await lucas.get('/appointments?view=upcoming'))).not.toContain(request.id);
    expect(ids(await lucas.get('/appointments?view=upcoming&status=cancelled'))).toContain(request.id);
    expect(ids(await lucas.get(`/appointments?view=upcoming&status=${rejected!.id}`))).toEqual([request.id]);
    expect(changes.filter(([, a]) => a === request.id)).toHaveLength(3);
    expect(changes[0]![0]).toBe(DEMO_BRAND_ID);

    // Plain confirm: a workflow request goes to its confirmation status.
    const other = await book({ service: 'design-consultation', store: paris, start: '2027-03-03T13:00:00Z' });
    expect(other.statusId).toBe(received!.id);
    const confirm = await lucas.post(`/appointments/${other.id}/confirm`);
    expect(confirm.body.appointment).toMatchObject({ state: 'confirmed', status: { id: confirmed!.id } });
    expect((await lucas.post(`/appointments/${other.id}/confirm`)).status).toBe(409);
  });

  test('confirm, reschedule and cancel from the console, each in the history; today and past views', async () => {
    const visit = await book({ service: 'showroom-visit', store: paris, start: '2027-03-04T09:00:00Z' });
    const slots = await lucas.get(`/appointments/${visit.id}/slots?from=2027-03-04&days=1`);
    expect(slots.status).toBe(200);
    expect(slots.body.timeZone).toBe('Europe/Paris');
    expect(slots.body.days).toHaveLength(1);
    expect(slots.body.days[0].date).toBe('2027-03-04');
    // Its own time counts as free when moving it.
    expect(slots.body.days[0].slots.map((s: { time: string }) => s.time)).toContain('10:00');

    const moved = await lucas.post(`/appointments/${visit.id}/reschedule`, { start: '2027-03-04T13:00:00Z' });
    expect(moved.status).toBe(200);
    expect(moved.body.appointment).toMatchObject({ start: '2027-03-04T13:00:00.000Z', localStart: '2027-03-04T14:00:00+01:00' });
    const closed = await lucas.post(`/appointments/${visit.id}/reschedule`, { start: '2027-03-04T05:00:00Z' });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('slot_unavailable');
    expect((await lucas.post(`/appointments/${visit.id}/reschedule`, { start: 'tomorrow' })).body.error.field).toBe('start');

    const noReason = await lucas.post(`/appointments/${visit.id}/cancel`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.field).toBe('reason');
    expect((await lucas.post(`/appointments/${visit.id}/cancel`, { reason: '   ' })).status).toBe(400);
    const cancelled = await lucas.post(`/appointments/${visit.id}/cancel`, { reason: 'Customer called: sick' });
    expect(cancelled.body.appointment.state).toBe('cancelled');
    expect((await lucas.post(`/appointments/${visit.id}/cancel`, { reason: 'Again' })).status).toBe(409);
    expect((await lucas.get(`/appointments/${visit.id}/slots`)).status).toBe(409);

    const history = (await lucas.get(`/appointments/${visit.id}`)).body.history as any[];
    expect(history.map((h) => [h.toState, h.actor.name])).toEqual([
      ['cancelled', 'Lucas Bernard'], ['confirmed', 'Lucas Bernard'], ['confirmed', 'Ada Lovelace'],
    ]);
    expect(history[0].reason).toBe('Customer called: sick');
    expect(history[1].reason).toBe('Rescheduled from 2027-03-04T09:00:00.000Z to 2027-03-04T13:00:00.000Z');

    // Today (in the store's zone) and the past, newest first.
    const today = await book({ service: 'showroom-visit', store: paris, start: '2027-03-01T14:00:00Z' });
    const lastFriday = await book({ service: 'showroom-visit', store: paris, start: '2027-02-26T13:00:00Z', at: '2027-02-26T07:00:00Z' });
    const lastThursday = await book({ service: 'showroom-visit', store: paris, start: '2027-02-25T13:00:00Z', at: '2027-02-25T07:00:00Z' });
    expect(ids(await lucas.get('/appointments?view=today'))).toEqual([today.id]);
    expect(ids(await lucas.get('/appointments?view=past'))).toEqual([lastFriday.id, lastThursday.id]);
    const range = await lucas.get('/appointments?view=past&from=2027-02-26&to=2027-02-26');
    expect(ids(range)).toEqual([lastFriday.id]);
  });

  test('booking on a customer’s behalf: channel console, actor staff, same availability (409 on a taken slot)', async () => {
    const slot = { service: 'showroom-visit', mode: 'in_store', store: paris.id, start: '2027-03-05T10:00:00Z' };
    const first = await lucas.post('/appointments', { ...slot, customer: { name: 'Phone Customer', phone: '+33611111111' }, notes: 'Called the store' });
    expect(first.status).toBe(201);
    expect(first.body.appointment).toMatchObject({ channel: 'console', state: 'confirmed', localStart: '2027-03-05T11:00:00+01:00', customer: { name: 'Phone Customer' } });
    const file = (await lucas.get(`/appointments/${first.body.appointment.id}`)).body;
    expect(file.appointment.notes).toBe('Called the store');
    expect(file.history[0].actor).toMatchObject({ kind: 'staff', name: 'Lucas Bernard' });
    expect(changes.map(([, a]) => a)).toContain(first.body.appointment.id);

    // Two advisors in Paris: a second booking fits, a third does not.
    expect((await lucas.post('/appointments', { ...slot, customer: { name: 'Second', email: 'second@example.com' } })).status).toBe(201);
    const third = await lucas.post('/appointments', { ...slot, customer: { name: 'Third', email: 'third@example.com' } });
    expect(third.status).toBe(409);
    expect(third.body.error.code).toBe('slot_unavailable');
    const free = await lucas.get(`/availability?service=showroom-visit&mode=in_store&store=paris-opera&from=2027-03-05&to=2027-03-05`);
    expect(free.status).toBe(200);
    expect(free.body.days[0].slots.map((s: { start: string }) => s.start)).not.toContain('2027-03-05T10:00:00.000Z');

    const night = await lucas.post('/appointments', { ...slot, start: '2027-03-05T22:00:00Z', customer: { name: 'Night', email: 'n@example.com' } });
    expect(night.status).toBe(409);
    const elsewhere = await lucas.post('/appointments', { ...slot, store: lyon.id, customer: { name: 'Lyon', email: 'l@example.com' } });
    expect(elsewhere.status).toBe(403);
    const noStore = await lucas.post('/appointments', { service: 'video-advice', mode: 'online', start: '2027-03-05T10:00:00Z', customer: { name: 'V', email: 'v@example.com' } });
    expect(noStore.body.error.field).toBe('store');
    expect((await lucas.post('/appointments', { ...slot, channel: 'web', customer: { name: 'X', email: 'x@example.com' } })).status).toBe(400);
    const noContact = await lucas.post('/appointments', { ...slot, start: '2027-03-05T12:00:00Z', customer: { name: 'Nobody' } });
    expect(noContact.body.error.field).toBe('customer.email');

    // An idempotent retry of a phone booking returns the first one.
    const keyed = { ...slot, start: '2027-03-05T13:00:00Z', customer: { name: 'Keyed', email: 'k@example.com' }, idempotencyKey: 'console-retry-1' };
    const once = await admin.post('/appointments', keyed);
    const twice = await admin.post('/appointments', keyed);
    expect(once.status).toBe(201);
    expect(twice.status).toBe(200);
    expect(twice.body).toMatchObject({ replayed: true, appointment: { id: once.body.appointment.id } });
  });

  test('status workflow settings: unique names, colours, kinds, reorder rules, no deleting a status in use', async () => {
    const services = (await admin.get('/services')).body.services as { id: string; slug: string }[];
    const design = services.find((s) => s.slug === 'design-consultation')!;
    const inUse = await book({ service: 'design-consultation', store: paris, start: '2027-03-08T09:00:00Z' });
    const list = await admin.get(`/services/${design.id}/statuses`);
    expect(list.status).toBe(200);
    expect(list.body.service).toMatchObject({ slug: 'design-consultation', statusWorkflow: true });
    const byName = (rows: { name: string; id: string }[], name: string) => rows.find((s) => s.name === name)!;
    expect(byName(list.body.statuses, 'Request received')).toMatchObject({ position: 1, kind: 'start' });
    expect((byName(list.body.statuses, 'Request received') as any).inUse).toBeGreaterThanOrEqual(1);

    const created = await admin.post(`/services/${design.id}/statuses`, { name: 'Waiting for plans', kind: 'start', color: '#8E24AA', position: 2, description: 'The customer sends plans.' });
    expect(created.status).toBe(201);
    expect(created.body.status).toMatchObject({ name: 'Waiting for plans', color: '#8e24aa', position: 2, inUse: 0 });
    expect(created.body.statuses.map((s: { name: string }) => s.name)).toEqual(['Request received', 'Waiting for plans', 'Checking availability', 'Confirmed', 'Rejected']);
    expect(created.body.statuses.map((s: { position: number }) => s.position)).toEqual([1, 2, 3, 4, 5]);

    const duplicate = await admin.post(`/services/${design.id}/statuses`, { name: 'waiting FOR plans', kind: 'start' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.field).toBe('name');
    expect((await admin.post(`/services/${design.id}/statuses`, { name: 'Purple', kind: 'start', color: 'purple' })).body.error.field).toBe('color');
    expect((await admin.post(`/services/${design.id}/statuses`, { name: 'Odd', kind: 'maybe' })).body.error.field).toBe('kind');
    expect((await admin.post(`/services/${UNKNOWN_ID}/statuses`, { name: 'X', kind: 'start' })).status).toBe(404);

    const statuses = created.body.statuses as { id: string; name: string }[];
    const order = statuses.map((s) => s.id);
    const rejected = byName(statuses, 'Rejected');
    const confirmedStatus = byName(statuses, 'Confirmed');
    const rejectFirst = await admin.post(`/services/${design.id}/statuses/reorder`, { ids: [rejected.id, ...order.filter((i) => i !== rejected.id)] });
    expect(rejectFirst.status).toBe(409);
    expect(rejectFirst.body.error.code).toBe('workflow_invalid');
    expect(rejectFirst.body.error.message).toMatch(/first status/);
    const missing = await admin.post(`/services/${design.id}/statuses/reorder`, { ids: order.slice(1) });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('ids');
    const swapped = [order[0]!, order[2]!, order[1]!, order[3]!, order[4]!];
    const reordered = await admin.post(`/services/${design.id}/statuses/reorder`, { ids: swapped });
    expect(reordered.status).toBe(200);
    expect(reordered.body.statuses.map((s: { id: string }) => s.id)).toEqual(swapped);

    const lastConfirmation = await admin.patch(`/statuses/${confirmedStatus.id}`, { kind: 'start' });
    expect(lastConfirmation.status).toBe(409);
    expect(lastConfirmation.body.error.message).toMatch(/confirmation/);
    const renamed = await admin.patch(`/statuses/${confirmedStatus.id}`, { name: 'Confirmed by the store', color: '#2E7D32' });
    expect(renamed.body.status).toMatchObject({ name: 'Confirmed by the store', color: '#2e7d32', kind: 'confirmation' });
    expect((await admin.patch(`/statuses/${confirmedStatus.id}`, { name: 'Rejected' })).status).toBe(409);
    expect((await admin.patch(`/statuses/${UNKNOWN_ID}`, { name: 'X' })).status).toBe(404);

    const busy = await admin.delete(`/statuses/${inUse.statusId}`);
    expect(busy.status).toBe(409);
    expect(busy.body.error.code).toBe('status_in_use');
    expect(busy.body.error.message).toMatch(/"Request received" is the current status of \d+ appointments?\. Move/);
    const deleted = await admin.delete(`/statuses/${created.body.status.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.statuses.map((s: { position: number }) => s.position)).toEqual([1, 2, 3, 4]);
    expect((await admin.delete(`/statuses/${rejected.id}`)).body.error.code).toBe('status_in_use');

    // A disabled workflow can be edited freely; enabling checks it again.
    expect((await admin.put(`/services/${design.id}/workflow`, { enabled: false })).body.service.statusWorkflow).toBe(false);
    expect((await admin.patch(`/statuses/${confirmedStatus.id}`, { kind: 'start' })).status).toBe(200);
    const invalid = await admin.put(`/services/${design.id}/workflow`, { enabled: true });
    expect(invalid.status).toBe(409);
    await admin.patch(`/statuses/${confirmedStatus.id}`, { kind: 'confirmation', name: 'Confirmed' });
    expect((await admin.put(`/services/${design.id}/workflow`, { enabled: true })).body.service.statusWorkflow).toBe(true);
    expect((await admin.put(`/services/${design.id}/workflow`, { enabled: 'yes' })).status).toBe(400);
  });

  test('message templates: override, preview with customer data escaped, back to default', async () => {
    const evil = await book({
      service: 'showroom-visit', store: paris, start: '2027-03-09T09:00:00Z',
      customer: { name: '<script>alert("x")</script> Eve', email: 'eve@example.com' },
    });
    const body = '<p>Dear {{customerName}}, see you {{when}} at {{storeName}}.</p>';
    const saved = await admin.put('/templates/confirmed/en/email', { subject: 'See you, {{customerName}}', body });
    expect(saved.status).toBe(200);
    expect(saved.body.template).toMatchObject({ event: 'confirmed', locale: 'en', channel: 'email', body, custom: true });
    const all = await admin.get('/templates');
    expect(all.body.variables).toContain('customerName');
    expect(all.body.templates).toHaveLength(all.body.events.length * 2 * 3);
    const entry = all.body.templates.find((t: any) => t.event === 'confirmed' && t.locale === 'en' && t.channel === 'email');
    expect(entry).toMatchObject({ custom: true, body, subject: 'See you, {{customerName}}' });
    expect(entry.default.body).not.toBe(body);

    expect((await admin.put('/templates/confirmed/en/sms', { subject: 'No', body: 'Hi' })).body.error.field).toBe('subject');
    const broken = await admin.put('/templates/confirmed/en/email', { subject: null, body: '{{#open}} never closed' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.field).toBe('body');
    expect((await admin.put('/templates/nonsense/en/email', { body: 'x' })).body.error.field).toBe('event');

    const preview = await admin.post('/templates/preview', { event: 'confirmed', locale: 'en', channel: 'email', subject: 'See you, {{customerName}}', body, appointmentId: evil.id });
    expect(preview.status).toBe(200);
    expect(preview.body.preview.html).toContain('Dear &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Eve');
    expect(preview.body.preview.html).not.toContain('<script>');
    expect(preview.body.preview.html).toContain('Paris Opéra');
    const triple = await admin.post('/templates/preview', { locale: 'en', channel: 'email', body: '<p>{{{customerName}}}</p>', appointmentId: evil.id });
    expect(triple.body.preview.html).not.toContain('<script>');
    const sample = await admin.post('/templates/preview', { event: 'reminder', locale: 'fr', channel: 'sms', body: 'Bonjour {{customerName}}, {{serviceName}}' });
    expect(sample.status).toBe(200);
    expect(sample.body.preview.text).toMatch(/^Bonjour Alex Dupont, /);
    expect((await admin.post('/templates/preview', { locale: 'en', channel: 'email', body: 'x', appointmentId: UNKNOWN_ID })).status).toBe(404);

    const reset = await admin.delete('/templates/confirmed/en/email');
    expect(reset.status).toBe(200);
    expect(reset.body.template.custom).toBe(false);
    const after = (await admin.get('/templates')).body.templates.find((t: any) => t.event === 'confirmed' && t.locale === 'en' && t.channel === 'email');
    expect(after).toMatchObject({ custom: false, body: entry.default.body });
  });

  test('tasks: brand-wide and own stores only; done once, by whom', async () => {
    const at = (seconds: number) => new Date(Date.parse(START) - 60_000 + seconds * 1000);
    const parisTask = await insertConsoleTask(db, { brandId: brand.id, storeId: paris.id, customerName: 'Zoé', contact: '+33600000001', message: 'Call back about a quote' }, at(0));
    const lyonTask = await insertConsoleTask(db, { brandId: brand.id, storeId: lyon.id, customerName: 'Léa', contact: 'lea@example.com', message: 'Wants a Saturday' }, at(1));
    const anyTask = await insertConsoleTask(db, { brandId: brand.id, message: 'Nobody was online' }, at(2));
    const seen = (reply: { body: { tasks: { id: string }[] } }) => reply.body.tasks.map((t) => t.id);
    expect(seen(await lucas.get('/tasks'))).toEqual([parisTask.id, anyTask.id]);
    expect(seen(await hugo.get('/tasks'))).toEqual([lyonTask.id, anyTask.id]);
    expect(seen(await admin.get('/tasks'))).toEqual([parisTask.id, lyonTask.id, anyTask.id]);
    expect((await lucas.post(`/tasks/${lyonTask.id}/done`)).status).toBe(403);
    const done = await lucas.post(`/tasks/${parisTask.id}/done`);
    expect(done.status).toBe(200);
    expect(done.body.task).toMatchObject({ status: 'done', doneBy: { name: 'Lucas Bernard' }, doneAt: clock.now().toISOString() });
    await admin.post(`/tasks/${parisTask.id}/done`);
    expect((await admin.get('/tasks?status=done')).body.tasks[0].doneBy.name).toBe('Lucas Bernard');
    expect(seen(await lucas.get('/tasks'))).toEqual([anyTask.id]);
    expect(seen(await lucas.get('/tasks?status=all'))).toEqual([anyTask.id, parisTask.id]);
  });

  test('staff list: everyone for the admin, their stores’ people for a manager', async () => {
    const everyone = await admin.get('/staff');
    expect(everyone.status).toBe(200);
    expect(everyone.body.staff).toHaveLength(7);
    const lucasRow = everyone.body.staff.find((s: { name: string }) => s.name === 'Lucas Bernard');
    expect(lucasRow.account).toMatchObject({ role: 'agent', status: 'active', locked: false });
    expect(lucasRow.stores).toEqual([{ id: paris.id, name: 'Paris Opéra' }]);
    const mine = await camille.get('/staff');
    expect(mine.body.staff.map((s: { name: string }) => s.name)).toEqual(['Camille Martin', 'Lucas Bernard']);
  });

  test('settings are validated: time zones, hours, services, notification schedules, staff hours and time off', async () => {
    const badZone = await admin.patch(`/stores/${paris.id}`, { timeZone: 'Mars/Olympus_Mons' });
    expect(badZone.status).toBe(400);
    expect(badZone.body.error).toMatchObject({ code: 'invalid_input', field: 'timeZone' });
    const backwards = await admin.patch(`/stores/${paris.id}`, { hours: [{ weekday: 1, opens: '18:00', closes: '09:00' }] });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.field).toBe('hours.0.closes');
    const overlap = await admin.patch(`/stores/${paris.id}`, { hours: [{ weekday: 1, opens: '09:00', closes: '13:00' }, { weekday: 1, opens: '12:00', closes: '18:00' }] });
    expect(overlap.body.error.field).toBe('hours.1.opens');
    expect((await admin.patch(`/stores/${paris.id}`, { hours: [{ weekday: 1, opens: '25:00', closes: '26:00' }] })).body.error.field).toBe('hours.0.opens');
    expect((await admin.patch(`/stores/${paris.id}`, { hours: [{ weekday: 8, opens: '09:00', closes: '10:00' }] })).body.error.field).toBe('hours.0.weekday');
    const halfDay = await admin.patch(`/stores/${paris.id}`, { specialDays: [{ date: '2027-05-01', opens: '10:00' }] });
    expect(halfDay.body.error.field).toBe('specialDays.0.closes');
    expect((await admin.patch(`/stores/${paris.id}`, { country: 'France' })).body.error.field).toBe('country');
    expect((await admin.patch(`/stores/${UNKNOWN_ID}`, { name: 'X' })).status).toBe(404);

    // A manager changes the hours of their own store, and nothing else.
    const week = [1, 2, 3, 4, 5, 6].flatMap((weekday) => [
      { weekday, opens: '09:30', closes: '13:00' }, { weekday, opens: '14:00', closes: '19:00' },
    ]);
    const hours = await camille.patch(`/stores/${paris.id}`, { hours: week });
    expect(hours.status).toBe(200);
    expect(hours.body.store.hours).toHaveLength(12);
    expect(hours.body.store.hours[0]).toEqual({ weekday: 1, opens: '09:30', closes: '13:00' });
    expect((await camille.patch(`/stores/${paris.id}`, { phone: '+33100000000' })).status).toBe(403);
    expect((await camille.patch(`/stores/${lyon.id}`, { hours: week })).status).toBe(403);
    expect((await lucas.patch(`/stores/${paris.id}`, { hours: week })).status).toBe(403);
    expect((await lucas.get(`/stores/${lyon.id}`)).status).toBe(403);

    const full = await admin.patch(`/stores/${paris.id}`, {
      addressLine: '14 rue Auber', latitude: 48.872, longitude: 2.332, notificationRouting: 'salesman', timeZone: 'Europe/Paris',
      specialDays: [{ date: '2027-05-01', label: 'Labour Day' }, { date: '2027-12-24', opens: '10:00', closes: '16:00', label: 'Christmas Eve' }],
    });
    expect(full.status).toBe(200);
    expect(full.body.store).toMatchObject({ addressLine: '14 rue Auber', notificationRouting: 'salesman', latitude: 48.872 });
    expect(full.body.store.specialDays.map((d: any) => [d.date, d.opens, d.label])).toEqual([['2027-05-01', null, 'Labour Day'], ['2027-12-24', '10:00', 'Christmas Eve']]);

    // Services.
    const showroom = ((await admin.get('/services')).body.services as { id: string; slug: string }[]).find((s) => s.slug === 'showroom-visit')!;
    expect((await admin.patch(`/services/${showroom.id}`, { durationMinutes: 3 })).body.error.field).toBe('durationMinutes');
    expect((await admin.patch(`/services/${showroom.id}`, { modes: [] })).body.error.field).toBe('modes');
    expect((await admin.patch(`/services/${showroom.id}`, { modes: ['in_store', 'in_store'] })).body.error.field).toBe('modes');
    expect((await admin.patch(`/services/${showroom.id}`, { bookingMode: 'maybe' })).body.error.field).toBe('bookingMode');
    expect((await camille.patch(`/services/${showroom.id}`, { durationMinutes: 45 })).status).toBe(403);
    const service = await admin.patch(`/services/${showroom.id}`, { names: { fr: 'Visite du showroom' }, durationMinutes: 45, slotStepMinutes: 15, modes: ['in_store', 'online'] });
    expect(service.status).toBe(200);
    expect(service.body.service).toMatchObject({
      names: { en: 'Guided showroom visit', fr: 'Visite du showroom' }, durationMinutes: 45, slotStepMinutes: 15, modes: ['in_store', 'online'],
    });

    // Reminder and follow-up schedules.
    const defaults = await admin.get('/settings/notifications');
    expect(defaults.body.notifications.reminders).toEqual([{ offsetMinutes: 1440, channel: 'email', enabled: true }]);
    const tooMany = await admin.put('/settings/notifications', { reminders: [1, 2, 3, 4].map((h) => ({ offsetMinutes: h * 60 })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.field).toBe('reminders');
    expect((await admin.put('/settings/notifications', { reminders: [{ offsetMinutes: -5 }] })).body.error.field).toBe('reminders.0.offsetMinutes');
    const saved = await admin.put('/settings/notifications', { reminders: [{ offsetMinutes: 2880 }, { offsetMinutes: 120 }], smsReminder: { enabled: true } });
    expect(saved.status).toBe(200);
    const reread = (await admin.get('/settings/notifications')).body.notifications;
    expect(reread.reminders.map((r: { offsetMinutes: number }) => r.offsetMinutes)).toEqual([2880, 120]);
    expect(reread.smsReminder).toMatchObject({ enabled: true, channel: 'sms', offsetMinutes: 120 });
    // The brand's booking rules are untouched.
    expect((await findBrand(db, brand.id))!.settings.minNoticeMinutes).toBe(60);

    // Staff hours and time off: a manager for their own people.
    const people = (await admin.get('/staff')).body.staff as { id: string; name: string }[];
    const lucasId = people.find((p) => p.name === 'Lucas Bernard')!.id;
    const hugoId = people.find((p) => p.name === 'Hugo Laurent')!.id;
    const clash = await camille.put(`/staff/${lucasId}/hours`, { hours: [
      { store: paris.id, weekday: 2, starts: '09:00', ends: '13:00' }, { store: paris.id, weekday: 2, starts: '12:00', ends: '17:00' },
    ] });
    expect(clash.body.error.field).toBe('hours.1.starts');
    expect((await camille.put(`/staff/${lucasId}/hours`, { hours: [{ store: lyon.id, weekday: 2, starts: '09:00', ends: '13:00' }] })).status).toBe(403);
    expect((await camille.put(`/staff/${hugoId}/hours`, { hours: [] })).status).toBe(403);
    expect((await camille.put(`/staff/${UNKNOWN_ID}/hours`, { hours: [] })).status).toBe(404);
    const newHours = [1, 2, 3, 4, 5].map((weekday) => ({ store: paris.id, weekday, starts: '10:00', ends: '18:00' }));
    const put = await camille.put(`/staff/${lucasId}/hours`, { hours: newHours });
    expect(put.status).toBe(200);
    expect(put.body.hours).toHaveLength(5);
    expect(put.body.hours[0]).toEqual({ store: paris.id, weekday: 1, starts: '10:00', ends: '18:00' });

    const backwardsOff = await camille.post(`/staff/${lucasId}/time-off`, { startsAt: '2027-03-10T12:00:00Z', endsAt: '2027-03-10T08:00:00Z' });
    expect(backwardsOff.body.error.field).toBe('endsAt');
    const booked = await lucas.post('/appointments', { service: 'showroom-visit', mode: 'in_store', store: paris.id, start: '2027-03-10T10:00:00Z', customer: { name: 'Before leave', email: 'leave@example.com' } });
    expect(booked.status).toBe(201);
    const bookedStaff = booked.body.appointment.staff.id;
    const off = await admin.post(`/staff/${bookedStaff}/time-off`, { startsAt: '2027-03-10T00:00:00Z', endsAt: '2027-03-11T00:00:00Z', reason: 'Training' });
    expect(off.status).toBe(201);
    expect(off.body.conflicts.map((c: { id: string }) => c.id)).toEqual([booked.body.appointment.id]);
    const detail = await camille.get(`/staff/${bookedStaff}`);
    expect(detail.body.staff.timeOff).toEqual([{ id: off.body.timeOff.id, startsAt: '2027-03-10T00:00:00.000Z', endsAt: '2027-03-11T00:00:00.000Z', reason: 'Training' }]);
    expect((await camille.delete(`/staff/${bookedStaff}/time-off/${off.body.timeOff.id}`)).status).toBe(204);
    expect((await camille.delete(`/staff/${bookedStaff}/time-off/${off.body.timeOff.id}`)).status).toBe(404);
  });
});
