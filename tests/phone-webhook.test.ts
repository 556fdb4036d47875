import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import type { Database } from '../models/database.ts';
import { seedDemoStaffAccounts, type DemoLogin } from '../models/seed-staff.ts';
import { createStaffAuth } from '../server/console/staff-auth.ts';
import { errorHandler } from '../server/http-errors.ts';
import { twilioMessageRoutes } from '../server/routes/twilio-messages.routes.ts';
import type { ChatActivity } from '../bot/web-protocol.ts';
import { CHEAP_SCRYPT } from './support/app.ts';
import {
  ACCOUNT_SID, AUTH_TOKEN, BRAND_NUMBER, closePhoneTest, customerPhone, newMessageSid, openPhoneTest, postInbound, startPhoneApp,
  type PhoneTest,
} from './support/phone.ts';
import { freePort } from './support/server-process.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';

/**
 * The inbound webhook against the real server with real signatures, the durable queue behind it
 * (replays, order, a crash between receipt and reply), a live agent answering an SMS customer from
 * the console, and the Join link opening the SMS conversation in the web chat.
 */

// Monday 1 March 2027, 08:00 in Paris.
const clock = testClock('2027-03-01T07:00:00Z');
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

describe('Twilio inbound webhook and the phone conversation', () => {
  let db: Database;
  let logins: DemoLogin[];
  let standIn: PhoneTest['standIn'];
  let app: PhoneTest['app'];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    ({ db, standIn, app } = await openPhoneTest(clock.now));
    logins = await seedDemoStaffAccounts(db, { passwordParams: CHEAP_SCRYPT });
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await closePhoneTest({ db, standIn, app });
  });

  const params = (from: string, body: string) => ({
    MessageSid: newMessageSid(), AccountSid: ACCOUNT_SID, From: from, To: BRAND_NUMBER, Body: body, NumMedia: '0',
  });
  const transcript = async (phone: string) => db.query<{ sender: string; text: string }>(
    `SELECT m.sender, m.text FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id
      WHERE c.external_id = $1 ORDER BY m.seq`, [phone]);

  test('a signed request is stored and answered at once with empty TwiML as text/xml', async () => {
    const answer = await postInbound(app.url, params('+12125550100', 'Hello'));
    expect(answer).toEqual({ status: 200, contentType: 'text/xml; charset=utf-8', body: EMPTY_TWIML });
    await until(() => standIn.messages.some((m) => m.to === '+12125550100'));
  });

  test('a tampered or unsigned request is refused with 403 and nothing is stored', async () => {
    const sent = params('+12125550101', 'Hello');
    // The signature of the parameters as sent, over a changed body:
    const signedOriginal = (await import('twilio')).default.getExpectedTwilioSignature(AUTH_TOKEN, `${app.url}/webhooks/twilio/messages`, sent);
    const forged = await postInbound(app.url, { ...sent, Body: 'Hello there' }, signedOriginal);
    const missing = await postInbound(app.url, sent, null);
    const wrongKey = await postInbound(app.url, sent, 'bm90IGEgc2lnbmF0dXJl');
    for (const refused of [forged, missing, wrongKey]) {
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body).error.code).toBe('invalid_signature');
    }
    expect(await db.query('SELECT 1 FROM inbound_messages WHERE message_sid = $1', [sent.MessageSid])).toEqual([]);
  });

  test('a MessageSid delivered three times makes one turn', async () => {
    const sent = params('+12125550102', 'I would like to book');
    const answers = await Promise.all([postInbound(app.url, sent), postInbound(app.url, sent), postInbound(app.url, sent)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await until(() => standIn.messages.some((m) => m.to === '+12125550102'));
    await until(async () => (await db.query(`SELECT 1 FROM inbound_messages WHERE message_sid = $1 AND status = 'processed'`, [sent.MessageSid])).length === 1);
    expect(await transcript('+12125550102')).toEqual([
      { sender: 'customer', text: 'I would like to book' },
      { sender: 'bot', text: 'Which service would you like to book?' },
    ]);
    expect(standIn.messages.filter((m) => m.to === '+12125550102')).toHaveLength(1);
  });

  test('two messages 200 ms apart land in one conversation, in order', async () => {
    const first = postInbound(app.url, params('+12125550103', 'I would like to book'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = postInbound(app.url, params('+12125550103', '3'));
    expect((await Promise.all([first, second])).map((a) => a.status)).toEqual([200, 200]);
    await until(() => standIn.messages.filter((m) => m.to === '+12125550103').length === 2, 30_000);
    expect(await db.query(`SELECT count(*)::int AS n FROM conversations WHERE external_id = '+12125550103'`)).toEqual([{ n: 1 }]);
    expect((await transcript('+12125550103')).map((e) => `${e.sender}: ${e.text}`)).toEqual([
      'customer: I would like to book',
      'bot: Which service would you like to book?',
      'customer: 3',
      expect.stringMatching(/^bot: When would you like your appointment\?/),
    ]);
  });

  test("an agent's console reply reaches the customer's phone", async () => {
    const login = logins.find((l) => l.role === 'agent' && l.stores.includes('paris-opera'))!;
    const { token } = await createStaffAuth({ db, now: clock.now, publicUrl: app.url }).login(login.email, login.password);
    const agent = connect(`${app.url}/console`, {
      extraHeaders: { origin: app.url, cookie: `rdv_session=${token}` }, transports: ['websocket'], reconnection: false, forceNew: true,
    });
    sockets.push(agent);
    const requests: { conversationId: string; channel: string; channelNotice: string | null }[] = [];
    agent.on('handoff:request', (r: (typeof requests)[number]) => requests.push(r));
    await new Promise((resolve, reject) => { agent.once('console:ready', resolve); agent.once('connect_error', reject); });
    const phone = customerPhone(app, standIn, 'sms', '+12125550104');
    const [queued] = await phone.send('talk to a person');
    expect(queued!.body).toMatch(/advisor|person/i);
    await until(() => requests.length > 0);
    // The console shows where the customer writes from.
    expect(requests.at(-1)).toMatchObject({ channel: 'sms', channelNotice: null });
    const { conversationId } = requests.at(-1)!;
    expect(await agent.emitWithAck('handoff:join', { conversationId })).toMatchObject({ ok: true });
    await phone.waitFor(/joined the chat$/);
    expect(await agent.emitWithAck('handoff:message', { conversationId, clientId: 'agent-msg-1', text: 'Hello, how can I help?' })).toMatchObject({ ok: true });
    const said = await phone.waitFor(/: Hello, how can I help\?$/);
    expect(said.body).toMatch(/^[\w .-]+: Hello, how can I help\?$/);
    // The customer's answer goes to the agent, not the bot.
    const seen: ChatActivity[] = [];
    agent.on('handoff:activity', (e: { activity: ChatActivity }) => seen.push(e.activity));
    const before = phone.received().length;
    const answer = params('+12125550104', 'I need to move my appointment');
    await postInbound(app.url, answer);
    await until(() => seen.some((a) => a.text === 'I need to move my appointment'));
    await until(async () => (await db.query(`SELECT 1 FROM inbound_messages WHERE message_sid = $1 AND status = 'processed'`, [answer.MessageSid])).length === 1);
    expect(phone.received().length).toBe(before);
    await agent.emitWithAck('handoff:end', { conversationId });
    agent.disconnect();
  });

  test("the customer's Join link opens the SMS conversation in the web chat, with its whole history", async () => {
    const phone = customerPhone(app, standIn, 'sms', '+12125550105');
    for (const text of ['I would like to book', '3', '2', '1', '1']) await phone.send(text);
    await phone.send('Ada Lovelace', {}, 0);
    const booked = await phone.waitFor(/^You're booked!/);
    const joinUrl = /Join: (\S+)/.exec(booked!.body!)![1]!;
    const page = await fetch(joinUrl, { redirect: 'manual' });
    const join = new URL(page.headers.get('location')!, app.url).searchParams.get('join')!;
    const web = connect(`${app.url}/chat`, { auth: { brand: 'demo', join }, extraHeaders: { origin: app.url }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(web);
    const activities: ChatActivity[] = [];
    web.on('activity', (a: ChatActivity) => activities.push(a));
    const history = await transcript('+12125550105');
    await until(() => activities.length >= history.length);
    expect(activities.slice(0, history.length).map((a) => `${a.from}: ${a.text}`)).toEqual(history.map((e) => `${e.sender}: ${e.text}`));
    expect(activities[0]).toMatchObject({ from: 'customer', text: 'I would like to book' });
    web.disconnect();
  });

  test('killed between receipt and reply: after the restart the reply is sent once', async () => {
    await app.rendezvous.close();
    // A server that stores the message and dies before its turn: the webhook alone, no phone channel behind it.
    const crashed = express();
    const crashedPort = await freePort();
    const crashedUrl = `http://127.0.0.1:${crashedPort}`;
    crashed.use(twilioMessageRoutes({ db, now: clock.now, publicUrl: crashedUrl, twilioAuthToken: AUTH_TOKEN, onStored: () => undefined }));
    crashed.use(errorHandler(pino({ level: 'silent' })));
    const server = createServer(crashed);
    await new Promise<void>((resolve) => server.listen(crashedPort, '127.0.0.1', resolve));
    expect((server.address() as AddressInfo).port).toBe(crashedPort);
    const sent = params('+12125550106', 'I would like to book');
    expect((await postInbound(crashedUrl, sent)).status).toBe(200);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(standIn.messages.filter((m) => m.to === '+12125550106')).toHaveLength(0);

    app = await startPhoneApp(db, clock.now, standIn.url);
    await until(() => standIn.messages.some((m) => m.to === '+12125550106'), 30_000);
    await until(async () => (await db.query(`SELECT 1 FROM inbound_messages WHERE message_sid = $1 AND status = 'processed'`, [sent.MessageSid])).length === 1);
    // Started once more, nothing is left to redo.
    await app.rendezvous.close();
    app = await startPhoneApp(db, clock.now, standIn.url);
    expect(await db.query(`SELECT 1 FROM inbound_messages WHERE status = 'received'`)).toEqual([]);
    expect(standIn.messages.filter((m) => m.to === '+12125550106').map((m) => m.body)).toEqual([
      'Which service would you like to book?\n1. Kitchen design consultation\n2. Guided showroom visit\n3. Video advice\n4. Home measurement visit\nReply with a number (1-4).',
    ]);
  });
});
