import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { findBrand } from '../models/brands.repository.ts';
import { findService, findStore } from '../models/catalogue.repository.ts';
import { findAvailability } from '../scheduling/availability.ts';
import { createDeliveryQueue, SCHEDULED_QUEUE } from '../notifications/delivery-queue.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import { bookAsCustomer } from './support/booking.ts';
import { confirmationRendered, productNotifications } from './support/notifications.ts';
import { ChatCustomer } from './support/chat-customer.ts';
import { startCluster, startPrivateRedis, TEST_REDIS_URL, type Cluster, type PrivateRedis } from './support/cluster.ts';
import { until } from './support/wait.ts';

/**
 * Three server processes on one PostgreSQL and the machine's Redis, as behind a load balancer:
 * rate-limit budgets, the chat's and the HTTP API's, are shared (nothing is gained by reconnecting or switching instance),
 * a due reminder is sent once whichever instance dispatches it, and /readyz follows Redis.
 */

const ORIGIN = 'https://shop.example';
const MESSAGES_PER_10S = 4;
const CONVERSATIONS_PER_HOUR = 3;
const API_PER_MINUTE = 6;

describe('several instances: shared budgets, reminders once, readiness', () => {
  let cluster: Cluster;
  const customers: ChatCustomer[] = [];
  const customer = (name: string, ip: string) => {
    const c = new ChatCustomer(name, { origin: ORIGIN, ip });
    customers.push(c);
    return c;
  };
  const urls = () => cluster.instances.map((i) => i.url);

  beforeAll(async () => {
    cluster = await startCluster({
      instances: 3,
      allowedOrigins: [ORIGIN],
      env: {
        CHAT_MESSAGES_PER_10S: String(MESSAGES_PER_10S), CHAT_CONVERSATIONS_PER_IP_PER_HOUR: String(CONVERSATIONS_PER_HOUR),
        API_RATE_LIMIT_PER_MINUTE: String(API_PER_MINUTE),
        // Reminders fall due in a test: dispatched within 3 s rather than 30.
        REMINDER_DISPATCH_SECONDS: '3',
      },
    });
  }, 300_000);

  afterAll(async () => {
    for (const c of customers) c.disconnect();
    await cluster?.stop();
  }, 120_000);

  test('new conversations per IP: the budget is one, whichever instance counts it', async () => {
    const [a, b, c] = urls();
    const ip = '198.51.100.7';
    for (const url of [a!, b!, c!]) await customer(`new on ${url}`, ip).connectTo(url);
    await expect(customer('fourth on A', ip).connectTo(a!)).rejects.toThrow(/rate_limited/);
    await expect(customer('fourth on C', ip).connectTo(c!)).rejects.toThrow(/rate_limited/);
    // Another address has its own budget.
    await customer('other address', '198.51.100.8').connectTo(b!);

    const redis = new Redis(TEST_REDIS_URL);
    try {
      expect(await redis.keys(`${cluster.redisKeyPrefix}rl:conversations-per-ip:*`)).toHaveLength(2);
    } finally {
      redis.disconnect();
    }
  }, 120_000);

  test('the HTTP API limit per IP counts requests to every instance together', async () => {
    const get = (url: string, ip: string) => fetch(`${url}/api/services?brand=demo`, { headers: { 'x-forwarded-for': ip } });
    const [a, b, c] = urls();
    const statuses: number[] = [];
    for (const url of [a!, b!, c!, a!, b!, c!]) statuses.push((await get(url, '198.51.100.60')).status);
    expect(statuses).toEqual(Array(API_PER_MINUTE).fill(200));
    const over = await get(b!, '198.51.100.60');
    expect(over.status).toBe(429);
    expect(((await over.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await get(c!, '198.51.100.61')).status).toBe(200);
  }, 60_000);

  test('messages per conversation: reconnecting to another instance resets nothing', async () => {
    const [a, b, c] = urls();
    // The budget is per 10 seconds: a run slowed down past the window proves nothing, so it is tried again.
    for (let attempt = 1; ; attempt++) {
      const chat = customer(`budget ${attempt}`, `198.51.100.${20 + attempt}`);
      await chat.connectTo(a!);
      const started = Date.now();
      const acks = [];
      for (let k = 0; k < MESSAGES_PER_10S / 2; k++) acks.push(await chat.send(`b${attempt}-a-${k}-0001`, `hello ${k}`));
      chat.disconnect();
      await chat.connectTo(b!);
      for (let k = 0; k < MESSAGES_PER_10S / 2; k++) acks.push(await chat.send(`b${attempt}-b-${k}-0001`, `hello again ${k}`));
      const overOnB = await chat.send(`b${attempt}-b-over-0001`, 'one too many');
      chat.disconnect();
      await chat.connectTo(c!);
      const overOnC = await chat.send(`b${attempt}-c-over-0001`, 'and on another instance');
      chat.disconnect();
      if (Date.now() - started > 8_000 && attempt < 3) continue;

      expect(acks.map((ack) => ack?.ok)).toEqual(Array(MESSAGES_PER_10S).fill(true));
      expect(overOnB).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      expect(overOnC).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
      const stored = await cluster.db.query<{ client_id: string }>(
        "SELECT client_id FROM conversation_messages WHERE conversation_id = $1 AND sender = 'customer' ORDER BY seq",
        [chat.session!.conversationId],
      );
      expect(stored.map((r) => r.client_id)).toHaveLength(MESSAGES_PER_10S);
      return;
    }
  }, 180_000);

  test('reminders due with three instances running are each sent once', async () => {
    const { db } = cluster;
    const now = () => new Date();
    const brand = (await findBrand(db, 'demo'))!;
    const service = (await findService(db, 'demo', 'showroom-visit'))!;
    const store = await findStore(db, 'demo', 'paris-opera');
    const links = createSignedLinks({ baseUrl: 'http://rdv.test', secret: randomBytes(32).toString('hex'), now });
    // This process only plans (its queue runs no workers); the instances dispatch and send.
    const queue = await createDeliveryQueue({ db, now, schema: cluster.env.PGBOSS_SCHEMA, maintenance: false });
    const appointmentIds: string[] = [];
    const notifications = productNotifications({ db, links, queue, now });
    try {
      const from = new Date(Date.now() + 3 * 86_400_000);
      const slots = await findAvailability(db, { brand, service, mode: 'in_store', store, home: null, from, to: new Date(from.getTime() + 7 * 86_400_000), now: now() });
      const starts = [...new Set(slots.map((s) => s.start.getTime()))].slice(0, 6);
      expect(starts).toHaveLength(6);
      for (const [k, start] of starts.entries()) {
        const appointment = await bookAsCustomer({ db, now, events: notifications.events }, brand, {
          service: 'showroom-visit', store: 'paris-opera', start: new Date(start),
          customer: { name: `Reminded ${k}`, email: `reminded-${k}@example.com` },
        });
        appointmentIds.push(appointment.id);
      }
      for (const id of appointmentIds) await confirmationRendered(db, id);
    } finally {
      await notifications.outbox.stop();
      await queue.stop();
    }
    // Their day-before reminders fall due now, all at once: three dispatchers race for them.
    const due = await db.query<{ id: string }>(
      "UPDATE scheduled_notifications SET send_at = now() WHERE appointment_id = ANY($1) AND kind = 'reminder' RETURNING id", [appointmentIds],
    );
    expect(due).toHaveLength(appointmentIds.length);

    const reminders = () => db.query<{ appointment_id: string; status: string }>(
      `SELECT s.appointment_id, m.status FROM messages m
         JOIN scheduled_notifications s ON m.idempotency_key LIKE 'reminder:' || s.appointment_id || ':%'
        WHERE s.id = ANY($1)`, [due.map((d) => d.id)],
    );
    await until(async () => (await reminders()).filter((r) => r.status === 'sent').length === appointmentIds.length, 120_000);
    // Each one is taken by one dispatcher: one job (made in the transaction that stamped its job id, and a row with a
    // job id is never dispatched again) and one message (the outbox stands in for the provider: one row is one send).
    const undispatched = await db.query('SELECT id FROM scheduled_notifications WHERE id = ANY($1) AND job_id IS NULL', [due.map((d) => d.id)]);
    expect(undispatched).toEqual([]);
    const sent = await reminders();
    expect(sent.map((r) => r.appointment_id).sort()).toEqual([...appointmentIds].sort());
    expect(sent.map((r) => r.status)).toEqual(Array(appointmentIds.length).fill('sent'));
    const jobs = await db.query<{ count: string }>(
      `SELECT count(*) FROM "${cluster.env.PGBOSS_SCHEMA}".job WHERE name = $1 AND data->>'scheduledId' = ANY($2)`,
      [SCHEDULED_QUEUE, due.map((d) => d.id)],
    );
    expect(Number(jobs[0]!.count)).toBe(appointmentIds.length);
  }, 300_000);

  describe('with a Redis of its own', () => {
    let redis: PrivateRedis;
    beforeAll(async () => { redis = await startPrivateRedis(); });
    afterAll(async () => { await redis?.stop(); });

    const readiness = async (url: string) => {
      const res = await fetch(`${url}/readyz`);
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() as { checks: Record<string, string> } };
    };

    test('/readyz is unready while Redis is down and ready again when it returns, without a restart; chat goes on meanwhile', async () => {
      const instance = await cluster.start({ REDIS_URL: redis.url });
      await until(async () => (await readiness(instance.url)).status === 200, 60_000);
      expect((await readiness(instance.url)).body.checks).toMatchObject({ redis: 'ok', database: 'ok' });

      await redis.stop();
      await until(async () => (await readiness(instance.url)).status === 503, 60_000);
      const down = await readiness(instance.url);
      expect(down.retryAfter).toMatch(/^\d+$/);
      expect(down.body.checks).toMatchObject({ redis: 'down', database: 'ok' });
      // Budgets fall back to this instance's memory: a customer can still chat, and the switch is logged.
      const chat = customer('during the outage', '198.51.100.40');
      await chat.connectTo(instance.url);
      expect(await chat.send('outage-0001', 'hello')).toMatchObject({ ok: true });
      chat.disconnect();
      await until(() => /rate limits are counted per instance/.test(instance.output()), 30_000);

      await redis.start();
      await until(async () => (await readiness(instance.url)).status === 200, 60_000);
      expect((await readiness(instance.url)).body.checks).toMatchObject({ redis: 'ok' });
      expect(instance.exit()).toBeNull();
    }, 240_000);
  });
});
