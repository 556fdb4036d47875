import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import twilio from 'twilio';
import type { Database } from '../models/database.ts';
import { seedDemo, DEMO_BRAND_ID } from '../models/seed.ts';
import { seedDemoStaffAccounts, DEMO_ADMIN } from '../models/seed-staff.ts';
import { findBrand } from '../models/brands.repository.ts';
import type { Appointment } from '../models/appointments.repository.ts';
import { createSignedLinks, type SignedLinks } from '../notifications/signed-links.ts';
import { loadConfig } from '../server/config.ts';
import { createApp } from '../server/app.ts';
import { consoleRoutes } from '../server/routes/console.routes.ts';
import { appointmentPageRoutes } from '../server/routes/appointment-pages.routes.ts';
import { providerWebhookRoutes, SENDGRID_EVENTS_PATH, TWILIO_STATUS_PATH } from '../server/routes/provider-webhooks.routes.ts';
import { bookAsCustomer } from './support/booking.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';
import { getPage, postForm, proofOf } from './support/pages.ts';
import { CHEAP_SCRYPT } from './support/app.ts';
import { ConsoleClient } from './support/console.ts';

/**
 * Out-of-range years (9999, 0001) and NUL bytes or unpaired surrogates, in every kind of input
 * (query, path, JSON body, form body) at every HTTP boundary (API, console API, appointment pages,
 * provider webhooks): a 400 with a message naming the problem, never a 500, and nothing stored.
 */

const clock = testClock('2027-03-01T07:00:00Z');
const TWILIO_TOKEN = 'twilio-auth-token-for-input-tests';
const sendgrid = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const SENDGRID_KEY = sendgrid.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

interface Answer {
  status: number;
  text: string;
}

describe.each(DATABASE_KINDS)('hostile values at every HTTP boundary on %s', (kind) => {
  let db: Database;
  let server: Server;
  let url: string;
  let apiKey: string;
  let links: SignedLinks;
  let admin: ConsoleClient;
  let appointment: Appointment;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    apiKey = (await seedDemo(db, { allowedOrigins: [] })).apiKey!;
    const logins = await seedDemoStaffAccounts(db, { passwordParams: CHEAP_SCRYPT });
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    links = createSignedLinks({ baseUrl: url, secret: 'h'.repeat(40), now: clock.now });
    const config = loadConfig({ PUBLIC_URL: url, API_RATE_LIMIT_PER_MINUTE: '100000' });
    server.on('request', createApp({ db, config, logger: pino({ level: 'silent' }), now: clock.now }, [
      appointmentPageRoutes({ db, now: clock.now, links, formKey: 'input-form-key' }),
      providerWebhookRoutes({ db, now: clock.now, publicUrl: url, twilioAuthToken: TWILIO_TOKEN, sendgridVerificationKey: SENDGRID_KEY }),
      consoleRoutes({ db, now: clock.now, config }),
    ]));
    const brand = (await findBrand(db, DEMO_BRAND_ID))!;
    appointment = await bookAsCustomer({ db, now: clock.now }, brand, {
      service: 'showroom-visit', store: 'paris-opera', mode: 'in_store', start: '2027-03-02T09:00:00Z',
      customer: { name: 'Ada Lovelace', email: 'ada@example.com', phone: null },
    });
    admin = new ConsoleClient({ url: `${url}/console/api`, close: async () => undefined });
    await admin.login(DEMO_ADMIN.email, logins.find((l) => l.email === DEMO_ADMIN.email)!.password);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
  });

  const send = async (path: string, init: RequestInit = {}): Promise<Answer> => {
    const res = await fetch(url + path, init);
    return { status: res.status, text: await res.text() };
  };
  const api = (method: string, path: string, body?: string) => send(path, {
    method, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }),
  });
  const consoleCall = (method: string, path: string, body?: string) => send(`/console/api${path}`, {
    method,
    headers: {
      'content-type': 'application/json', 'x-csrf-token': admin.csrfToken ?? '',
      cookie: [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    },
    ...(body === undefined ? {} : { body }),
  });
  const form = (path: string, fields: Record<string, string>) => postForm(url + path, fields);
  const proofOn = async (path: string) => proofOf((await getPage(url + path)).text);
  /** The reschedule form's proof: on the confirm page of the first time the picker offers. */
  const rescheduleProof = async () => {
    const offered = /start=([^"&]+)/.exec((await send(pagePath('reschedule'))).text)![1]!;
    return proofOn(`${pagePath('reschedule')}?start=${offered}`);
  };
  const pagePath = (action: 'cancel' | 'reschedule') => links.url(action, appointment).slice(url.length);
  const twilioPost = (params: Record<string, string>) => send(TWILIO_STATUS_PATH, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(TWILIO_TOKEN, url + TWILIO_STATUS_PATH, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  const sendgridPost = (payload: string) => {
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    return send(SENDGRID_EVENTS_PATH, {
      method: 'POST',
      headers: {
        'content-type': 'application/json', 'x-twilio-email-event-webhook-timestamp': timestamp,
        'x-twilio-email-event-webhook-signature': sign('sha256', Buffer.from(timestamp + payload), sendgrid.privateKey).toString('base64'),
      },
      body: payload,
    });
  };

  // JSON.stringify keeps \u0000 and lone surrogates as escapes: the server's parser turns them back.
  const NUL = 'Ada\u0000Lovelace';
  const LONE = 'Ada \ud800';
  const slot = { service: 'showroom-visit', mode: 'in_store', store: 'paris-opera' };
  const customer = (name: string) => ({ name, email: 'grace@example.com' });
  const availability = (q: string) => `/api/availability?service=showroom-visit&mode=in_store&store=paris-opera&${q}`;

  /** [what, request, what the message must mention] */
  const cases: [string, () => Promise<Answer>, RegExp][] = [
    ['API query: year 9999 date', () => api('GET', availability('from=9999-01-01&to=9999-01-10')), /from/],
    ['API query: year 0001 instant', () => api('GET', availability('from=0001-01-01T00:00:00Z&to=0001-01-05T00:00:00Z')), /from/],
    ['API query: NUL in brand', () => api('GET', '/api/services?brand=de%00mo'), /brand/],
    ['API query: NUL in a place', () => api('GET', '/api/stores?near=Pa%00ris'), /near/],
    ['API path: NUL in an id', () => api('GET', '/api/appointments/%00'), /id/],
    ['API JSON: year 9999 hold', () => api('POST', '/api/holds', JSON.stringify({ ...slot, start: '9999-12-31T09:00:00Z' })), /start/],
    ['API JSON: year 0001 hold', () => api('POST', '/api/holds', JSON.stringify({ ...slot, start: '0001-01-01T09:00:00Z' })), /start/],
    ['API JSON: NUL in a name', () => api('POST', '/api/appointments', JSON.stringify({ ...slot, start: '2027-03-03T09:00:00Z', customer: customer(NUL) })), /customer\.name/],
    ['API JSON: unpaired surrogate in notes', () => api('POST', '/api/appointments', JSON.stringify({ ...slot, start: '2027-03-03T09:30:00Z', customer: customer('Grace'), notes: LONE })), /notes/],
    ['API JSON: NUL in a key', () => api('POST', '/api/holds', `{"start\\u0000": "2027-03-03T09:00:00Z"}`), /start/],
    ['API JSON: year 9999 reschedule', () => api('POST', `/api/appointments/${appointment.id}/reschedule`, JSON.stringify({ start: '9999-03-03T09:00:00Z' })), /start/],
    ['API JSON: NUL in a reason', () => api('POST', `/api/appointments/${appointment.id}/cancel`, JSON.stringify({ reason: NUL })), /reason/],
    ['console query: NUL in a search', () => consoleCall('GET', '/appointments?q=a%00b'), /q/],
    ['console query: year 9999', () => consoleCall('GET', '/appointments?view=upcoming&from=9999-01-01'), /from/],
    ['console JSON: year 0001 reschedule', () => consoleCall('POST', `/appointments/${appointment.id}/reschedule`, JSON.stringify({ start: '0001-01-01T10:00:00Z' })), /start/],
    ['console JSON: NUL in a reason', () => consoleCall('POST', `/appointments/${appointment.id}/cancel`, JSON.stringify({ reason: NUL })), /reason/],
    ['console JSON: year 9999 time off', () => consoleCall('POST', `/staff/${appointment.staffId}/time-off`, JSON.stringify({ startsAt: '9999-01-01T00:00:00Z', endsAt: '9999-01-02T00:00:00Z' })), /startsAt/],
    ['console JSON: NUL in a sign-in', () => send('/console/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: NUL, password: 'x' }) }), /email/],
    ['page query: year 9999 start', () => send(`${pagePath('reschedule')}?start=9999-12-31T09%3A00%3A00.000Z`), /choose a time/i],
    ['page form: year 0001 start', async () => form(pagePath('reschedule'), { proof: await rescheduleProof(), start: '0001-01-01T09:00:00.000Z' }), /choose a time/i],
    ['page form: NUL in a reason', async () => form(pagePath('cancel'), { proof: await proofOn(pagePath('cancel')), reason: NUL }), /reason/],
    ['page path: NUL in a token', () => send('/a/%00/manage'), /path/],
    ['webhook form: NUL in a status', () => twilioPost({ MessageSid: 'SM0123456789abcdef0123456789abcdef', MessageStatus: 'deliv\u0000ered' }), /MessageStatus/],
    ['webhook JSON: NUL in an event', () => sendgridPost(JSON.stringify([{ event: 'deliv\u0000ered', email: 'a@example.com', timestamp: 1 }])), /event/],
  ];

  test.each(cases)('%s → 400 with a message', async (_what, request, mentions) => {
    const answer = await request();
    expect({ status: answer.status, text: answer.text.slice(0, 300) }).toMatchObject({ status: 400 });
    expect(answer.text).toMatch(mentions);
  });

  test('what slips past validation is refused by the data layer as a 400, never a 500', async () => {
    for (const [sql, value] of [['SELECT $1::text AS v', 'a\u0000b'], ['SELECT $1::jsonb AS v', { note: 'a\u0000b' }], ['SELECT $1::date AS v', '2027-02-30']] as const) {
      await expect(db.query(sql, [value])).rejects.toMatchObject({ status: 400, code: 'invalid_input' });
      await expect(db.transaction((tx) => tx.query(sql, [value]))).rejects.toMatchObject({ status: 400, code: 'invalid_input' });
    }
  });

  test('nothing hostile was stored, and the appointment did not move', async () => {
    const rows = await db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM appointments)::int + (SELECT count(*) FROM holds)::int + (SELECT count(*) FROM delivery_events)::int AS n`,
    );
    expect(rows[0]!.n).toBe(1);
    const [row] = await db.query<{ start_at: Date; state: string }>('SELECT start_at, state FROM appointments WHERE id = $1', [appointment.id]);
    expect(row).toMatchObject({ state: 'confirmed', start_at: appointment.startAt });
  });
});
