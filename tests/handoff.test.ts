import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import pino from 'pino';
import type { TurnContext } from 'botbuilder-core';
import type { Database } from '../models/database.ts';
import { findBrand } from '../models/brands.repository.ts';
import { findService, findStore } from '../models/catalogue.repository.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import { DEMO_ADMIN, seedDemoStaffAccounts, type DemoLogin } from '../models/seed-staff.ts';
import type { Appointment } from '../models/appointments.repository.ts';
import { createSignedLinks, type SignedLinks } from '../notifications/signed-links.ts';
import { bookAppointment, cancelAppointment, rescheduleAppointment } from '../scheduling/booking.ts';
import { createStaffAuth } from '../server/console/staff-auth.ts';
import { attachWebChat, socketServerOptions } from '../bot/web-chat.socket.ts';
import { attachConsoleSocket, HandoffRouter } from '../bot/handoff/index.ts';
import type {
  AttachedConversation, ConsoleReady, HandoffJoinAck, HandoffMessageAck, HandoffRequestEvent, HandoffResyncAck,
} from '../bot/handoff/index.ts';
import type { AppointmentContent, ChatActivity, ChatSession, HandoffStatusEvent, MessageAck } from '../bot/web-protocol.ts';
import { openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';

const ORIGIN = 'http://localhost:3000';
/** Monday 1 March 2027, 08:00 in Paris. */
const MONDAY_8AM = '2027-03-01T07:00:00Z';
/** A local time that Monday in Paris (UTC+1). */
const paris = (hhmm: string) => new Date(`2027-03-01T${hhmm}:00+01:00`);
const minutesBefore = (d: Date, m: number) => new Date(d.getTime() - m * 60_000);
const TEST_PARAMS = { N: 2 ** 14, r: 8, p: 1 };
const GRACE_MS = 800;

/** A stand-in for the bot: greets, echoes, answers events by name, and logs every turn it ran. */
interface Turn { conversationId: string; type: string; name?: string; text?: string; value?: unknown }
const turns: Turn[] = [];
async function echoBot(context: TurnContext) {
  const a = context.activity;
  turns.push({ conversationId: a.conversation.id, type: a.type, name: a.name, text: a.text, value: a.value });
  if (a.type === 'conversationUpdate') await context.sendActivity('Hello!');
  else if (a.type === 'event') await context.sendActivity(`event: ${a.name}`);
  else await context.sendActivity(`echo: ${a.text}`);
}
const turnsOf = (conversationId: string) => turns.filter((t) => t.conversationId === conversationId);

const until = async (check: () => boolean, what: string, ms = 4000) => {
  for (let i = 0; i < ms / 10 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live-agent hand-off over socket.io', () => {
  const clock = testClock(MONDAY_8AM);
  let db: Database;
  let http: HttpServer;
  let io: Server;
  let base: string;
  let links: SignedLinks;
  let handoff: HandoffRouter;
  let chat: ReturnType<typeof attachWebChat>;
  let logins: DemoLogin[];
  const staff = new Map<string, { id: string; name: string; email: string }>();
  const sockets: Socket[] = [];
  let customers = 0;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    await seedDemo(db, { allowedOrigins: [] });
    logins = await seedDemoStaffAccounts(db, { passwordParams: TEST_PARAMS });
    for (const s of await db.query<{ id: string; name: string; email: string }>(
      'SELECT s.id, s.name, a.email FROM staff s JOIN staff_accounts a ON a.staff_id = s.id',
    )) staff.set(s.email, s);
    links = createSignedLinks({ baseUrl: ORIGIN, secret: 'test-links-secret', now: clock.now });
    http = createServer();
    io = new Server(http, socketServerOptions);
    const logger = pino({ level: 'silent' });
    handoff = new HandoffRouter({ db, logger, now: clock.now, links, graceMs: GRACE_MS });
    attachConsoleSocket(io, { db, logger, now: clock.now, publicUrl: ORIGIN, handoff });
    chat = attachWebChat(io, { db, logger, ownOrigins: [ORIGIN], bot: echoBot, messagesPer10s: 50, handoff });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    for (let i = 0; i < 400 && (await handoff.presence.present(DEMO_BRAND_ID)).length > 0; i++) await pause(10);
    expect(await handoff.presence.present(DEMO_BRAND_ID)).toEqual([]); // everyone offline
    await chat.queue.drain();
    handoff.close();
    await db.query(`UPDATE conversations SET handoff_state = 'bot', agent_staff_id = NULL, handoff_ticket = NULL`);
    clock.set(MONDAY_8AM);
  });

  afterAll(async () => {
    io.close();
    await chat.queue.drain();
    await db.close();
  });

  // ---- customers ---------------------------------------------------------------------------------

  interface Customer {
    socket: Socket;
    activities: ChatActivity[];
    errors: { code: string; message: string }[];
    events: { event: string; payload: any }[];
    session: Promise<ChatSession>;
  }

  function customer(auth: Record<string, unknown>): Customer {
    const socket = connect(`${base}/chat`, {
      auth: { brand: DEMO_BRAND_ID, ...auth }, extraHeaders: { origin: ORIGIN }, transports: ['websocket'], reconnection: false, forceNew: true,
    });
    sockets.push(socket);
    const c: Customer = { socket, activities: [], errors: [], events: [], session: null as never };
    socket.on('activity', (a: ChatActivity) => c.activities.push(a));
    socket.on('chat-error', (e) => c.errors.push(e));
    socket.onAny((event: string, payload: unknown) => c.events.push({ event, payload }));
    c.session = new Promise<ChatSession>((resolve, reject) => {
      socket.once('session', resolve);
      socket.once('connect_error', reject);
    });
    return c;
  }
  const say = (c: Customer, text: string, value?: Record<string, unknown>) =>
    c.socket.emitWithAck('message', { clientId: `c-${Math.random().toString(36).slice(2, 12)}`, text, ...(value ? { value } : {}) }) as Promise<MessageAck>;
  const texts = (c: Customer) => c.activities.map((a) => a.text);
  const has = (c: Customer, pattern: RegExp) => c.activities.some((a) => pattern.test(a.text));
  const eventsOf = (c: { events: { event: string; payload: any }[] }, name: string) => c.events.filter((e) => e.event === name).map((e) => e.payload);

  // ---- agents ------------------------------------------------------------------------------------

  interface AgentClient {
    socket: Socket;
    events: { event: string; payload: any }[];
    ready: Promise<ConsoleReady>;
    id: string;
    name: string;
    cookie: string;
  }

  /** Signs in through the real login (at the current clock) and opens the console socket. */
  async function signIn(email: string): Promise<string> {
    const login = logins.find((l) => l.email === email)!;
    const { token } = await createStaffAuth({ db, now: clock.now, publicUrl: ORIGIN }).login(login.email, login.password);
    return `rdv_session=${token}`;
  }

  function consoleSocket(cookie: string | null, origin = ORIGIN): { socket: Socket; events: { event: string; payload: any }[]; ready: Promise<ConsoleReady> } {
    const socket = connect(`${base}/console`, {
      extraHeaders: { origin, ...(cookie ? { cookie } : {}) }, transports: ['websocket'], reconnection: false, forceNew: true,
    });
    sockets.push(socket);
    const events: { event: string; payload: any }[] = [];
    socket.onAny((event: string, payload: unknown) => events.push({ event, payload }));
    const ready = new Promise<ConsoleReady>((resolve, reject) => {
      socket.once('console:ready', resolve);
      socket.once('connect_error', reject);
    });
    return { socket, events, ready };
  }

  async function agent(email: string, cookie?: string): Promise<AgentClient> {
    const s = staff.get(email)!;
    const jar = cookie ?? (await signIn(email));
    const c = consoleSocket(jar);
    await c.ready;
    return { ...c, id: s.id, name: s.name, cookie: jar };
  }
  const requestsOf = (a: AgentClient) => eventsOf(a, 'handoff:request') as HandoffRequestEvent[];
  const joinAs = (a: AgentClient, conversationId: string) => a.socket.emitWithAck('handoff:join', { conversationId }) as Promise<HandoffJoinAck>;
  const write = (a: AgentClient, conversationId: string, text: string, clientId = `a-${Math.random().toString(36).slice(2, 12)}`) =>
    a.socket.emitWithAck('handoff:message', { conversationId, clientId, text }) as Promise<HandoffMessageAck>;

  // ---- appointments ------------------------------------------------------------------------------

  const PARIS_ADVISORS = ['camille.martin@atelier-lumiere.example', 'lucas.bernard@atelier-lumiere.example'];
  const LYON_ADVISOR = 'chloe.dubois@atelier-lumiere.example';

  /** An online video appointment at the Paris store, booked at 08:00 (the clock is put back after). */
  async function book(start: Date, conversationId: string | null = null): Promise<Appointment> {
    const at = clock.now();
    clock.set(MONDAY_8AM);
    const brand = (await findBrand(db, DEMO_BRAND_ID))!;
    const service = (await findService(db, DEMO_BRAND_ID, 'video-advice'))!;
    const store = (await findStore(db, DEMO_BRAND_ID, 'paris-opera'))!;
    const n = ++customers;
    const { appointment } = await bookAppointment({ db, now: clock.now }, {
      brand,
      slot: { brand, service, mode: 'online', store, home: null, start },
      customer: { name: `Alice Durand ${n}`, email: `alice${n}@example.com`, phone: null, locale: 'en', timeZone: 'Europe/Paris' },
      customerTimeZone: 'Europe/Paris', notes: '', channel: 'web', conversationId, idempotencyKey: null, actor: { kind: 'customer' },
    });
    clock.set(at);
    return appointment;
  }
  const joinToken = (a: Pick<Appointment, 'id' | 'startAt' | 'version'>) => links.url('join', a).split('/a/')[1]!.split('/')[0]!;
  const emailOf = (staffId: string) => [...staff.values()].find((s) => s.id === staffId)!.email;
  const otherParisAdvisor = (staffId: string) => PARIS_ADVISORS.find((e) => staff.get(e)!.id !== staffId)!;
  const handoffRow = async (conversationId: string) =>
    (await db.query<{ handoff_state: string; agent_staff_id: string | null }>('SELECT handoff_state, agent_staff_id FROM conversations WHERE id = $1', [conversationId]))[0]!;

  // ---- tests -------------------------------------------------------------------------------------

  test('the assigned advisor is alerted and joins; messages, typing and read receipts flow both ways; the bot is silent, then back', async () => {
    // The customer books in the chat.
    const first = customer({});
    const firstSession = await first.session;
    await until(() => has(first, /^Hello!$/), 'greeting');
    await say(first, 'I would like some advice');
    await until(() => has(first, /^echo: I would like some advice$/), 'echo');
    const appointment = await book(paris('10:00'), firstSession.conversationId);
    const assigned = emailOf(appointment.staffId);

    // Five minutes before, both Paris advisors are at their console.
    clock.set(minutesBefore(paris('10:00'), 5));
    const camille = await agent(assigned);
    const lucas = await agent(otherParisAdvisor(appointment.staffId));

    // The Join link, opened on another device: the same conversation, its own token, the earlier transcript.
    const device = customer({ join: joinToken(appointment) });
    const session = await device.session;
    expect(session.conversationId).toBe(firstSession.conversationId);
    expect(session.token).not.toBe(firstSession.token);
    const firstName = camille.name.split(' ')[0]!;
    await until(() => has(device, new RegExp(`^We're letting ${firstName} know you're here…$`)), 'waiting notice');
    expect(texts(device).slice(0, 3)).toEqual(['Hello!', 'I would like some advice', 'echo: I would like some advice']);
    const notice = device.activities.find((a) => a.text.startsWith("We're letting"))!;
    expect(notice.from).toBe('system');
    const meetingUrl = (notice.attachments?.[0]?.content as AppointmentContent | undefined)?.links[0]?.url ?? '';
    expect(meetingUrl).toMatch(/^https:\/\/meet\.jit\.si\/rendezvous-[a-z2-7]{24}$/);
    const [stored] = await db.query<{ meeting_url: string }>('SELECT meeting_url FROM appointments WHERE id = $1', [appointment.id]);
    expect(stored!.meeting_url).toBe(meetingUrl);
    await until(() => has(first, /^We're letting/), 'the notice on the first device too'); // every device of the conversation sees it
    expect(eventsOf(device, 'handoff')).toContainEqual({ state: 'waiting', meetingUrl });

    // The assigned advisor is alerted; the other is not, within the grace period.
    await until(() => requestsOf(camille).length === 1, 'the request');
    expect(requestsOf(camille)[0]).toMatchObject({
      conversationId: session.conversationId, kind: 'appointment', customerName: expect.stringMatching(/^Alice Durand/),
      offeredTo: [camille.id], appointment: { id: appointment.id, serviceName: 'Video advice', mode: 'online', meetingUrl, staffName: camille.name },
    });
    expect(requestsOf(lucas)).toEqual([]);

    // Joining: the whole transcript for the advisor, "joined" for the customer, the request gone elsewhere.
    const joined = await joinAs(camille, session.conversationId);
    if (!joined.ok) throw new Error(JSON.stringify(joined));
    expect(joined.activities.map((a) => a.text)).toEqual(expect.arrayContaining(['I would like some advice', `${camille.name} joined the chat`]));
    expect(joined.conversation).toMatchObject({ conversationId: session.conversationId, appointment: { id: appointment.id } });
    await until(() => has(device, new RegExp(`^${camille.name} joined the chat$`)) && has(first, /joined the chat$/), 'joined notice');
    await until(() => eventsOf(lucas, 'handoff:taken').some((e) => e.conversationId === session.conversationId), 'taken');
    expect(eventsOf(device, 'handoff')).toContainEqual({ state: 'attached', agent: { name: camille.name }, meetingUrl });
    expect((await handoffRow(session.conversationId)).agent_staff_id).toBe(camille.id);

    // Customer → advisor, and the bot stays silent.
    await chat.queue.drain();
    const botTurns = turnsOf(session.conversationId).length;
    const asked = await say(device, 'Can you see my kitchen plan?');
    expect(asked).toMatchObject({ ok: true });
    await until(() => eventsOf(camille, 'handoff:activity').some((e) => e.activity.text === 'Can you see my kitchen plan?'), 'message to the advisor');
    expect(eventsOf(camille, 'handoff:activity').find((e) => e.activity.text === 'Can you see my kitchen plan?')).toMatchObject({
      conversationId: session.conversationId, activity: { from: 'customer' },
    });

    // Typing both ways.
    device.socket.emit('typing', { on: true });
    await until(() => eventsOf(camille, 'handoff:typing').some((e) => e.on === true && e.from === 'customer'), 'customer typing');
    camille.socket.emit('handoff:typing', { conversationId: session.conversationId, on: true });
    await until(() => eventsOf(device, 'typing').some((e) => e.from === 'agent' && e.on === true), 'advisor typing');

    // Advisor → customer, once even when resent.
    const reply = await write(camille, session.conversationId, 'Yes, I can see it.', 'agent-msg-0001');
    const again = await write(camille, session.conversationId, 'Yes, I can see it.', 'agent-msg-0001');
    expect(reply).toMatchObject({ ok: true, duplicate: false });
    expect(again).toEqual({ ok: true, seq: (reply as { seq: number }).seq, duplicate: true });
    await until(() => has(device, /^Yes, I can see it\.$/), 'advisor message');
    expect(device.activities.filter((a) => a.text === 'Yes, I can see it.')).toEqual([
      expect.objectContaining({ from: 'agent', name: camille.name, seq: (reply as { seq: number }).seq }),
    ]);

    // Read receipts both ways.
    camille.socket.emit('handoff:read', { conversationId: session.conversationId, seq: asked.ok ? asked.seq : 0 });
    await until(() => eventsOf(device, 'read').some((e) => e.by === 'agent'), 'agent read receipt');
    expect(eventsOf(device, 'read').at(-1)).toEqual({ by: 'agent', seq: asked.ok ? asked.seq : -1 });
    device.socket.emit('read', { seq: (reply as { seq: number }).seq });
    await until(() => eventsOf(camille, 'handoff:read').length > 0, 'customer read receipt');
    expect(eventsOf(camille, 'handoff:read').at(-1)).toEqual({ conversationId: session.conversationId, by: 'customer', seq: (reply as { seq: number }).seq });

    await chat.queue.drain();
    expect(turnsOf(session.conversationId)).toHaveLength(botTurns);

    // The advisor leaves: the customer is told, and the bot takes over with a "handoff.ended" turn.
    expect(await camille.socket.emitWithAck('handoff:end', { conversationId: session.conversationId })).toEqual({ ok: true });
    await until(() => has(device, new RegExp(`^${camille.name} left the chat$`)), 'left notice');
    await until(() => turnsOf(session.conversationId).some((t) => t.type === 'event' && t.name === 'handoff.ended'), 'handoff.ended turn');
    await until(() => has(device, /^event: handoff\.ended$/), 'the bot answering the event');
    await say(device, 'Thanks!');
    await until(() => has(device, /^echo: Thanks!$/), 'the bot again');
    expect((await handoffRow(session.conversationId)).handoff_state).toBe('bot');
    await until(() => eventsOf(device, 'handoff').some((e: HandoffStatusEvent) => e.state === 'bot'), 'status back to bot');
  });

  test('when the assigned advisor does not join within the grace period, the store’s other available advisors are asked', async () => {
    const appointment = await book(paris('10:30'));
    clock.set(minutesBefore(paris('10:30'), 2));
    const assigned = await agent(emailOf(appointment.staffId));
    const other = await agent(otherParisAdvisor(appointment.staffId));
    const lyon = await agent(LYON_ADVISOR);

    const c = customer({ join: joinToken(appointment) });
    const { conversationId } = await c.session;
    await until(() => requestsOf(assigned).length === 1, 'the assigned advisor’s request');
    await pause(GRACE_MS / 3);
    expect(requestsOf(other)).toEqual([]);

    await until(() => requestsOf(other).length === 1, 'the request widened after the grace period');
    expect(requestsOf(other)[0]!.offeredTo.sort()).toEqual([assigned.id, other.id].sort());
    const joined = await joinAs(other, conversationId);
    expect(joined.ok).toBe(true);
    await until(() => has(c, new RegExp(`^${other.name} joined the chat$`)), 'joined');
    await until(() => eventsOf(assigned, 'handoff:taken').length === 1, 'taken for the assigned advisor');
    expect(requestsOf(lyon)).toEqual([]); // another store, never asked
    expect(has(c, /no advisor is available/)).toBe(false);
  });

  test('an offline assigned advisor: the request goes at once to another advisor of the store; a busy one is skipped', async () => {
    const first = await book(paris('11:00'));
    const second = await book(paris('11:00'));
    expect(second.staffId).not.toBe(first.staffId); // both Paris advisors booked at 11:00
    clock.set(minutesBefore(paris('11:00'), 1));

    // Only the second appointment's advisor is online: the first customer's request reaches them at once.
    const online = await agent(emailOf(second.staffId));
    const one = customer({ join: joinToken(first) });
    const oneSession = await one.session;
    await until(() => requestsOf(online).some((r) => r.conversationId === oneSession.conversationId), 'immediate fallback', GRACE_MS / 2);
    expect(requestsOf(online)[0]!.offeredTo).toEqual(expect.arrayContaining([first.staffId, online.id]));
    expect(await joinAs(online, oneSession.conversationId)).toMatchObject({ ok: true });

    // Now busy with that customer, their own customer's request reaches them (assigned) but nobody
    // else is available: the customer is offered to reschedule or leave a message.
    const two = customer({ join: joinToken(second) });
    const twoSession = await two.session;
    await until(() => has(two, /no advisor is available/), 'nobody available');
    await until(() => requestsOf(online).some((r) => r.conversationId === twoSession.conversationId), 'their own customer’s request');
    expect(requestsOf(online).find((r) => r.conversationId === twoSession.conversationId)!.offeredTo).toEqual([online.id]);
  });

  test('nobody online: the customer is told and can leave a message (a console task) or reschedule (the bot’s flow)', async () => {
    const leaving = await book(paris('11:30'));
    const rescheduling = await book(paris('12:00'));
    clock.set(minutesBefore(paris('11:30'), 3));
    const admin = await agent(DEMO_ADMIN.email); // sees tasks; offers no service, so cannot take the customer

    const c = customer({ join: joinToken(leaving) });
    const { conversationId } = await c.session;
    await until(() => has(c, /no advisor is available/), 'nobody available');
    const offer = c.activities.find((a) => /no advisor is available/.test(a.text))!;
    expect(offer.suggestedActions?.map((s) => s.title)).toEqual(['Reschedule', 'Leave a message']);
    expect((await handoffRow(conversationId)).handoff_state).toBe('waiting');

    await say(c, 'Leave a message', { choice: offer.suggestedActions![1]!.value });
    await until(() => has(c, /^Please type your message/), 'prompt for the message');
    await say(c, 'Please call me back about the oak worktop.');
    await until(() => has(c, /^Thank you, your message has been passed on/), 'confirmation');
    const [task] = await db.query<{ message: string; customer_name: string; contact: string; store_id: string; conversation_id: string; status: string }>(
      'SELECT message, customer_name, contact, store_id, conversation_id, status FROM console_tasks WHERE conversation_id = $1', [conversationId],
    );
    const parisStore = (await findStore(db, DEMO_BRAND_ID, 'paris-opera'))!;
    expect(task).toEqual({
      message: 'Please call me back about the oak worktop.', customer_name: expect.stringMatching(/^Alice Durand/),
      contact: expect.stringMatching(/^alice\d+@example\.com$/), store_id: parisStore.id, conversation_id: conversationId, status: 'open',
    });
    await until(() => eventsOf(admin, 'task:created').length === 1, 'task event');
    expect(eventsOf(admin, 'task:created')[0]).toMatchObject({ message: 'Please call me back about the oak worktop.', storeId: parisStore.id });
    await chat.queue.drain();
    expect(turnsOf(conversationId)).toEqual([]); // the bot never answered any of it
    expect((await handoffRow(conversationId)).handoff_state).toBe('bot');

    // The other customer reschedules: back to the bot, with an event naming the appointment.
    clock.set(minutesBefore(paris('12:00'), 3));
    const r = customer({ join: joinToken(rescheduling) });
    const rSession = await r.session;
    await until(() => has(r, /no advisor is available/), 'nobody available (2)');
    await say(r, 'Reschedule');
    await until(() => turnsOf(rSession.conversationId).some((t) => t.name === 'handoff.reschedule'), 'reschedule event');
    expect(turnsOf(rSession.conversationId)).toEqual([
      expect.objectContaining({ type: 'event', name: 'handoff.reschedule', value: { appointmentId: rescheduling.id } }),
    ]);
    await until(() => has(r, /^event: handoff\.reschedule$/), 'bot answer');
    expect((await handoffRow(rSession.conversationId)).handoff_state).toBe('bot');
    await until(() => eventsOf(admin, 'handoff:withdrawn').length === 2, 'withdrawn events');
    expect(eventsOf(admin, 'handoff:withdrawn')).toEqual(expect.arrayContaining([
      { conversationId, reason: 'leave-message' }, { conversationId: rSession.conversationId, reason: 'reschedule' },
    ]));
  });

  test('“talk to a person”: unavailable with nobody online; else a FIFO queue whose positions move up as customers are picked', async () => {
    const a = customer({});
    const b = customer({});
    const aSession = await a.session;
    const bSession = await b.session;
    expect(await handoff.requestPerson(aSession.conversationId)).toEqual({ status: 'unavailable' });

    const lyon = await agent(LYON_ADVISOR); // the queue is the brand's: any store's advisor may answer
    const parisAgent = await agent(PARIS_ADVISORS[0]!);
    expect(await handoff.requestPerson(aSession.conversationId)).toEqual({ status: 'queued', position: 1 });
    expect(await handoff.requestPerson(bSession.conversationId)).toEqual({ status: 'queued', position: 2 });
    expect(await handoff.requestPerson(bSession.conversationId)).toEqual({ status: 'queued', position: 2 }); // asking again changes nothing
    // The line and the "queue" event are two packets: wait for both.
    await until(() => has(a, /^You're number 1 in line/) && has(b, /^You're number 2 in line/) && eventsOf(b, 'queue').length > 0, 'positions');
    expect(eventsOf(b, 'queue')).toEqual([{ position: 2 }]);
    await until(() => requestsOf(parisAgent).length === 2 && requestsOf(lyon).length === 2, 'queue requests');
    expect(requestsOf(parisAgent).map((r) => [r.kind, r.position])).toEqual([['queue', 1], ['queue', 2]]);

    // While waiting, the bot is silent.
    await chat.queue.drain();
    const bTurns = turnsOf(bSession.conversationId).length;
    await say(b, 'hello? anyone?');
    await chat.queue.drain();
    expect(turnsOf(bSession.conversationId)).toHaveLength(bTurns);

    expect(await joinAs(lyon, aSession.conversationId)).toMatchObject({ ok: true });
    await until(() => has(b, /^You're number 1 in line: you're next\.$/) && eventsOf(b, 'queue').length > 1, 'moved up');
    expect(eventsOf(b, 'queue')).toEqual([{ position: 2 }, { position: 1 }]);
    await until(() => eventsOf(parisAgent, 'handoff:taken').some((e) => e.conversationId === aSession.conversationId), 'taken');
    const joined = await joinAs(parisAgent, bSession.conversationId);
    expect(joined.ok && joined.activities.map((x) => x.text)).toContain('hello? anyone?');
  });

  test('reconnections lose nothing: the customer and the advisor catch up on what they missed', async () => {
    const appointment = await book(paris('14:00'));
    clock.set(minutesBefore(paris('14:00'), 4));
    const advisor = await agent(emailOf(appointment.staffId));
    const c = customer({ join: joinToken(appointment) });
    const session = await c.session;
    await until(() => requestsOf(advisor).length === 1, 'request');
    expect(await joinAs(advisor, session.conversationId)).toMatchObject({ ok: true });
    await until(() => has(c, /joined the chat$/), 'joined');
    const held = c.activities.at(-1)!.seq;

    // The customer drops; the advisor writes meanwhile; the customer comes back with their device token.
    c.socket.disconnect();
    await write(advisor, session.conversationId, 'Are you still there?');
    await write(advisor, session.conversationId, 'I will wait a minute.');
    const back = customer({ conversationId: session.conversationId, token: session.token, lastSeq: held });
    expect((await back.session).token).toBe(session.token);
    await until(() => back.activities.length === 2, 'replay');
    expect(texts(back)).toEqual(['Are you still there?', 'I will wait a minute.']);
    expect(eventsOf(back, 'handoff')).toEqual([{ state: 'attached', agent: { name: advisor.name }, meetingUrl: expect.any(String) }]);
    // The same device opening the Join link again keeps its token and asks for nobody again.
    const again = customer({ join: joinToken(appointment), conversationId: session.conversationId, token: session.token, lastSeq: back.activities.at(-1)!.seq });
    expect((await again.session).token).toBe(session.token);
    again.socket.disconnect();

    // The advisor drops; the customer writes meanwhile; the advisor's new socket is back in the
    // conversation (console:ready) and resyncs, then gets new messages live.
    const advisorHeld = back.activities.at(-1)!.seq;
    advisor.socket.disconnect();
    await say(back, 'Yes, sorry, my connection dropped.');
    await say(back, 'Here now.');
    const returning = consoleSocket(advisor.cookie);
    const ready = await returning.ready;
    expect(ready.attached.map((x: AttachedConversation) => x.conversationId)).toEqual([session.conversationId]);
    const resync = (await returning.socket.emitWithAck('handoff:resync', { conversationId: session.conversationId, afterSeq: advisorHeld })) as HandoffResyncAck;
    expect(resync.ok && resync.activities.map((a) => [a.from, a.text])).toEqual([
      ['customer', 'Yes, sorry, my connection dropped.'], ['customer', 'Here now.'],
    ]);
    await say(back, 'Live again?');
    await until(() => returning.events.some((e) => e.event === 'handoff:activity' && e.payload.activity.text === 'Live again?'), 'live message after reconnect');
    await chat.queue.drain();
    expect(turnsOf(session.conversationId)).toEqual([]);
  });

  test('two advisors racing to join: exactly one wins', async () => {
    const appointment = await book(paris('14:30'));
    clock.set(minutesBefore(paris('14:30'), 4));
    const [x, y] = await Promise.all(PARIS_ADVISORS.map((e) => agent(e)));
    const c = customer({ join: joinToken(appointment) });
    const { conversationId } = await c.session;
    await until(() => [x!, y!].some((a) => requestsOf(a).length > 0), 'request');
    const results = await Promise.all([joinAs(x!, conversationId), joinAs(y!, conversationId)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, error: { code: 'already_taken', message: expect.any(String) } }]);
    await until(() => has(c, /joined the chat$/), 'joined');
    expect(c.activities.filter((a) => /joined the chat$/.test(a.text))).toHaveLength(1);
  });

  test('access: an advisor of another store cannot join; bad events get clear errors; the console needs a session from its own origin', async () => {
    const appointment = await book(paris('15:00'));
    clock.set(minutesBefore(paris('15:00'), 4));
    const lyon = await agent(LYON_ADVISOR);
    const c = customer({ join: joinToken(appointment) });
    const { conversationId } = await c.session;
    await until(() => has(c, /^We're letting|no advisor is available/), 'request');

    expect(await joinAs(lyon, conversationId)).toEqual({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/outside your access/) } });
    expect(await lyon.socket.emitWithAck('handoff:resync', { conversationId, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await write(lyon, conversationId, 'sneaky')).toMatchObject({ ok: false, error: { code: 'not_attached' } });
    expect(await joinAs(lyon, '00000000-0000-4000-8000-000000000000')).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await lyon.socket.emitWithAck('handoff:join', { conversationId: 'nope' })).toMatchObject({ ok: false, error: { code: 'invalid_event' } });
    expect(await lyon.socket.emitWithAck('handoff:message', { conversationId, clientId: 'short', text: '' })).toMatchObject({ ok: false, error: { code: 'invalid_event' } });
    lyon.socket.emit('handoff:typing', 'garbage');
    lyon.socket.emit('nonsense', {});
    await until(() => eventsOf(lyon, 'console-error').length >= 8, 'console errors');
    expect(eventsOf(lyon, 'console-error').slice(-2).map((e) => e.code)).toEqual(['invalid_event', 'invalid_event']);
    expect(has(c, /sneaky/)).toBe(false);
    expect((await handoffRow(conversationId)).handoff_state).toBe('waiting');
    // Still connected and usable.
    expect(await lyon.socket.emitWithAck('presence:set', { status: 'away' })).toEqual({ ok: true });

    await expect(consoleSocket(null).ready).rejects.toThrow(/unauthorized/);
    await expect(consoleSocket('rdv_session=forged-token-value').ready).rejects.toThrow(/unauthorized/);
    await expect(consoleSocket(lyon.cookie, 'https://evil.example').ready).rejects.toThrow(/origin_not_allowed/);
    // A customer's read receipt with nonsense is refused too.
    c.socket.emit('read', { seq: -1 });
    await until(() => c.errors.length === 1, 'chat error');
    expect(c.errors[0]!.code).toBe('invalid_event');
  });

  test('hand-off events reach only the consoles that see the appointment: another store’s console learns nothing of the chat', async () => {
    const taken = await book(paris('16:00'));
    const withdrawn = await book(paris('16:30'));
    clock.set(minutesBefore(paris('16:00'), 3));
    const lyon = await agent(LYON_ADVISOR);
    const admin = await agent(DEMO_ADMIN.email);
    const assigned = await agent(emailOf(taken.staffId));

    // One customer is taken by their advisor…
    const first = customer({ join: joinToken(taken) });
    const { conversationId } = await first.session;
    await until(() => requestsOf(assigned).length === 1, 'the request');
    expect(await joinAs(assigned, conversationId)).toMatchObject({ ok: true });
    await until(() => eventsOf(admin, 'handoff:taken').some((e) => e.conversationId === conversationId), 'taken, for the admin');

    // …the other finds nobody and goes back to the bot to reschedule.
    clock.set(minutesBefore(paris('16:30'), 3));
    const second = customer({ join: joinToken(withdrawn) });
    const secondSession = await second.session;
    await until(() => has(second, /no advisor is available/), 'nobody available');
    await say(second, 'Reschedule');
    await until(() => eventsOf(admin, 'handoff:withdrawn').some((e) => e.conversationId === secondSession.conversationId), 'withdrawn, for the admin');

    // Whatever was sent to the Lyon console before this acknowledgement has arrived by now.
    expect(await lyon.socket.emitWithAck('presence:set', { status: 'online' })).toEqual({ ok: true });
    const seen = JSON.stringify(lyon.events);
    for (const secret of [conversationId, secondSession.conversationId, taken.id, withdrawn.id, 'Alice Durand']) expect(seen).not.toContain(secret);
    expect(lyon.events.map((e) => e.event).filter((e) => e.startsWith('handoff:'))).toEqual([]);
  });

  test('Join links of a cancelled or moved appointment are refused; so are forged ones; the link for the new time works', async () => {
    const cancelled = await book(paris('15:30'));
    const moved = await book(paris('16:00'));
    const camille = staff.get(PARIS_ADVISORS[0]!)!;
    const brand = (await findBrand(db, DEMO_BRAND_ID))!;
    const cancelledToken = joinToken(cancelled);
    const movedToken = joinToken(moved);
    await cancelAppointment({ db, now: clock.now }, { brand, appointmentId: cancelled.id, reason: 'Customer called', actor: { kind: 'staff', id: camille.id } });
    const after = await rescheduleAppointment({ db, now: clock.now }, { brand, appointmentId: moved.id, start: paris('16:30'), actor: { kind: 'staff', id: camille.id } });
    clock.set(minutesBefore(paris('15:30'), 2));

    await expect(customer({ join: cancelledToken }).session).rejects.toThrow(/^join_refused: this appointment was cancelled/);
    await expect(customer({ join: movedToken }).session).rejects.toThrow(/^join_refused: this appointment has changed/);
    await expect(customer({ join: `${movedToken.split('.')[0]}.forged` }).session).rejects.toThrow(/^join_refused: this join link is not valid/);
    const manageToken = links.url('manage', after).split('/a/')[1]!.split('/')[0]!;
    await expect(customer({ join: manageToken }).session).rejects.toThrow(/^join_refused/);
    const refused = customer({ join: cancelledToken });
    const error = await refused.session.catch((e: Error & { data?: unknown }) => e);
    expect((error as { data?: unknown }).data).toEqual({ code: 'join_refused', reason: 'cancelled' });

    clock.set(minutesBefore(paris('16:30'), 2));
    const fresh = customer({ join: joinToken(after) });
    await expect(fresh.session).resolves.toMatchObject({ conversationId: expect.any(String) });
  });

  test('joining outside the window: no hand-off, the customer is told when the appointment is', async () => {
    const appointment = await book(paris('17:00'));
    clock.set(minutesBefore(paris('17:00'), 45));
    const advisor = await agent(emailOf(appointment.staffId));
    const early = customer({ join: joinToken(appointment) });
    const { conversationId } = await early.session;
    await until(() => early.activities.length > 0, 'message');
    expect(texts(early)).toEqual([
      'Your appointment is on Monday 1 March at 17:00 (Europe/Paris). You can join from 10 minutes before it starts: open the Join link again then.',
    ]);
    expect(early.activities[0]!.from).toBe('system');
    expect((await handoffRow(conversationId)).handoff_state).toBe('bot');
    await chat.queue.drain();
    expect(turnsOf(conversationId)).toEqual([]); // no greeting either: the notice is the answer
    expect(requestsOf(advisor)).toEqual([]);
    const [row] = await db.query<{ meeting_url: string | null; conversation_id: string }>('SELECT meeting_url, conversation_id FROM appointments WHERE id = $1', [appointment.id]);
    expect(row).toEqual({ meeting_url: null, conversation_id: conversationId }); // linked to the new conversation

    // The customer can still talk to the bot meanwhile.
    await say(early, 'ok');
    await until(() => has(early, /^echo: ok$/), 'bot answer');

    clock.set(new Date(paris('17:00').getTime() + 25 * 60_000));
    const late = customer({ join: joinToken(appointment) });
    expect((await late.session).conversationId).toBe(conversationId);
    await until(() => has(late, /has ended\.$/), 'ended notice');
    expect(texts(late).at(-1)).toBe('This appointment was on Monday 1 March at 17:00 (Europe/Paris) and has ended.');
    expect(requestsOf(advisor)).toEqual([]);
  });

  test('presence across tabs reaches consoles in scope; appointment changes reach the consoles of their store', async () => {
    const appointment = await book(paris('17:30'));
    const advisorEmail = emailOf(appointment.staffId);
    const colleague = await agent(otherParisAdvisor(appointment.staffId));
    const lyon = await agent(LYON_ADVISOR);
    const presenceOf = (a: AgentClient, id: string) => eventsOf(a, 'presence').filter((e) => e.staffId === id).map((e) => e.status);

    const cookie = await signIn(advisorEmail);
    const tab1 = await agent(advisorEmail, cookie);
    const tab2 = await agent(advisorEmail, cookie);
    await until(() => presenceOf(colleague, tab1.id).length === 1, 'online');
    expect(tab2.events.find((e) => e.event === 'console:ready')!.payload.presence).toEqual(
      expect.arrayContaining([{ staffId: colleague.id, name: colleague.name, status: 'online' }]),
    );
    await tab1.socket.emitWithAck('presence:set', { status: 'away' });
    await pause(50);
    expect(presenceOf(colleague, tab1.id)).toEqual(['online']); // the other tab is still online
    await tab2.socket.emitWithAck('presence:set', { status: 'away' });
    await until(() => presenceOf(colleague, tab1.id).length === 2, 'away');
    tab1.socket.disconnect();
    tab2.socket.disconnect();
    await until(() => presenceOf(colleague, tab1.id).length === 3, 'offline');
    expect(presenceOf(colleague, tab1.id)).toEqual(['online', 'away', 'offline']);
    expect(presenceOf(lyon, tab1.id)).toEqual([]); // another store's console does not see it

    handoff.consoleNotifier.appointmentChanged(DEMO_BRAND_ID, appointment.id);
    await until(() => eventsOf(colleague, 'appointment:changed').length === 1, 'appointment:changed');
    expect(eventsOf(colleague, 'appointment:changed')).toEqual([{ appointmentId: appointment.id }]);
    await pause(50);
    expect(eventsOf(lyon, 'appointment:changed')).toEqual([]);
  });
});
