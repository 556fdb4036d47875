import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import { loadConfig } from '../server/config.ts';
import { createRendezvous } from '../server/composition.ts';
import { ChatCustomer } from './support/chat-customer.ts';
import { openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';

const clock = testClock('2027-03-01T07:00:00Z');
/** How long the customer's message takes to store in this test: longer than the rest of a shutdown. */
const SLOW_STORE_MS = 3_000;

/**
 * A message still being stored when the server is told to stop (its socket already closed, so the
 * customer never saw it acknowledged and will resend it elsewhere, where it is a duplicate): the
 * shutdown waits for it to be stored and for its turn, so it is answered, not left unanswered.
 */
describe('shutdown while a message is being stored', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await db.close();
  });

  test('close() resolves only once the message is stored and answered', async () => {
    const probe = (await import('node:net')).createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    await seedDemo(db, { allowedOrigins: [url] });

    // The same database, with the customer's next message slow to store.
    let slow = false;
    let storing = false;
    const slowDb: Database = {
      ...db,
      query: async (sql, params) => {
        // Stored alone, or with its turn when the turn ran first (bot/deferred-message.ts).
        if (slow && (sql.includes('WITH seen AS') || sql.includes('save_customer_turn'))) {
          slow = false;
          storing = true;
          await new Promise((resolve) => setTimeout(resolve, SLOW_STORE_MS));
        }
        return db.query(sql, params);
      },
      transaction: (work) => db.transaction(work),
      close: async () => undefined,
    };
    const config = loadConfig({ PUBLIC_URL: url, PORT: String(port) });
    const app = await createRendezvous({ db: slowDb, config, logger: pino({ level: 'silent' }), now: clock.now, secret: 's'.repeat(40) });
    await new Promise<void>((resolve) => app.http.listen(port, '127.0.0.1', resolve));

    const customer = new ChatCustomer('late', { origin: url });
    await customer.connectTo(url);
    await until(() => customer.received.some((a) => a.from === 'bot'), 30_000);
    slow = true;
    const ack = customer.send('late-0001', 'help');
    await until(() => storing, 30_000);
    await app.close();
    expect(await ack).toBeNull();

    const transcript = await db.query<{ sender: string; client_id: string | null }>(
      'SELECT sender, client_id FROM conversation_messages WHERE conversation_id = $1 ORDER BY seq', [customer.session!.conversationId],
    );
    const stored = transcript.findIndex((r) => r.client_id === 'late-0001');
    expect(stored).toBeGreaterThan(0);
    expect(transcript.slice(stored + 1).some((r) => r.sender === 'bot')).toBe(true);
  }, 60_000);
});
