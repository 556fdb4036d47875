import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import pino from 'pino';
import { MessageFactory, type TurnContext } from 'botbuilder-core';
import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import { attachWebChat, socketServerOptions } from '../bot/web-chat.socket.ts';
import type { ChatActivity, ChatSession, MessageAck } from '../bot/web-protocol.ts';
import { openTestDatabase } from './support/databases.ts';

const ORIGIN = 'http://localhost:4000';

/** A real, tiny bot for testing the channel: greets, echoes, and counts the turns it ran. */
const turns: string[] = [];
async function echoBot(context: TurnContext) {
  if (context.activity.type === 'conversationUpdate') {
    await context.sendActivity(MessageFactory.suggestedActions(['Book'], 'Hello!'));
    return;
  }
  turns.push(context.activity.text ?? '');
  await context.sendActivity(`echo: ${context.activity.text}`);
}

describe('web chat channel over socket.io', () => {
  let db: Database;
  let http: HttpServer;
  let io: Server;
  let url: string;
  let chat: ReturnType<typeof attachWebChat>;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    await seedDemo(db, { allowedOrigins: ['https://brand.example'] });
    http = createServer();
    io = new Server(http, socketServerOptions);
    chat = attachWebChat(io, { db, logger: pino({ level: 'silent' }), ownOrigins: [ORIGIN], bot: echoBot, messagesPer10s: 30 });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/chat`;
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  afterAll(async () => {
    io.close();
    await chat.queue.drain();
    await db.close();
  });

  interface Client {
    socket: Socket;
    activities: ChatActivity[];
    errors: { code: string; message: string }[];
    session: Promise<ChatSession>;
  }

  function client(auth: Record<string, unknown>, origin = ORIGIN): Client {
    const socket = connect(url, { auth, extraHeaders: { origin }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    const activities: ChatActivity[] = [];
    const errors: { code: string; message: string }[] = [];
    socket.on('activity', (a: ChatActivity) => activities.push(a));
    socket.on('chat-error', (e) => errors.push(e));
    const session = new Promise<ChatSession>((resolve, reject) => {
      socket.once('session', resolve);
      socket.once('connect_error', reject);
    });
    return { socket, activities, errors, session };
  }

  const until = async (check: () => boolean, what: string) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!check()) throw new Error(`timed out waiting for ${what}`);
  };
  const send = (c: Client, text: string, clientId: string) =>
    c.socket.emitWithAck('message', { clientId, text }) as Promise<MessageAck>;

  test('a new conversation gets a session, a greeting, and answers in sequence order', async () => {
    const c = client({ brand: 'demo' });
    const session = await c.session;
    expect(session.token.length).toBeGreaterThanOrEqual(40);
    await until(() => c.activities.length === 1, 'greeting');
    expect(c.activities[0]).toMatchObject({ seq: 1, from: 'bot', text: 'Hello!', suggestedActions: [{ title: 'Book', value: 'Book' }] });
    const ack = await send(c, 'hi', 'client-msg-0001');
    expect(ack).toEqual({ ok: true, seq: 2, duplicate: false });
    await until(() => c.activities.length === 3, 'echo');
    expect(c.activities.map((a) => [a.seq, a.from, a.text])).toEqual([[1, 'bot', 'Hello!'], [2, 'customer', 'hi'], [3, 'bot', 'echo: hi']]);
  });

  test('resuming from seq 0 replays the greeting (only the connection that created the conversation skips the replay)', async () => {
    const first = client({ brand: 'demo' });
    const session = await first.session;
    await until(() => first.activities.length === 1, 'greeting');
    await chat.queue.drain();
    expect(first.activities.map((a) => [a.seq, a.text])).toEqual([[1, 'Hello!']]);
    first.socket.disconnect();

    const again = client({ brand: 'demo', conversationId: session.conversationId, token: session.token, lastSeq: 0 });
    await again.session;
    await until(() => again.activities.length === 1, 'replay');
    await chat.queue.drain();
    // The stored greeting, replayed; the conversation is not greeted a second time.
    expect(again.activities.map((a) => [a.seq, a.from, a.text])).toEqual([[1, 'bot', 'Hello!']]);
    const ack = await send(again, 'back', 'client-resume-0001');
    expect(ack).toEqual({ ok: true, seq: 2, duplicate: false });
  });

  test('a resent message (same clientId) is stored and answered once', async () => {
    const c = client({ brand: 'demo' });
    await c.session;
    const before = turns.length;
    const [a, b] = await Promise.all([send(c, 'once', 'client-dup-0001'), send(c, 'once', 'client-dup-0001')]);
    const third = await send(c, 'once', 'client-dup-0001');
    expect([a, b, third].filter((x) => x.ok && !x.duplicate)).toHaveLength(1);
    expect(new Set([a, b, third].map((x) => x.ok && x.seq)).size).toBe(1);
    await chat.queue.drain();
    expect(turns.length - before).toBe(1);
  });

  test('reconnecting replays every missed message in order; nobody else can read or write it', async () => {
    const first = client({ brand: 'demo' });
    const session = await first.session;
    await send(first, 'one', 'client-rep-0001');
    await chat.queue.drain();
    first.socket.disconnect();
    // While away, the conversation goes on (another tab of the same customer).
    const tab = client({ brand: 'demo', conversationId: session.conversationId, token: session.token, lastSeq: 3 });
    await tab.session;
    await send(tab, 'two', 'client-rep-0002');
    await send(tab, 'three', 'client-rep-0003');
    await chat.queue.drain();

    const back = client({ brand: 'demo', conversationId: session.conversationId, token: session.token, lastSeq: 3 });
    await back.session;
    await until(() => back.activities.length === 4, 'replay');
    expect(back.activities.map((a) => [a.seq, a.text])).toEqual([[4, 'two'], [5, 'echo: two'], [6, 'three'], [7, 'echo: three']]);
    // Resync on demand gives the same.
    back.activities.length = 0;
    back.socket.emit('resync', { afterSeq: 5 });
    await until(() => back.activities.length === 2, 'resync');
    expect(back.activities.map((a) => a.seq)).toEqual([6, 7]);

    // Wrong token: refused. Someone else's new conversation sees none of it.
    const intruder = client({ brand: 'demo', conversationId: session.conversationId, token: 'x'.repeat(43) });
    await expect(intruder.session).rejects.toThrow(/unauthorized/);
    const other = client({ brand: 'demo' });
    const otherSession = await other.session;
    await send(other, 'mine', 'client-oth-0001');
    await chat.queue.drain();
    expect(otherSession.conversationId).not.toBe(session.conversationId);
    expect(other.activities.some((a) => a.text.includes('three'))).toBe(false);
    expect(back.activities.some((a) => a.text.includes('mine'))).toBe(false);
  });

  test('origins: the brand site and the server itself are allowed, others refused', async () => {
    await expect(client({ brand: 'demo' }, 'https://brand.example').session).resolves.toBeTruthy();
    await expect(client({ brand: 'demo' }, 'https://evil.example').session).rejects.toThrow(/origin_not_allowed/);
    await expect(client({ brand: 'nope' }).session).rejects.toThrow(/unknown_brand/);
    await expect(client({ brand: 'demo', lastSeq: -1 }).session).rejects.toThrow(/invalid_auth/);
  });

  test('bad events get a clear error and the connection stays usable', async () => {
    const c = client({ brand: 'demo' });
    await c.session;
    const bad = (await c.socket.emitWithAck('message', { text: 'no client id' })) as MessageAck;
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_event' } });
    const big = (await c.socket.emitWithAck('message', { clientId: 'client-big-0001', value: { blob: 'x'.repeat(70_000) } })) as MessageAck;
    expect(big).toMatchObject({ ok: false, error: { code: 'too_large' } });
    c.socket.emit('nonsense', 1);
    c.socket.emit('resync', { afterSeq: 'x' });
    await until(() => c.errors.length >= 4, 'errors');
    expect(c.errors.map((e) => e.code)).toEqual(['invalid_event', 'too_large', 'invalid_event', 'invalid_event']);
    expect(await send(c, 'still here', 'client-ok-00001')).toMatchObject({ ok: true });
  });

  test('a flood of messages is rate limited per conversation', async () => {
    const c = client({ brand: 'demo' });
    await c.session;
    const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => send(c, `m${i}`, `client-flood-${String(i).padStart(4, '0')}`)));
    const limited = acks.filter((a) => !a.ok && a.error.code === 'rate_limited');
    expect(acks.filter((a) => a.ok)).toHaveLength(30);
    expect(limited).toHaveLength(10);
  });
});
