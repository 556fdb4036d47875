import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Database } from '../models/database.ts';
import { listOutbox, localOutboxTransport } from '../notifications/outbox.transport.ts';
import type { OutgoingMessage, Transport } from '../notifications/transport.ts';
import { devOutboxRoutes } from '../server/routes/dev-outbox.routes.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';

const message = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  brandId: 'acme',
  channel: 'email',
  to: 'ada@example.com',
  kind: 'confirmation',
  subject: 'Your appointment',
  text: 'See you on Tuesday.',
  html: '<p>See you on <b>Tuesday</b>.</p>',
  attachments: [],
  ...over,
});

describe.each(DATABASE_KINDS)('local outbox on %s', (kind) => {
  let db: Database;
  let transport: Transport;
  let now = new Date('2027-03-01T07:00:00Z');
  const clock = () => new Date(now);
  let server: Server;
  let url: string;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await db.query(`INSERT INTO brands (id, name, time_zone) VALUES ('acme','Acme','Europe/Paris')`);
    transport = localOutboxTransport(db, clock);
    const app = express();
    app.use(devOutboxRoutes(db));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
  });

  test('records what is sent, as sent by the local provider', async () => {
    const ics = { filename: 'rdv.ics', contentType: 'text/calendar', contentBase64: Buffer.from('BEGIN:VCALENDAR').toString('base64') };
    const { id } = await transport.send(message({ to: 'first@example.com', attachments: [ics] }));
    expect(transport.name).toBe('local');
    const [m] = await listOutbox(db, { recipient: 'first@example.com' });
    expect(m).toEqual({
      id, brandId: 'acme', channel: 'email', to: 'first@example.com', kind: 'confirmation', subject: 'Your appointment',
      text: 'See you on Tuesday.', html: '<p>See you on <b>Tuesday</b>.</p>', attachments: [ics], status: 'sent',
      provider: 'local', providerId: null, error: null, idempotencyKey: null, createdAt: now, sentAt: now,
    });
  });

  test('an idempotency key sends once and returns the first id', async () => {
    const first = await transport.send(message({ to: 'idem@example.com', idempotencyKey: 'confirm:42' }));
    const again = await transport.send(message({ to: 'idem@example.com', idempotencyKey: 'confirm:42', text: 'changed' }));
    expect(again.id).toBe(first.id);
    const both = await Promise.all([1, 2].map(() => transport.send(message({ to: 'idem@example.com', idempotencyKey: 'confirm:43' }))));
    expect(both[0]!.id).toBe(both[1]!.id);
    const rows = await listOutbox(db, { recipient: 'idem@example.com' });
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual(['confirm:42', 'confirm:43']);
    expect(rows.find((r) => r.idempotencyKey === 'confirm:42')!.text).toBe('See you on Tuesday.');
    // No key: every send is a message.
    await transport.send(message({ to: 'nokey@example.com' }));
    await transport.send(message({ to: 'nokey@example.com' }));
    expect(await listOutbox(db, { recipient: 'nokey@example.com' })).toHaveLength(2);
  });

  test('listOutbox: newest first, by recipient (any case) and kind, limited', async () => {
    const a = await transport.send(message({ to: 'list@example.com', kind: 'otp', text: 'one' }));
    const b = await transport.send(message({ to: 'list@example.com', kind: 'reminder', text: 'two' }));
    now = new Date(now.getTime() + 60_000);
    const c = await transport.send(message({ to: 'List@Example.com', kind: 'otp', text: 'three' }));
    await transport.send(message({ to: '+33612345678', channel: 'sms', subject: null, html: null, kind: 'otp' }));
    expect((await listOutbox(db, { recipient: 'list@example.com' })).map((m) => m.id)).toEqual([c.id, b.id, a.id]);
    expect((await listOutbox(db, { recipient: 'LIST@example.com', kind: 'otp' })).map((m) => m.id)).toEqual([c.id, a.id]);
    expect((await listOutbox(db, { recipient: 'list@example.com', limit: 1 })).map((m) => m.id)).toEqual([c.id]);
    expect((await listOutbox(db, { kind: 'otp' })).every((m) => m.kind === 'otp')).toBe(true);
    expect((await listOutbox(db, {}))[0]!.to).toBe('+33612345678');
  });

  test('GET /dev/outbox: an escaped, refreshing HTML page, newest first', async () => {
    await transport.send(message({ to: 'evil@example.com', subject: '<script>alert(1)</script>', text: 'x"><img src=x onerror=alert(2)>' }));
    const res = await fetch(`${url}/dev/outbox`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('<title>Dev outbox</title>');
    expect(html).toContain('http-equiv="refresh" content="5"');
    expect(html).toContain('name="viewport"');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.indexOf('evil@example.com')).toBeLessThan(html.indexOf('list@example.com'));
    // The HTML body is only ever shown sandboxed, from its own CSP-guarded URL.
    expect(html).toMatch(/<iframe src="\/dev\/outbox\/[0-9a-f-]{36}\/html" sandbox=""/);

    const filtered = await (await fetch(`${url}/dev/outbox?to=${encodeURIComponent('nokey@example.com')}`)).text();
    expect(filtered).toContain('nokey@example.com');
    expect(filtered).not.toContain('evil@example.com');
  });

  test('GET /dev/outbox/messages.json filters by recipient and kind', async () => {
    const res = await fetch(`${url}/dev/outbox/messages.json?to=${encodeURIComponent('list@example.com')}&kind=otp`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { messages: { id: string; to: string; kind: string; text: string; createdAt: string; channel: string; subject: string | null }[] };
    expect(body.messages.map((m) => m.text)).toEqual(['three', 'one']);
    expect(body.messages[0]).toMatchObject({ channel: 'email', to: 'List@Example.com', kind: 'otp', subject: 'Your appointment' });
    expect(new Date(body.messages[0]!.createdAt).getTime()).toBe(now.getTime());
    const all = (await (await fetch(`${url}/dev/outbox/messages.json`)).json()) as { messages: unknown[] };
    expect(all.messages.length).toBeGreaterThan(body.messages.length);
  });

  test('GET /dev/outbox/:id/html serves the HTML body under a strict CSP', async () => {
    const { id } = await transport.send(message({ to: 'html@example.com', html: '<p>Hi</p><script>alert(1)</script>' }));
    const res = await fetch(`${url}/dev/outbox/${id}/html`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/(^|; )sandbox(;|$)/);
    expect(csp).not.toContain('script-src');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('<p>Hi</p><script>alert(1)</script>');

    const { id: smsId } = await transport.send(message({ to: '+33600000000', channel: 'sms', subject: null, html: null }));
    expect((await fetch(`${url}/dev/outbox/${smsId}/html`)).status).toBe(404);
    expect((await fetch(`${url}/dev/outbox/not-a-uuid/html`)).status).toBe(404);
  });
});
