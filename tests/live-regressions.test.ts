import { io as connect, type Socket } from 'socket.io-client';
import { APPOINTMENT, type AppointmentContent, type ChatActivity, type ChatSession, type MessageAck } from '../bot/web-protocol.ts';
import { latestAppointmentCards, supersedingCards, withLatestCards } from '../chat-widget/src/transcript.ts';
import type { ConsoleReady, HandoffJoinAck } from '../bot/handoff/index.ts';
import { initialLiveState, openConversation, readAttached } from '../agent-console/src/live.ts';
import { appendEntry, createWebConversation, entriesAfter } from '../models/conversations.repository.ts';
import { migrate } from '../models/migrate.ts';
import { createStaffAuth } from '../server/console/staff-auth.ts';
import { startApp, type TestApp } from './support/app.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';

// Issue 11's defects seen over the real sockets of the whole product: bot, hand-off and console together.
const clock = testClock('2027-03-01T07:00:00Z');
let app: TestApp;
const sockets: Socket[] = [];

beforeAll(async () => {
  app = await startApp(clock.now);
}, 120_000);
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await until(async () => (await app.rendezvous.handoff.presence.present('demo')).length === 0, 20_000);
});
afterAll(() => app.close());

interface Customer {
  socket: Socket;
  activities: ChatActivity[];
  session: Promise<ChatSession>;
}

function customer(auth: Record<string, unknown> = {}): Customer {
  const socket = connect(`${app.url}/chat`, {
    auth: { brand: 'demo', timeZone: 'Europe/Paris', ...auth }, extraHeaders: { origin: app.url }, transports: ['websocket'], reconnection: false, forceNew: true,
  });
  sockets.push(socket);
  const c: Customer = { socket, activities: [], session: new Promise((resolve, reject) => { socket.once('session', resolve); socket.once('connect_error', reject); }) };
  socket.on('activity', (a: ChatActivity) => c.activities.push(a));
  return c;
}

let sent = 0;
const say = (c: Customer, text: string, value?: Record<string, unknown>) =>
  c.socket.emitWithAck('message', { clientId: `message-${++sent}`, text, ...(value ? { value } : {}) }) as Promise<MessageAck>;

/** Waits for a bot or system entry after `after` whose text matches; returns it. */
async function reply(c: Customer, pattern: RegExp, after = 0): Promise<ChatActivity> {
  let found: ChatActivity | undefined;
  await until(() => (found = c.activities.find((a) => a.seq > after && a.from !== 'customer' && pattern.test(a.text))) !== undefined, 20_000)
    .catch(() => { throw new Error(`no reply matching ${pattern} after seq ${after}; got:\n${c.activities.filter((a) => a.seq > after).map((a) => `${a.from}: ${a.text}`).join('\n')}`); });
  return found!;
}
const lastSeq = (c: Customer) => Math.max(0, ...c.activities.map((a) => a.seq));

/** Says something and waits for the answer matching `pattern`. */
async function ask(c: Customer, text: string, pattern: RegExp, value?: Record<string, unknown>): Promise<ChatActivity> {
  const after = lastSeq(c);
  const ack = await say(c, text, value);
  if (!ack.ok) throw new Error(`"${text}" was refused: ${ack.error.message}`);
  return reply(c, pattern, after);
}

async function agent(email: string): Promise<{ socket: Socket; cookie: string; events: { event: string; payload: any }[] }> {
  const login = app.logins.find((l) => l.email === email)!;
  const { token } = await createStaffAuth({ db: app.db, now: clock.now, publicUrl: app.url }).login(login.email, login.password);
  const cookie = `rdv_session=${token}`;
  const socket = connect(`${app.url}/console`, { extraHeaders: { origin: app.url, cookie }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(socket);
  const events: { event: string; payload: any }[] = [];
  socket.onAny((event: string, payload: unknown) => events.push({ event, payload }));
  await new Promise<ConsoleReady>((resolve, reject) => { socket.once('console:ready', resolve); socket.once('connect_error', reject); });
  return { socket, cookie, events };
}

const ADVISOR = 'camille.martin@atelier-lumiere.example';

/** A console API call as the demo admin (session cookie and CSRF token, like the console sends them). */
async function consoleApi(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
  const admin = app.logins.find((l) => l.role === 'admin')!;
  const { token, session } = await createStaffAuth({ db: app.db, now: clock.now, publicUrl: app.url }).login(admin.email, admin.password);
  return fetch(`${app.url}/console/api${path}`, {
    method,
    headers: { cookie: `rdv_session=${token}`, origin: app.url, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

test('waiting in the queue can be stopped: "cancel" leaves it, says so, moves the others up, and the menu comes back', async () => {
  const advisor = await agent(ADVISOR);
  const a = customer();
  const b = customer();
  await reply(a, /What would you like to do/);
  await reply(b, /What would you like to do/);
  const queued = await ask(a, 'talk to a person', /You're number 1 in line/);
  expect(queued.text).toContain('To stop waiting, type "cancel".');
  expect(queued.suggestedActions?.map((s) => s.title)).toEqual(['Stop waiting']);
  await ask(b, 'I want to talk to someone', /You're number 2 in line/);
  // No menu under the queue message: the bot is waiting with the customer.
  await until(async () => (await app.db.query('SELECT 1 FROM conversations WHERE id = $1 AND handoff_state = $2', [(await a.session).conversationId, 'waiting'])).length === 1);
  expect(a.activities.filter((x) => x.seq > queued.seq).map((x) => x.text)).toEqual([]);

  const left = await ask(a, 'never mind', /you're no longer waiting for an advisor/);
  await reply(a, /Is there anything else I can do for you\?/, left.seq);
  await reply(b, /You're number 1 in line: you're next\./);
  await until(() => advisor.events.some((e) => e.event === 'handoff:withdrawn' && e.payload.reason === 'leave-queue'));
  // The quick reply works too.
  await ask(b, 'Stop waiting', /no longer waiting/, { choice: 'handoff:leave-queue' });
  const [row] = await app.db.query<{ n: number }>("SELECT count(*)::int AS n FROM conversations WHERE handoff_state = 'waiting'");
  expect(row?.n).toBe(0);
});

/** The newest code sent to `to`, read from the outbox as the customer would. */
async function codeSentTo(to: string): Promise<string> {
  let code: string | undefined;
  await until(async () => {
    const [m] = await app.db.query<{ text: string }>("SELECT body_text AS text FROM messages WHERE recipient = $1 AND kind = 'otp' ORDER BY seq DESC LIMIT 1", [to]);
    return (code = /\b(\d{6})\b/.exec(m?.text ?? '')?.[1]) !== undefined;
  });
  return code!;
}

/**
 * A showroom visit booked through the chat, Tuesday at `time` (15:30 unless told), the code typed wrong once (as
 * text) then right (the form). Tests share one store: each books a time of its own, or the store runs out of advisors.
 */
async function bookInChat(c: Customer, email: string, time = '3:30pm'): Promise<{ appointmentId: string; code: string }> {
  await reply(c, /What would you like to do/);
  await ask(c, 'I would like to book a showroom visit', /Which store/);
  await ask(c, 'Paris Opéra', /When would you like/);
  await ask(c, 'tomorrow afternoon', /Here are the available times/);
  await ask(c, time, /Shall I confirm it\?/);
  await ask(c, 'Confirm', /contact details/, { choice: 'Confirm' });
  await ask(c, '', /sent a 6-digit code/, { action: 'form', form: 'contact', values: { name: 'Ada Lovelace', email, phone: '' } });
  const code = await codeSentTo(email);
  await ask(c, code === '000000' ? '111 111' : '000 000', /That code isn't right/);
  await ask(c, '••••••', /You're (booked|all set)|Thank you! Your request/, { action: 'form', form: 'code', values: { code } });
  const [row] = await app.db.query<{ id: string }>('SELECT id FROM appointments WHERE conversation_id = $1', [(await c.session).conversationId]);
  return { appointmentId: row!.id, code };
}

test('one-time codes never reach the transcript: stored, replayed, and in the console, typed or submitted', async () => {
  const c = customer();
  const { appointmentId, code } = await bookInChat(c, 'ada.mask@example.com');
  const session = await c.session;
  const stored = await app.db.query<{ text: string; content: unknown }>(
    "SELECT text, content FROM conversation_messages WHERE conversation_id = $1 AND sender = 'customer' ORDER BY seq", [session.conversationId]);
  const everything = JSON.stringify(stored);
  expect(everything).not.toContain(code);
  expect(everything).not.toMatch(/[01]{3} [01]{3}/);
  expect(stored.slice(-2).map((m) => m.text)).toEqual(['••••••', '••••••']);
  // What the customer's own widget got, and a replay from the start on another socket.
  expect(c.activities.filter((a) => a.from === 'customer').slice(-2).map((a) => a.text)).toEqual(['••••••', '••••••']);
  const again = customer({ conversationId: session.conversationId, token: session.token, lastSeq: 0 });
  await until(() => again.activities.length >= c.activities.length);
  expect(JSON.stringify(again.activities)).not.toContain(code);
  // The console's transcript of the appointment.
  const details = await consoleApi('GET', `/appointments/${appointmentId}`);
  expect(details.status).toBe(200);
  const body = await details.text();
  expect(body).toContain('••••••');
  expect(body).not.toContain(code);
});

test('codes stored before masking are masked by migration 017', async () => {
  const { conversation } = await createWebConversation(app.db, 'demo', 'en', 'Europe/Paris');
  await appendEntry(app.db, conversation.id, { sender: 'customer', text: '75009' });
  await appendEntry(app.db, conversation.id, { sender: 'bot', text: 'Type the code', content: { attachments: [{ contentType: 'application/vnd.rendezvous.form+json', content: { form: 'code' } }] } });
  await appendEntry(app.db, conversation.id, { sender: 'customer', text: '123 456', clientId: 'old-typed-code' });
  await appendEntry(app.db, conversation.id, { sender: 'customer', text: '654321', clientId: 'old-form-code', content: { value: { action: 'form', form: 'code', values: { code: '654321' } } } });
  await app.db.query("DELETE FROM schema_migrations WHERE name = '017_masked_codes.sql'");
  expect(await migrate(app.db)).toEqual(['017_masked_codes.sql']);
  const entries = await entriesAfter(app.db, conversation.id, 0);
  expect(entries.map((e) => e.text)).toEqual(['75009', 'Type the code', '••••••', '••••••']);
  expect(entries[3]?.content).toEqual({ value: { action: 'form', form: 'code', values: { code: '••••••' } } });
});

/** A kitchen design consultation requested through the chat (request mode: pending until the store confirms). */
async function requestInChat(c: Customer, email: string, time: string): Promise<ChatActivity> {
  await reply(c, /What would you like to do/);
  await ask(c, 'I would like to book a kitchen design consultation', /How would you like to meet/);
  await ask(c, 'online', /When would you like/);
  await ask(c, 'tomorrow afternoon', /Here are the available times/);
  await ask(c, time, /Shall I confirm it\?/);
  await ask(c, 'Confirm', /contact details/, { choice: 'Confirm' });
  await ask(c, '', /sent a 6-digit code/, { action: 'form', form: 'contact', values: { name: 'Ada Lovelace', email, phone: '' } });
  return ask(c, '', /Your request has been received/, { action: 'form', form: 'code', values: { code: await codeSentTo(email) } });
}

test('the chat’s appointment card follows the store: confirmed in the console, the open chat shows it confirmed', async () => {
  const c = customer();
  const requested = await requestInChat(c, 'ada.card@example.com', '3pm');
  const first = requested.attachments?.[0];
  expect(first?.contentType).toBe(APPOINTMENT);
  const card = first?.content as AppointmentContent;
  expect(card.status).toBe('pending');
  const menuSeq = lastSeq(c);

  expect((await consoleApi('POST', `/appointments/${card.appointmentId}/confirm`, {})).status).toBe(200);
  const update = await reply(c, /your appointment is confirmed/, menuSeq);
  expect(update.from).toBe('bot');
  expect(update.attachments?.[0]?.content).toMatchObject({ appointmentId: card.appointmentId, status: 'confirmed', title: 'Kitchen design consultation', lines: card.lines });
  // The widget draws the earlier card as the newest one.
  const latest = latestAppointmentCards(c.activities);
  expect(withLatestCards(requested, latest).attachments?.[0]?.content).toMatchObject({ status: 'confirmed' });
  expect(supersedingCards(update, latest)).toEqual([]);
});

test('an advisor joining a customer who booked in this chat sees the appointment beside it, not "no appointment"', async () => {
  const advisor = await agent(ADVISOR);
  const c = customer();
  const { appointmentId } = await bookInChat(c, 'ada.panel@example.com', '1:30pm');
  await ask(c, 'talk to a person', /You're number 1 in line/);
  const joined = await advisor.socket.emitWithAck('handoff:join', { conversationId: (await c.session).conversationId }) as HandoffJoinAck;
  if (!joined.ok) throw new Error(`join refused: ${joined.error.message}`);
  expect(joined.conversation.appointment).toBeNull();
  expect(joined.conversation.customerName).toBe('Ada Lovelace');
  expect(joined.conversation.appointments).toEqual([expect.objectContaining({
    id: appointmentId, serviceName: 'Guided showroom visit', mode: 'in_store', storeName: 'Paris Opéra', startAt: '2027-03-02T12:30:00.000Z',
  })]);
  // The console keeps them with the conversation it opens.
  const attached = readAttached(JSON.parse(JSON.stringify(joined.conversation)));
  const opened = openConversation(initialLiveState(), { conversationId: attached!.conversationId, customerName: attached!.customerName, appointment: null }, attached!);
  expect(opened.conversations?.[0]?.appointments.map((a) => a.id)).toEqual([appointmentId]);
  await advisor.socket.emitWithAck('handoff:end', { conversationId: joined.conversation.conversationId });
});

test('confirmed from the staff email\'s Confirm link, the open chat shows the card confirmed too', async () => {
  const c = customer();
  const requested = await requestInChat(c, 'ada.link@example.com', '4pm');
  const card = requested.attachments?.[0]?.content as AppointmentContent;
  let confirmUrl: string | undefined;
  await until(async () => {
    const rows = await app.db.query<{ body_text: string }>("SELECT body_text FROM messages WHERE kind = 'staff_request' ORDER BY seq DESC");
    confirmUrl = rows.map((r) => /(https?:\/\/\S+\/staff-confirm)\b/.exec(r.body_text)?.[1]).find((u) => u !== undefined);
    return confirmUrl !== undefined;
  });
  const [appointment] = await app.db.query<{ id: string }>('SELECT id FROM appointments WHERE conversation_id = $1', [(await c.session).conversationId]);
  expect(appointment?.id).toBe(card.appointmentId);
  const page = await (await fetch(confirmUrl!)).text();
  const proof = /name="proof" value="([^"]+)"/.exec(page)?.[1];
  const after = lastSeq(c);
  const posted = await fetch(confirmUrl!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: app.url }, body: new URLSearchParams({ proof: proof ?? '' }) });
  expect(posted.status).toBe(200);
  const update = await reply(c, /your appointment is confirmed/, after);
  expect(update.attachments?.[0]?.content).toMatchObject({ appointmentId: card.appointmentId, status: 'confirmed' });
});
