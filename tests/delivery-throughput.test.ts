import type { Database } from '../models/database.ts';
import type { DeliveryQueue } from '../notifications/delivery-queue.ts';
import { createDeliveryWorkers } from '../notifications/delivery-worker.ts';
import { queueMessage } from '../notifications/message-sender.ts';
import { sendgridTransport } from '../notifications/sendgrid.transport.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import { twilioTransport } from '../notifications/twilio.transport.ts';
import type { MessageChannel } from '../notifications/transport.ts';
import { openTestDeliveryQueue } from './support/notifications.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { startProviderStandIn, type ProviderStandIn } from './support/provider-stand-in.ts';
import { until } from './support/wait.ts';

// Issue 9, item 7: delivery was capped near 1 message/s (one job per worker, polling every 2 s).
// A burst of 100 must drain in seconds; the deadline below is only a generous bound.

const BURST = 100;

describe.each(DATABASE_KINDS)('delivery throughput on %s', (kind) => {
  let db: Database;
  let closeQueue: () => Promise<void>;
  let standIn: ProviderStandIn;
  let queue: DeliveryQueue;
  const now = () => new Date();

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await db.query(`INSERT INTO brands (id, name, time_zone) VALUES ('acme', 'Acme', 'Europe/Paris')`);
    standIn = await startProviderStandIn();
    ({ queue, close: closeQueue } = await openTestDeliveryQueue(db, kind, now, { maintenance: true }));
    const twilio = twilioTransport({ accountSid: `AC${'0'.repeat(32)}`, authToken: 'twilio-auth-token-for-tests', smsFrom: '+15005550006', baseUrl: standIn.url });
    const transports = { email: sendgridTransport({ apiKey: 'SG.burst-test', from: { email: 'no-reply@acme.example' }, baseUrl: standIn.url }), sms: twilio, whatsapp: twilio };
    const links = createSignedLinks({ baseUrl: 'http://rdv.test', secret: 's'.repeat(32), now });
    // Production settings (workers, batch size, polling interval).
    await queue.start(createDeliveryWorkers({ db, links, queue, now, transports }));
  });
  afterAll(async () => {
    await closeQueue();
    await standIn.close();
    await db.close();
  });

  test(`a burst of ${BURST} queued messages drains in seconds`, async () => {
    const channel = (i: number): MessageChannel => (i % 2 === 0 ? 'email' : 'sms');
    const queuedAt = Date.now();
    await db.transaction(async (tx) => {
      for (let i = 0; i < BURST; i++) {
        await queueMessage(tx, queue, {
          brandId: 'acme', channel: channel(i), to: channel(i) === 'email' ? `burst-${i}@example.com` : `+336000${String(i).padStart(5, '0')}`,
          kind: 'reminder', subject: channel(i) === 'email' ? 'Tomorrow' : null, text: `Message ${i}`, html: null, attachments: [],
          idempotencyKey: `burst:${i}`,
        }, new Date());
      }
    });
    const sent = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE status = 'sent'`))[0]!.n);
    await until(async () => (await sent()) === BURST, 60_000);
    const seconds = (Date.now() - queuedAt) / 1000;
    console.log(`${kind}: ${BURST} messages delivered in ${seconds.toFixed(2)} s (${(BURST / seconds).toFixed(0)} messages/s)`);
    expect(standIn.deliveries()).toBe(BURST);
    expect(standIn.requests).toHaveLength(BURST);
  }, 120_000);
});
