import { io as connect } from 'socket.io-client';
import type { ChatActivity, MessageAck } from '../bot/web-protocol.ts';
import { startApp, type TestApp } from './support/app.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';

/** Readiness, metrics and request ids of the whole product (PGlite, real HTTP and sockets). */
describe('operations endpoints', () => {
  const clock = testClock('2027-03-01T08:00:00Z');
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp(clock.now);
  });
  afterAll(async () => {
    await app?.close();
  });

  const metricsText = async () => {
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };
  /** The value of one sample line, e.g. `rendezvous_bot_turns_total{outcome="ok"}`; 0 when absent. */
  const sample = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };

  test('/readyz is ready when the database and the job queue answer', async () => {
    const res = await fetch(`${app.url}/readyz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: 'ok', jobQueue: 'ok', accepting: 'ok' } });
  });

  test('/metrics counts bot turns and bookings, and reads the outbox, queue and sockets', async () => {
    const before = await metricsText();
    expect(before).toContain('# TYPE rendezvous_bot_turn_seconds histogram');
    expect(before).toContain('rendezvous_process_cpu_seconds_total');

    // One real chat turn over socket.io.
    const socket = connect(`${app.url}/chat`, {
      auth: { brand: 'demo', lastSeq: 0 }, extraHeaders: { origin: app.url }, transports: ['websocket'], forceNew: true,
    });
    const activities: ChatActivity[] = [];
    socket.on('activity', (a: ChatActivity) => activities.push(a));
    try {
      await new Promise<void>((resolve, reject) => { socket.once('connect', () => resolve()); socket.once('connect_error', reject); });
      const ack = (await socket.timeout(30_000).emitWithAck('message', { clientId: 'ops-test-0001', text: 'help' })) as MessageAck;
      expect(ack.ok).toBe(true);
      await until(() => activities.some((a) => a.from === 'bot' && ack.ok && a.seq > ack.seq), 30_000);
      const during = await metricsText();
      expect(sample(during, 'rendezvous_open_sockets{namespace="/chat"}')).toBe(1);
      expect(sample(during, 'rendezvous_bot_turns_total{outcome="ok"}')).toBeGreaterThan(sample(before, 'rendezvous_bot_turns_total{outcome="ok"}'));
      expect(sample(during, 'rendezvous_bot_turn_seconds_count')).toBeGreaterThanOrEqual(1);
    } finally {
      socket.disconnect();
    }

    // One booking through the API: counted, and its confirmation email is in the outbox gauge.
    const availability = await fetch(`${app.url}/api/availability?service=showroom-visit&mode=in_store&store=paris-opera&from=2027-03-02&to=2027-03-05&tz=Europe/Paris`);
    const days = (await availability.json()).days as { slots: { start: string }[] }[];
    const start = days.flatMap((d) => d.slots)[0]!.start;
    const booked = await fetch(`${app.url}/api/appointments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start, customer: { name: 'Ada Ops', email: 'ada.ops@example.com' } }),
    });
    expect(booked.status).toBe(201);
    // Its messages are rendered just after the booking's commit.
    const { appointment: { id } } = await booked.json() as { appointment: { id: string } };
    await until(async () => (await app.db.query('SELECT 1 FROM booking_outbox WHERE appointment_id = $1 AND done_at IS NOT NULL', [id])).length === 1);
    const after = await metricsText();
    expect(sample(after, 'rendezvous_booking_events_total{type="booked"}')).toBe(sample(before, 'rendezvous_booking_events_total{type="booked"}') + 1);
    const [row] = await app.db.query<{ count: string }>("SELECT count(*) AS count FROM messages WHERE channel = 'email'");
    const emailSeries = after.split('\n').filter((l) => l.startsWith('rendezvous_messages{channel="email"'));
    expect(emailSeries.reduce((sum, l) => sum + Number(l.split(' ').pop()), 0)).toBe(Number(row!.count));
    expect(after).toMatch(/^rendezvous_delivery_queue_depth \d+$/m);
    expect(after).toMatch(/^rendezvous_handoffs_waiting 0$/m);
  });

  test('/metrics refuses a request relayed by a proxy when no token is configured', async () => {
    const res = await fetch(`${app.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('rendezvous_');
  });

  test('every response names its request id; a well-formed incoming id is kept', async () => {
    const fresh = await fetch(`${app.url}/healthz`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await fetch(`${app.url}/api/services`, { headers: { 'x-request-id': 'lb-7f3a9c21-0001' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a9c21-0001');
    const forged = await fetch(`${app.url}/api/services`, { headers: { 'x-request-id': '<script>alert(1)</script>' } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
