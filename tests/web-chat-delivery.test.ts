import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import pino from 'pino';
import { MessageFactory, type TurnContext } from 'botbuilder-core';
import type { Database } from '../models/database.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import { appendEntry, createWebConversation } from '../models/conversations.repository.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import { attachWebChat, socketServerOptions, type WebChatDeps } from '../bot/web-chat.socket.ts';
import { HandoffRouter } from '../bot/handoff/index.ts';
import { memoryRateLimit } from '../bot/rate-limit.ts';
import type { ChatSession, MessageAck } from '../bot/web-protocol.ts';
import { createConnector } from '../chat-widget/src/connector.ts';
import { safeStorage } from '../chat-widget/src/storage.ts';
import { createWidgetStore, type WidgetStore } from '../chat-widget/src/store.ts';
import { openTestDatabase } from './support/databases.ts';
import { until } from './support/wait.ts';

/**
 * The chat over real sockets and PostgreSQL when connections come and go: every message the
 * customer sent is stored once, in their order; budgets hold whatever sockets a client opens.
 */

const ORIGIN = 'http://localhost:4000';
/** Client addresses (TEST-NET ranges), sent as X-Forwarded-For: the test server trusts its loopback peer as a proxy. */
const ip = (n: number) => `198.51.${Math.floor(n / 250)}.${(n % 250) + 1}`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function echoBot(context: TurnContext) {
  if (context.activity.type === 'conversationUpdate') await context.sendActivity(MessageFactory.text('Hello!'));
  else await context.sendActivity(`echo: ${context.activity.text}`);
}

describe('web chat delivery over reconnections', () => {
  let db: Database;
  const closers: (() => Promise<void>)[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await seedDemo(db, { allowedOrigins: [] });
  }, 60_000);
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    for (const close of closers.splice(0)) await close();
  });
  afterAll(() => db.close());

  /** A chat server of its own (its own budgets) with live-agent hand-off as in the product, over the file's database. */
  async function startChat(options: Partial<WebChatDeps> = {}) {
    const http = createServer();
    const server = new Server(http, socketServerOptions);
    const logger = pino({ level: 'silent' });
    const now = () => new Date();
    const handoff = new HandoffRouter({ db, logger, now, links: createSignedLinks({ baseUrl: ORIGIN, secret: 'test-links-secret', now }) });
    const chat = attachWebChat(server, { db, logger, ownOrigins: [ORIGIN], bot: echoBot, handoff, ...options });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      handoff.close();
      await server.close();
      await chat.queue.drain();
    });
    return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, chat };
  }

  function client(url: string, auth: Record<string, unknown>, from: string): Socket {
    const socket = io(`${url}/chat`, {
      auth: { brand: DEMO_BRAND_ID, ...auth }, extraHeaders: { origin: ORIGIN, 'x-forwarded-for': from },
      transports: ['websocket'], reconnection: false, forceNew: true,
    });
    sockets.push(socket);
    return socket;
  }
  const sessionOf = (socket: Socket) => new Promise<ChatSession>((resolve, reject) => {
    socket.once('session', resolve);
    socket.once('connect_error', reject);
  });
  const say = (socket: Socket, clientId: string, text = clientId) =>
    socket.timeout(30_000).emitWithAck('message', { clientId, text }) as Promise<MessageAck>;
  const customerMessages = (conversationId: string) => db.query<{ clientId: string }>(
    `SELECT client_id AS "clientId" FROM conversation_messages WHERE conversation_id = $1 AND sender = 'customer' ORDER BY seq`, [conversationId],
  );
  const conversationCount = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM conversations'))[0]!.n);

  test('100 resumed conversations that send on connect: 100 messages acknowledged and stored', async () => {
    const { url } = await startChat();
    // Conversations with some history, which the server replays on connection.
    const resumed = await Promise.all(Array.from({ length: 100 }, async () => {
      const created = await createWebConversation(db, DEMO_BRAND_ID, 'en', null);
      for (let k = 0; k < 40; k++) await appendEntry(db, created.conversation.id, { sender: 'bot', text: `Earlier line ${k}` });
      return created;
    }));
    const acks: MessageAck[] = [];
    resumed.forEach(({ conversation, token }, i) => {
      const socket = client(url, { conversationId: conversation.id, token, lastSeq: 0 }, ip(i));
      // As the widget does: what was waiting goes out the moment the socket connects.
      socket.on('connect', () => socket.emit('message', { clientId: `on-connect-${i}`, text: `hello ${i}` }, (ack: MessageAck) => acks.push(ack)));
    });
    await until(() => acks.length === 100, 60_000).catch(() => {
      throw new Error(`${acks.length} of 100 messages sent on connect were acknowledged`);
    });
    expect(acks.filter((a) => a.ok)).toHaveLength(100);
    for (const [i, { conversation }] of resumed.entries()) {
      expect((await customerMessages(conversation.id)).map((m) => m.clientId)).toEqual([`on-connect-${i}`]);
    }
  }, 120_000);

  test('soak: 50 widgets chatting through 500+ forced disconnects: nothing lost, duplicated or reordered', async () => {
    const { url, chat } = await startChat({ messagesPer10s: 100_000, messagesPer10sPerIp: 100_000 });
    const CLIENTS = 50;
    const MESSAGES = 60;
    const widgets = Array.from({ length: CLIENTS }, (_, i) => {
      const noStorage = () => safeStorage(() => { throw new Error('no web storage in node'); });
      const store: WidgetStore = createWidgetStore({ brand: DEMO_BRAND_ID, locale: 'en', local: noStorage(), session: noStorage() });
      // The widget's own connector, on socket.io's node client; reconnecting fast so the soak fits in seconds.
      const connectSocket = ((uri: string, options: Partial<ManagerOptions & SocketOptions>) => {
        const socket = io(uri, {
          ...options, transports: ['websocket'], extraHeaders: { origin: ORIGIN, 'x-forwarded-for': ip(i) },
          reconnectionDelay: 50, reconnectionDelayMax: 400,
        });
        sockets.push(socket);
        return socket;
      }) as typeof io;
      const connector = createConnector(store, { origin: url, brand: DEMO_BRAND_ID, timeZone: 'Europe/Paris', connectSocket });
      return { store, connector, sent: [] as string[] };
    });
    for (const w of widgets) w.connector.connect();
    await until(() => widgets.every((w) => w.store.getState().session !== null), 60_000);

    let typing = true;
    const customers = widgets.map(async (w) => {
      for (let k = 0; k < MESSAGES; k++) {
        w.connector.send({ text: `message ${k}` });
        w.sent.push(w.store.getState().pending.at(-1)!.clientId);
        await pause(20 + Math.random() * 60);
      }
    });
    void Promise.all(customers).then(() => { typing = false; });

    // Meanwhile connections drop: mostly the network (transport closed), sometimes the server.
    let forced = 0;
    while (typing || forced < 500) {
      const connected = [...chat.namespace.sockets.values()];
      const victim = connected[Math.floor(Math.random() * connected.length)];
      if (victim) {
        if (Math.random() < 0.8) victim.conn.close();
        else victim.disconnect(true);
        forced++;
      }
      await pause(5 + Math.random() * 15);
    }
    await Promise.all(customers);
    // Online again too: no reconnection is still scheduled when the test closes the sockets.
    await until(() => widgets.every((w) => w.store.getState().pending.length === 0 && w.store.getState().connection === 'online'), 180_000).catch(() => {
      const left = widgets.flatMap((w) => w.store.getState().pending);
      throw new Error(`${left.length} messages still unacknowledged (${left.filter((p) => p.status === 'failed').length} refused)`);
    });

    const totals = { sent: 0, stored: 0, lost: 0, duplicated: 0, reordered: 0, conversationsWrong: 0 };
    for (const w of widgets) {
      const stored = (await customerMessages(w.store.getState().session!.conversationId)).map((m) => m.clientId);
      totals.sent += w.sent.length;
      totals.stored += stored.length;
      totals.lost += w.sent.filter((id) => !stored.includes(id)).length;
      totals.duplicated += stored.length - new Set(stored).size;
      const unique = [...new Set(stored)];
      totals.reordered += unique.filter((id, i) => i > 0 && w.sent.indexOf(id) < w.sent.indexOf(unique[i - 1]!)).length;
      if (JSON.stringify(stored) !== JSON.stringify(w.sent)) totals.conversationsWrong++;
    }
    expect(forced).toBeGreaterThanOrEqual(500);
    expect(totals).toEqual({ sent: CLIENTS * MESSAGES, stored: CLIENTS * MESSAGES, lost: 0, duplicated: 0, reordered: 0, conversationsWrong: 0 });
  }, 300_000);

  // Budgets are stretched to an hour here, so a slow machine cannot refill them mid-test.
  const hourly = (budget: string, points: number) => memoryRateLimit(budget, points, 3600);

  test('the message budget follows the conversation: reconnecting, from any address, does not reset it', async () => {
    const { url } = await startChat({ messagesPer10s: 10, rateLimit: hourly });
    const first = client(url, {}, ip(1));
    const session = await sessionOf(first);
    for (let k = 0; k < 6; k++) expect(await say(first, `budget-a-${k}`)).toMatchObject({ ok: true });
    first.disconnect();

    const resume = { conversationId: session.conversationId, token: session.token };
    const second = client(url, resume, ip(2));
    await sessionOf(second);
    for (let k = 0; k < 4; k++) expect(await say(second, `budget-b-${k}`)).toMatchObject({ ok: true });
    expect(await say(second, 'budget-b-4')).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    second.disconnect();

    const third = client(url, resume, ip(1));
    await sessionOf(third);
    expect(await say(third, 'budget-c-0')).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(await customerMessages(session.conversationId)).toHaveLength(10);
  });

  test('the message budget of an address covers all its sockets and conversations', async () => {
    const { url } = await startChat({ messagesPer10s: 1000, messagesPer10sPerIp: 12, rateLimit: hourly });
    const acks: MessageAck[] = [];
    for (let c = 0; c < 3; c++) {
      const socket = client(url, {}, ip(7));
      await sessionOf(socket);
      for (let k = 0; k < 5; k++) acks.push(await say(socket, `shared-${c}-${k}`));
    }
    expect(acks.map((a) => (a.ok ? 'ok' : a.error.code))).toEqual([...Array(12).fill('ok'), ...Array(3).fill('rate_limited')]);
    // Another address has its own budget.
    const neighbour = client(url, {}, ip(8));
    await sessionOf(neighbour);
    expect(await say(neighbour, 'neighbour-0')).toMatchObject({ ok: true });
  });

  test('handshakes without a message create at most the per-address budget of conversations; resuming costs nothing', async () => {
    const { url } = await startChat({ conversationsPerIpPerHour: 5 });
    const before = await conversationCount();
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => sessionOf(client(url, {}, ip(9))).then(
      (session) => ({ session }),
      (err: Error) => ({ refused: err.message }),
    )));
    const opened = outcomes.flatMap((o) => ('session' in o ? [o.session] : []));
    expect(opened).toHaveLength(5);
    expect(outcomes.filter((o) => 'refused' in o && /^rate_limited:/.test(o.refused))).toHaveLength(25);
    expect(await conversationCount()).toBe(before + 5);

    const back = client(url, { conversationId: opened[0]!.conversationId, token: opened[0]!.token }, ip(9));
    expect((await sessionOf(back)).conversationId).toBe(opened[0]!.conversationId);
    await sessionOf(client(url, {}, ip(10)));
    expect(await conversationCount()).toBe(before + 6);
  });
});
