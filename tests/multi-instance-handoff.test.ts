import { randomBytes, randomUUID } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { Database } from '../models/database.ts';
import { findBrand } from '../models/brands.repository.ts';
import { openRedis } from '../models/redis.ts';
import { findService, findStore } from '../models/catalogue.repository.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import { DEMO_ADMIN, seedDemoStaffAccounts, type DemoLogin } from '../models/seed-staff.ts';
import type { Appointment } from '../models/appointments.repository.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import { bookAppointment } from '../scheduling/booking.ts';
import { createStaffAuth } from '../server/console/staff-auth.ts';
import { derivedKey } from '../server/composition.ts';
import type { ConsoleReady, HandoffJoinAck, HandoffMessageAck, HandoffRequestEvent, PresenceEvent } from '../bot/handoff/index.ts';
import type { ChatActivity, ChatSession, MessageAck } from '../bot/web-protocol.ts';
import { databaseUrlOf, openTestDatabase } from './support/databases.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { until } from './support/wait.ts';

/**
 * Several server processes on one PostgreSQL and the machine's Redis (REDIS_URL), as behind a load
 * balancer: a customer on one instance and their advisor on another chat live (socket.io's Redis
 * Streams adapter), advisor presence is shared (Redis, with expiry) and drops out when an instance is
 * SIGKILLed, and a pending hand-off offer outlives the instance that made it (a pg-boss job).
 */

const ORIGIN = 'https://shop.example';
const TEST_PARAMS = { N: 2 ** 14, r: 8, p: 1 };
const PRESENCE_EXPIRY_SECONDS = 3;
const GRACE_SECONDS = 5;
const PARIS_ADVISORS = ['camille.martin@atelier-lumiere.example', 'lucas.bernard@atelier-lumiere.example'];

type Events = { event: string; payload: any }[];
const eventsOf = (c: { events: Events }, name: string) => c.events.filter((e) => e.event === name).map((e) => e.payload);

interface Client {
  socket: Socket;
  events: Events;
}

interface Agent extends Client {
  id: string;
  name: string;
  ready: ConsoleReady;
}

interface Customer extends Client {
  activities: ChatActivity[];
  session: ChatSession;
}

describe('hand-off across instances (PostgreSQL + Redis)', () => {
  let db: Database;
  let schema: string;
  let env: Record<string, string>;
  let a: ServerProcess;
  let b: ServerProcess;
  const killable: ServerProcess[] = [];
  let logins: DemoLogin[];
  const staff = new Map<string, { id: string; name: string }>();
  const sockets: Socket[] = [];
  const secret = randomBytes(32).toString('hex');
  let customers = 0;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await seedDemo(db, { allowedOrigins: [ORIGIN] });
    logins = await seedDemoStaffAccounts(db, { passwordParams: TEST_PARAMS });
    for (const s of await db.query<{ id: string; name: string; email: string }>(
      'SELECT s.id, s.name, a.email FROM staff s JOIN staff_accounts a ON a.staff_id = s.id',
    )) staff.set(s.email, s);
    const database = await databaseUrlOf(db);
    schema = database.schema;
    env = {
      DATABASE_URL: database.url,
      PGBOSS_SCHEMA: `${schema}_jobs`,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `rdv-test-${randomUUID().slice(0, 8)}:`,
      PRESENCE_EXPIRY_SECONDS: String(PRESENCE_EXPIRY_SECONDS),
      HANDOFF_GRACE_SECONDS: String(GRACE_SECONDS),
      SEED_DEMO: 'false',
      APP_SECRET: secret,
    };
    a = await startServerProcess(env);
    b = await startServerProcess(env);
  }, 300_000);

  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), ...killable.map((k) => k.stop())]);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
    await db.close();
    // This run's streams and presence keys: the machine's Redis is shared.
    const redis = openRedis(env.REDIS_URL!);
    const keys = await redis.keys(`${env.REDIS_KEY_PREFIX!}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  // ---- clients -------------------------------------------------------------------------------------

  function client(url: string, options: Parameters<typeof connect>[1]): Client {
    const socket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
    sockets.push(socket);
    const events: Events = [];
    socket.onAny((event: string, payload: unknown) => events.push({ event, payload }));
    return { socket, events };
  }

  /** Signs in (the session is in the database: any instance accepts it) and opens the console on `server`. */
  async function agent(server: ServerProcess, email: string): Promise<Agent> {
    const login = logins.find((l) => l.email === email)!;
    const { token } = await createStaffAuth({ db, now: () => new Date(), publicUrl: server.url }).login(login.email, login.password);
    const c = client(`${server.url}/console`, { extraHeaders: { origin: server.url, cookie: `rdv_session=${token}` } });
    const ready = await new Promise<ConsoleReady>((resolve, reject) => {
      c.socket.once('console:ready', resolve);
      c.socket.once('connect_error', reject);
    });
    return { ...c, ...staff.get(email)!, ready };
  }

  async function customer(server: ServerProcess, auth: Record<string, unknown>): Promise<Customer> {
    const c = client(`${server.url}/chat`, { auth: { brand: DEMO_BRAND_ID, ...auth }, extraHeaders: { origin: ORIGIN } });
    const activities: ChatActivity[] = [];
    c.socket.on('activity', (activity: ChatActivity) => activities.push(activity));
    const session = await new Promise<ChatSession>((resolve, reject) => {
      c.socket.once('session', resolve);
      c.socket.once('connect_error', reject);
    });
    return { ...c, activities, session };
  }

  const has = (c: Customer, pattern: RegExp) => c.activities.some((activity) => pattern.test(activity.text));
  const requestsOf = (c: Agent) => eventsOf(c, 'handoff:request') as HandoffRequestEvent[];
  const presenceOf = (observer: Agent, staffId: string) =>
    (eventsOf(observer, 'presence') as PresenceEvent[]).filter((e) => e.staffId === staffId).map((e) => e.status);

  /**
   * A video appointment at the Paris store starting in two minutes (in its join window). Booked through the
   * booking service on a Monday morning (the advisors' hours), then moved to now: the servers run on the real clock.
   */
  async function appointmentStartingNow(): Promise<{ appointment: Appointment; join: string }> {
    const brand = (await findBrand(db, DEMO_BRAND_ID))!;
    const service = (await findService(db, DEMO_BRAND_ID, 'video-advice'))!;
    const store = (await findStore(db, DEMO_BRAND_ID, 'paris-opera'))!;
    const n = ++customers;
    const monday8am = new Date('2027-03-01T07:00:00Z');
    const { appointment } = await bookAppointment({ db, now: () => monday8am }, {
      brand,
      slot: { brand, service, mode: 'online', store, home: null, start: new Date(`2027-03-01T${String(9 + n).padStart(2, '0')}:00:00+01:00`) },
      customer: { name: `Alice Durand ${n}`, email: `alice${n}@example.com`, phone: null, locale: 'en', timeZone: 'Europe/Paris' },
      customerTimeZone: 'Europe/Paris', notes: '', channel: 'web', conversationId: null, idempotencyKey: null, actor: { kind: 'customer' },
    });
    const [moved] = await db.query<{ startAt: Date }>(
      `UPDATE appointments SET start_at = date_trunc('minute', now()) + interval '2 minutes', end_at = date_trunc('minute', now()) + interval '32 minutes'
       WHERE id = $1 RETURNING start_at AS "startAt"`,
      [appointment.id],
    );
    const current = { ...appointment, startAt: moved!.startAt };
    const links = createSignedLinks({ baseUrl: ORIGIN, secret: derivedKey(secret, 'links'), now: () => new Date() });
    return { appointment: current, join: links.url('join', current).split('/a/')[1]!.split('/')[0]! };
  }
  const emailOf = (staffId: string) => [...staff].find(([, s]) => s.id === staffId)![0];
  const otherParisAdvisor = (staffId: string) => PARIS_ADVISORS.find((e) => staff.get(e)!.id !== staffId)!;

  // ---- tests ---------------------------------------------------------------------------------------

  test('customer on A, advisor on B: the request, the join, messages both ways, typing and read receipts', async () => {
    const { appointment, join } = await appointmentStartingNow();
    const advisor = await agent(b, emailOf(appointment.staffId));
    const device = await customer(a, { join });
    const { conversationId } = device.session;

    await until(() => requestsOf(advisor).some((r) => r.conversationId === conversationId), 30_000);
    const joined = (await advisor.socket.emitWithAck('handoff:join', { conversationId })) as HandoffJoinAck;
    expect(joined.ok).toBe(true);
    await until(() => has(device, new RegExp(`^${advisor.name} joined the chat$`)), 30_000);

    // Customer (A) → advisor (B).
    const asked = (await device.socket.emitWithAck('message', { clientId: 'c-multi-0001', text: 'Can you see my plan?' })) as MessageAck;
    expect(asked.ok).toBe(true);
    await until(() => eventsOf(advisor, 'handoff:activity').some((e) => e.conversationId === conversationId && e.activity.text === 'Can you see my plan?'), 30_000);

    // Typing both ways.
    device.socket.emit('typing', { on: true });
    await until(() => eventsOf(advisor, 'handoff:typing').some((e) => e.from === 'customer' && e.on === true), 30_000);
    advisor.socket.emit('handoff:typing', { conversationId, on: true });
    await until(() => eventsOf(device, 'typing').some((e) => e.from === 'agent' && e.on === true), 30_000);

    // Advisor (B) → customer (A), once.
    const reply = (await advisor.socket.emitWithAck('handoff:message', { conversationId, clientId: 'a-multi-0001', text: 'Yes, I can.' })) as HandoffMessageAck;
    expect(reply).toMatchObject({ ok: true, duplicate: false });
    await until(() => has(device, /^Yes, I can\.$/), 30_000);
    expect(device.activities.filter((x) => x.text === 'Yes, I can.')).toEqual([expect.objectContaining({ from: 'agent', name: advisor.name })]);

    // Read receipts both ways.
    const askedSeq = asked.ok ? asked.seq : -1;
    const replySeq = reply.ok ? reply.seq : -1;
    advisor.socket.emit('handoff:read', { conversationId, seq: askedSeq });
    await until(() => eventsOf(device, 'read').some((e) => e.by === 'agent' && e.seq === askedSeq), 30_000);
    device.socket.emit('read', { seq: replySeq });
    await until(() => eventsOf(advisor, 'handoff:read').some((e) => e.conversationId === conversationId && e.by === 'customer' && e.seq === replySeq), 30_000);

    expect((await advisor.socket.emitWithAck('handoff:end', { conversationId }))).toEqual({ ok: true });
    await until(() => has(device, new RegExp(`^${advisor.name} left the chat$`)), 30_000);
  }, 180_000);

  test('“talk to a person” on two instances: one queue, places told once as customers are picked', async () => {
    const advisor = await agent(b, 'chloe.dubois@atelier-lumiere.example'); // the queue is the brand's: any store's advisor
    const first = await customer(a, {});
    const second = await customer(b, {});
    const ask = (c: Customer, clientId: string) => c.socket.emitWithAck('message', { clientId, text: 'talk to someone' }) as Promise<MessageAck>;

    expect(await ask(first, 'q-first-0001')).toMatchObject({ ok: true });
    await until(() => has(first, /^You're number 1 in line/), 60_000);
    expect(await ask(second, 'q-second-0001')).toMatchObject({ ok: true });
    await until(() => has(second, /^You're number 2 in line/), 60_000);
    await until(() => requestsOf(advisor).length === 2, 30_000);
    expect(requestsOf(advisor).map((r) => [r.conversationId, r.position])).toEqual([
      [first.session.conversationId, 1], [second.session.conversationId, 2],
    ]);

    // The advisor (on B) takes the first customer (on A): the second moves up, told once.
    expect((await advisor.socket.emitWithAck('handoff:join', { conversationId: first.session.conversationId })) as HandoffJoinAck).toMatchObject({ ok: true });
    // The line and the "queue" event are two packets: wait for both.
    await until(() => has(first, /joined the chat$/) && has(second, /^You're number 1 in line: you're next\.$/) && eventsOf(second, 'queue').length > 1, 30_000);
    expect(eventsOf(second, 'queue')).toEqual([{ position: 2 }, { position: 1 }]);
    const [told] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM conversation_messages WHERE conversation_id = $1 AND text LIKE 'You''re number 1 in line%'`,
      [second.session.conversationId],
    );
    expect(told!.n).toBe(1);
    expect((await advisor.socket.emitWithAck('handoff:end', { conversationId: first.session.conversationId }))).toEqual({ ok: true });
  }, 180_000);

  test('presence is seen from every instance and drops out within the expiry when its instance is SIGKILLed', async () => {
    const c = await startServerProcess(env);
    killable.push(c);
    const observerA = await agent(a, DEMO_ADMIN.email);
    const observerB = await agent(b, DEMO_ADMIN.email);
    const advisor = await agent(c, PARIS_ADVISORS[0]!);

    await until(() => presenceOf(observerA, advisor.id).includes('online') && presenceOf(observerB, advisor.id).includes('online'), 30_000);
    // A console opening on another instance gets it in its first state too.
    const late = await agent(b, PARIS_ADVISORS[1]!);
    expect(late.ready.presence).toContainEqual({ staffId: advisor.id, name: advisor.name, status: 'online' });
    await advisor.socket.emitWithAck('presence:set', { status: 'away' });
    await until(() => presenceOf(observerA, advisor.id).at(-1) === 'away' && presenceOf(observerB, advisor.id).at(-1) === 'away', 30_000);

    // No disconnect reaches anyone: only the expiry tells the others.
    const killedAt = Date.now();
    expect(await c.kill('SIGKILL')).toBe('SIGKILL');
    await until(() => presenceOf(observerA, advisor.id).at(-1) === 'offline' && presenceOf(observerB, advisor.id).at(-1) === 'offline', 60_000);
    // The expiry, plus a heartbeat to notice it, plus slack for a loaded machine.
    expect(Date.now() - killedAt).toBeLessThan((PRESENCE_EXPIRY_SECONDS * 4 / 3) * 1000 + 10_000);
    expect(presenceOf(observerA, advisor.id).filter((s) => s === 'offline')).toHaveLength(1); // one instance reported it
    const after = await agent(a, PARIS_ADVISORS[1]!);
    expect(after.ready.presence.map((p) => p.staffId)).not.toContain(advisor.id);
  }, 300_000);

  test('a pending offer survives SIGKILL of the instance that made it: another instance widens it after the grace', async () => {
    const { appointment, join } = await appointmentStartingNow();
    const assigned = await agent(b, emailOf(appointment.staffId));
    const other = await agent(b, otherParisAdvisor(appointment.staffId));
    const d = await startServerProcess(env);
    killable.push(d);

    const device = await customer(d, { join });
    const { conversationId } = device.session;
    await until(() => requestsOf(assigned).some((r) => r.conversationId === conversationId), 30_000);
    expect(requestsOf(other)).toEqual([]); // the assigned advisor's grace
    expect(await d.kill('SIGKILL')).toBe('SIGKILL');

    // The grace's end was a job in PostgreSQL: A or B runs it.
    await until(() => requestsOf(other).some((r) => r.conversationId === conversationId), 60_000);
    const widened = requestsOf(other).find((r) => r.conversationId === conversationId)!;
    expect(widened.offeredTo.sort()).toEqual([assigned.id, other.id].sort());

    // The customer reconnects to A and is taken by the other advisor there.
    const back = await customer(a, { conversationId, token: device.session.token, lastSeq: 0 });
    expect((await other.socket.emitWithAck('handoff:join', { conversationId })) as HandoffJoinAck).toMatchObject({ ok: true });
    await until(() => has(back, new RegExp(`^${other.name} joined the chat$`)), 30_000);
  }, 300_000);
});
