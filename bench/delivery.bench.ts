/**
 * Notification delivery throughput: a burst of queued messages drained by the pg-boss workers with
 * their production settings (2 workers × batches of 10, woken on commit) through the SendGrid
 * transport to a local stand-in that answers after a provider-like delay, against the floor of the
 * same sends made straight through the transport by as many concurrent callers as the workers
 * run at once (the provider-bound ceiling: what the queue, claims and records cost on top).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDeliveryQueue } from '../notifications/delivery-queue.ts';
import { createDeliveryWorkers } from '../notifications/delivery-worker.ts';
import { localTransports, queueMessage } from '../notifications/message-sender.ts';
import { sendgridTransport } from '../notifications/sendgrid.transport.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import type { OutgoingMessage } from '../notifications/transport.ts';
import { judge, throughput, type Benchmark, type ResultRow } from './harness.ts';

const MESSAGES = 1000;
/** What the workers run at once with the defaults: 2 workers × a batch of 10. */
const IN_FLIGHT = 20;
/** A provider's answer time (SendGrid's Mail Send answers in tens of milliseconds). */
const PROVIDER_MS = 40;

/** A SendGrid Mail Send that accepts everything after PROVIDER_MS. */
async function slowSendgrid(): Promise<{ server: Server; url: string }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => {
      res.writeHead(202, { 'X-Message-Id': `bench-${++n}` });
      res.end();
    }, PROVIDER_MS));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const message = (i: number): OutgoingMessage & { idempotencyKey: string } => ({
  brandId: 'bench-delivery', channel: 'email', to: `bench-${i}@example.com`, kind: 'reminder', subject: 'Tomorrow',
  text: `Message ${i}`, html: null, attachments: [], idempotencyKey: `bench:${i}`,
});

export const deliveryBenchmark: Benchmark = {
  name: 'delivery',
  async run(ctx) {
    const db = await ctx.openDatabase();
    const provider = await slowSendgrid();
    const now = () => new Date();
    const email = sendgridTransport({ apiKey: 'SG.bench-key', from: { email: 'no-reply@bench.example' }, baseUrl: provider.url });
    const queue = await createDeliveryQueue({ db, now, schema: db.schema ? `${db.schema}_boss` : 'pgboss' });
    try {
      ctx.log(`database: ${db.label}; provider stand-in answering after ${PROVIDER_MS} ms`);
      await db.query(`INSERT INTO brands (id, name, time_zone) VALUES ('bench-delivery', 'Bench', 'Europe/Paris')`);

      const floor = await throughput(MESSAGES, IN_FLIGHT, (i) => email.send(message(MESSAGES + i)));
      ctx.log(`floor: ${MESSAGES} sends straight through the transport, ${IN_FLIGHT} at a time: ${floor.perSecond.toFixed(0)} messages/s`);

      const links = createSignedLinks({ baseUrl: 'http://bench.test', secret: 'b'.repeat(32), now });
      await queue.start(createDeliveryWorkers({ db, links, queue, now, transports: { ...localTransports(db, now), email } }));
      const began = process.hrtime.bigint();
      await db.transaction(async (tx) => {
        for (let i = 0; i < MESSAGES; i++) await queueMessage(tx, queue, message(i), now());
      });
      for (;;) {
        const [{ n }] = await db.query<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE status = 'sent'`) as [{ n: string }];
        if (Number(n) >= MESSAGES) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const seconds = Number(process.hrtime.bigint() - began) / 1e9;
      const perSecond = MESSAGES / seconds;
      ctx.log(`queued burst of ${MESSAGES} (one transaction) delivered in ${seconds.toFixed(2)} s: ${perSecond.toFixed(0)} messages/s`);
      const ratio = perSecond / floor.perSecond;
      const row: ResultRow = {
        name: `delivery: burst of ${MESSAGES} queued messages vs direct sends (${IN_FLIGHT} in flight)`,
        database: db.kind,
        figure: `${perSecond.toFixed(0)} messages/s (${seconds.toFixed(1)} s)`,
        floor: `${floor.perSecond.toFixed(0)} sends/s`,
        ratio,
        ...judge(ratio, '>=', 0.5),
      };
      return [row];
    } finally {
      await queue.stop();
      await new Promise<void>((resolve) => provider.server.close(() => resolve()));
      await db.close();
    }
  },
};
