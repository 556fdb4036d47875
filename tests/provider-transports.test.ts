import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PermanentDeliveryError, TransientDeliveryError, type ProviderOutgoingMessage } from '../notifications/delivery-errors.ts';
import { sendgridTransport } from '../notifications/sendgrid.transport.ts';
import type { OutgoingMessage } from '../notifications/transport.ts';
import { twilioTransport } from '../notifications/twilio.transport.ts';

/** One request as the stand-in provider received it. */
interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const SG_KEY = 'SG.test-key.0123456789';
const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'twilio-auth-token-for-tests';
const SMS_SID = 'SM0123456789abcdef0123456789abcdef';

const email = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  brandId: 'acme',
  channel: 'email',
  to: 'ada@example.com',
  kind: 'confirmation',
  subject: 'Your appointment on Tuesday',
  text: 'See you on Tuesday at 10:00.',
  html: '<p>See you on <b>Tuesday</b> at 10:00.</p>',
  attachments: [],
  ...over,
});

const sms = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  brandId: 'acme',
  channel: 'sms',
  to: '+33612345678',
  kind: 'otp',
  subject: null,
  text: 'Your code is 123456',
  html: null,
  attachments: [],
  ...over,
});

/** The resource Twilio answers a created message with (trimmed to what matters). */
function twilioMessage(sid: string, form: URLSearchParams) {
  return {
    sid,
    account_sid: ACCOUNT_SID,
    to: form.get('To'),
    from: form.get('From'),
    body: form.get('Body'),
    status: 'queued',
    num_segments: '1',
    direction: 'outbound-api',
    api_version: '2010-04-01',
    date_created: 'Mon, 01 Mar 2027 07:00:00 +0000',
    date_updated: 'Mon, 01 Mar 2027 07:00:00 +0000',
    date_sent: null,
    error_code: null,
    error_message: null,
    price: null,
    uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}.json`,
    subresource_uris: {},
  };
}

describe('provider transports against a local stand-in for SendGrid and Twilio', () => {
  let server: Server;
  let baseUrl: string;
  const requests: Recorded[] = [];
  /** Replies for the next requests, in order; empty → the provider's usual success. */
  const replies: Reply[] = [];
  let sidCounter = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '';
        requests.push({ method: req.method ?? '', path, headers: req.headers, body });
        const reply = replies.shift() ?? (path === '/v3/mail/send'
          ? { status: 202, headers: { 'X-Message-Id': `sg-msg-${++sidCounter}` } }
          : { status: 201, body: twilioMessage(`SM${String(++sidCounter).padStart(32, '0')}`, new URLSearchParams(body)) });
        const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
        res.writeHead(reply.status, { ...(payload ? { 'Content-Type': 'application/json' } : {}), ...reply.headers });
        res.end(payload);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    requests.length = 0;
    replies.length = 0;
  });

  /** A base URL where nothing listens: the network error case. */
  async function deadBaseUrl(): Promise<string> {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    return `http://127.0.0.1:${port}`;
  }

  describe('SendGrid', () => {
    const transport = () => sendgridTransport({ apiKey: SG_KEY, from: { email: 'bookings@acme.example', name: 'Acme Bookings' }, baseUrl });

    test('POST /v3/mail/send with bearer key, text and HTML parts, the .ics and custom_args; returns X-Message-Id', async () => {
      const ics = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:42@acme\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
      const t = transport();
      const result = await t.send(email({
        idempotencyKey: 'confirmation:42',
        attachments: [
          { filename: 'appointment.ics', contentType: 'text/calendar', contentBase64: Buffer.from(ics).toString('base64') },
          { filename: 'map.pdf', contentType: 'application/pdf', contentBase64: Buffer.from('%PDF-1.4').toString('base64') },
        ],
      }));
      expect(t.name).toBe('sendgrid');
      expect(result).toEqual({ id: `sg-msg-${sidCounter}` });
      expect(requests).toHaveLength(1);
      const [req] = requests;
      expect(req!.method).toBe('POST');
      expect(req!.path).toBe('/v3/mail/send');
      expect(req!.headers.authorization).toBe(`Bearer ${SG_KEY}`);
      expect(req!.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(req!.body)).toEqual({
        from: { email: 'bookings@acme.example', name: 'Acme Bookings' },
        subject: 'Your appointment on Tuesday',
        personalizations: [{ to: [{ email: 'ada@example.com' }] }],
        content: [
          { type: 'text/plain', value: 'See you on Tuesday at 10:00.' },
          { type: 'text/html', value: '<p>See you on <b>Tuesday</b> at 10:00.</p>' },
        ],
        attachments: [
          { content: Buffer.from(ics).toString('base64'), filename: 'appointment.ics', type: 'text/calendar; method=REQUEST', disposition: 'attachment' },
          { content: Buffer.from('%PDF-1.4').toString('base64'), filename: 'map.pdf', type: 'application/pdf', disposition: 'attachment' },
        ],
        custom_args: { rdv_brand_id: 'acme', rdv_kind: 'confirmation', rdv_idempotency_key: 'confirmation:42' },
      });
    });

    test('text only, an explicit iTIP method kept, our message id in custom_args, from without a name', async () => {
      const t = sendgridTransport({ apiKey: SG_KEY, from: { email: 'no-reply@acme.example' }, baseUrl: `${baseUrl}/` });
      const cancel = { filename: 'cancel.ics', contentType: 'text/calendar; method=CANCEL', contentBase64: Buffer.from('METHOD:CANCEL').toString('base64') };
      const withId: ProviderOutgoingMessage = { ...email({ html: null, attachments: [cancel] }), messageId: '7d1c1b4e-1111-4222-8333-944455556666' };
      const sent = t.send(withId);
      await expect(sent).resolves.toEqual({ id: `sg-msg-${sidCounter + 1}` });
      const body = JSON.parse(requests[0]!.body) as Record<string, unknown>;
      expect(requests[0]!.path).toBe('/v3/mail/send');
      expect(body.from).toEqual({ email: 'no-reply@acme.example' });
      expect(body.content).toEqual([{ type: 'text/plain', value: 'See you on Tuesday at 10:00.' }]);
      expect(body.attachments).toEqual([{ content: cancel.contentBase64, filename: 'cancel.ics', type: 'text/calendar; method=CANCEL', disposition: 'attachment' }]);
      expect(body.custom_args).toEqual({ rdv_brand_id: 'acme', rdv_kind: 'confirmation', rdv_message_id: '7d1c1b4e-1111-4222-8333-944455556666' });
    });

    test('a queued message\'s attempt rides in custom_args with its id, so its events show which attempt SendGrid took', async () => {
      const attempt: ProviderOutgoingMessage = {
        ...email({ idempotencyKey: 'confirmed:42:1:customer:email' }), messageId: '7d1c1b4e-1111-4222-8333-944455556666', attempt: 2,
      };
      await transport().send(attempt);
      expect(JSON.parse(requests[0]!.body).custom_args).toEqual({
        rdv_brand_id: 'acme', rdv_kind: 'confirmation', rdv_message_id: '7d1c1b4e-1111-4222-8333-944455556666',
        rdv_idempotency_key: 'confirmed:42:1:customer:email', rdv_attempt: '2',
      });
      // SendGrid's Mail Send takes no idempotency header: none is sent.
      expect(Object.keys(requests[0]!.headers).filter((h) => /idempot/i.test(h))).toEqual([]);
    });

    test('one idempotency key, one request: repeated and concurrent sends share the first id', async () => {
      const t = transport();
      const [a, b] = await Promise.all([t.send(email({ idempotencyKey: 'k1' })), t.send(email({ idempotencyKey: 'k1' }))]);
      const c = await t.send(email({ idempotencyKey: 'k1', text: 'changed' }));
      expect(b).toEqual(a);
      expect(c).toEqual(a);
      expect(requests).toHaveLength(1);
      // After a failure the key is free again: the retry sends.
      replies.push({ status: 503, body: { errors: [{ message: 'try later' }] } });
      await expect(t.send(email({ idempotencyKey: 'k2' }))).rejects.toBeInstanceOf(TransientDeliveryError);
      const retried = await t.send(email({ idempotencyKey: 'k2' }));
      expect(retried).toEqual({ id: `sg-msg-${sidCounter}` });
      expect(await t.send(email({ idempotencyKey: 'k2' }))).toEqual(retried);
      expect(requests).toHaveLength(3);
    });

    test('400 → PermanentDeliveryError with SendGrid\'s reasons; 401 → permanent', async () => {
      replies.push({ status: 400, body: { errors: [{ message: 'Does not contain a valid address.', field: 'personalizations.0.to.0.email' }] } });
      const error = await transport().send(email({ to: 'not-an-address' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermanentDeliveryError);
      expect(error).toMatchObject({
        provider: 'sendgrid', status: 400, retryable: false,
        message: 'SendGrid answered 400: personalizations.0.to.0.email: Does not contain a valid address.',
      });
      replies.push({ status: 401, body: { errors: [{ message: 'The provided authorization grant is invalid.' }] } });
      await expect(transport().send(email())).rejects.toBeInstanceOf(PermanentDeliveryError);
    });

    test('500, 429 and network errors → TransientDeliveryError', async () => {
      replies.push({ status: 500, body: { errors: [{ message: 'Internal error' }] } });
      const error = await transport().send(email()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientDeliveryError);
      expect(error).toMatchObject({ provider: 'sendgrid', status: 500, retryable: true });
      replies.push({ status: 429, body: { errors: [{ message: 'too many requests' }] } });
      await expect(transport().send(email())).rejects.toBeInstanceOf(TransientDeliveryError);
      const offline = sendgridTransport({ apiKey: SG_KEY, from: { email: 'a@acme.example' }, baseUrl: await deadBaseUrl() });
      const network = await offline.send(email()).catch((e: unknown) => e);
      expect(network).toBeInstanceOf(TransientDeliveryError);
      expect(network).toMatchObject({ status: null });
    });

    test('refuses what it cannot carry, without a request', async () => {
      await expect(transport().send(sms())).rejects.toBeInstanceOf(PermanentDeliveryError);
      await expect(transport().send(email({ subject: null }))).rejects.toBeInstanceOf(PermanentDeliveryError);
      expect(requests).toHaveLength(0);
    });
  });

  describe('Twilio', () => {
    const basic = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
    const transport = (over: { whatsappFrom?: string; statusCallbackUrl?: string } = {}) => twilioTransport({
      accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, smsFrom: '+15005550006', baseUrl,
      whatsappFrom: '+14155238886', statusCallbackUrl: 'https://book.example.com/webhooks/twilio/status', ...over,
    });
    const messagesPath = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;

    test('SMS: POST Messages.json with basic auth, To/From/Body/StatusCallback; returns the SID', async () => {
      const t = transport();
      const result = await t.send(sms());
      expect(t.name).toBe('twilio');
      expect(result.id).toMatch(/^SM0{30}\d{2}$/);
      expect(requests).toHaveLength(1);
      const [req] = requests;
      expect(req!.method).toBe('POST');
      expect(req!.path).toBe(messagesPath);
      expect(req!.headers.authorization).toBe(basic);
      expect(req!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(Object.fromEntries(new URLSearchParams(req!.body))).toEqual({
        To: '+33612345678',
        From: '+15005550006',
        Body: 'Your code is 123456',
        StatusCallback: 'https://book.example.com/webhooks/twilio/status',
      });
      // Neither a row nor a key: nothing to deduplicate by, no idempotency token.
      expect(req!.headers['i-twilio-idempotency-token']).toBeUndefined();
      // A queued message's id rides in the (signed) callback URL, so its callbacks match it at once,
      // and is the idempotency token of every attempt at it.
      const queued: ProviderOutgoingMessage = { ...sms({ idempotencyKey: 'otp:7' }), messageId: '7d1c1b4e-1111-4222-8333-944455556666', attempt: 3 };
      await t.send(queued);
      expect(new URLSearchParams(requests[1]!.body).get('StatusCallback'))
        .toBe('https://book.example.com/webhooks/twilio/status?message_id=7d1c1b4e-1111-4222-8333-944455556666');
      expect(requests[1]!.headers['i-twilio-idempotency-token']).toBe('7d1c1b4e-1111-4222-8333-944455556666');
      expect(requests[1]!.headers.authorization).toBe(basic);
    });

    test('WhatsApp: whatsapp: prefixes on To and From; no StatusCallback when none is configured', async () => {
      await transport({ statusCallbackUrl: undefined }).send(sms({ channel: 'whatsapp', text: 'Rendez-vous confirmé ✅' }));
      expect(Object.fromEntries(new URLSearchParams(requests[0]!.body))).toEqual({
        To: 'whatsapp:+33612345678',
        From: 'whatsapp:+14155238886',
        Body: 'Rendez-vous confirmé ✅',
      });
      await expect(twilioTransport({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, smsFrom: '+15005550006', baseUrl })
        .send(sms({ channel: 'whatsapp' }))).rejects.toBeInstanceOf(PermanentDeliveryError);
      await expect(transport().send(email())).rejects.toBeInstanceOf(PermanentDeliveryError);
      expect(requests).toHaveLength(1);
    });

    test('one idempotency key, one request', async () => {
      const t = transport();
      const [a, b] = await Promise.all([t.send(sms({ idempotencyKey: 'otp:1' })), t.send(sms({ idempotencyKey: 'otp:1' }))]);
      expect(b).toEqual(a);
      expect((await t.send(sms({ idempotencyKey: 'otp:1' }))).id).toBe(a.id);
      expect(requests).toHaveLength(1);
      // Without a row id, the key is the token.
      expect(requests[0]!.headers['i-twilio-idempotency-token']).toBe('otp:1');
    });

    test('400 with 21211 (invalid number) → PermanentDeliveryError carrying the code', async () => {
      replies.push({ status: 400, body: { code: 21211, message: "The 'To' number +3361 is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 } });
      const error = await transport().send(sms({ to: '+3361' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermanentDeliveryError);
      expect(error).toMatchObject({
        provider: 'twilio', status: 400, providerCode: '21211', retryable: false,
        message: "Twilio answered 400 (error 21211): The 'To' number +3361 is not a valid phone number.",
      });
    });

    test('500, 429 (20429) and network errors → TransientDeliveryError', async () => {
      replies.push({ status: 500, body: { code: 20500, message: 'Internal Server Error', status: 500 } });
      const error = await transport().send(sms()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientDeliveryError);
      expect(error).toMatchObject({ provider: 'twilio', status: 500, retryable: true });
      replies.push({ status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 } });
      await expect(transport().send(sms())).rejects.toBeInstanceOf(TransientDeliveryError);
      const offline = twilioTransport({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, smsFrom: '+15005550006', baseUrl: await deadBaseUrl() });
      const network = await offline.send(sms()).catch((e: unknown) => e);
      expect(network).toBeInstanceOf(TransientDeliveryError);
      expect(network).toMatchObject({ status: null });
    });
  });
});
