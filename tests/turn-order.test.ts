import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import type { ChatSession, MessageAck } from '../bot/web-protocol.ts';
import { databaseUrlOf, openTestDatabase } from './support/databases.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { until } from './support/wait.ts';

/**
 * One customer, two sockets, two server processes on one PostgreSQL: messages sent alternately
 * through both are answered one turn after the other in the order they were stored, never two
 * turns at once (they would race on the dialog state: one would fail and apologise).
 */

const ORIGIN = 'https://shop.example';
const QUESTIONS: [string, RegExp][] = [
  ['is it free?', /every appointment with our advisors is free/],
  ['is there parking?', /public car park/],
  ['what should I bring?', /plan of your room/],
];
const ROUNDS = 4;

/** A customer's socket, once connected, and its session (listened for from the start: it may come with the connection). */
async function open(url: string, auth: Record<string, unknown>): Promise<{ socket: Socket; session: Promise<ChatSession> }> {
  const socket = connect(`${url}/chat`, { auth, extraHeaders: { origin: ORIGIN }, transports: ['websocket'], reconnection: false, forceNew: true });
  const session = new Promise<ChatSession>((resolve) => socket.once('session', resolve));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, session };
}

describe('turn order across two instances', () => {
  let db: Database;
  let schema: string;
  let a: ServerProcess;
  let b: ServerProcess;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await seedDemo(db, { allowedOrigins: [ORIGIN] });
    const database = await databaseUrlOf(db);
    schema = database.schema;
    const env = { DATABASE_URL: database.url, PGBOSS_SCHEMA: `${schema}_jobs`, SEED_DEMO: 'false', APP_SECRET: randomBytes(32).toString('hex') };
    // One after the other: simultaneous first starts are covered by tests/job-queue-start.test.ts.
    a = await startServerProcess(env);
    b = await startServerProcess(env);
  }, 300_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
    await db.close();
  });

  const transcript = (conversationId: string) => db.query<{ seq: number; sender: string; text: string }>(
    'SELECT seq, sender, text FROM conversation_messages WHERE conversation_id = $1 ORDER BY seq', [conversationId],
  );

  test('messages sent through sockets on two instances get their turns in seq order', async () => {
    const { socket: first, session: started } = await open(a.url, { brand: 'demo', lastSeq: 0 });
    sockets.push(first);
    const session = await started;
    // The greeting is answered before the questions start.
    await until(async () => (await transcript(session.conversationId)).some((r) => r.sender === 'bot'), 60_000);
    const { socket: second } = await open(b.url, { brand: 'demo', conversationId: session.conversationId, token: session.token, lastSeq: 0 });
    sockets.push(second);

    // Each message is sent as soon as the one before is stored (acknowledged), not answered: turns pile up on both instances.
    const asked: RegExp[] = [];
    for (let i = 0; i < ROUNDS * QUESTIONS.length; i++) {
      const [question, answer] = QUESTIONS[i % QUESTIONS.length]!;
      const socket = i % 2 === 0 ? first : second;
      const ack = (await socket.timeout(60_000).emitWithAck('message', { clientId: `order-${i}-0000`, text: question })) as MessageAck;
      expect(ack.ok).toBe(true);
      asked.push(answer);
    }

    const answers = async () => (await transcript(session.conversationId))
      .filter((r) => r.sender === 'bot' && QUESTIONS.some(([, answer]) => answer.test(r.text)));
    await until(async () => (await answers()).length >= asked.length, 120_000);
    const rows = await transcript(session.conversationId);
    expect(rows.filter((r) => r.sender === 'bot' && /something went wrong/.test(r.text))).toEqual([]);
    // Answers come in the order the questions were stored.
    const given = await answers();
    expect(given).toHaveLength(asked.length);
    given.forEach((row, i) => expect(row.text).toMatch(asked[i]!));
  }, 300_000);
});
