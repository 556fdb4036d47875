import type { Database } from '../models/database.ts';
import type { Appointment } from '../models/appointments.repository.ts';
import {
  claimOverdueEvent, findUndoneEventOf, pruneFinishedEvents, recordEventFailure, type FoundBookedEvent,
} from '../models/booking-outbox.repository.ts';
import type { BookingEventSink, BookingOutbox } from '../scheduling/booking-events.ts';
import type { NotificationSink } from './notification-sink.ts';

export interface BookingOutboxOptions {
  db: Database;
  /** Renders a booked event into messages, deliveries and reminders and records them (notification-sink.ts). */
  render: Pick<NotificationSink, 'recordBooked'>;
  now: () => Date;
  /** Render each booking's event right after its commit. Off, only the sweep renders (tests simulate a crash so). Default on. */
  immediate?: boolean | undefined;
  /** An event still undone this long after its booking is the sweep's (the booking process crashed, or rendering failed). Default 15. */
  sweepAfterSeconds?: number | undefined;
  /** How often a started outbox sweeps. Default 10. */
  sweepIntervalSeconds?: number | undefined;
  /**
   * Renderings at once in this process (default 2): a burst of bookings waits for the database less
   * when their confirmations queue here than when each holds a pooled connection; they catch up after.
   */
  concurrency?: number | undefined;
  /** Renderings that throw are retried by the sweep this many times in all, then recorded as failed. Default 5. */
  maxAttempts?: number | undefined;
  /** Told of renderings that failed (they are retried) and of sweeps that failed. */
  onError?: ((error: unknown, context: { appointmentId?: string; eventId?: string }) => void) | undefined;
}

export interface BookingOutboxDispatcher extends BookingOutbox {
  /** Renders the events left undone past `sweepAfterSeconds`, one at a time; returns how many it took. */
  sweep(): Promise<number>;
  /** Sweeps now (what a crashed process left) and then periodically. */
  start(): void;
  /** Stops sweeping and waits for the renderings under way. */
  stop(): Promise<void>;
  /** Resolves once no rendering of this process is under way (benchmarks, shutdown). */
  idle(): Promise<void>;
}

const SWEEP_BATCH = 100;
/** Rendered events are kept a week (to look into a customer's "I got no confirmation"), then deleted. */
const KEEP_FINISHED_MS = 7 * 24 * 3600_000;
/** Pruning runs at most this often per process, a batch at a time. */
const PRUNE_EVERY_MS = 3600_000;
const PRUNE_BATCH = 1000;

/**
 * Renders the booked events the booking statement records (migration 022) after their commit,
 * without a transaction: one statement finds the event with its appointment, and one records its
 * messages, deliveries and reminders and marks it done, only if it is still undone, so an event is
 * rendered once however many processes try. The booking process renders its own events at once, in
 * the background; any instance's sweep claims those left undone. A booked event whose appointment
 * has changed since (its version moved on: rescheduled, cancelled, confirmed) is superseded, not
 * rendered: the change's own notification, sent in its transaction, already told the customer the
 * current state, and replanned or dropped the reminders; a confirmation of the old state now would
 * be stale. The recording statement locks the appointment, so no change slips in between.
 */
export function createBookingOutbox(options: BookingOutboxOptions): BookingOutboxDispatcher {
  const { db, render, now } = options;
  const immediate = options.immediate ?? true;
  const sweepAfterMs = (options.sweepAfterSeconds ?? 15) * 1000;
  const maxAttempts = options.maxAttempts ?? 5;
  const onError = options.onError ?? (() => undefined);
  const running = new Set<Promise<unknown>>();
  const concurrency = options.concurrency ?? 2;
  /** Committed bookings whose events this process has still to render, oldest first. */
  const waiting: string[] = [];
  let rendering = 0;
  let timer: NodeJS.Timeout | null = null;
  let sweeping: Promise<number> | null = null;
  let prunedAt = -Infinity;

  const track = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    void work.finally(() => running.delete(work)).catch(() => undefined);
    return work;
  };

  /**
   * One event: found (and, by a sweep, claimed) in one statement, rendered and recorded in another;
   * false when there was none. A failure is counted for the sweep's retries.
   */
  async function renderOne(find: () => Promise<FoundBookedEvent | null>, appointmentId?: string): Promise<boolean> {
    let found: FoundBookedEvent | null = null;
    try {
      found = await find();
      if (!found) return false;
      await render.recordBooked(db, found);
      return true;
    } catch (error) {
      const failed = found as FoundBookedEvent | null;
      onError(error, { appointmentId: failed?.appointment.id ?? appointmentId, ...(failed ? { eventId: failed.id } : {}) });
      if (failed) {
        await recordEventFailure(db, failed.id, error instanceof Error ? error.message : String(error), maxAttempts, now())
          .catch((e: unknown) => onError(e, { eventId: failed.id }));
      }
      return failed !== null;
    }
  }

  /** One of this process's renderers: takes committed bookings in order until none is waiting. */
  async function renderWaiting(): Promise<void> {
    rendering++;
    try {
      for (let id = waiting.shift(); id !== undefined; id = waiting.shift()) {
        const appointmentId = id;
        await renderOne(() => findUndoneEventOf(db, appointmentId), appointmentId);
      }
    } finally {
      rendering--;
    }
  }

  async function sweepOnce(): Promise<number> {
    let taken = 0;
    const olderThan = new Date(now().getTime() - sweepAfterMs);
    while (taken < SWEEP_BATCH && (await renderOne(() => claimOverdueEvent(db, olderThan, maxAttempts, now())))) taken++;
    const at = now().getTime();
    if (at - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = at;
      await pruneFinishedEvents(db, new Date(at - KEEP_FINISHED_MS), PRUNE_BATCH);
    }
    return taken;
  }

  const sweep = (): Promise<number> => {
    // One sweep at a time per process; other processes are kept apart by the row locks.
    sweeping ??= track(sweepOnce().finally(() => {
      sweeping = null;
    }));
    return sweeping;
  };

  const idle = async (): Promise<void> => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };

  return {
    booked(appointment: Appointment) {
      if (!immediate) return;
      waiting.push(appointment.id);
      if (rendering < concurrency) void track(renderWaiting());
    },
    sweep,
    start() {
      if (timer) return;
      const run = () => void sweep().catch((error: unknown) => onError(error, {}));
      run();
      timer = setInterval(run, (options.sweepIntervalSeconds ?? 10) * 1000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await idle();
    },
    idle,
  };
}

/** The product's sink: changes rendered in their transaction, bookings through the outbox after commit. */
export function withOutbox(sink: BookingEventSink, outbox: BookingOutbox): BookingEventSink {
  return { handle: (tx, event) => sink.handle(tx, event), outbox };
}
