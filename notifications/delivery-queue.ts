import PgBoss from 'pg-boss';
import type { Database, Queryable, Tx } from '../models/database.ts';
import type { MessageChannel } from './transport.ts';

/**
 * The durable side of notifications, on pg-boss over our own database (PostgreSQL or PGlite):
 * delivery jobs are enqueued inside the transaction that records the message, and reminders and
 * follow-ups are planned in `scheduled_notifications`. A dispatcher turns the rows due by the
 * application's clock into jobs, so production (timer and polling workers) and tests (runDue with
 * a fake clock) run the same code. The rest of the app sees this interface, never pg-boss.
 */

export const DELIVERY_QUEUE = 'notification-delivery';
export const SCHEDULED_QUEUE = 'notification-scheduled';

export type ScheduledKind = 'reminder' | 'follow_up';

/** One reminder or follow-up to send at sendAt, as long as the appointment still starts at forStartAt. */
export interface NotificationPlan {
  appointmentId: string;
  kind: ScheduledKind;
  channel: MessageChannel;
  /** Which of the settings' reminders (1..3) or follow-ups (1..6). */
  position: number;
  sendAt: Date;
  forStartAt: Date;
}

/** What a handler knows of its job's attempts: on the final one a failure is for good. */
export interface JobAttempt {
  retryCount: number;
  final: boolean;
}

/** The work behind each queue (notifications/delivery-worker.ts). A throw means "retry later". */
export interface QueueWorkers {
  deliver(messageId: string, attempt: JobAttempt): Promise<void>;
  runScheduled(scheduledId: string, attempt: JobAttempt): Promise<void>;
}

export interface RunSummary {
  /** Scheduled notifications that became jobs. */
  dispatched: number;
  /** Jobs run to completion / that threw. */
  completed: number;
  failed: number;
}

export interface DeliveryQueue {
  /** Inside the transaction that inserted the queued message: it is sent only if that commits. */
  enqueueDelivery(tx: Tx, messageId: string): Promise<void>;
  /** Plans a reminder or follow-up; false when its time has already passed or it was already sent. */
  scheduleNotification(tx: Tx, plan: NotificationPlan): Promise<boolean>;
  /** Cancels every reminder and follow-up still planned for the appointment; returns how many. */
  cancelScheduled(tx: Tx, appointmentId: string): Promise<number>;
  /** Turns the scheduled notifications due now into jobs; returns how many. */
  dispatchDue(): Promise<number>;
  /** Production: polling workers and a periodic dispatch. */
  start(workers: QueueWorkers): Promise<void>;
  /** Deterministic: dispatches what is due, then runs every runnable job until none is left. */
  runDue(workers: QueueWorkers): Promise<RunSummary>;
  stop(): Promise<void>;
}

export interface RetryPolicy {
  limit: number;
  delaySeconds: number;
  backoff: boolean;
}

export interface DeliveryQueueOptions {
  db: Database;
  now: () => Date;
  /** pg-boss's schema (default 'pgboss'); tests on a shared server use one per test schema. */
  schema?: string | undefined;
  /** pg-boss maintenance: expires jobs of crashed workers so they are retried, archives old jobs. */
  maintenance?: boolean | undefined;
  pollingIntervalSeconds?: number | undefined;
  dispatchIntervalSeconds?: number | undefined;
  /** Delivery workers per process. */
  concurrency?: number | undefined;
  deliveryRetry?: RetryPolicy | undefined;
  scheduledRetry?: RetryPolicy | undefined;
  /** Told of failed jobs (they are retried) and of background errors. */
  onError?: ((error: unknown, context: { queue?: string; jobId?: string }) => void) | undefined;
}

export const DEFAULT_DELIVERY_RETRY: RetryPolicy = { limit: 5, delaySeconds: 30, backoff: true };
const DEFAULT_SCHEDULED_RETRY: RetryPolicy = { limit: 3, delaySeconds: 60, backoff: true };
const DISPATCH_BATCH = 100;
const FETCH_BATCH = 20;

// pg-boss wraps its maintenance and installation scripts in BEGIN … COMMIT; PGlite runs
// multi-statement scripts only through exec, so they run as one of our transactions instead.
const LOCKED_SCRIPT = /^\s*BEGIN;([\s\S]*)COMMIT;\s*$/;

/** pg-boss's own statements (polling, completing, maintenance) on the database, outside our transactions. */
function databaseExecutor(db: Database): PgBoss.Db {
  return {
    async executeSql(text, values) {
      const script = LOCKED_SCRIPT.exec(text);
      if (script) {
        await db.transaction((tx) => tx.exec(script[1]!));
        return { rows: [] };
      }
      return { rows: await db.query(text, values) };
    },
  };
}

/** pg-boss statements inside one of our transactions (on PGlite, the only way not to wait for ourselves). */
const transactionExecutor = (tx: Queryable): PgBoss.Db => ({
  async executeSql(text, values) {
    return { rows: await tx.query(text, values) };
  },
});

const sendOptions = (retry: RetryPolicy, expireInSeconds: number) => ({
  retryLimit: retry.limit,
  retryDelay: retry.delaySeconds,
  retryBackoff: retry.backoff,
  expireInSeconds,
});

interface DeliveryJob { messageId: string }
interface ScheduledJob { scheduledId: string }
type AnyJob = PgBoss.JobWithMetadata<Partial<DeliveryJob & ScheduledJob>>;

export async function createDeliveryQueue(options: DeliveryQueueOptions): Promise<DeliveryQueue> {
  const { db, now } = options;
  const report = options.onError ?? (() => undefined);
  const deliveryOptions = sendOptions(options.deliveryRetry ?? DEFAULT_DELIVERY_RETRY, 300);
  const scheduledOptions = sendOptions(options.scheduledRetry ?? DEFAULT_SCHEDULED_RETRY, 300);
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 2;

  const boss = new PgBoss({
    db: databaseExecutor(db),
    schema: options.schema ?? 'pgboss',
    supervise: options.maintenance ?? true,
    // No pg-boss cron: the schedule is ours, read against the application's clock.
    schedule: false,
    migrate: true,
  });
  boss.on('error', (error) => report(error, {}));
  await boss.start();
  await boss.createQueue(DELIVERY_QUEUE);
  await boss.createQueue(SCHEDULED_QUEUE);

  async function send(tx: Tx, queue: string, data: object, jobOptions: object): Promise<string> {
    const id = await boss.send(queue, data, { ...jobOptions, db: transactionExecutor(tx) });
    if (!id) throw new Error(`pg-boss did not accept a job for ${queue}`);
    return id;
  }

  /** One job through its handler; throws when it failed (pg-boss then retries it). */
  async function handle(queue: string, job: AnyJob, workers: QueueWorkers): Promise<void> {
    const attempt: JobAttempt = { retryCount: job.retryCount, final: job.retryCount >= job.retryLimit };
    try {
      if (queue === DELIVERY_QUEUE) await workers.deliver(String(job.data.messageId), attempt);
      else await workers.runScheduled(String(job.data.scheduledId), attempt);
    } catch (error) {
      report(error, { queue, jobId: job.id });
      throw error;
    }
  }

  async function dispatchBatch(): Promise<number> {
    return db.transaction(async (tx) => {
      const due = await tx.query<{ id: string }>(
        `SELECT id FROM scheduled_notifications
          WHERE status = 'scheduled' AND job_id IS NULL AND send_at <= $1
          ORDER BY send_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [now(), DISPATCH_BATCH],
      );
      for (const { id } of due) {
        const jobId = await send(tx, SCHEDULED_QUEUE, { scheduledId: id } satisfies ScheduledJob, scheduledOptions);
        await tx.query('UPDATE scheduled_notifications SET job_id = $2 WHERE id = $1', [id, jobId]);
      }
      return due.length;
    });
  }

  let dispatching: Promise<number> | null = null;
  /** One dispatch at a time per process; across processes SKIP LOCKED shares the rows. */
  function dispatchDue(): Promise<number> {
    dispatching ??= (async () => {
      let total = 0;
      let batch: number;
      do {
        batch = await dispatchBatch();
        total += batch;
      } while (batch === DISPATCH_BATCH);
      return total;
    })().finally(() => { dispatching = null; });
    return dispatching;
  }

  let timer: NodeJS.Timeout | null = null;

  return {
    async enqueueDelivery(tx, messageId) {
      await send(tx, DELIVERY_QUEUE, { messageId } satisfies DeliveryJob, deliveryOptions);
    },

    async scheduleNotification(tx, plan) {
      if (plan.sendAt.getTime() <= now().getTime()) return false;
      // Planned again for a start it was cancelled for (moved away and back): it comes back.
      const rows = await tx.query(
        `INSERT INTO scheduled_notifications (appointment_id, kind, channel, position, send_at, for_start_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (appointment_id, kind, channel, position, for_start_at) DO UPDATE
           SET status = 'scheduled', send_at = EXCLUDED.send_at, job_id = NULL, note = NULL, processed_at = NULL
           WHERE scheduled_notifications.status = 'cancelled'
         RETURNING id`,
        [plan.appointmentId, plan.kind, plan.channel, plan.position, plan.sendAt, plan.forStartAt, now()],
      );
      return rows.length > 0;
    },

    async cancelScheduled(tx, appointmentId) {
      const rows = await tx.query<{ job_id: string | null }>(
        `UPDATE scheduled_notifications SET status = 'cancelled', processed_at = $2
          WHERE appointment_id = $1 AND status = 'scheduled'
          RETURNING job_id`,
        [appointmentId, now()],
      );
      const jobIds = rows.flatMap((r) => (r.job_id ? [r.job_id] : []));
      // Their handler would skip them anyway; cancelling keeps the queue clean.
      if (jobIds.length > 0) await boss.cancel(SCHEDULED_QUEUE, jobIds, { db: transactionExecutor(tx) });
      return rows.length;
    },

    dispatchDue,

    async start(workers) {
      const work = { includeMetadata: true as const, batchSize: 1, pollingIntervalSeconds };
      const run = (queue: string) => async ([job]: AnyJob[]) => {
        if (job) await handle(queue, job, workers);
      };
      for (let i = 0; i < Math.max(1, options.concurrency ?? 2); i++) await boss.work(DELIVERY_QUEUE, work, run(DELIVERY_QUEUE));
      await boss.work(SCHEDULED_QUEUE, work, run(SCHEDULED_QUEUE));
      const tick = () => void dispatchDue().catch((error: unknown) => report(error, { queue: SCHEDULED_QUEUE }));
      tick();
      timer = setInterval(tick, (options.dispatchIntervalSeconds ?? 30) * 1000);
      timer.unref();
    },

    async runDue(workers) {
      const summary: RunSummary = { dispatched: await dispatchDue(), completed: 0, failed: 0 };
      // Scheduled jobs enqueue deliveries: go round until neither queue has a runnable job.
      for (let ran = -1; ran !== 0;) {
        ran = 0;
        for (const queue of [SCHEDULED_QUEUE, DELIVERY_QUEUE]) {
          const jobs = await boss.fetch<Partial<DeliveryJob & ScheduledJob>>(queue, { batchSize: FETCH_BATCH, includeMetadata: true });
          for (const job of jobs) {
            try {
              await handle(queue, job, workers);
              await boss.complete(queue, job.id);
              summary.completed++;
            } catch (error) {
              await boss.fail(queue, job.id, { message: error instanceof Error ? error.message : String(error) });
              summary.failed++;
            }
          }
          ran += jobs.length;
        }
      }
      return summary;
    },

    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await dispatching?.catch(() => undefined);
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
