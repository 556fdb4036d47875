import { ChatCustomer } from './support/chat-customer.ts';
import { startCluster, type Cluster } from './support/cluster.ts';
import { until } from './support/wait.ts';

/**
 * Two instances on one PostgreSQL and Redis. Customers chat with instance A, which crashes (SIGKILL) while
 * their messages are in flight. Each customer reconnects to B as the widget does (its last seq, resending
 * what A never acknowledged): the replay must be complete (no entry lost, duplicated or out of order,
 * compared with the database) and the dialog goes on with B.
 */

const ORIGIN = 'https://shop.example';
const CUSTOMERS = 5;

interface Row { seq: number; sender: string; text: string; client_id: string | null }

describe('SIGKILL of the instance a customer is chatting with', () => {
  let cluster: Cluster;
  const customers: ChatCustomer[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, allowedOrigins: [ORIGIN] });
  }, 300_000);

  afterAll(async () => {
    for (const c of customers) c.disconnect();
    await cluster?.stop();
  }, 120_000);

  const transcript = (c: ChatCustomer) => cluster.db.query<Row>(
    'SELECT seq, sender, text, client_id FROM conversation_messages WHERE conversation_id = $1 ORDER BY seq', [c.session!.conversationId],
  );

  test('the customer moves to the other instance, the replay is complete and the dialog continues', async () => {
    const [a, b] = cluster.instances;
    for (let i = 0; i < CUSTOMERS; i++) customers.push(new ChatCustomer(`customer ${i}`, { origin: ORIGIN, ip: `203.0.113.${i + 1}` }));
    const sent = new Map<ChatCustomer, string[]>(customers.map((c) => [c, []]));
    const say = async (c: ChatCustomer, clientId: string, text: string) => {
      sent.get(c)!.push(clientId);
      return c.send(clientId, text);
    };

    // A dialog under way on A: the greeting, then a question answered.
    await Promise.all(customers.map(async (c, i) => {
      await c.connectTo(a!.url);
      await until(() => c.answeredAfter(0), 60_000);
      const ack = await say(c, `k${i}-book-00001`, 'I would like to book an appointment');
      if (!ack?.ok) throw new Error(`${c.name}: not accepted: ${JSON.stringify(ack)}`);
      await until(() => c.answeredAfter(ack.seq), 60_000);
    }));

    // Everyone sends again, and A crashes while those messages and turns are in flight.
    const dropped = customers.map((c) => new Promise<void>((resolve) => c.socket.once('disconnect', () => resolve())));
    const inFlight = customers.map((c, i) => say(c, `k${i}-help-00002`, 'help'));
    expect(await a!.kill('SIGKILL')).toBe('SIGKILL');
    await Promise.all(dropped);
    await Promise.all(inFlight);

    // Each reconnects to B with the last seq it saw, resends what A never acknowledged, and goes on.
    await Promise.all(customers.map(async (c, i) => {
      await c.connectTo(b!.url);
      await c.resendUnacked();
      const ack = await say(c, `k${i}-more-00003`, 'start over');
      if (!ack?.ok) throw new Error(`${c.name}: not accepted by B: ${JSON.stringify(ack)}`);
      await until(() => c.answeredAfter(ack.seq), 60_000);
    }));

    for (const c of customers) {
      const rows = await transcript(c);
      // The transcript has no hole and no repeat: seq 1..n.
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, k) => k + 1));
      // Every message stored once, in the order sent.
      expect(rows.filter((r) => r.sender === 'customer').map((r) => r.client_id)).toEqual(sent.get(c));
      // The customer has seen all of it, each entry as stored (live from A or B, or replayed by B).
      await until(() => c.lastSeq >= rows.length, 60_000);
      const seen = [...c.activities.values()].sort((x, y) => x.seq - y.seq).map((e) => ({ seq: e.seq, from: e.from, text: e.text }));
      expect(seen.slice(0, rows.length)).toEqual(rows.map((r) => ({ seq: r.seq, from: r.sender, text: r.text })));
      // A replay may repeat what the socket already had: never with different content.
      for (const e of c.received) expect(e.text).toBe(c.activities.get(e.seq)!.text);
    }
    expect(b!.exit()).toBeNull();
  }, 300_000);
});
