import { createServer as createTcpServer, connect, type Server as TcpServer, type Socket } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { openDatabase, type Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import { seedDemoStaffAccounts, DEMO_ADMIN } from '../models/seed-staff.ts';
import { loadConfig } from '../server/config.ts';
import { createApp } from '../server/app.ts';
import { consoleRoutes } from '../server/routes/console.routes.ts';
import { appointmentPageRoutes } from '../server/routes/appointment-pages.routes.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import { bookAsCustomer } from './support/booking.ts';
import { openTestDatabase, TEST_DATABASE_URL } from './support/databases.ts';
import { testClock } from './support/server.ts';
import { CHEAP_SCRYPT } from './support/app.ts';
import { ConsoleClient } from './support/console.ts';
import { until } from './support/wait.ts';
import { findBrand } from '../models/brands.repository.ts';

/**
 * PostgreSQL going away under a running server: the server reaches the database through a TCP
 * proxy this test controls (the machine's PostgreSQL keeps running for everyone else). While the
 * proxy cuts every connection, or swallows them without an answer, the API, the console and
 * /healthz answer 503 with Retry-After; when it lets them through again, the same process serves
 * again, without a restart.
 */

type ProxyMode = 'up' | 'reset' | 'blackhole';

/** A TCP proxy to PostgreSQL: 'reset' closes every connection at once, 'blackhole' accepts and never answers. */
async function startProxy(target: { host: string; port: number }) {
  let mode: ProxyMode = 'up';
  let sent = 0;
  const open = new Set<Socket>();
  const server: TcpServer = createTcpServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    if (mode === 'reset') return void client.destroy();
    if (mode === 'blackhole') return;
    const upstream = connect(target.port, target.host);
    open.add(upstream);
    upstream.on('close', () => { open.delete(upstream); client.destroy(); });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
    client.on('data', () => { sent++; });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    /** Chunks sent to PostgreSQL so far (statements, mostly). */
    traffic: () => sent,
    /** Switches mode; any mode but 'up' also drops every connection open now (the backends die). */
    set(next: ProxyMode) {
      mode = next;
      if (next !== 'up') for (const socket of open) socket.destroy();
    },
    close: () => new Promise<void>((resolve) => {
      for (const socket of open) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

const clock = testClock('2027-03-01T07:00:00Z');

describe('a PostgreSQL outage under a running server', () => {
  let direct: Database;
  let proxied: Database;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let server: Server;
  let url: string;
  let apiKey: string;
  let admin: ConsoleClient;
  let manageLink: string;

  beforeAll(async () => {
    direct = await openTestDatabase('postgres');
    const [{ schema }] = await direct.query<{ schema: string }>('SELECT current_schema() AS schema') as [{ schema: string }];
    apiKey = (await seedDemo(direct, { allowedOrigins: [] })).apiKey!;
    const logins = await seedDemoStaffAccounts(direct, { passwordParams: CHEAP_SCRYPT });
    const target = new URL(TEST_DATABASE_URL);
    proxy = await startProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxiedUrl = new URL(TEST_DATABASE_URL);
    proxiedUrl.host = `127.0.0.1:${proxy.port}`;
    proxied = await openDatabase({ url: proxiedUrl.toString(), schema, poolSize: 4, connectTimeoutMs: 1500 });

    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const links = createSignedLinks({ baseUrl: url, secret: 'o'.repeat(40), now: clock.now });
    const config = loadConfig({ PUBLIC_URL: url, API_RATE_LIMIT_PER_MINUTE: '100000' });
    server.on('request', createApp({ db: proxied, config, logger: pino({ level: 'silent' }), now: clock.now }, [
      appointmentPageRoutes({ db: proxied, now: clock.now, links, formKey: 'outage-form-key' }),
      consoleRoutes({ db: proxied, now: clock.now, config }),
    ]));

    const brand = (await findBrand(direct, 'demo'))!;
    const a = await bookAsCustomer({ db: direct, now: clock.now }, brand, {
      service: 'showroom-visit', store: 'paris-opera', mode: 'in_store', start: '2027-03-02T09:00:00Z',
      customer: { name: 'Ada Lovelace', email: 'ada@example.com', phone: null },
    });
    manageLink = links.url('manage', a).slice(url.length);
    admin = new ConsoleClient({ url: `${url}/console/api`, close: async () => undefined });
    const password = logins.find((l) => l.email === DEMO_ADMIN.email)!.password;
    expect((await admin.login(DEMO_ADMIN.email, password)).status).toBe(201);
  });
  afterAll(async () => {
    proxy.set('up');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await proxied.close();
    await proxy.close();
    await direct.close();
  });

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(url + path, init);
    return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
  };
  const apiGet = (path: string) => call(path, { headers: { authorization: `Bearer ${apiKey}` } });

  /** Every kind of entry point, as a client sees it. */
  const probes = {
    healthz: () => call('/healthz'),
    publicApi: () => call('/api/services'),
    keyedApi: () => apiGet('/api/appointments/00000000-0000-4000-8000-000000000000'),
    booking: () => call('/api/holds', {
      method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: '2027-03-03T09:00:00Z' }),
    }),
    consoleRead: () => call('/console/api/appointments?view=upcoming', {
      headers: { cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    }),
    consoleLogin: () => call('/console/api/session', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: DEMO_ADMIN.email, password: 'whatever it is' }),
    }),
    page: () => call(manageLink),
  };

  async function expectUnavailable() {
    for (const [name, probe] of Object.entries(probes)) {
      const r = await probe();
      expect({ name, status: r.status, retryAfter: r.retryAfter }).toEqual({ name, status: 503, retryAfter: '5' });
    }
    const health = await probes.healthz();
    expect(JSON.parse(health.text)).toMatchObject({ status: 'unavailable', database: 'postgres' });
    expect(JSON.parse((await probes.publicApi()).text)).toMatchObject({ error: { code: 'database_unavailable' } });
  }

  async function expectServing() {
    await until(async () => (await probes.healthz()).status === 200, 30_000);
    expect(JSON.parse((await probes.healthz()).text)).toEqual({ status: 'ok', database: 'postgres' });
    expect((await probes.publicApi()).status).toBe(200);
    expect((await probes.keyedApi()).status).toBe(404);
    expect((await probes.consoleRead()).status).toBe(200);
    expect((await probes.page()).status).toBe(200);
  }

  test('connections cut and refused: 503 with Retry-After everywhere, then serving again without a restart', async () => {
    await expectServing();
    proxy.set('reset');
    await expectUnavailable();
    proxy.set('up');
    await expectServing();
    expect((await probes.booking()).status).toBe(201);
  });

  test('connections cut in the middle of requests: each answers 200 or 503, and the process keeps serving', async () => {
    await expectServing();
    const before = proxy.traffic();
    const inFlight = Array.from({ length: 40 }, (_, i) => (i % 2 ? probes.publicApi() : probes.consoleRead()));
    // Cut once the first of them has reached the database.
    await until(() => proxy.traffic() > before, 10_000);
    proxy.set('reset');
    const statuses = new Set((await Promise.all(inFlight)).map((r) => r.status));
    expect([...statuses].every((status) => status === 200 || status === 503)).toBe(true);
    proxy.set('up');
    await expectServing();
  });

  test('a database that accepts connections but never answers: 503 within the connect timeout, then serving again', async () => {
    proxy.set('blackhole');
    await expectUnavailable();
    proxy.set('up');
    await expectServing();
  });
});
