import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import type { ChatActivity, ChatSession, MessageAck } from '../bot/web-protocol.ts';
import { databaseUrlOf, openTestDatabase } from './support/databases.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';
import { until } from './support/wait.ts';

/**
 * Two server processes on one PostgreSQL, as behind a load balancer: instance A is the production build
 * (`npm run build:server`, plain node), B the TypeScript runner. A gets SIGTERM while 50 customers' turns
 * are running: it must exit cleanly before its deadline, and every message a customer sent must end up
 * stored once, in order, and answered (live from A, or replayed by B after the customer reconnects there).
 */

const ORIGIN = 'https://shop.example';
const CONVERSATIONS = 50;
const ROOT = new URL('..', import.meta.url).pathname;

/** One customer: a socket that can move to another instance, resending what was not acknowledged. */
class Customer {
  socket!: Socket;
  session: ChatSession | null = null;
  readonly activities = new Map<number, ChatActivity>();
  readonly unacked = new Map<string, string>();

  constructor(readonly index: number) {}

  connectTo(url: string): Promise<void> {
    const lastSeq = Math.max(0, ...this.activities.keys());
    const auth = this.session
      ? { brand: 'demo', conversationId: this.session.conversationId, token: this.session.token, lastSeq }
      : { brand: 'demo', lastSeq: 0 };
    this.socket = connect(`${url}/chat`, { auth, extraHeaders: { origin: ORIGIN }, transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.on('session', (s: ChatSession) => { this.session = s; });
    this.socket.on('activity', (a: ChatActivity) => { this.activities.set(a.seq, a); });
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  /** Sends (or resends) a message; resolves with its ack, or null when the connection dropped first. */
  async send(clientId: string, text: string): Promise<MessageAck | null> {
    this.unacked.set(clientId, text);
    try {
      const ack = (await this.socket.timeout(60_000).emitWithAck('message', { clientId, text })) as MessageAck;
      if (ack.ok) this.unacked.delete(clientId);
      return ack;
    } catch {
      return null;
    }
  }

  answeredAfter(seq: number): boolean {
    return [...this.activities.values()].some((a) => a.seq > seq && a.from === 'bot');
  }
}

describe('graceful shutdown with two instances', () => {
  let db: Database;
  let schema: string;
  let a: ServerProcess;
  let b: ServerProcess;
  const customers: Customer[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await seedDemo(db, { allowedOrigins: [ORIGIN] });
    const database = await databaseUrlOf(db);
    schema = database.schema;
    const env = {
      DATABASE_URL: database.url,
      PGBOSS_SCHEMA: `${schema}_jobs`,
      SEED_DEMO: 'false',
      APP_SECRET: randomBytes(32).toString('hex'),
      SHUTDOWN_TIMEOUT_SECONDS: '30',
    };
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/build.ts'], { cwd: ROOT });
    [a, b] = await Promise.all([startServerProcess(env, { built: true }), startServerProcess(env)]);
  }, 300_000);

  afterAll(async () => {
    for (const c of customers) c.socket?.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await db.query(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
    await db.close();
  });

  test('SIGTERM during 50 running conversations: clean exit, nothing lost, everything answered', async () => {
    for (let i = 0; i < CONVERSATIONS; i++) customers.push(new Customer(i));
    // Each customer has a conversation on A, with one answered turn.
    await Promise.all(customers.map(async (c) => {
      await c.connectTo(a.url);
      const ack = await c.send(`c${c.index}-first-0001`, 'help');
      if (!ack?.ok) throw new Error(`first message not accepted: ${JSON.stringify(ack)}`);
      await until(() => c.answeredAfter(ack.seq), 60_000);
    }));

    // Everyone sends again; A is told to stop while those turns run.
    const moved = customers.map((c) => new Promise<void>((resolve) => c.socket.once('disconnect', () => resolve())));
    const second = customers.map((c) => c.send(`c${c.index}-second-0002`, 'start over'));
    expect(await a.kill('SIGTERM')).toBe('0');
    expect(a.output()).not.toMatch(/deadline passed/);
    await Promise.all(moved);
    await Promise.all(second);

    // Every customer goes on with B: what A did not acknowledge is sent again, the rest is replayed.
    await Promise.all(customers.map(async (c) => {
      await c.connectTo(b.url);
      for (const [clientId, text] of [...c.unacked]) {
        const ack = await c.send(clientId, text);
        if (!ack?.ok) throw new Error(`resend refused: ${JSON.stringify(ack)}`);
      }
    }));

    const transcript = (c: Customer) => db.query<{ seq: number; sender: string; client_id: string | null }>(
      'SELECT seq, sender, client_id FROM conversation_messages WHERE conversation_id = $1 ORDER BY seq',
      [c.session!.conversationId],
    );
    for (const c of customers) {
      const sent = (await transcript(c)).filter((r) => r.sender === 'customer').map((r) => r.client_id);
      expect(sent).toEqual([`c${c.index}-first-0001`, `c${c.index}-second-0002`]);
      const secondSeq = (await transcript(c)).find((r) => r.client_id === `c${c.index}-second-0002`)!.seq;
      // A message resent to B is answered by B's turn, which runs after the ack: wait for the answer, stored...
      await until(async () => (await transcript(c)).some((r) => r.sender === 'bot' && r.seq > secondSeq), 60_000);
      // ...and seen by the customer: live before the stop, or replayed by B.
      await until(() => c.answeredAfter(secondSeq), 60_000);
    }
  }, 300_000);
});
