import PgBoss from 'pg-boss';
import type { Database, Queryable, Tx } from '../models/database.ts';
import { releaseStaleClaims } from '../models/message-delivery.repository.ts';
import { databaseExecutor, startUnderLock, statementOf, transactionExecutor } from '../models/pg-boss-executors.ts';
import type { Statement } from '../models/statement-gate.ts';
import { cancelScheduledFor, insertScheduled, lockDueScheduled, setScheduledJob } from '../models/scheduled-notifications.repository.ts';
import type { MessageChannel } from './transport.ts';

/**
 * The durable side of notifications, on pg-boss over our own database (PostgreSQL or PGlite):
 * delivery jobs are enqueued inside the transaction that records the message, and reminders and
 * follow-ups are planned in `scheduled_notifications`. A dispatcher turns the rows due by the
 * application's clock into jobs, so production (timer and polling workers) and tests (runDue with
 * a fake clock) run the same code. The rest of the app sees this interface, never pg-boss.
 *
 * Throughput: each worker fetches a batch and sends it at once; a committed enqueue wakes the
 * workers (notifyWorker) instead of leaving the job to the next poll. Crashes: a message claimed
 * ('sending') by a process that died is found by the recovery sweep once its claim is older than
 * the send timeout, and gets a fresh job; its provider sees the same idempotency token again.
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
  /** Interrupted sends released by the recovery sweep (sent again, or failed when out of attempts). */
  recovered: number;
  /** Jobs run to completion / that threw. */
  completed: number;
  failed: number;
}

/** When a delivery job may run. */
export interface DeliveryOptions {
  /** Not before this many seconds (a safety net behind a send the caller makes itself at once). */
  afterSeconds?: number;
}

/**
 * A durable timer of another part of the app (the hand-off's grace): started by one instance, it
 * fires on whichever instance polls first once due, even if the one that started it died.
 */
export interface DurableTimers {
  /** Inside the transaction that made the timer needed: it exists if and only if that commits. */
  start(tx: Tx, key: string, afterMs: number): Promise<void>;
  /** Runs this process's share of due timers (a throw retries the timer later). */
  listen(onDue: (key: string) => Promise<void>): Promise<void>;
}

export interface DeliveryQueue {
  /** Durable timers named `name` (their own pg-boss queue, `timer-<name>`). */
  timers(name: string): DurableTimers;
  /**
   * Inside the transaction that inserted the queued message: it is sent only if that commits, and
   * the commit wakes this process's workers.
   */
  enqueueDelivery(tx: Tx, messageId: string, options?: DeliveryOptions): Promise<void>;
  /** As enqueueDelivery, for several messages to send at once, in one statement. */
  enqueueDeliveries(tx: Tx, messageIds: readonly string[]): Promise<void>;
  /**
   * The statement that enqueues these messages' deliveries, to run as a part of the statement that
   * records them (models/statement-gate.ts asParts); once it has committed, `wakeDeliveries`.
   */
  deliveriesStatement(messageIds: readonly string[]): Promise<Statement>;
  /** Wakes this process's delivery workers: deliveries were committed. */
  wakeDeliveries(): void;
  /**
   * Committed on its own, before the message is recorded (one statement each, no transaction): a
   * job whose message never was finds nothing to send; a message is never without its job.
   */
  enqueueDeliveryAhead(messageId: string, options?: DeliveryOptions): Promise<void>;
  /**
   * Plans reminders and follow-ups in one statement; those already planned or sent for that start are
   * not (the caller leaves out those whose time has passed). Returns how many were planned.
   */
  scheduleNotifications(tx: Tx, plans: readonly NotificationPlan[]): Promise<number>;
  /** Cancels every reminder and follow-up still planned for the appointment; returns how many. */
  cancelScheduled(tx: Tx, appointmentId: string): Promise<number>;
  /** Turns the scheduled notifications due now into jobs; returns how many. */
  dispatchDue(): Promise<number>;
  /** Releases sends interrupted by a dead process (claims older than the send timeout); returns how many. */
  recoverInterrupted(): Promise<number>;
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
  /** How often an idle worker looks for jobs (a committed enqueue wakes it sooner). Default 1. */
  pollingIntervalSeconds?: number | undefined;
  dispatchIntervalSeconds?: number | undefined;
  /** Delivery workers per process. Default 2. */
  concurrency?: number | undefined;
  /** Jobs a worker fetches and runs at once. Default 10. */
  batchSize?: number | undefined;
  /**
   * A 'sending' claim older than this belongs to a process that died mid-send. Must exceed a
   * provider call's timeout (15 s), so a live send is never taken for a dead one. Default 30.
   */
  claimTimeoutSeconds?: number | undefined;
  /** How often the recovery sweep looks for interrupted sends. Default 5. */
  recoveryIntervalSeconds?: number | undefined;
  deliveryRetry?: RetryPolicy | undefined;
  scheduledRetry?: RetryPolicy | undefined;
  /** Told of failed jobs (they are retried) and of background errors. */
  onError?: ((error: unknown, context: { queue?: string; jobId?: string }) => void) | undefined;
}

export const DEFAULT_DELIVERY_RETRY: RetryPolicy = { limit: 5, delaySeconds: 30, backoff: true };
const DEFAULT_SCHEDULED_RETRY: RetryPolicy = { limit: 3, delaySeconds: 60, backoff: true };
const DISPATCH_BATCH = 100;
const FETCH_BATCH = 20;
const RECOVERY_BATCH = 100;
/** A job outlives its handler's longest run (a batch of sends, each bounded by the provider timeout). */
const DELIVERY_JOB_EXPIRY_SECONDS = 60;
/** How often pg-boss expires jobs of dead workers: a job fetched but not yet claimed comes back soon. */
const MAINTENANCE_INTERVAL_SECONDS = 30;

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
  const deliveryRetry = options.deliveryRetry ?? DEFAULT_DELIVERY_RETRY;
  const deliveryOptions = sendOptions(deliveryRetry, DELIVERY_JOB_EXPIRY_SECONDS);
  const scheduledOptions = sendOptions(options.scheduledRetry ?? DEFAULT_SCHEDULED_RETRY, 300);
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 1;
  const batchSize = Math.max(1, options.batchSize ?? 10);
  const claimTimeoutMs = (options.claimTimeoutSeconds ?? 30) * 1000;
  /** The first attempt and each retry; an interrupted attempt counts as one. */
  const maxAttempts = deliveryRetry.limit + 1;

  const schema = options.schema ?? 'pgboss';
  const boss = new PgBoss({
    db: databaseExecutor(db),
    schema,
    supervise: options.maintenance ?? true,
    // No pg-boss cron: the schedule is ours, read against the application's clock.
    schedule: false,
    migrate: true,
    maintenanceIntervalSeconds: MAINTENANCE_INTERVAL_SECONDS,
  });
  boss.on('error', (error) => report(error, {}));
  await startUnderLock(db, schema, async () => {
    await boss.start();
    await boss.createQueue(DELIVERY_QUEUE);
    await boss.createQueue(SCHEDULED_QUEUE);
  });

  async function send(tx: Queryable, queue: string, data: object, jobOptions: object): Promise<string> {
    const id = await boss.send(queue, data, { ...jobOptions, db: transactionExecutor(tx) });
    if (!id) throw new Error(`pg-boss did not accept a job for ${queue}`);
    return id;
  }

  /** This process's delivery workers, woken when a delivery is committed. */
  const deliveryWorkers: string[] = [];
  const wakeDeliveryWorkers = () => {
    for (const id of deliveryWorkers) boss.notifyWorker(id);
  };

  async function enqueueDelivery(tx: Tx, messageId: string, delivery: DeliveryOptions = {}): Promise<void> {
    const after = delivery.afterSeconds ?? 0;
    await send(tx, DELIVERY_QUEUE, { messageId } satisfies DeliveryJob, { ...deliveryOptions, ...(after > 0 ? { startAfter: after } : {}) });
    if (after <= 0) tx.afterCommit(wakeDeliveryWorkers);
  }

  const insertDeliveries = (messageIds: readonly string[], db: PgBoss.Db) => boss.insert(
    messageIds.map((messageId) => ({ name: DELIVERY_QUEUE, data: { messageId } satisfies DeliveryJob, ...deliveryOptions })),
    { db },
  );

  async function enqueueDeliveries(tx: Tx, messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await insertDeliveries(messageIds, transactionExecutor(tx));
    tx.afterCommit(wakeDeliveryWorkers);
  }

  async function enqueueDeliveryAhead(messageId: string, delivery: DeliveryOptions = {}): Promise<void> {
    const after = delivery.afterSeconds ?? 0;
    // The job's insert on the database itself: it commits on its own.
    await send(db, DELIVERY_QUEUE, { messageId } satisfies DeliveryJob, { ...deliveryOptions, ...(after > 0 ? { startAfter: after } : {}) });
  }

  async function recoverInterrupted(): Promise<number> {
    const claimedBefore = new Date(now().getTime() - claimTimeoutMs);
    const released = await db.transaction(async (tx) => {
      const claims = await releaseStaleClaims(tx, claimedBefore, maxAttempts, RECOVERY_BATCH);
      for (const id of claims.requeued) await enqueueDelivery(tx, id);
      return claims;
    });
    for (const id of released.failed) {
      report(new Error(`message ${id}: ${maxAttempts} attempts interrupted, marked failed`), { queue: DELIVERY_QUEUE });
    }
    return released.requeued.length + released.failed.length;
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
      const due = await lockDueScheduled(tx, now(), DISPATCH_BATCH);
      for (const id of due) {
        const jobId = await send(tx, SCHEDULED_QUEUE, { scheduledId: id } satisfies ScheduledJob, scheduledOptions);
        await setScheduledJob(tx, id, jobId);
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

  const failure = (error: unknown) => ({ message: error instanceof Error ? error.message : String(error) });

  /**
   * A fetched batch, run at once. Each job that throws is failed on its own (pg-boss retries it);
   * pg-boss completes the rest when this returns. A full batch suggests more are waiting: the
   * workers fetch again at once instead of after the polling interval.
   */
  const runBatch = (queue: string, workers: QueueWorkers) => async (jobs: AnyJob[]) => {
    await Promise.all(jobs.map(async (job) => {
      try {
        await handle(queue, job, workers);
      } catch (error) {
        await boss.fail(queue, job.id, failure(error)).catch((e: unknown) => report(e, { queue, jobId: job.id }));
      }
    }));
    if (queue === DELIVERY_QUEUE && jobs.length >= batchSize) wakeDeliveryWorkers();
  };

  const timers: NodeJS.Timeout[] = [];
  const every = (seconds: number, tick: () => void) => {
    tick();
    const timer = setInterval(tick, seconds * 1000);
    timer.unref();
    timers.push(timer);
  };

  function durableTimers(name: string): DurableTimers {
    const queue = `timer-${name}`;
    // Instances starting together on a new schema create the queue at once: PostgreSQL may pick one as a deadlock victim.
    const create = async (attempt = 1): Promise<void> => {
      try {
        await boss.createQueue(queue);
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt * Math.random()));
        await create(attempt + 1);
      }
    };
    const created = create();
    created.catch((error: unknown) => report(error, { queue }));
    return {
      async start(tx, key, afterMs) {
        await created;
        // pg-boss reads a number as seconds after its database's now(): one clock for every instance.
        await send(tx, queue, { key }, { startAfter: Math.max(0, afterMs) / 1000, retryLimit: 3, retryDelay: 5 });
      },
      async listen(onDue) {
        await created;
        await boss.work<{ key: string }>(queue, { pollingIntervalSeconds }, async (jobs) => {
          for (const job of jobs) await onDue(job.data.key);
        });
      },
    };
  }

  return {
    timers: durableTimers,
    enqueueDelivery,
    enqueueDeliveries,
    deliveriesStatement: (messageIds) => statementOf((db) => insertDeliveries(messageIds, db)),
    wakeDeliveries: wakeDeliveryWorkers,
    enqueueDeliveryAhead,

    scheduleNotifications: (tx, plans) => insertScheduled(tx, plans, now()),

    async cancelScheduled(tx, appointmentId) {
      const jobs = await cancelScheduledFor(tx, appointmentId, now());
      const jobIds = jobs.flatMap((id) => (id ? [id] : []));
      // Their handler would skip them anyway; cancelling keeps the queue clean.
      if (jobIds.length > 0) await boss.cancel(SCHEDULED_QUEUE, jobIds, { db: transactionExecutor(tx) });
      return jobs.length;
    },

    dispatchDue,
    recoverInterrupted,

    async start(workers) {
      const work = { includeMetadata: true as const, batchSize, pollingIntervalSeconds };
      for (let i = 0; i < Math.max(1, options.concurrency ?? 2); i++) {
        deliveryWorkers.push(await boss.work(DELIVERY_QUEUE, work, runBatch(DELIVERY_QUEUE, workers)));
      }
      await boss.work(SCHEDULED_QUEUE, work, runBatch(SCHEDULED_QUEUE, workers));
      every(options.dispatchIntervalSeconds ?? 30, () => void dispatchDue().catch((error: unknown) => report(error, { queue: SCHEDULED_QUEUE })));
      every(options.recoveryIntervalSeconds ?? 5, () => void recoverInterrupted().catch((error: unknown) => report(error, { queue: DELIVERY_QUEUE })));
    },

    async runDue(workers) {
      const summary: RunSummary = { dispatched: await dispatchDue(), recovered: await recoverInterrupted(), completed: 0, failed: 0 };
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
              await boss.fail(queue, job.id, failure(error));
              summary.failed++;
            }
          }
          ran += jobs.length;
        }
      }
      return summary;
    },

    async stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      deliveryWorkers.length = 0;
      await dispatching?.catch(() => undefined);
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
