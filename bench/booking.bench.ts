/**
 * Booking throughput on PostgreSQL with 16 concurrent clients: bookAppointment with a slot request
 * through the real service as the server composes it (customer, availability at the start, fair
 * assignment, claim under the exclusion constraint, appointment, status history and the booked
 * event in the outbox: one call of book_slot, committed on its own; the confirmation messages,
 * their delivery jobs and the reminders rendered just after, in the background) against the floor
 * of a plain INSERT of the same appointment row, the two measured in alternating rounds so that
 * other work on a shared machine weighs on both alike. For comparison, the same bookings with the
 * messages rendered inside the booking's transaction, as before the outbox.
 */
import type { Database } from '../models/database.ts';
import { AppError } from '../models/errors.ts';
import { findAvailability } from '../scheduling/availability.ts';
import { bookAppointment, type BookingDeps, type BookingRequest } from '../scheduling/booking.ts';
import { createBookingOutbox, withOutbox } from '../notifications/booking-outbox.ts';
import { createDeliveryQueue } from '../notifications/delivery-queue.ts';
import { createNotificationSink } from '../notifications/notification-sink.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import { startCpuProfile } from './cpu-profile.ts';
import { databaseCpu, databaseCpuUsed } from './process-cpu.ts';
import { analyze, seedAppointments, seedCatalogue, ZONE, type Fixture } from './fixtures.ts';
import {
  fmtMs, fmtTiming, instrumented, judge, summarize, throughput, TRANSACTION_END, TRANSACTION_START, type Benchmark, type BenchContext,
  type ResultRow, type StatementStats, type ThroughputResult,
} from './harness.ts';

const STORES = 4;
const STAFF_PER_STORE = 10;
const CONCURRENCY = 16;
const POOL_SIZE = 20;
const BOOKINGS = 1500;
/** The floor and the figure alternate in this many rounds (BOOKINGS each in all). */
const ROUNDS = 5;
const WARMUP = 96;
const PROFILED = 200;
const SERIAL = 100;
/** Bookings with their messages rendered in the booking's transaction (the path before the outbox), for comparison. */
const IN_TRANSACTION = 200;
/** Bookings without notifications (the booking statement alone), for comparison. */
const ALONE = 200;
/** Bookings whose confirmations are then rendered one at a time, with nothing else running, to read their CPU. */
const RENDERED_ALONE = 300;
const NOW = new Date('2027-03-01T07:00:00Z');
const DAY_MS = 86_400_000;
/** Plain inserts go this far after the booked times: distinct times, same shape of row. */
const INSERT_SHIFT_MS = 2 * 365 * DAY_MS;

interface Target {
  store: Fixture['stores'][number];
  start: Date;
  /** For the plain insert: some staff member of that store. */
  staffId: string;
}

async function seed(db: Database): Promise<{ fixture: Fixture; history: number; upcoming: number }> {
  const fixture = await seedCatalogue(db, {
    brandId: 'bench-booking', stores: STORES, staffPerStore: STAFF_PER_STORE, settings: { maxHorizonDays: 365 }, customers: 2000,
  });
  const storeIds = fixture.stores.map((s) => s.id);
  // Two months of past appointments (history rows every query has to step over)…
  const history = await seedAppointments(db, fixture, { storeIds, fromDate: '2027-01-04', toDate: '2027-02-28', perShift: 3 });
  // …and one appointment per shift already booked ahead, leaving room for the benchmark's bookings.
  const upcoming = await seedAppointments(db, fixture, { storeIds, fromDate: '2027-03-01', toDate: '2027-06-30', perShift: 1 });
  await analyze(db);
  return { fixture, history, upcoming };
}

/**
 * Free starts (from availability itself), per store at least 60 minutes apart (duration + buffers),
 * so no two bookings' claims can overlap whatever staff they get: any 409 is a real failure.
 */
async function freeTargets(db: Database, f: Fixture, count: number): Promise<Target[]> {
  const reach = (f.service.durationMinutes + f.service.bufferBeforeMinutes + f.service.bufferAfterMinutes) * 60_000;
  const perStore: Target[][] = [];
  for (const store of f.stores) {
    const slots = await findAvailability(db, {
      brand: f.brand, service: f.service, mode: 'in_store', store, home: null, from: NOW, to: new Date(NOW.getTime() + 110 * DAY_MS), now: NOW,
    });
    const staff = f.staffByStore.get(store.id)!;
    const picked: Target[] = [];
    let last = -Infinity;
    for (const s of slots) {
      if (s.start.getTime() < last + reach) continue;
      last = s.start.getTime();
      picked.push({ store, start: s.start, staffId: staff[picked.length % staff.length]! });
    }
    perStore.push(picked);
  }
  // Interleave stores in time order.
  const all = perStore.flat().sort((a, b) => a.start.getTime() - b.start.getTime() || a.store.slug.localeCompare(b.store.slug));
  if (all.length < count) throw new Error(`only ${all.length} free targets, need ${count}`);
  return all.slice(0, count);
}

function bookingRequest(f: Fixture, t: Target, i: number): BookingRequest {
  return {
    brand: f.brand,
    slot: { brand: f.brand, service: f.service, mode: 'in_store', store: t.store, home: null, start: t.start },
    customer: { name: `Booker ${i}`, email: `booker-${i}@bench.example`, phone: null, locale: 'fr', timeZone: ZONE },
    customerTimeZone: ZONE,
    notes: '',
    channel: 'bench-book',
    conversationId: null,
    idempotencyKey: `bench-book-${i}`,
    actor: { kind: 'customer' },
  };
}

const INSERT_SQL = `INSERT INTO appointments (brand_id, service_id, mode, store_id, home_address, home_latitude, home_longitude,
   staff_id, customer_id, start_at, end_at, customer_time_zone, state, status_id, notes, channel,
   conversation_id, idempotency_key, created_at, updated_at)
 VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$19) RETURNING id`;

function insertParams(f: Fixture, t: Target, customerId: string, i: number): unknown[] {
  const start = new Date(t.start.getTime() + INSERT_SHIFT_MS);
  const end = new Date(start.getTime() + f.service.durationMinutes * 60_000);
  return [f.brand.id, f.service.id, 'in_store', t.store.id, null, null, null, t.staffId, customerId, start, end, ZONE,
    'confirmed', null, '', 'bench-insert', null, `bench-insert-${i}`, NOW];
}

const describe = (error: unknown) =>
  error instanceof AppError ? `${error.status} ${error.code}` : error instanceof Error ? error.message : String(error);

type Timed = ThroughputResult & { cpuMsPerOp: number; samples: number[] };

/** Runs `count` ops at CONCURRENCY, also reporting this process's CPU time per op. */
async function timed(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<Timed> {
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  const r = await throughput(count, concurrency, async (i) => {
    const t = performance.now();
    await op(i);
    samples.push(performance.now() - t);
  });
  const used = process.cpuUsage(cpu);
  return { ...r, cpuMsPerOp: (used.user + used.system) / 1000 / count, samples };
}

/** Chunks of one measurement as a whole: ops/s over their summed wall time, latency over every op. */
function combined(parts: Timed[]): Timed {
  const sum = (f: (t: Timed) => number) => parts.reduce((s, t) => s + f(t), 0);
  const ok = sum((t) => t.ok);
  const wallMs = sum((t) => t.wallMs);
  const samples = parts.flatMap((t) => t.samples);
  return {
    perSecond: (ok / wallMs) * 1000, ok, failed: sum((t) => t.failed), wallMs, latency: summarize(samples),
    errors: parts.flatMap((t) => t.errors).slice(0, 5), cpuMsPerOp: sum((t) => t.cpuMsPerOp * (t.ok + t.failed)) / sum((t) => t.ok + t.failed), samples,
  };
}

// ---- profiling: time every statement the booking makes --------------------------------------------

/** The statements a booking by slot makes: one; the lookup only after a failure. */
const STATEMENTS: [RegExp, string][] = [
  [/FROM book_slot\(/, 'bookSlot (book_slot)'],
  [/idempotency_key = \$2/, 'findByIdempotencyKey'],
];
const statementName = (sql: string) => STATEMENTS.find(([re]) => re.test(sql.trim()))?.[1] ?? sql.replace(/\s+/g, ' ').trim().slice(0, 50);

/** Round trips per operation from instrumented stats: statements, and transactions (each adds BEGIN and COMMIT). */
function roundTrips(stats: Map<string, StatementStats>, ops: number): { statements: number; transactions: number; total: number } {
  let statements = 0;
  let transactions = 0;
  for (const [name, v] of stats) {
    if (name === TRANSACTION_START) transactions += v.calls;
    else if (name !== TRANSACTION_END) statements += v.calls;
  }
  return { statements: statements / ops, transactions: transactions / ops, total: (statements + 2 * transactions) / ops };
}

const fmtTrips = (r: ReturnType<typeof roundTrips>) =>
  `${r.total.toFixed(1)} round trips (${r.statements.toFixed(1)} statements, ${r.transactions.toFixed(1)} transactions)`;

function profileReport(stats: Map<string, StatementStats>, bookings: number, totalLatencyMs: number): string[] {
  const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const accounted = rows.reduce((s, [, v]) => s + v.ms, 0);
  const lines = rows.map(([name, v]) =>
    `  ${name.padEnd(24)} ${(v.calls / bookings).toFixed(2).padStart(5)} calls/booking  mean ${fmtMs(v.ms / v.calls).padStart(8)}  ` +
    `${((100 * v.ms) / totalLatencyMs).toFixed(1).padStart(5)}% of booking time`);
  lines.push(`  ${'(client-side, untimed)'.padEnd(24)} ${''.padStart(5)}                ${''.padStart(13)}  ` +
    `${((100 * (totalLatencyMs - accounted)) / totalLatencyMs).toFixed(1).padStart(5)}% (JS around the statement: parameters, row mapping)`);
  return lines;
}

// ---- the benchmark -------------------------------------------------------------------------------

async function runOnPostgres(ctx: BenchContext): Promise<ResultRow[]> {
  const db = await ctx.openDatabase({ poolSize: POOL_SIZE, kind: 'postgres' });
  try {
    ctx.log(`database: ${db.label}, pool ${POOL_SIZE}, ${CONCURRENCY} concurrent clients`);
    let t = process.hrtime.bigint();
    const { fixture: f, history, upcoming } = await seed(db);
    const needed = WARMUP + BOOKINGS + PROFILED + SERIAL + IN_TRANSACTION + ALONE + RENDERED_ALONE;
    const targets = await freeTargets(db, f, needed);
    const [customer] = await db.query<{ id: string }>('SELECT id FROM customers WHERE brand_id = $1 ORDER BY id LIMIT 1', [f.brand.id]);
    ctx.log(`setup: ${STORES} stores × ${STAFF_PER_STORE} staff, ${history} past + ${upcoming} upcoming appointments, ` +
      `${needed} distinct free starts up to ${targets.at(-1)!.start.toISOString().slice(0, 10)} ` +
      `(${fmtMs(Number(process.hrtime.bigint() - t) / 1e6)})`);

    // Notifications as server/composition.ts wires them: the outbox renders each booking's
    // confirmation just after its commit, with the process's other work, over the same pool.
    const now = () => NOW;
    const queue = await createDeliveryQueue({ db, now, schema: `${db.schema}_boss`, maintenance: false });
    const links = createSignedLinks({ baseUrl: 'http://bench.test', secret: 'b'.repeat(32), now });
    const render = createNotificationSink({ links, queue, now });
    // The outbox's own database, its statements counted only while the profile runs.
    const renderStats = new Map<string, StatementStats>();
    const counted = instrumented(db, statementName, renderStats);
    const profiling = { on: false };
    const outboxDb: Database = {
      ...db,
      query: (sql, params) => (profiling.on ? counted.query(sql, params) : db.query(sql, params)),
      transaction: (work) => (profiling.on ? counted.transaction(work) : db.transaction(work)),
    };
    const outbox = createBookingOutbox({ db: outboxDb, render, now, onError: (e) => ctx.log(`rendering failed: ${describe(e)}`) });
    const product: BookingDeps = { db, now, events: withOutbox(render, outbox) };
    // Before the outbox: the same rendering inside the booking's transaction.
    const inTransaction: BookingDeps = { db, now, events: render };

    const book = (deps: BookingDeps) => async (i: number) => {
      const target = targets[i]!;
      const { appointment } = await bookAppointment(deps, bookingRequest(f, target, i));
      if (appointment.startAt.getTime() !== target.start.getTime()) throw new Error(`booked ${appointment.startAt.toISOString()} for ${target.start.toISOString()}`);
    };
    const failures = new Map<string, number>();
    const bookOrCount = (deps: BookingDeps, offset: number) => async (i: number) => {
      try {
        await book(deps)(offset + i);
      } catch (error) {
        const d = describe(error);
        failures.set(d, (failures.get(d) ?? 0) + 1);
        throw error;
      }
    };
    const insert = async (i: number) => db.query(INSERT_SQL, insertParams(f, targets[i]!, customer!.id, i));
    const rendered = async () => (await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM booking_outbox WHERE outcome = 'rendered'`,
    ))[0]!.n;

    // Warm-up: the pool's connections, prepared plans, JIT; rendering too.
    await throughput(WARMUP, CONCURRENCY, insert);
    await throughput(WARMUP, CONCURRENCY, bookOrCount(product, 0));
    await outbox.idle();

    // Floor and figure in alternating rounds, so that other work on the machine (it is shared)
    // weighs on both alike. Floor: plain inserts (two years after the booked times, so no booking's
    // availability or load reads them), removed after the last round. Figure: bookings through the
    // service as the server composes it; the customers have their answer when the booking commits,
    // the confirmations follow: each round waits for them before the next, and until they are all
    // rendered is timed too.
    const renderedBefore = await rendered();
    const insertRounds: Timed[] = [];
    const bookingRounds: Timed[] = [];
    let drainedMs = 0;
    // PostgreSQL's CPU for the inserts (null when it is not on this machine), to set beside a booking's below.
    let insertsPgCpu: number | null = 0;
    let drainedCpuMs = 0;
    let lastRenderedAfterMs = 0;
    const chunk = BOOKINGS / ROUNDS;
    const profiler = await startCpuProfile();
    for (let round = 0; round < ROUNDS; round++) {
      const offset = WARMUP + round * chunk;
      const insertCpuBefore = await databaseCpu(db);
      insertRounds.push(await timed(chunk, CONCURRENCY, (i) => insert(offset + i)));
      const used = databaseCpuUsed(insertCpuBefore, await databaseCpu(db));
      insertsPgCpu = used === null || insertsPgCpu === null ? null : insertsPgCpu + used;
      const drainStart = performance.now();
      const drainCpu = process.cpuUsage();
      bookingRounds.push(await timed(chunk, CONCURRENCY, bookOrCount(product, offset)));
      const bookedAt = performance.now();
      await outbox.idle();
      const cpu = process.cpuUsage(drainCpu);
      drainedCpuMs += (cpu.user + cpu.system) / 1000;
      drainedMs += performance.now() - drainStart;
      lastRenderedAfterMs = Math.max(lastRenderedAfterMs, performance.now() - bookedAt);
    }
    const profile = profiler ? await profiler.stop('booking', BOOKINGS) : [];
    const inserts = combined(insertRounds);
    const bookings = combined(bookingRounds);
    await db.query(`DELETE FROM appointments WHERE channel = 'bench-insert'`);
    await db.query('VACUUM ANALYZE appointments');
    const cpuPerRendered = drainedCpuMs / bookings.ok;
    const renderedNow = (await rendered()) - renderedBefore;
    const [check] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM appointments a JOIN slot_claims c ON c.appointment_id = a.id WHERE a.channel = 'bench-book'`,
    );

    const ratio = bookings.perSecond / inserts.perSecond;
    const verdict = judge(ratio, '>=', 0.5);
    const sustained = (bookings.ok * 1000) / drainedMs;
    ctx.log(`${ROUNDS} alternating rounds of ${chunk} inserts and ${chunk} bookings:`);
    ctx.log(`plain INSERT (floor)   ${inserts.perSecond.toFixed(0).padStart(6)} inserts/s   latency ${fmtTiming(inserts.latency)}  ` +
      `node CPU ${inserts.cpuMsPerOp.toFixed(2)} ms/op, PostgreSQL ${insertsPgCpu === null ? 'n/a' : `${(insertsPgCpu / inserts.ok).toFixed(2)} ms/op`}  (${inserts.ok} ok, ${inserts.failed} failed, ${fmtMs(inserts.wallMs)})`);
    ctx.log(`bookAppointment        ${bookings.perSecond.toFixed(0).padStart(6)} bookings/s  latency ${fmtTiming(bookings.latency)}  ` +
      `node CPU ${bookings.cpuMsPerOp.toFixed(2)} ms/op  (${bookings.ok} ok, ${bookings.failed} failed, ${fmtMs(bookings.wallMs)})`);
    ctx.log(`  confirmations rendered after commit: ${renderedNow} of ${bookings.ok}, a round's last at most ${fmtMs(lastRenderedAfterMs)} ` +
      `after its last booking: ${sustained.toFixed(0)} bookings/s with their messages, jobs and reminders recorded ` +
      `(${(sustained / inserts.perSecond).toFixed(2)}× the inserts); node CPU ${cpuPerRendered.toFixed(2)} ms per booking with its rendering`);
    if (failures.size > 0) ctx.log(`booking failures: ${[...failures].map(([k, n]) => `${n}× ${k}`).join(', ')}`);
    ctx.log(`appointments with a claim after the warm-up and timed bookings: ${check?.n} (expected ${WARMUP + bookings.ok})`);
    for (const line of profile) ctx.log(`  ${line}`);
    ctx.log(`ratio bookings/s ÷ inserts/s: ${ratio.toFixed(2)}× — target ≥ 0.5×: ${verdict.verdict}`);

    // Information: the rendering alone, one event at a time (as a sweep takes the events a crashed
    // process left), nothing else running: its CPU per booking here and in PostgreSQL's backends.
    // Before the comparisons below, whose bookings leave their events undone (rendered otherwise or not at all).
    const sweeper = createBookingOutbox({ db, render, now, immediate: false, sweepAfterSeconds: 0 });
    const renderedOffset = needed - RENDERED_ALONE; // the last targets
    const undone = await timed(RENDERED_ALONE, CONCURRENCY, bookOrCount({ db, now, events: withOutbox(render, sweeper) }, renderedOffset));
    const pgBefore = await databaseCpu(db);
    const renderingProfiler = await startCpuProfile();
    const nodeBefore = process.cpuUsage();
    const sweptAt = performance.now();
    let swept = 0;
    for (let n = await sweeper.sweep(); n > 0; n = await sweeper.sweep()) swept += n;
    const sweptMs = performance.now() - sweptAt;
    const nodeUsed = process.cpuUsage(nodeBefore);
    const renderingProfile = renderingProfiler ? await renderingProfiler.stop('rendering', swept) : [];
    const pgUsed = databaseCpuUsed(pgBefore, await databaseCpu(db));
    const perSwept = (ms: number) => `${(ms / Math.max(1, swept)).toFixed(2)} ms`;
    ctx.log(`rendering alone (${swept} of ${undone.ok} confirmations left undone, swept one at a time in ${fmtMs(sweptMs)}): CPU per booking ` +
      `${perSwept((nodeUsed.user + nodeUsed.system) / 1000)} in this process, ` +
      `${pgUsed === null ? 'n/a (PostgreSQL not on this machine)' : perSwept(pgUsed)} in PostgreSQL`);
    for (const line of renderingProfile) ctx.log(`  ${line}`);

    // Information: the path before the outbox, the messages rendered in the booking's transaction.
    const beforeOffset = WARMUP + BOOKINGS + PROFILED + SERIAL;
    const before = await timed(IN_TRANSACTION, CONCURRENCY, bookOrCount(inTransaction, beforeOffset));
    ctx.log(`in-transaction rendering (before the outbox, ${before.ok} bookings): ${before.perSecond.toFixed(0)} bookings/s ` +
      `(${(before.perSecond / inserts.perSecond).toFixed(2)}× the inserts), latency ${fmtTiming(before.latency)}`);

    // Information: the booking statement alone, no notifications (what the figure was before this change).
    // Its CPU in PostgreSQL too: the booking statement's own cost, whatever else the machine does.
    const aloneCpuBefore = await databaseCpu(db);
    const alone = await timed(ALONE, CONCURRENCY, bookOrCount({ db, now }, beforeOffset + IN_TRANSACTION));
    const aloneCpu = databaseCpuUsed(aloneCpuBefore, await databaseCpu(db));
    ctx.log(`without notifications (the booking alone, ${alone.ok} bookings): ${alone.perSecond.toFixed(0)} bookings/s ` +
      `(${(alone.perSecond / inserts.perSecond).toFixed(2)}× the inserts), latency ${fmtTiming(alone.latency)}; CPU per booking ` +
      `${alone.cpuMsPerOp.toFixed(2)} ms in this process, ${aloneCpu === null ? 'n/a' : `${(aloneCpu / Math.max(1, alone.ok)).toFixed(2)} ms`} in PostgreSQL`);

    // Information: one client at a time (round-trip latency without queueing).
    t = process.hrtime.bigint();
    const serialOffset = WARMUP + BOOKINGS + PROFILED;
    const serialBookings = await timed(SERIAL, 1, bookOrCount(product, serialOffset));
    await outbox.idle();
    const serialInserts = await timed(SERIAL, 1, (i) => insert(serialOffset + i));
    const latencyRatio = serialBookings.latency.median / serialInserts.latency.median;
    ctx.log(`one client: booking ${fmtTiming(serialBookings.latency)} (${serialBookings.perSecond.toFixed(0)}/s), ` +
      `insert ${fmtTiming(serialInserts.latency)} (${serialInserts.perSecond.toFixed(0)}/s): ` +
      `median latency ${latencyRatio.toFixed(2)}× the insert's`);

    // Information: where a booking's time goes, one client at a time so each step's time is its
    // own round trip and server work, not a wait for the shared event loop or CPUs. The booking's
    // own round trips, then the rendering's after commit (counted apart: nobody waits for it).
    const stats = new Map<string, StatementStats>();
    profiling.on = true;
    const profiled = await throughput(PROFILED, 1, bookOrCount({ ...product, db: instrumented(db, statementName, stats) }, WARMUP + BOOKINGS));
    await outbox.idle();
    profiling.on = false;
    ctx.log(`profile of ${profiled.ok} bookings by one client (latency ${fmtTiming(profiled.latency)}): ` +
      `${fmtTrips(roundTrips(stats, PROFILED))} per booking:`);
    for (const line of profileReport(stats, PROFILED, profiled.latency.mean * profiled.ok)) ctx.log(line);
    ctx.log(`rendering after commit (in the background): ${fmtTrips(roundTrips(renderStats, PROFILED))} per booking`);

    await queue.stop();

    const failed = bookings.failed + serialBookings.failed + profiled.failed + before.failed + alone.failed;
    return [
      {
        name: `bookAppointment ×${CONCURRENCY} clients vs plain INSERT`,
        database: 'postgres',
        figure: `${bookings.perSecond.toFixed(0)} bookings/s`,
        floor: `${inserts.perSecond.toFixed(0)} inserts/s`,
        ratio,
        ...verdict,
        note: `booking latency ${fmtTiming(bookings.latency)}; ${sustained.toFixed(0)}/s with confirmations rendered; ` +
          `one client ${latencyRatio.toFixed(2)}× the insert's latency; ${failed} failed booking(s)` +
          (failures.size ? ` (${[...failures].map(([k, n]) => `${n}× ${k}`).join(', ')})` : ''),
      },
    ];
  } finally {
    await db.close();
  }
}

export const bookingBenchmark: Benchmark = {
  name: 'booking',
  async run(ctx) {
    if (!ctx.postgresUrl) {
      ctx.log(`skipped: needs PostgreSQL (${ctx.postgresError}); PGlite runs one transaction at a time, so concurrent throughput means nothing there`);
      return [{ name: `bookAppointment ×${CONCURRENCY} clients vs plain INSERT`, database: 'none', figure: '', floor: '', ratio: null, target: '≥ 0.5×', verdict: 'SKIP' }];
    }
    return runOnPostgres(ctx);
  },
};
