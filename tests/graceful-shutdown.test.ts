import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ServerProcess } from './support/server-process.ts';
import { ChatCustomer } from './support/chat-customer.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { until } from './support/wait.ts';

/**
 * Two server processes on one PostgreSQL and Redis, as behind a load balancer: instance A is the production
 * build (`npm run build:server`, plain node), B the TypeScript runner. A gets SIGTERM while 50 customers' turns
 * are running: it must exit cleanly before its deadline, and every message a customer sent must end up
 * stored once, in order, and answered (live from A, or replayed by B after the customer reconnects there).
 */

const ORIGIN = 'https://shop.example';
const CONVERSATIONS = 50;
const ROOT = new URL('..', import.meta.url).pathname;

describe('graceful shutdown with two instances', () => {
  let cluster: Cluster;
  let a: ServerProcess;
  let b: ServerProcess;
  const customers: ChatCustomer[] = [];

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/build.ts'], { cwd: ROOT });
    cluster = await startCluster({ instances: 0, allowedOrigins: [ORIGIN], env: { SHUTDOWN_TIMEOUT_SECONDS: '30' } });
    a = await cluster.start({}, { built: true });
    b = await cluster.start();
  }, 300_000);

  afterAll(async () => {
    for (const c of customers) c.disconnect();
    await cluster?.stop();
  }, 120_000);

  test('SIGTERM during 50 running conversations: clean exit, nothing lost, everything answered', async () => {
    // Each from an address of its own, as many customers behind a proxy (budgets per IP are not the point here).
    for (let i = 0; i < CONVERSATIONS; i++) customers.push(new ChatCustomer(`c${i}`, { origin: ORIGIN, ip: `198.18.0.${i + 1}` }));
    // Each customer has a conversation on A, with one answered turn.
    await Promise.all(customers.map(async (c) => {
      await c.connectTo(a.url);
      const ack = await c.send(`${c.name}-first-0001`, 'help');
      if (!ack?.ok) throw new Error(`first message not accepted: ${JSON.stringify(ack)}`);
      await until(() => c.answeredAfter(ack.seq), 60_000);
    }));

    // Everyone sends again; A is told to stop while those turns run.
    const moved = customers.map((c) => new Promise<void>((resolve) => c.socket.once('disconnect', () => resolve())));
    const second = customers.map((c) => c.send(`${c.name}-second-0002`, 'start over'));
    expect(await a.kill('SIGTERM')).toBe('0');
    expect(a.output()).not.toMatch(/deadline passed/);
    await Promise.all(moved);
    await Promise.all(second);

    // Every customer goes on with B: what A did not acknowledge is sent again, the rest is replayed.
    await Promise.all(customers.map(async (c) => {
      await c.connectTo(b.url);
      await c.resendUnacked();
    }));

    const transcript = (c: ChatCustomer) => cluster.db.query<{ seq: number; sender: string; client_id: string | null }>(
      'SELECT seq, sender, client_id FROM conversation_messages WHERE conversation_id = $1 ORDER BY seq',
      [c.session!.conversationId],
    );
    for (const c of customers) {
      const sent = (await transcript(c)).filter((r) => r.sender === 'customer').map((r) => r.client_id);
      expect(sent).toEqual([`${c.name}-first-0001`, `${c.name}-second-0002`]);
      const secondSeq = (await transcript(c)).find((r) => r.client_id === `${c.name}-second-0002`)!.seq;
      // A message resent to B is answered by B's turn, which runs after the ack: wait for the answer, stored...
      await until(async () => (await transcript(c)).some((r) => r.sender === 'bot' && r.seq > secondSeq), 60_000);
      // ...and seen by the customer: live before the stop, or replayed by B.
      await until(() => c.answeredAfter(secondSeq), 60_000);
    }
  }, 300_000);
});
