import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { io as connect, type Socket } from 'socket.io-client';
import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import type { ChatActivity, ChatSession, MessageAck } from '../bot/web-protocol.ts';
import { openTestDatabase, TEST_DATABASE_URL } from './support/databases.ts';
import { until } from './support/wait.ts';

/**
 * Two server processes on one PostgreSQL, as behind a load balancer: instance A is the production build
 * (`npm run build:server`, plain node), B the TypeScript runner. A gets SIGTERM while 50 customers' turns
 * are running: it must exit cleanly before its deadline, and every message a customer sent must end up
 * stored once, in order, and answered (live from A, or replayed by B after the customer reconnects there).
 */

const ORIGIN = 'https://shop.example';
const CONVERSATIONS = 50;
const root = new URL('..', import.meta.url).pathname;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

interface Instance {
  url: string;
  process: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

function startInstance(command: string[], env: Record<string, string>, port: number): Instance {
  const child = spawn(process.execPath, command, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { url: `http://127.0.0.1:${port}`, process: child, exited, output: () => output };
}

async function ready(instance: Instance): Promise<void> {
  await until(async () => {
    if (instance.process.exitCode !== null) throw new Error(`instance exited: ${instance.output()}`);
    const res = await fetch(`${instance.url}/readyz`).catch(() => null);
    return res?.status === 200;
  }, 120_000);
}

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
  let a: Instance;
  let b: Instance;
  const customers: Customer[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await seedDemo(db, { allowedOrigins: [ORIGIN] });
    const [schema] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema!.schema},public`);
    const env = {
      DATABASE_URL: url.toString(),
      PGBOSS_SCHEMA: `${schema!.schema}_jobs`,
      SEED_DEMO: 'false',
      APP_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_SECONDS: '30',
    };
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/build.ts'], { cwd: root });
    a = startInstance(['dist/server/main.js'], env, await freePort());
    b = startInstance(['--import', 'tsx', 'server/main.ts'], env, await freePort());
    await Promise.all([ready(a), ready(b)]);
  }, 300_000);

  afterAll(async () => {
    for (const c of customers) c.socket?.disconnect();
    for (const instance of [a, b]) instance?.process.kill('SIGKILL');
    const [schema] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
    await db.query(`DROP SCHEMA IF EXISTS "${schema!.schema}_jobs" CASCADE`);
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
    a.process.kill('SIGTERM');
    expect(await a.exited).toBe(0);
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

    for (const c of customers) {
      const rows = await db.query<{ seq: number; sender: string; client_id: string | null }>(
        'SELECT seq, sender, client_id FROM conversation_messages WHERE conversation_id = $1 ORDER BY seq',
        [c.session!.conversationId],
      );
      const sent = rows.filter((r) => r.sender === 'customer').map((r) => r.client_id);
      expect(sent).toEqual([`c${c.index}-first-0001`, `c${c.index}-second-0002`]);
      const secondSeq = rows.find((r) => r.client_id === `c${c.index}-second-0002`)!.seq;
      expect(rows.some((r) => r.sender === 'bot' && r.seq > secondSeq)).toBe(true);
      // The customer sees the answer too: live before the stop, or replayed by B.
      await until(() => c.answeredAfter(secondSeq), 60_000);
    }
  }, 300_000);
});
