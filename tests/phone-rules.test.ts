import type { Database } from '../models/database.ts';
import { gsmFriendly } from '../notifications/gsm-text.ts';
import twilio from 'twilio';
import { ACCOUNT_SID, AUTH_TOKEN, BRAND_NUMBER, customerPhone, newMessageSid, postInbound, closePhoneTest, openPhoneTest, type PhoneTest } from './support/phone.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';

/**
 * The channels' rules, against the whole product and a local Twilio stand-in: opt-out (STOP) and
 * opt-in (START) with a reminder due in between, Twilio refusing an opted-out number (21610), and
 * WhatsApp's 24-hour window (an approved template outside it, else SMS).
 */

// Monday 1 March 2027, 08:00 in Paris.
const clock = testClock('2027-03-01T07:00:00Z');
const TEMPLATE = `HX${'1f'.repeat(16)}`;
const MESSAGES_PATH = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;

describe('opt-out and the WhatsApp window', () => {
  let db: Database;
  let standIn: PhoneTest['standIn'];
  let app: PhoneTest['app'];

  beforeAll(async () => ({ db, standIn, app } = await openPhoneTest(clock.now)));
  afterAll(() => closePhoneTest({ db, standIn, app }));

  const setBrand = (settings: Record<string, unknown>) => db.query(`UPDATE brands SET settings = settings || $1::jsonb WHERE id = 'demo'`, [JSON.stringify(settings)]);
  /**
   * Books a video advice on the given day choice (2 tomorrow, 4 next week) and slot number; with an
   * email, verified by the code sent to it. The brand's text reminder setting stays off (the default):
   * reminders come on the channel booked on.
   */
  async function book(phone: ReturnType<typeof customerPhone>, day: string, slot: string, name: string, email?: string) {
    clock.set('2027-03-01T07:00:00Z');
    for (const text of ['I would like to book', '3', day, slot, '1']) await phone.send(text);
    if (email) {
      await phone.send(`${name} ${email}`);
      const otp = async () => (await db.query<{ body_text: string }>(`SELECT body_text FROM messages WHERE kind = 'otp' AND recipient = $1`, [email]))[0];
      await until(async () => Boolean(await otp()), 30_000);
      await phone.send(/\b(\d{6})\b/.exec((await otp())!.body_text)![1]!, {}, 0);
    } else {
      await phone.send(name, {}, 0);
    }
    await phone.waitFor(/^You're booked!/);
    // The confirmation leaves while the customer's window is open.
    const number = phone.address.replace('whatsapp:', '');
    await until(async () => (await db.query(`SELECT 1 FROM messages WHERE recipient = $1 AND status = 'queued'`, [number])).length === 0, 30_000);
  }
  const reminderOf = async (recipient: string) => (await db.query<{ channel: string; status: string; error: string | null; note: string | null }>(
    `SELECT channel, status, error, note FROM messages WHERE kind = 'reminder' AND recipient = $1`, [recipient]))[0];
  const processed = (sid: string) => until(async () => (await db.query(`SELECT 1 FROM inbound_messages WHERE message_sid = $1 AND status = 'processed'`, [sid])).length === 1);
  const inbound = async (from: string, body: string) => {
    const sid = newMessageSid();
    const answer = await postInbound(app.url, { MessageSid: sid, AccountSid: ACCOUNT_SID, From: from, To: BRAND_NUMBER, Body: body, NumMedia: '0', ...(body === 'STOP' || body === 'START' ? { OptOutType: body } : {}) });
    expect(answer.status).toBe(200);
    await processed(sid);
  };

  test('STOP: the reminder due is not sent, the console transcript says why; START: messages go out again', async () => {
    const phone = customerPhone(app, standIn, 'sms', '+12125550201');
    await book(phone, '2', '1', 'Ada Lovelace');
    // The bot's menu follows the booking in the same turn: counted before, so nothing later is.
    await phone.waitFor(/^Is there anything else/);
    const before = phone.received().length;
    await inbound('+12125550201', 'STOP');
    expect(await db.query(`SELECT opt_out_keyword FROM phone_contacts WHERE phone = '+12125550201' AND opted_out_at IS NOT NULL`)).toEqual([{ opt_out_keyword: 'STOP' }]);
    const [note] = await db.query<{ text: string }>(
      `SELECT m.text FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.external_id = '+12125550201' AND m.sender = 'system'`);
    expect(note!.text).toBe('The customer opted out of sms (STOP): nothing more is sent to this number until they send START.');

    clock.set('2027-03-02T06:30:00Z'); // the reminder was due at 07:00 Paris, 2 h before 09:00
    await app.rendezvous.queue.dispatchDue();
    await until(async () => (await reminderOf('+12125550201'))?.status === 'failed', 30_000);
    expect(await reminderOf('+12125550201')).toEqual({
      channel: 'sms', status: 'failed', error: 'Not sent: +12125550201 opted out of sms (STOP).', note: null,
    });
    expect(phone.received().slice(before).map((m) => m.body)).toEqual([]);

    await inbound('+12125550201', 'START');
    expect(await db.query(`SELECT opted_out_at, opt_out_keyword FROM phone_contacts WHERE phone = '+12125550201' AND channel = 'sms'`)).toEqual([{ opted_out_at: null, opt_out_keyword: 'START' }]);
    const [menu] = await phone.send('menu');
    expect(menu!.body).toMatch(/\nReply with a number \(1-4\)\.$/);
  });

  const plannedReminders = (phone: string) => db.query<{ channel: string; send_at: Date }>(
    `SELECT s.channel, s.send_at FROM scheduled_notifications s
       JOIN appointments a ON a.id = s.appointment_id JOIN customers c ON c.id = a.customer_id
      WHERE c.phone = $1 AND s.kind = 'reminder' ORDER BY s.send_at`, [phone]);
  const reminderText = async (recipient: string) =>
    (await db.query<{ body_text: string }>(`SELECT body_text FROM messages WHERE kind = 'reminder' AND recipient = $1`, [recipient]))[0]!.body_text;

  test("booked over SMS with an email: an SMS reminder (whatever the brand's text reminder setting) and an email reminder, each when due", async () => {
    // The brand's text reminder would go by WhatsApp: the booked channel wins.
    await setBrand({ notifications: { smsReminder: { enabled: true, channel: 'whatsapp', offsetMinutes: 120 } } });
    const phone = customerPhone(app, standIn, 'sms', '+12125550206');
    try {
      await book(phone, '2', '3', 'Mary Somerville', 'mary@example.com');
    } finally {
      await setBrand({ notifications: {} });
    }
    const [email, sms] = await plannedReminders('+12125550206');
    expect([email?.channel, sms?.channel]).toEqual(['email', 'sms']);

    clock.set(email!.send_at.toISOString()); // a day before
    await app.rendezvous.queue.dispatchDue();
    await until(async () => (await reminderOf('mary@example.com'))?.status === 'sent', 30_000);
    expect(await reminderOf('+12125550206')).toBeUndefined();

    clock.set(sms!.send_at.toISOString()); // two hours before
    await app.rendezvous.queue.dispatchDue();
    await until(async () => (await reminderOf('+12125550206'))?.status === 'sent', 30_000);
    expect(await reminderOf('+12125550206')).toEqual({ channel: 'sms', status: 'sent', error: null, note: null });
    expect(standIn.requests.filter((r) => r.body['To'] === '+12125550206').at(-1)).toEqual({
      method: 'POST', path: MESSAGES_PATH, at: expect.any(Date),
      body: { To: '+12125550206', From: BRAND_NUMBER, Body: gsmFriendly(await reminderText('+12125550206')), StatusCallback: expect.any(String) },
    });
  });

  test('booked over WhatsApp: the reminder comes by WhatsApp while the window is open', async () => {
    const phone = customerPhone(app, standIn, 'whatsapp', '+12125550207');
    await book(phone, '2', '4', 'Katherine Johnson');
    const [planned] = await plannedReminders('+12125550207');
    expect(planned?.channel).toBe('whatsapp');

    clock.set(planned!.send_at.toISOString()); // less than 24 hours after the customer last wrote
    await app.rendezvous.queue.dispatchDue();
    await until(async () => (await reminderOf('+12125550207'))?.status === 'sent', 30_000);
    expect(await reminderOf('+12125550207')).toEqual({ channel: 'whatsapp', status: 'sent', error: null, note: null });
    expect(standIn.requests.filter((r) => r.body['To'] === 'whatsapp:+12125550207').at(-1)!.body).toEqual({
      To: 'whatsapp:+12125550207', From: `whatsapp:${BRAND_NUMBER}`, Body: await reminderText('+12125550207'), StatusCallback: expect.any(String),
    });
  });

  test('Twilio refusing an opted-out number (21610) is recorded, not retried, and nothing more is sent', async () => {
    const phone = customerPhone(app, standIn, 'sms', '+12125550202');
    standIn.failNext(21610, 400, 'Attempt to send to unsubscribed recipient');
    await postInbound(app.url, { MessageSid: newMessageSid(), AccountSid: ACCOUNT_SID, From: phone.address, To: BRAND_NUMBER, Body: 'hello', NumMedia: '0' });
    await until(async () => (await db.query(`SELECT 1 FROM messages WHERE recipient = '+12125550202' AND status = 'failed'`)).length === 1, 30_000);
    const [failed] = await db.query<{ error: string }>(`SELECT error FROM messages WHERE recipient = '+12125550202'`);
    expect(failed!.error).toBe('Twilio answered 400 (error 21610): Attempt to send to unsubscribed recipient');
    expect(await db.query(`SELECT opt_out_keyword FROM phone_contacts WHERE phone = '+12125550202' AND opted_out_at IS NOT NULL`)).toEqual([{ opt_out_keyword: '21610' }]);
    const attempts = standIn.requests.filter((r) => r.body['To'] === '+12125550202').length;
    await inbound('+12125550202', 'hello again');
    await until(async () => (await db.query(`SELECT 1 FROM messages WHERE recipient = '+12125550202' AND status = 'failed'`)).length === 2);
    expect(standIn.requests.filter((r) => r.body['To'] === '+12125550202').length).toBe(attempts);
  });

  test("a status callback saying 21610 (unsubscribed) fails the message and records the opt-out", async () => {
    const phone = customerPhone(app, standIn, 'sms', '+12125550205');
    const [reply] = await phone.send('hello');
    const [row] = await db.query<{ id: string }>(`SELECT id FROM messages WHERE recipient = '+12125550205' ORDER BY seq DESC LIMIT 1`);
    const statusUrl = `${app.url}/webhooks/twilio/status?message_id=${row!.id}`;
    const callback = async (status: Record<string, string>) => {
      const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, statusUrl, status);
      const res = await fetch(statusUrl, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(status).toString(),
      });
      expect(res.status).toBe(200);
    };
    await callback({ MessageSid: reply!.sid, MessageStatus: 'undelivered', ErrorCode: '21610', ErrorMessage: 'Unsubscribed recipient' });
    expect(await db.query(`SELECT status, error FROM messages WHERE id = $1`, [row!.id])).toEqual([{ status: 'failed', error: 'undelivered (Twilio error 21610): Unsubscribed recipient' }]);
    expect(await db.query(`SELECT opt_out_keyword FROM phone_contacts WHERE phone = '+12125550205' AND opted_out_at IS NOT NULL`)).toEqual([{ opt_out_keyword: '21610' }]);
  });

  test('WhatsApp outside the 24-hour window: the approved template, or SMS when the brand has none', async () => {
    await setBrand({ whatsappTemplates: { reminder: TEMPLATE } });
    const withTemplate = customerPhone(app, standIn, 'whatsapp', '+12125550203');
    const withoutTemplate = customerPhone(app, standIn, 'whatsapp', '+12125550204');
    await book(withTemplate, 'Next week', '1', 'Grace Hopper');
    await book(withoutTemplate, 'Next week', '2', 'Alan Turing');

    clock.set('2027-03-08T06:05:00Z'); // a week after they last wrote; the first reminder is due (07:00 Paris)
    await app.rendezvous.queue.dispatchDue();
    await until(async () => (await reminderOf('+12125550203'))?.status === 'sent', 30_000);
    const sent = standIn.requests.filter((r) => r.body['To'] === 'whatsapp:+12125550203').at(-1)!;
    const [row] = await db.query<{ body_text: string }>(`SELECT body_text FROM messages WHERE kind = 'reminder' AND recipient = '+12125550203'`);
    expect(sent).toEqual({
      method: 'POST', path: MESSAGES_PATH, at: expect.any(Date),
      body: {
        To: 'whatsapp:+12125550203', From: `whatsapp:${BRAND_NUMBER}`, ContentSid: TEMPLATE,
        ContentVariables: JSON.stringify({ 1: row!.body_text.replace(/\s*\n+\s*/g, ' · ') }),
        StatusCallback: expect.stringMatching(/\/webhooks\/twilio\/status\?message_id=/),
      },
    });
    expect((await reminderOf('+12125550203'))?.note).toBe(`WhatsApp window closed: sent with the approved template ${TEMPLATE}.`);

    await setBrand({ whatsappTemplates: {} });
    clock.set('2027-03-08T06:20:00Z');
    await app.rendezvous.queue.dispatchDue();
    await until(async () => (await reminderOf('+12125550204'))?.status === 'sent', 30_000);
    // Only the reminder went by SMS (the confirmation went by WhatsApp while the window was open).
    const fallback = standIn.requests.filter((r) => r.body['To'] === '+12125550204');
    const [text] = await db.query<{ body_text: string }>(`SELECT body_text FROM messages WHERE kind = 'reminder' AND recipient = '+12125550204'`);
    expect(fallback.map((r) => r.body)).toEqual([{ To: '+12125550204', From: BRAND_NUMBER, Body: gsmFriendly(text!.body_text), StatusCallback: expect.any(String) }]);
    expect(await reminderOf('+12125550204')).toMatchObject({ channel: 'sms', note: 'WhatsApp window closed: sent by SMS instead.' });
  });
});
