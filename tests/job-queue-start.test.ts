import { openDatabase, type Database } from '../models/database.ts';
import { createDeliveryQueue, type DeliveryQueue } from '../notifications/delivery-queue.ts';
import { openTestDatabase, TEST_DATABASE_URL } from './support/databases.ts';

/**
 * Several instances starting at the same instant on a database whose job queue was never installed
 * (a first deployment with replicas): every one of them starts. Each "instance" has its own pool,
 * as separate processes would; they share the schema, as instances of one deployment do.
 */
describe('job queue: simultaneous first starts', () => {
  const INSTANCES = 4;
  let db: Database;
  let schema: string;
  let pools: Database[] = [];
  let queues: DeliveryQueue[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    const [row] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
    schema = row!.schema;
  });
  afterEach(async () => {
    await Promise.all(queues.map((q) => q.stop()));
    await Promise.all(pools.map((p) => p.close()));
    queues = [];
    pools = [];
  });
  afterAll(async () => {
    await db.close();
  });

  it.each([1, 2, 3])('every instance starts on a new queue schema (round %i)', async (round) => {
    const bossSchema = `${schema}_boss${round}`;
    pools = await Promise.all(Array.from({ length: INSTANCES }, () => openDatabase({ url: TEST_DATABASE_URL, schema, poolSize: 4 })));
    const started = await Promise.allSettled(pools.map((pool) => createDeliveryQueue({ db: pool, now: () => new Date(), schema: bossSchema, maintenance: false })));
    queues = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failures = started.flatMap((s) => (s.status === 'rejected' ? [String((s.reason as Error).message)] : []));
    expect(failures).toEqual([]);
    const [installed] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'job'`, [bossSchema],
    );
    expect(installed!.n).toBe(1);
    await Promise.all(queues.map((q) => q.stop()));
    queues = [];
    await db.query(`DROP SCHEMA "${bossSchema}" CASCADE`);
  });
});
