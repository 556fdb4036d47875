import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import twilio from 'twilio';
import type { Database } from '../models/database.ts';
import { claimMessage } from '../models/message-delivery.repository.ts';
import { errorHandler } from '../server/http-errors.ts';
import { providerWebhookRoutes } from '../server/routes/provider-webhooks.routes.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';

const AUTH_TOKEN = 'twilio-auth-token-for-tests';
/** What Twilio calls and signs: deliberately not the local server's address. */
const PUBLIC_URL = 'https://book.example.com';
const TWILIO_PATH = '/webhooks/twilio/status';
const SENDGRID_PATH = '/webhooks/sendgrid/events';

/** A key pair like SendGrid's: ECDSA P-256; the public key as SendGrid shows it (base64 DER SPKI). */
function sendgridKeys(): { privateKey: KeyObject; verificationKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, verificationKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

/** SendGrid's scheme: ECDSA over SHA-256 of timestamp + raw body, DER signature in base64. */
function sendgridSignature(privateKey: KeyObject, timestamp: string, payload: string): string {
  return sign('sha256', Buffer.from(timestamp + payload, 'utf8'), privateKey).toString('base64');
}

const twilioSid = () => `SM${randomUUID().replace(/-/g, '')}`;

describe.each(DATABASE_KINDS)('provider webhooks on %s', (kind) => {
  let db: Database;
  let server: Server;
  let url: string;
  let now = new Date('2027-03-01T07:00:00Z');
  const clock = () => new Date(now);
  const keys = sendgridKeys();

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await db.query(`INSERT INTO brands (id, name, time_zone) VALUES ('acme','Acme','Europe/Paris')`);
    // Every status change of every message, in order: proves state changes once and never regresses.
    await db.query(`CREATE TABLE status_history (seq bigserial PRIMARY KEY, message_id uuid NOT NULL, old_status text, new_status text)`);
    await db.query(`CREATE FUNCTION log_status_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status IS DISTINCT FROM OLD.status THEN
          INSERT INTO status_history (message_id, old_status, new_status) VALUES (NEW.id, OLD.status, NEW.status);
        END IF;
        RETURN NEW;
      END $$`);
    await db.query(`CREATE TRIGGER messages_status_history AFTER UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION log_status_change()`);

    const app = express();
    app.use(providerWebhookRoutes({ db, now: clock, twilioAuthToken: AUTH_TOKEN, publicUrl: `${PUBLIC_URL}/`, sendgridVerificationKey: keys.verificationKey }));
    app.use('/unconfigured', providerWebhookRoutes({ db, now: clock, publicUrl: PUBLIC_URL }));
    app.use(errorHandler(pino({ level: 'silent' })));
    server = createServer(app);
    // The 50-replay tests keep sockets idle for seconds: no idle-close racing the client's reuse.
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.close();
  });

  async function insertMessage(m: { provider: string; providerId?: string | null; channel?: string; to?: string; status?: string; idempotencyKey?: string }): Promise<string> {
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO messages (brand_id, channel, recipient, kind, subject, body_text, status, provider, provider_id, idempotency_key, created_at, sent_at)
       VALUES ('acme', $1, $2, 'confirmation', $3, 'See you on Tuesday.', $4, $5, $6, $7, $8, $8) RETURNING id`,
      [m.channel ?? 'sms', m.to ?? '+33612345678', (m.channel ?? 'sms') === 'email' ? 'Your appointment' : null,
        m.status ?? 'sent', m.provider, m.providerId ?? null, m.idempotencyKey ?? null, now],
    );
    return row!.id;
  }

  async function message(id: string) {
    const [row] = await db.query<{ status: string; error: string | null }>('SELECT status, error FROM messages WHERE id = $1', [id]);
    return row!;
  }

  async function history(id: string): Promise<string[]> {
    const rows = await db.query<{ old_status: string; new_status: string }>(
      'SELECT old_status, new_status FROM status_history WHERE message_id = $1 ORDER BY seq', [id]);
    return rows.map((r) => `${r.old_status}→${r.new_status}`);
  }

  async function events(provider: string, filter: { messageId?: string; providerEventIdLike?: string }) {
    const rows = await db.query<{ provider_event_id: string; message_id: string | null; event: string; payload: unknown }>(
      `SELECT provider_event_id, message_id, event, payload FROM delivery_events
        WHERE provider = $1 AND ($2::uuid IS NULL OR message_id = $2::uuid) AND ($3::text IS NULL OR provider_event_id LIKE $3::text)
        ORDER BY received_at, provider_event_id`,
      [provider, filter.messageId ?? null, filter.providerEventIdLike ?? null],
    );
    return rows.map((r) => ({ ...r, payload: typeof r.payload === 'string' ? JSON.parse(r.payload) as unknown : r.payload }));
  }

  describe('POST /webhooks/twilio/status', () => {
    /** Posts a status callback signed as Twilio signs it (or with the given signature, or none). */
    function postTwilio(params: Record<string, string>, opts: { signature?: string | null; sendParams?: Record<string, string>; path?: string } = {}) {
      const path = opts.path ?? TWILIO_PATH;
      const signature = opts.signature === undefined ? twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + path, params) : opts.signature;
      return fetch(url + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'X-Twilio-Signature': signature }) },
        body: new URLSearchParams(opts.sendParams ?? params).toString(),
      });
    }
    const callback = (sid: string, status: string, extra: Record<string, string> = {}) => ({
      AccountSid: 'AC0123456789abcdef0123456789abcdef', ApiVersion: '2010-04-01', From: '+15005550006',
      MessageSid: sid, MessageStatus: status, SmsSid: sid, SmsStatus: status, To: '+33612345678', ...extra,
    });

    test('a valid signature → 200, the event recorded and the message delivered', async () => {
      const sid = twilioSid();
      const id = await insertMessage({ provider: 'twilio', providerId: sid });
      const res = await postTwilio(callback(sid, 'delivered'));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: 1 });
      expect(await message(id)).toEqual({ status: 'delivered', error: null });
      expect(await events('twilio', { messageId: id })).toEqual([
        { provider_event_id: `${sid}:delivered`, message_id: id, event: 'delivered', payload: callback(sid, 'delivered') },
      ]);
    });

    test('a signature over other parameters → 403, nothing recorded', async () => {
      const sid = twilioSid();
      const id = await insertMessage({ provider: 'twilio', providerId: sid });
      const signed = callback(sid, 'failed', { ErrorCode: '30003' });
      const res = await postTwilio(signed, { sendParams: { ...signed, MessageStatus: 'delivered' } });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: 'invalid_signature', message: 'The X-Twilio-Signature header does not match this request.' } });
      // Signed for another URL, or with another token: refused too.
      expect((await postTwilio(signed, { signature: twilio.getExpectedTwilioSignature(AUTH_TOKEN, `http://127.0.0.1${TWILIO_PATH}`, signed) })).status).toBe(403);
      expect((await postTwilio(signed, { signature: twilio.getExpectedTwilioSignature('another-token', PUBLIC_URL + TWILIO_PATH, signed) })).status).toBe(403);
      expect(await message(id)).toEqual({ status: 'sent', error: null });
      expect(await events('twilio', { providerEventIdLike: `${sid}:%` })).toEqual([]);
    });

    test('no signature → 403', async () => {
      const sid = twilioSid();
      const id = await insertMessage({ provider: 'twilio', providerId: sid });
      const res = await postTwilio(callback(sid, 'delivered'), { signature: null });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: 'invalid_signature', message: 'The X-Twilio-Signature header is missing.' } });
      expect((await postTwilio(callback(sid, 'delivered'), { signature: 'bm90IGEgc2lnbmF0dXJl' })).status).toBe(403);
      expect(await message(id)).toEqual({ status: 'sent', error: null });
    });

    test('the query string is part of what is signed', async () => {
      const sid = twilioSid();
      const id = await insertMessage({ provider: 'twilio', providerId: sid });
      const path = `${TWILIO_PATH}?brand=acme`;
      expect((await postTwilio(callback(sid, 'sent'), { path, signature: twilio.getExpectedTwilioSignature(AUTH_TOKEN, PUBLIC_URL + TWILIO_PATH, callback(sid, 'sent')) })).status).toBe(403);
      expect((await postTwilio(callback(sid, 'read'), { path })).status).toBe(200);
      expect(await message(id)).toEqual({ status: 'delivered', error: null });
    });

    test('matched by the message id in the signed callback URL, before the SID is on the row', async () => {
      const sid = twilioSid();
      const id = await insertMessage({ provider: 'pending', providerId: null, status: 'queued' });
      const res = await postTwilio(callback(sid, 'sent'), { path: `${TWILIO_PATH}?message_id=${id}` });
      expect(res.status).toBe(200);
      expect(await message(id)).toEqual({ status: 'sent', error: null });
      expect((await events('twilio', { messageId: id })).map((e) => e.provider_event_id)).toEqual([`${sid}:sent`]);
      // A made-up id in the URL falls back to the SID.
      const other = await insertMessage({ provider: 'twilio', providerId: sid });
      const unknownId = randomUUID();
      expect((await postTwilio(callback(sid, 'delivered'), { path: `${TWILIO_PATH}?message_id=${unknownId}` })).status).toBe(200);
      expect(await message(other)).toEqual({ status: 'delivered', error: null });
    });

    test('a message still sending (the answer to its send lost) moves forward on a callback: it is not sent again', async () => {
      const sid = twilioSid();
      const id = await insertMessage({ provider: 'pending', providerId: null, status: 'queued' });
      await db.transaction((tx) => claimMessage(tx, id, 'twilio', now));
      expect((await postTwilio(callback(sid, 'sent'), { path: `${TWILIO_PATH}?message_id=${id}` })).status).toBe(200);
      expect(await message(id)).toEqual({ status: 'sent', error: null });
    });

    test('50 replays of one event change state once; late and repeated events never move it back', async () => {
      const sid = twilioSid();
      const id = await insertMessage({ provider: 'twilio', providerId: sid, status: 'queued' });
      expect((await postTwilio(callback(sid, 'sent'))).status).toBe(200);
      const statuses = await Promise.all(Array.from({ length: 50 }, () => postTwilio(callback(sid, 'delivered')).then((r) => r.status)));
      expect(statuses).toEqual(Array(50).fill(200));
      // A late 'sent' and a replayed 'queued' after 'delivered'.
      expect((await postTwilio(callback(sid, 'sent'))).status).toBe(200);
      expect((await postTwilio(callback(sid, 'queued'))).status).toBe(200);
      for (let i = 0; i < 5; i++) expect((await postTwilio(callback(sid, 'delivered'))).status).toBe(200);
      expect(await message(id)).toEqual({ status: 'delivered', error: null });
      expect(await history(id)).toEqual(['queued→sent', 'sent→delivered']);
      expect((await events('twilio', { messageId: id })).map((e) => e.provider_event_id).sort()).toEqual(
        [`${sid}:delivered`, `${sid}:queued`, `${sid}:sent`]);
    });

    test('undelivered → failed with the error code; failed stays failed', async () => {
      const sid = twilioSid();
      const id = await insertMessage({ provider: 'twilio', providerId: sid, channel: 'whatsapp', to: 'whatsapp:+33612345678' });
      expect((await postTwilio(callback(sid, 'undelivered', { ErrorCode: '30003' }))).status).toBe(200);
      expect(await message(id)).toEqual({ status: 'failed', error: 'undelivered (Twilio error 30003)' });
      expect((await postTwilio(callback(sid, 'delivered'))).status).toBe(200);
      expect((await postTwilio(callback(sid, 'failed', { ErrorCode: '30008' }))).status).toBe(200);
      expect(await message(id)).toEqual({ status: 'failed', error: 'undelivered (Twilio error 30003)' });
      expect(await history(id)).toEqual(['sent→failed']);
    });

    test('an unknown message: 200 and recorded without a message', async () => {
      const sid = twilioSid();
      expect((await postTwilio(callback(sid, 'delivered'))).status).toBe(200);
      expect(await events('twilio', { providerEventIdLike: `${sid}:%` })).toEqual([
        { provider_event_id: `${sid}:delivered`, message_id: null, event: 'delivered', payload: callback(sid, 'delivered') },
      ]);
    });

    test('malformed bodies → 400; an unconfigured webhook → 503', async () => {
      const sid = twilioSid();
      const noStatus = { MessageSid: sid, To: '+33612345678' };
      const res = await postTwilio(noStatus);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_body');
      const json = await fetch(url + TWILIO_PATH, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Twilio-Signature': 'x' }, body: '{}' });
      expect(json.status).toBe(400);
      const big = await postTwilio({ ...callback(sid, 'sent'), Body: 'x'.repeat(70_000) });
      expect(big.status).toBe(413);
      const unconfigured = await postTwilio(callback(sid, 'sent'), { path: `/unconfigured${TWILIO_PATH}` });
      expect(unconfigured.status).toBe(503);
      expect(((await unconfigured.json()) as { error: { code: string } }).error.code).toBe('webhook_not_configured');
      expect(await events('twilio', { providerEventIdLike: `${sid}:%` })).toEqual([]);
    });
  });

  describe('POST /webhooks/sendgrid/events', () => {
    const seconds = (d: Date) => String(Math.floor(d.getTime() / 1000));

    /** Posts a batch signed as SendGrid signs it; overrides let tests tamper with any part. */
    function postSendgrid(payload: string, opts: { timestamp?: string; signature?: string | null; sendBody?: string; path?: string; contentType?: string } = {}) {
      const timestamp = opts.timestamp ?? seconds(now);
      const signature = opts.signature === undefined ? sendgridSignature(keys.privateKey, timestamp, payload) : opts.signature;
      return fetch(url + (opts.path ?? SENDGRID_PATH), {
        method: 'POST',
        headers: {
          'Content-Type': opts.contentType ?? 'application/json',
          'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
          ...(signature === null ? {} : { 'X-Twilio-Email-Event-Webhook-Signature': signature }),
        },
        body: opts.sendBody ?? payload,
      });
    }
    const sgEvent = (event: string, extra: Record<string, unknown> = {}) => ({
      email: 'ada@example.com', timestamp: Math.floor(now.getTime() / 1000), event,
      sg_event_id: `ev-${randomUUID()}`, 'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>', ...extra,
    });
    const sgMessageId = (providerId: string) => `${providerId}.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC5A1-2D.0`;

    test('a valid signature → 200; delivered matched by sg_message_id, bounce by our custom_args', async () => {
      const delivered = await insertMessage({ provider: 'sendgrid', providerId: 'W3kBZJQaQ9Wl_Gs8aEYlDQ', channel: 'email', to: 'ada@example.com' });
      const bounced = await insertMessage({ provider: 'sendgrid', providerId: 'other-x-message-id', channel: 'email', to: 'bob@example.com' });
      const keyed = await insertMessage({ provider: 'sendgrid', providerId: null, channel: 'email', to: 'cy@example.com', idempotencyKey: `confirmation:${randomUUID()}` });
      const [keyRow] = await db.query<{ idempotency_key: string }>('SELECT idempotency_key FROM messages WHERE id = $1', [keyed]);
      const batch = [
        sgEvent('processed', { sg_message_id: sgMessageId('W3kBZJQaQ9Wl_Gs8aEYlDQ') }),
        sgEvent('delivered', { sg_message_id: sgMessageId('W3kBZJQaQ9Wl_Gs8aEYlDQ'), response: '250 OK' }),
        sgEvent('bounce', { email: 'bob@example.com', sg_message_id: sgMessageId('unrelated'), rdv_message_id: bounced, type: 'bounce', status: '5.1.1', reason: '550 5.1.1 The email account that you tried to reach does not exist.' }),
        sgEvent('delivered', { email: 'cy@example.com', rdv_idempotency_key: keyRow!.idempotency_key }),
      ];
      const res = await postSendgrid(JSON.stringify(batch));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: 4 });
      expect(await message(delivered)).toEqual({ status: 'delivered', error: null });
      expect(await message(bounced)).toEqual({ status: 'failed', error: 'bounce: bounce 5.1.1 550 5.1.1 The email account that you tried to reach does not exist.' });
      expect(await message(keyed)).toEqual({ status: 'delivered', error: null });
      expect(await events('sendgrid', { messageId: delivered })).toEqual([
        { provider_event_id: batch[0]!.sg_event_id, message_id: delivered, event: 'processed', payload: batch[0] },
        { provider_event_id: batch[1]!.sg_event_id, message_id: delivered, event: 'delivered', payload: batch[1] },
      ].sort((a, b) => a.provider_event_id.localeCompare(b.provider_event_id)));
      expect(await history(delivered)).toEqual(['sent→delivered']);
    });

    test('a tampered body → 403, nothing recorded', async () => {
      const id = await insertMessage({ provider: 'sendgrid', providerId: 'tamper-id', channel: 'email' });
      const signed = JSON.stringify([sgEvent('delivered', { sg_message_id: sgMessageId('tamper-id') })]);
      const forged = signed.replace('"delivered"', '"bounce"');
      const res = await postSendgrid(signed, { sendBody: forged });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: 'invalid_signature', message: 'The event webhook signature does not match this request.' } });
      // Signed by another key, a garbage signature, no signature: refused.
      const other = sendgridKeys();
      expect((await postSendgrid(signed, { signature: sendgridSignature(other.privateKey, seconds(now), signed) })).status).toBe(403);
      expect((await postSendgrid(signed, { signature: 'bm90IGEgc2lnbmF0dXJl' })).status).toBe(403);
      expect((await postSendgrid(signed, { signature: null })).status).toBe(403);
      // The signature covers the timestamp too.
      const later = seconds(new Date(now.getTime() + 1000));
      expect((await postSendgrid(signed, { timestamp: later, signature: sendgridSignature(keys.privateKey, seconds(now), signed) })).status).toBe(403);
      expect(await message(id)).toEqual({ status: 'sent', error: null });
      expect(await events('sendgrid', { messageId: id })).toEqual([]);
    });

    test('a timestamp more than 5 minutes old (or ahead) → 403, even correctly signed', async () => {
      const id = await insertMessage({ provider: 'sendgrid', providerId: 'old-ts', channel: 'email' });
      const payload = JSON.stringify([sgEvent('delivered', { sg_message_id: sgMessageId('old-ts') })]);
      const old = await postSendgrid(payload, { timestamp: seconds(new Date(now.getTime() - 5 * 60_000 - 2000)) });
      expect(old.status).toBe(403);
      expect(((await old.json()) as { error: { code: string } }).error.code).toBe('invalid_signature');
      expect((await postSendgrid(payload, { timestamp: seconds(new Date(now.getTime() + 5 * 60_000 + 2000)) })).status).toBe(403);
      expect((await postSendgrid(payload, { timestamp: 'yesterday' })).status).toBe(403);
      expect(await message(id)).toEqual({ status: 'sent', error: null });
      // Within the window: accepted.
      expect((await postSendgrid(payload, { timestamp: seconds(new Date(now.getTime() - 4 * 60_000)) })).status).toBe(200);
      expect(await message(id)).toEqual({ status: 'delivered', error: null });
    });

    test('50 replays of one batch change state once; processed/deferred after delivered change nothing', async () => {
      const id = await insertMessage({ provider: 'sendgrid', providerId: 'replayed', channel: 'email', status: 'queued' });
      const batch = JSON.stringify([
        sgEvent('processed', { sg_message_id: sgMessageId('replayed') }),
        sgEvent('delivered', { sg_message_id: sgMessageId('replayed') }),
      ]);
      const statuses = await Promise.all(Array.from({ length: 50 }, () => postSendgrid(batch).then((r) => r.status)));
      expect(statuses).toEqual(Array(50).fill(200));
      const late = JSON.stringify([
        sgEvent('deferred', { sg_message_id: sgMessageId('replayed'), response: '421 try later' }),
        sgEvent('processed', { sg_message_id: sgMessageId('replayed') }),
        sgEvent('open', { sg_message_id: sgMessageId('replayed') }),
      ]);
      for (let i = 0; i < 3; i++) expect((await postSendgrid(late)).status).toBe(200);
      expect(await message(id)).toEqual({ status: 'delivered', error: null });
      expect(await history(id)).toEqual(['queued→sent', 'sent→delivered']);
      expect(await events('sendgrid', { messageId: id })).toHaveLength(5);
    });

    test('unknown messages: 200 and recorded without a message; dropped → failed with its reason', async () => {
      const unknown = sgEvent('delivered', { sg_message_id: sgMessageId('never-sent-by-us') });
      const id = await insertMessage({ provider: 'sendgrid', providerId: 'dropped-id', channel: 'email' });
      const dropped = sgEvent('dropped', { sg_message_id: sgMessageId('dropped-id'), reason: 'Bounced Address' });
      const res = await postSendgrid(JSON.stringify([unknown, dropped]));
      expect(res.status).toBe(200);
      const rows = await db.query<{ message_id: string | null }>(
        'SELECT message_id FROM delivery_events WHERE provider = $1 AND provider_event_id = $2', ['sendgrid', unknown.sg_event_id]);
      expect(rows).toEqual([{ message_id: null }]);
      expect(await message(id)).toEqual({ status: 'failed', error: 'dropped: Bounced Address' });
    });

    test('signed but malformed → 400; wrong content type → 400; too large → 413; unconfigured → 503', async () => {
      const notJson = await postSendgrid('[{"event": "delivered"');
      expect(notJson.status).toBe(400);
      expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe('invalid_body');
      expect((await postSendgrid(JSON.stringify({ event: 'delivered' }))).status).toBe(400);
      expect((await postSendgrid(JSON.stringify([{ no: 'event' }]))).status).toBe(400);
      expect((await postSendgrid(JSON.stringify([sgEvent('delivered')]), { contentType: 'text/plain' })).status).toBe(400);
      const huge = JSON.stringify(Array.from({ length: 6000 }, () => sgEvent('open', { useragent: 'x'.repeat(150) })));
      expect(Buffer.byteLength(huge)).toBeGreaterThan(1024 * 1024);
      expect((await postSendgrid(huge)).status).toBe(413);
      const unconfigured = await postSendgrid(JSON.stringify([sgEvent('delivered')]), { path: `/unconfigured${SENDGRID_PATH}` });
      expect(unconfigured.status).toBe(503);
    });
  });

  test('the clock decides what "5 minutes" means', async () => {
    now = new Date('2027-03-01T09:00:00Z');
    const id = await insertMessage({ provider: 'sendgrid', providerId: 'clock-id', channel: 'email' });
    const payload = JSON.stringify([{ event: 'delivered', sg_event_id: `ev-${randomUUID()}`, sg_message_id: 'clock-id.filter.0' }]);
    const stamp = String(Math.floor(new Date('2027-03-01T08:57:00Z').getTime() / 1000));
    const res = await fetch(url + SENDGRID_PATH, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Twilio-Email-Event-Webhook-Timestamp': stamp,
        'X-Twilio-Email-Event-Webhook-Signature': sendgridSignature(keys.privateKey, stamp, payload),
      },
      body: payload,
    });
    expect(res.status).toBe(200);
    expect(await message(id)).toEqual({ status: 'delivered', error: null });
  });
});
