import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Server } from 'socket.io';
import type { Database } from '../models/database.ts';
import { deliveryBacklog, messageCounts, waitingHandoffs } from '../models/operations.repository.ts';
import type { BookingEventSink } from '../scheduling/booking-events.ts';
import { isEarlyTurnRefused } from '../bot/turn-order.ts';

/**
 * Prometheus metrics of one instance. Counters and histograms are this process's (Prometheus sums
 * instances); gauges read from the database are the same on every instance (take one, not the sum).
 */
export interface Metrics {
  registry: Registry;
  /** Runs one bot turn and records its latency and outcome. */
  timeTurn<T>(turn: () => Promise<T>): Promise<T>;
  /** The booking event sink, counting what it is told. */
  countEvents(sink: BookingEventSink): BookingEventSink;
  /** Open sockets per namespace, read at scrape time. */
  watchSockets(io: Server): void;
}

export function createMetrics(options: { db: Database; now: () => Date }): Metrics {
  const { db, now } = options;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rendezvous_' });

  const turnSeconds = new Histogram({
    name: 'rendezvous_bot_turn_seconds',
    help: 'Bot turn latency: a customer message to the end of the bot\'s answer.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const turns = new Counter({ name: 'rendezvous_bot_turns_total', help: 'Bot turns run, by outcome.', labelNames: ['outcome'], registers: [registry] });
  const bookingEvents = new Counter({
    name: 'rendezvous_booking_events_total',
    help: 'Appointment changes made through this instance (booked, rescheduled, cancelled, status_changed).',
    labelNames: ['type'],
    registers: [registry],
  });
  new Gauge({
    name: 'rendezvous_messages',
    help: 'Notification messages by channel and delivery status.',
    labelNames: ['channel', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const m of await messageCounts(db)) this.set({ channel: m.channel, status: m.status }, m.count);
    },
  });
  // One read of the backlog serves both gauges of a scrape.
  let backlog: Promise<{ depth: number; oldestAgeSeconds: number }> | null = null;
  const readBacklog = () => (backlog ??= deliveryBacklog(db, now()).finally(() => setImmediate(() => { backlog = null; })));
  new Gauge({
    name: 'rendezvous_delivery_queue_depth',
    help: 'Messages waiting to be handed to their provider.',
    registers: [registry],
    async collect() { this.set((await readBacklog()).depth); },
  });
  new Gauge({
    name: 'rendezvous_delivery_queue_oldest_seconds',
    help: 'Age of the oldest message waiting to be handed to its provider.',
    registers: [registry],
    async collect() { this.set((await readBacklog()).oldestAgeSeconds); },
  });
  new Gauge({
    name: 'rendezvous_handoffs_waiting',
    help: 'Customers waiting for a live agent.',
    registers: [registry],
    async collect() { this.set(await waitingHandoffs(db)); },
  });
  const servers: Server[] = [];
  new Gauge({
    name: 'rendezvous_open_sockets',
    help: 'Open socket.io connections of this instance, by namespace.',
    labelNames: ['namespace'],
    registers: [registry],
    collect() {
      this.reset();
      for (const io of servers) {
        for (const [name, namespace] of io._nsps) this.set({ namespace: name }, namespace.sockets.size);
      }
    },
  });

  return {
    registry,
    async timeTurn(turn) {
      const end = turnSeconds.startTimer();
      try {
        const result = await turn();
        turns.inc({ outcome: 'ok' });
        end();
        return result;
      } catch (error) {
        // A turn begun early and refused is not a failure, and its time is part of the turn that runs again.
        if (isEarlyTurnRefused(error)) {
          turns.inc({ outcome: 'again' });
        } else {
          turns.inc({ outcome: 'error' });
          end();
        }
        throw error;
      }
    },
    countEvents(sink) {
      const outbox = sink.outbox;
      return {
        async handle(tx, event) {
          await sink.handle(tx, event);
          // A booking told here as well as to the outbox is counted there.
          if (!(event.type === 'booked' && outbox)) bookingEvents.inc({ type: event.type });
        },
        outbox: outbox && {
          booked(appointment) {
            outbox.booked(appointment);
            bookingEvents.inc({ type: 'booked' });
          },
        },
        bookedInTransaction: sink.bookedInTransaction,
      };
    },
    watchSockets(io) {
      servers.push(io);
    },
  };
}
