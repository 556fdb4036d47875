/**
 * One instance of the product for the instances benchmark, in a child process of its own (forked by
 * instances.bench.ts): the composition root on PostgreSQL with the chat benchmark's clock, so the
 * same booking walk finds the same free times. Configured by its environment (REDIS_URL or not…);
 * tells its parent { listening } over IPC, and stops gracefully on SIGTERM.
 */
import pino from 'pino';
import { openDatabase } from '../models/database.ts';
import { warmUpDateUnderstanding } from '../dialogs/date-understanding.ts';
import { loadConfig } from '../server/config.ts';
import { createRendezvous } from '../server/composition.ts';
import { NOW } from './chat.bench.ts';

const config = loadConfig();
const db = await openDatabase({ url: process.env.BENCH_POSTGRES_URL!, schema: process.env.BENCH_SCHEMA!, poolSize: 20 });
warmUpDateUnderstanding();
const app = await createRendezvous({
  db, config, logger: pino({ level: 'warn' }), now: () => new Date(NOW), secret: process.env.BENCH_SECRET!, startWorkers: false,
});
await new Promise<void>((resolve) => app.http.listen(config.PORT, '127.0.0.1', resolve));
process.send!({ listening: config.PORT });

process.once('SIGTERM', () => {
  void app.close().finally(() => db.close()).finally(() => process.exit(0));
});
