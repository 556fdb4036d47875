/**
 * Bot turns over socket.io: the whole product (createRendezvous: HTTP, sockets, bot, dialogs,
 * notifications) with 200 customers at once walking the booking dialog through the widget's
 * protocol, against the floor of a durable echo with as many clients, in the same run: a socket.io
 * round trip whose server appends the message to its transcript and commits before answering, the
 * least any chat that loses nothing must do (a plain echo is reported too, for information). Then
 * the server heap each open conversation costs.
 *
 * The customers run in a child process (bench/chat-clients.ts): their CPU and heap stay out of
 * the server's event loop and heap. Each paces itself like a person: it arrives within the first
 * ARRIVAL_MS and thinks 1–3 s (uniformly random, seeded so runs compare; BENCH_THINK_MS sets another range) between the bot's answer
 * and its next message, so a turn's latency is what a customer waits while 199 others chat too,
 * not its wait behind a queue of messages nobody would send that fast. The echo clients pace
 * themselves the same way (same seed, same count). No turn starts after WALK_BUDGET_MS: walks cut
 * there are counted, not failed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import pino from 'pino';
import { Server } from 'socket.io';
import { warmUpDateUnderstanding } from '../dialogs/date-understanding.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import type { Database, PoolWaits, Queryable } from '../models/database.ts';
import { appendEntry, createWebConversation } from '../models/conversations.repository.ts';
import { loadConfig } from '../server/config.ts';
import { createRendezvous, type Rendezvous } from '../server/composition.ts';
import { latestCode } from '../tests/support/bot-chat.ts';
import { startCpuProfile } from './cpu-profile.ts';
import { databaseCpu, databaseCpuUsed, processCpuMs } from './process-cpu.ts';
import type { ClientCommand, ClientReport, EchoNamespace, GreetingSpan, TurnKind, TurnSample, WalkOutcome, WalkPlan } from './chat-clients.ts';
import {
  AFTER_REPLY, fmtMs, fmtTiming, instrumented, judge, summarize, TRANSACTION_END, TRANSACTION_START,
  type Benchmark, type BenchContext, type BenchDatabase, type ResultRow, type StatementEvent, type StatementStats,
} from './harness.ts';

const CONVERSATIONS = 200;
const WARMUP_CONVERSATIONS = 6;
/**
 * Lone conversations, one after the other (information: a turn's cost without load). Twenty give about
 * 220 turns: with three (33 turns) the same code's lone median ranged from 4.8 to 9.3 ms between runs.
 */
const ALONE_CONVERSATIONS = 20;
/** The measured walks ask for 0 to PAGES - 1 "later" pages; warm-up and lone walks for more. */
export const PAGES = 3;
export const WARMUP_FIRST_PAGE = 3;
const ALONE_FIRST_PAGE = 4;
/**
 * How long a customer thinks before each message, ms: 1–3 s, or `BENCH_THINK_MS="<min>-<max>"`. The offered load
 * is about one turn per conversation per mean think time, so this range decides what N conversations ask of the server.
 */
function thinkRange(text: string | undefined): [number, number] {
  if (!text) return [1_000, 3_000];
  const range = /^(\d+)-(\d+)$/.exec(text.trim());
  if (!range || Number(range[1]) > Number(range[2])) {
    throw new Error(`BENCH_THINK_MS must read "<min>-<max>" in milliseconds with min ≤ max, e.g. 5000-15000 (got "${text}")`);
  }
  return [Number(range[1]), Number(range[2])];
}
const THINK_MS = thinkRange(process.env.BENCH_THINK_MS);
/** No turn is started after this (a walk of 1–3 s thoughts takes about 25 s; this bounds a slow or busy machine). */
export const WALK_BUDGET_MS = Math.max(60_000, 20 * THINK_MS[1]);
/** Customers and echo clients: arrivals spread over the first 3 s, then a think time before each message. */
export const PACING = { arrivalMs: 3_000, thinkMs: THINK_MS, seed: 20261123 };
/** The pacing as a run's log states it. */
export const pacingText = () => `customers arrive over ${fmtMs(PACING.arrivalMs)} and think ` +
  `${fmtMs(PACING.thinkMs[0])}–${fmtMs(PACING.thinkMs[1])} before each message (BENCH_THINK_MS), no turn after ${fmtMs(WALK_BUDGET_MS)}`;
const ECHO_WARMUP = 3;
/** About as many as a walk's turns (10–12), at the same pace. */
const ECHO_ROUND_TRIPS = 10;
const MEMORY_COUNTS = [200, 1000];
const OPEN_CONCURRENCY = 100;
const POOL_SIZE = 20;
/** Monday 1 March 2027, 08:00 in Paris: the demo's hours make times free from then on. */
export const NOW = new Date('2027-03-01T07:00:00Z');
/** The date question's answers: "tomorrow" typed in words (the date recognizers read it), or a button. */
const PICKS: { pick: string; typed?: boolean }[] = [{ pick: 'tomorrow', typed: true }, { pick: 'This week' }, { pick: 'Next week' }];
const P50_TARGET = 3;
const P99_TARGET = 6;
const MEMORY_TARGET_KB = 50;
const ROUND_TRIPS_TARGET = 3;

// ---- the customers' process ----------------------------------------------------------------------

export interface Clients {
  pid: number | undefined;
  request<T extends ClientReport['type']>(cmd: ClientCommand, answer: T): Promise<Extract<ClientReport, { type: T }>>;
  close(): Promise<void>;
}

/** Forks bench/chat-clients.ts (with this process's loader flags: tsx) and answers its code requests. */
export async function startClients(otpCode: (email: string) => Promise<string>): Promise<Clients> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./chat-clients.ts', import.meta.url)), [], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, (report: ClientReport) => void>();
  let exited: Error | null = null;
  child.on('message', (report: ClientReport) => {
    if (report.type === 'otp') {
      void otpCode(report.email).catch(() => null).then((code) => child.send({ type: 'otp-code', id: report.id, code } satisfies ClientCommand));
      return;
    }
    const w = waiting.get(report.type);
    waiting.delete(report.type);
    w?.(report);
  });
  const gone = new Promise<never>((_, reject) => {
    child.once('exit', (code) => {
      exited = new Error(`the clients' process exited (code ${code})`);
      reject(exited);
    });
  });
  gone.catch(() => undefined);
  const answer = (type: string) => Promise.race([new Promise<ClientReport>((resolve) => waiting.set(type, resolve)), gone]);
  await answer('ready');
  return {
    pid: child.pid,
    async request(cmd, type) {
      if (exited) throw exited;
      const reply = answer(type);
      child.send(cmd);
      return (await reply) as never;
    },
    async close() {
      if (exited) return;
      child.kill();
      await gone.catch(() => undefined);
    },
  };
}

// ---- load ----------------------------------------------------------------------------------------

/** Busy and total CPU time of the whole machine so far, ms. */
function machineCpu() {
  return cpus().reduce((acc, { times: t }) => {
    acc.busy += t.user + t.nice + t.sys + t.irq;
    acc.all += t.user + t.nice + t.sys + t.irq + t.idle;
    return acc;
  }, { busy: 0, all: 0 });
}

/**
 * Load over a phase: the server's event-loop utilisation and CPU, the customers' process's CPU (when
 * its pid is given), PostgreSQL's (its backends serving this database, when on this machine) and
 * the whole machine's (clients, PostgreSQL, anything else).
 */
async function loadMeter(db: Queryable, clientsPid?: number) {
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const machine = machineCpu();
  const clients = processCpuMs(clientsPid);
  const database = await databaseCpu(db);
  const switches = process.resourceUsage();
  const gc = { ms: 0, count: 0, max: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.ms += e.duration;
      gc.count++;
      gc.max = Math.max(gc.max, e.duration);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const t = performance.now();
  return async () => {
    const databaseUsed = databaseCpuUsed(database, await databaseCpu(db));
    gcObserver.disconnect();
    const used = process.cpuUsage(cpu);
    const switched = process.resourceUsage();
    const m = machineCpu();
    const wall = performance.now() - t;
    const serverCores = (used.user + used.system) / 1000 / wall;
    const clientsNow = processCpuMs(clientsPid);
    const clientsCores = clients !== null && clientsNow !== null ? `, clients' process ${((clientsNow - clients) / wall).toFixed(2)} cores` : '';
    const machineBusy = (m.busy - machine.busy) / Math.max(1, m.all - machine.all);
    // Preempted (involuntary) switches: the event loop's thread taken off its CPU, mostly by a process its write just woke.
    const preempted = switched.involuntaryContextSwitches - switches.involuntaryContextSwitches;
    const waited = switched.voluntaryContextSwitches - switches.voluntaryContextSwitches;
    const databaseCores = databaseUsed === null ? '' : `, PostgreSQL ${(databaseUsed / wall).toFixed(2)} cores`;
    return `server event loop ${pct(performance.eventLoopUtilization(elu).utilization)} busy, server CPU ${serverCores.toFixed(2)} cores${clientsCores}${databaseCores}, ` +
      `server process switched off its CPU ${waited} times waiting and ${preempted} times preempted (${(preempted / (wall / 1000)).toFixed(0)}/s), ` +
      `GC ${fmtMs(gc.ms)} in ${gc.count} pauses (longest ${fmtMs(gc.max)}); ` +
      `machine ${pct(machineBusy)} busy of ${cpus().length} CPUs (server, clients, PostgreSQL and any other work)`;
  };
}

// ---- memory --------------------------------------------------------------------------------------

/** global.gc, or V8's own made callable at run time (tsx does not pass --expose-gc). */
function findGc(): (() => void) | null {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

async function heapUsed(gc: (() => void) | null): Promise<number> {
  if (gc) {
    await sleep(100);
    gc();
    await sleep(50);
    gc();
    return process.memoryUsage().heapUsed;
  }
  // No collector to call: the lowest of several samples after pauses.
  let low = Infinity;
  for (let i = 0; i < 6; i++) {
    await sleep(250);
    low = Math.min(low, process.memoryUsage().heapUsed);
  }
  return low;
}

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

// ---- the benchmark -------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * A socket.io server on its own port. `/echo` acknowledges what it is sent (information: the transport alone).
 * `/durable-echo` is the honest floor of any chat that loses nothing: each client is a conversation, and each
 * message is appended to its transcript (the product's own statement: next seq, clientId dedupe) and committed
 * before the acknowledgement.
 */
async function startEcho(db: Database, brandId: string): Promise<{ url: string; io: Server; http: HttpServer }> {
  const http = createServer();
  const io = new Server(http);
  io.of('/echo').on('connection', (socket) => {
    socket.on('echo', (x: unknown, ack: (x: unknown) => void) => ack(x));
  });
  io.of('/durable-echo').on('connection', (socket) => {
    let conversation: Promise<string> | null = null;
    socket.on('echo', async (x: { clientId: string; text: string; value?: Record<string, unknown> }, ack: (x: unknown) => void) => {
      conversation ??= createWebConversation(db, brandId, 'en', null).then((c) => c.conversation.id);
      const { entry } = await appendEntry(db, await conversation, {
        sender: 'customer', text: x.text, clientId: x.clientId, content: x.value ? { value: x.value } : {},
      });
      ack({ seq: entry.seq });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, io, http };
}

/**
 * Where each conversation looks: three dates (tomorrow in words, this week and next week by
 * button: Tuesday, Monday, next Monday), then `pages`
 * "later" pages (2 hours of starts each) from `firstPage` on, then every other start of the page
 * first (30 minutes apart, more than a video call and its buffer), so that the bookings mostly
 * find different times. Warm-up and lone walks page further on, leaving the measured ones theirs.
 */
export function plans(count: number, firstPage: number, pages: number): WalkPlan[] {
  return Array.from({ length: count }, (_, i) => {
    const cell = Math.floor(i / (PICKS.length * pages));
    return {
      ...PICKS[i % PICKS.length]!,
      pages: firstPage + (Math.floor(i / PICKS.length) % pages),
      slotIndex: (2 * cell + Math.floor(cell / 4)) % 8,
    };
  });
}

const KB = 1024;
const fmtKb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** Each kind of turn and what the server does for it. */
const KINDS: [TurnKind, string][] = [
  ['menu', 'choice: menu → services'],
  ['service', 'choice: service → date question'],
  ['date', 'date by button → free times, first page'],
  ['date-words', 'date in words (recognizer) → free times'],
  ['page', 'slot listing: "later" page'],
  ['slot', 'hold the time → summary'],
  ['slot-taken', 'hold refused → times around it'],
  ['confirm', 'choice: confirm → contact form'],
  ['contact', 'contact → code sent'],
  ['code', 'code checked → booked'],
];

function logKinds(ctx: BenchContext, turns: TurnSample[]) {
  for (const [kind, what] of KINDS) {
    const of = turns.filter((s) => s.kind === kind);
    if (of.length) ctx.log(`  ${kind.padEnd(11)} ${String(of.length).padStart(4)} turns  ${fmtTiming(summarize(of.map((s) => s.ms))).padEnd(32)} ${what}`);
  }
}

const isTransaction = (key: string) => key.endsWith(TRANSACTION_START) || key.endsWith(TRANSACTION_END);
/** The rendering of a booked event (notifications/booking-outbox.ts): its two statements name the outbox; work after the reply. */
const RENDERING_AFTER_REPLY = /\bbooking_outbox\b/;
/** How the statement that records a rendering begins (models/booking-outbox.repository.ts recordBookedRendering): one per rendering. */
const RENDERING_RECORDED = /^WITH current AS \( SELECT a\.version FROM appointments a JOIN booking_outbox/;

/** Waiting for a pooled connection between two readings: how often, how long each time, and per unit of work. */
function poolWaitLine(before: PoolWaits, after: PoolWaits, per: number, unit: string): string {
  const waits = after.waits - before.waits;
  const checkouts = after.checkouts - before.checkouts;
  const ms = after.ms - before.ms;
  return `pool: ${waits} of ${checkouts} checkouts waited for a connection (${fmtMs(ms / Math.max(1, waits))} each), ` +
    `${fmtMs(ms / Math.max(1, per))} waiting per ${unit}`;
}

/**
 * Statements, transactions and round trips per turn (a statement on its own is one round trip; a transaction
 * adds its BEGIN and COMMIT), then the statements taking the most time. Waiting for a pooled connection is
 * counted in the statement times and also reported apart, from the pool's own readings.
 */
function logSql(ctx: BenchContext, stats: Map<string, StatementStats>, turns: number, top: number, waited?: { before: PoolWaits; after: PoolWaits }): number {
  const cost = (after: boolean) => {
    const statements = [...stats].filter(([key]) => !isTransaction(key) && key.startsWith(AFTER_REPLY) === after);
    const transactions = stats.get(`${after ? AFTER_REPLY : ''}${TRANSACTION_START}`)?.calls ?? 0;
    const calls = statements.reduce((n, [, s]) => n + s.calls, 0);
    return { statements, calls, transactions, roundTrips: (calls + 2 * transactions) / turns, ms: statements.reduce((n, [, s]) => n + s.ms, 0) };
  };
  const path = cost(false);
  const later = cost(true);
  const renderings = later.statements.filter(([key]) => RENDERING_RECORDED.test(key.slice(AFTER_REPLY.length))).reduce((n, [, s]) => n + s.calls, 0);
  ctx.log(`  database per turn (greetings counted as turns): ${path.roundTrips.toFixed(1)} round trips on the turn's path ` +
    `(${(path.calls / turns).toFixed(1)} statements, ${(path.transactions / turns).toFixed(1)} transactions), ${fmtMs(path.ms / turns)} in statements, ` +
    `${fmtMs(path.ms / Math.max(1, path.calls))} per statement; + ${later.roundTrips.toFixed(1)} after the reply (booked events rendered into ` +
    `messages: ${renderings} renderings, ${((later.calls + 2 * later.transactions) / Math.max(1, renderings)).toFixed(1)} round trips each)`);
  if (waited) ctx.log(`  ${poolWaitLine(waited.before, waited.after, turns, 'turn')}`);
  for (const [sql, s] of [...path.statements, ...later.statements].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    ctx.log(`    ${(s.calls / turns).toFixed(2).padStart(5)}/turn ${fmtMs(s.ms / s.calls).padStart(8)} each  ${sql}`);
  }
  return path.roundTrips;
}

/**
 * Round trips per kind of turn, one conversation at a time: each statement (and each transaction's
 * BEGIN) the server sent is given to the turn or greeting the customers' process had started last
 * before it (same machine clock), so a kind's cost includes work its turn left running after the
 * answer (counted apart as "after typing off"). Statements before any turn started are reported apart.
 */
function logKindsSql(ctx: BenchContext, timeline: StatementEvent[], turns: TurnSample[], greetings: GreetingSpan[]) {
  const spans = [
    ...greetings.map((g) => ({ kind: 'greeting', at: g.at, endAt: g.endAt })),
    ...turns.map((t) => ({ kind: t.kind as string, at: t.at, endAt: t.endAt })),
  ].sort((a, b) => a.at - b.at);
  interface Cost { turns: number; statements: number; transactions: number; after: number; keys: Map<string, number> }
  const costs = new Map<string, Cost>();
  const costOf = (kind: string) => {
    let c = costs.get(kind);
    if (!c) costs.set(kind, c = { turns: 0, statements: 0, transactions: 0, after: 0, keys: new Map() });
    return c;
  };
  for (const span of spans) costOf(span.kind).turns++;
  let outside = 0;
  for (const event of timeline) {
    // Renderings after the reply run in the background, whenever: their cost is reported by logSql, not by kind.
    if (event.key.startsWith(AFTER_REPLY)) continue;
    // The last span started at or before the event (spans are few: a linear scan from the end is enough).
    let i = spans.length - 1;
    while (i >= 0 && spans[i]!.at > event.at) i--;
    if (i < 0) {
      outside++;
      continue;
    }
    const span = spans[i]!;
    const c = costOf(span.kind);
    if (event.key === TRANSACTION_START) c.transactions++;
    else c.statements++;
    if (event.at > span.endAt) c.after++;
    const key = event.key === TRANSACTION_START ? '(transaction: BEGIN + COMMIT)' : event.key;
    c.keys.set(key, (c.keys.get(key) ?? 0) + 1);
  }
  ctx.log(`  round trips per kind of turn (one conversation at a time; a transaction counts its BEGIN and COMMIT):`);
  const order = ['greeting', ...KINDS.map(([k]) => k)];
  for (const kind of order) {
    const c = costs.get(kind);
    if (!c?.turns) continue;
    const per = (n: number) => (n / c.turns).toFixed(1);
    ctx.log(`  ${kind.padEnd(11)} ${String(c.turns).padStart(3)} turns  ${per(c.statements + 2 * c.transactions).padStart(5)} round trips ` +
      `(${per(c.statements)} statements, ${per(c.transactions)} transactions${c.after ? `; ${per(c.after)} of them after typing off` : ''})`);
    for (const [key, n] of [...c.keys].sort((a, b) => b[1] - a[1])) ctx.log(`      ${(n / c.turns).toFixed(2).padStart(5)}  ${key.slice(0, 100)}`);
  }
  if (outside) ctx.log(`  ${outside} statements before the first turn (not attributed)`);
}

/** The product under load: its database (instrumented), the server on a port, the customers' process, warmed up. */
interface Rig {
  raw: BenchDatabase;
  url: string;
  app: Rendezvous;
  clients: Clients;
  stats: Map<string, StatementStats>;
  /** Every statement's send time, when `recording` (the lone phase only: it grows with every statement). */
  timeline: StatementEvent[];
  recording: { on: boolean };
  close(): Promise<void>;
}

async function openRig(ctx: BenchContext, poolSize = POOL_SIZE): Promise<Rig> {
  const raw = await ctx.openDatabase({ poolSize });
  let app: Rendezvous | null = null;
  let clients: Clients | null = null;
  const close = async () => {
    await clients?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await raw.close();
  };
  try {
    ctx.log(`database: ${raw.label}${raw.kind === 'pglite' ? ` (PostgreSQL unavailable: ${ctx.postgresError})` : ''}`);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let t = performance.now();
    await seedDemo(raw, { allowedOrigins: [url] });
    const stats = new Map<string, StatementStats>();
    const timeline: StatementEvent[] = [];
    const recording = { on: false };
    // The statement's key, worked out once per SQL text: the regexp over a long statement on every call weighed on the server it measures.
    const keys = new Map<string, string>();
    const keyOf = (sql: string) => {
      let key = keys.get(sql);
      if (key === undefined) keys.set(sql, (key = sql.replace(/\s+/g, ' ').trim().slice(0, 90)));
      return key;
    };
    const db = instrumented(raw, keyOf, stats, (event) => {
      if (recording.on) timeline.push(event);
    }, RENDERING_AFTER_REPLY);
    const config = loadConfig({
      PUBLIC_URL: url, PORT: String(port), API_RATE_LIMIT_PER_MINUTE: '100000',
      // Every simulated customer comes from this machine's address.
      CHAT_MESSAGES_PER_IP_PER_10S: '1000000', CHAT_CONVERSATIONS_PER_IP_PER_HOUR: '1000000',
      ...(raw.schema ? { PGBOSS_SCHEMA: `${raw.schema}_boss` } : {}),
    });
    app = await createRendezvous({ db, config, logger: pino({ level: 'silent' }), now: () => new Date(NOW), secret: 's'.repeat(40), startWorkers: false });
    await new Promise<void>((resolve) => app!.http.listen(port, '127.0.0.1', resolve));
    clients = await startClients((email) => latestCode(raw, email));
    const tw = performance.now();
    warmUpDateUnderstanding();
    ctx.log(`setup: demo brand seeded, product listening, clients' process up (${fmtMs(performance.now() - t)}; ` +
      `date recognizers ${fmtMs(performance.now() - tw)}); ${pacingText()}`);

    // Warm-up: a few whole walks (JIT, pool, planner, recognizers), untimed.
    t = performance.now();
    const warm = (await clients.request({
      type: 'walk', url, origin: url, plans: plans(WARMUP_CONVERSATIONS, WARMUP_FIRST_PAGE, 1), emailPrefix: 'warm', finish: true, budgetMs: 60_000,
    }, 'walk-done')).outcome;
    if (warm.failed) throw new Error(`warm-up walks failed: ${warm.errors.join('; ')}`);
    ctx.log(`warm-up: ${WARMUP_CONVERSATIONS} conversations booked (${warm.turns.length} turns, ${fmtMs(performance.now() - t)})`);
    return { raw, url, app, clients, stats, timeline, recording, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `count` paced conversations at once, each walking the booking dialog to the end (or the time budget). */
async function walkAll(ctx: BenchContext, rig: Rig, count: number, emailPrefix: string): Promise<{ walk: WalkOutcome; load: string; waits: { before: PoolWaits; after: PoolWaits } | undefined }> {
  const before = rig.raw.poolWaits?.();
  const profiler = await startCpuProfile();
  const meter = await loadMeter(rig.raw, rig.clients.pid);
  const walk = (await rig.clients.request({
    type: 'walk', url: rig.url, origin: rig.url, plans: plans(count, 0, PAGES), emailPrefix, finish: true, budgetMs: WALK_BUDGET_MS, pacing: PACING,
  }, 'walk-done')).outcome;
  const load = await meter();
  // Greetings counted as turns.
  if (profiler) for (const line of await profiler.stop(`walk-${count}`, walk.turns.length + count)) ctx.log(`  ${line}`);
  return { walk, load, waits: before && { before, after: rig.raw.poolWaits!() } };
}

async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const rig = await openRig(ctx);
  const { raw, url, app, clients, stats, timeline, recording } = rig;
  const rows: ResultRow[] = [];
  let echo: Awaited<ReturnType<typeof startEcho>> | null = null;
  try {
    const chatSockets = app.io.of('/chat').sockets;
    echo = await startEcho(raw, DEMO_BRAND_ID);
    const echoSockets = echo.io.of('/echo').sockets;
    const durableSockets = echo.io.of('/durable-echo').sockets;

    // Information: one conversation at a time, nothing else running: what a turn costs by itself.
    stats.clear();
    timeline.length = 0;
    recording.on = true;
    const aloneTurns: TurnSample[] = [];
    const aloneGreetings: GreetingSpan[] = [];
    const aloneLoad = await loadMeter(raw, clients.pid);
    for (let i = 0; i < ALONE_CONVERSATIONS; i++) {
      const alone = (await clients.request({
        type: 'walk', url, origin: url, plans: [plans(ALONE_CONVERSATIONS, ALONE_FIRST_PAGE, 1)[i]!], emailPrefix: `alone${i}`, finish: true, budgetMs: 60_000,
      }, 'walk-done')).outcome;
      if (alone.failed) throw new Error(`lone walk failed: ${alone.errors.join('; ')}`);
      aloneTurns.push(...alone.turns);
      aloneGreetings.push(...alone.greetings);
    }
    recording.on = false;
    const alone = summarize(aloneTurns.map((s) => s.ms));
    ctx.log(`one conversation at a time   ${fmtTiming(alone)}  (${aloneTurns.length} turns of ${ALONE_CONVERSATIONS} conversations, information)`);
    logKinds(ctx, aloneTurns);
    ctx.log(`  ${await aloneLoad()}`);
    logSql(ctx, stats, aloneTurns.length + ALONE_CONVERSATIONS, 10);
    logKindsSql(ctx, timeline, aloneTurns, aloneGreetings);

    // Floors: socket.io round trips of 200 clients at once, paced like the customers: plain (information),
    // then durable (each message stored in its transcript and committed before the answer: the floor).
    const echoFloor = async (namespace: EchoNamespace, label: string) => {
      const load = await loadMeter(raw, clients!.pid);
      const waits = raw.poolWaits?.();
      const echoRun = await clients!.request({
        type: 'echo', url: echo!.url, namespace, clients: CONVERSATIONS, warmup: ECHO_WARMUP, roundTrips: ECHO_ROUND_TRIPS, pacing: PACING,
      }, 'echo-done');
      const used = await load();
      if (echoRun.errors.length) throw new Error(`${namespace} failed: ${echoRun.errors.join('; ')}`);
      const timing = summarize(echoRun.samples);
      await until(() => echoSockets.size === 0 && durableSockets.size === 0, 'echo sockets to close');
      ctx.log(`${label.padEnd(29)}${fmtTiming(timing)}  (${CONVERSATIONS} clients × ${ECHO_ROUND_TRIPS} round trips, ` +
        `paced like the customers, ${((echoRun.samples.length / echoRun.wallMs) * 1000).toFixed(0)}/s)`);
      // The warm-up round trips are sent all at once, unpaced: the pool readings include them.
      ctx.log(`  ${used}${waits ? `; ${poolWaitLine(waits, raw.poolWaits!(), echoRun.samples.length, 'message')} (unpaced warm-up included)` : ''}`);
      return timing;
    };
    const plainEcho = await echoFloor('echo', 'socket.io echo (information)');
    const floor = await echoFloor('durable-echo', 'durable echo (floor)');

    // Figure: 200 conversations at once, each walking the booking dialog to the end.
    stats.clear();
    const { walk, load: walkL, waits: walkWaits } = await walkAll(ctx, rig, CONVERSATIONS, 'bench');
    const turns = summarize(walk.turns.map((s) => s.ms));
    const firstReply = summarize(walk.turns.map((s) => s.firstMs));
    const taken = walk.turns.filter((s) => s.kind === 'slot-taken').length;

    ctx.log(`bot turn (send → typing off) ${fmtTiming(turns)}  (${walk.turns.length} turns of ${CONVERSATIONS} paced conversations at once in ` +
      `${fmtMs(walk.wallMs)}, ${((walk.turns.length / walk.wallMs) * 1000).toFixed(0)} turns/s; ${walk.booked} booked, ` +
      `${walk.failed} failed, ${walk.cut} cut at the ${fmtMs(WALK_BUDGET_MS)} budget, ${taken} "slot taken" turns)`);
    ctx.log(`  first bot activity ${fmtTiming(firstReply)}; greeting on connection ${fmtTiming(summarize(walk.greetingMs))}`);
    if (walk.errors.length) ctx.log(`  errors: ${walk.errors.join(' | ')}`);
    logKinds(ctx, walk.turns);
    ctx.log(`  ${walkL}`);
    const roundTrips = logSql(ctx, stats, walk.turns.length + CONVERSATIONS, 12, walkWaits);

    const p50 = turns.median / floor.median;
    const p99 = turns.p99 / floor.p99;
    const v50 = judge(p50, '<=', P50_TARGET);
    const v99 = judge(p99, '<=', P99_TARGET);
    ctx.log(`ratio turn/durable echo: median ${p50.toFixed(2)}× — target ≤ ${P50_TARGET}×: ${v50.verdict}; p99 ${p99.toFixed(2)}× — target ≤ ${P99_TARGET}×: ${v99.verdict}` +
      ` (plain echo: median ${(turns.median / plainEcho.median).toFixed(1)}×, p99 ${(turns.p99 / plainEcho.p99).toFixed(1)}×, information)`);
    const kind = raw.kind;
    const walkNote = `${walk.turns.length} turns, ${((walk.turns.length / walk.wallMs) * 1000).toFixed(0)}/s, ${walk.booked}/${CONVERSATIONS} booked, ` +
      `${walk.failed} failed, ${walk.cut} cut by the time budget, ${taken} slot-taken; one conversation alone: ${fmtTiming(alone)}`;
    rows.push(
      { name: `chat turn median (${CONVERSATIONS} paced conversations) vs durable echo`, database: kind, figure: fmtMs(turns.median), floor: fmtMs(floor.median), ratio: p50, ...v50, note: walkNote },
      { name: `chat turn p99 (${CONVERSATIONS} paced conversations) vs durable echo`, database: kind, figure: fmtMs(turns.p99), floor: fmtMs(floor.p99), ratio: p99, ...v99 },
      {
        name: `database round trips per turn on its path (${CONVERSATIONS} conversations)`, database: kind, figure: roundTrips.toFixed(1), floor: '',
        ratio: null, target: `≤ ${ROUND_TRIPS_TARGET}`, verdict: roundTrips <= ROUND_TRIPS_TARGET ? 'PASS' : 'MISS',
        note: 'greetings counted as turns; booked events rendered after the reply are counted apart (see the log)',
      },
      { name: `chat turn median vs plain socket.io echo`, database: kind, figure: fmtMs(turns.median), floor: fmtMs(plainEcho.median), ratio: turns.median / plainEcho.median, target: '', verdict: 'INFO' },
    );

    // Memory: the server heap with N idle conversations open (greeted), over the heap with none.
    await clients.request({ type: 'close-all' }, 'closed');
    await until(() => chatSockets.size === 0, 'chat sockets to close');
    const gc = findGc();
    ctx.log(`memory: ${gc ? 'heap after forced GC' : 'no GC available: lowest heap of several samples'}; ` +
      `floor: the same number of plain socket.io connections on the echo server`);
    for (const n of MEMORY_COUNTS) {
      const floorBase = await heapUsed(gc);
      const echoOpen = await clients.request({ type: 'open-echo', url: echo.url, count: n, concurrency: OPEN_CONCURRENCY }, 'opened');
      await until(() => echoSockets.size === echoOpen.count, 'echo sockets to open');
      const floorWith = await heapUsed(gc);
      await clients.request({ type: 'close-all' }, 'closed');
      await until(() => echoSockets.size === 0, 'echo sockets to close');

      const base = await heapUsed(gc);
      const rss = process.memoryUsage().rss;
      const opened = await clients.request({ type: 'open', url, origin: url, count: n, concurrency: OPEN_CONCURRENCY }, 'opened');
      if (opened.failed) ctx.log(`  ${opened.failed} conversations failed to open: ${opened.errors.join(' | ')}`);
      await until(() => chatSockets.size === opened.count, 'chat sockets to open');
      const withOpen = await heapUsed(gc);
      const rssWith = process.memoryUsage().rss;
      await clients.request({ type: 'close-all' }, 'closed');
      await until(() => chatSockets.size === 0, 'chat sockets to close');
      const after = await heapUsed(gc);

      const per = (withOpen - base) / Math.max(1, opened.count);
      const floorPer = (floorWith - floorBase) / Math.max(1, echoOpen.count);
      const ok = per <= MEMORY_TARGET_KB * KB;
      ctx.log(`  ${String(n).padStart(4)} conversations: heap +${fmtKb(withOpen - base)} → ${fmtKb(per)} each ` +
        `(rss +${fmtKb((rssWith - rss) / Math.max(1, opened.count))} each; opened in ${fmtMs(opened.wallMs)}); ` +
        `plain socket.io ${fmtKb(floorPer)} each; after closing: heap ${after >= base ? '+' : ''}${fmtKb(after - base)} over before — ` +
        `target ≤ ${MEMORY_TARGET_KB} KB: ${ok ? 'PASS' : 'MISS'}`);
      rows.push({
        name: `server heap per open conversation (${n})`, database: kind, figure: `${fmtKb(per)}`, floor: `${fmtKb(floorPer)} socket.io`,
        ratio: null, target: `≤ ${MEMORY_TARGET_KB} KB`, verdict: ok ? 'PASS' : 'MISS',
        ...(n === MEMORY_COUNTS[0] ? { note: `floor = a plain socket.io connection (information; the target is absolute)` } : {}),
      });
    }
    return rows;
  } finally {
    if (echo) {
      await echo.io.close().catch(() => undefined);
      if (echo.http.listening) await new Promise<void>((resolve) => echo!.http.close(() => resolve()));
    }
    await rig.close();
  }
}

export const chatBenchmark: Benchmark = { name: 'chat', run };

/**
 * Capacity: the same paced walk at 200, 500, 1,000 and 2,000 conversations, each on a fresh database
 * (free times are used up by the bookings), reporting latency, throughput and load at each step. The
 * knee is the first step whose p99 passes CAPACITY_P99_TARGET_MS.
 */
const CAPACITY_STEPS = [200, 500, 1000, 2000];
const CAPACITY_P99_TARGET_MS = 250;
/** More connections for more conversations, still below PostgreSQL's default max_connections (100). */
const CAPACITY_POOL_SIZE = 40;

async function capacity(ctx: BenchContext): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  let knee: number | null = null;
  for (const count of CAPACITY_STEPS) {
    ctx.log(`-- ${count} paced conversations --`);
    const rig = await openRig(ctx, CAPACITY_POOL_SIZE);
    try {
      const { walk, load, waits } = await walkAll(ctx, rig, count, `cap${count}`);
      const turns = summarize(walk.turns.map((s) => s.ms));
      const perSecond = (walk.turns.length / walk.wallMs) * 1000;
      ctx.log(`bot turn ${fmtTiming(turns)}; ${walk.turns.length} turns in ${fmtMs(walk.wallMs)} (${perSecond.toFixed(0)}/s); ` +
        `${walk.booked} booked, ${walk.failed} failed, ${walk.cut} cut by the time budget`);
      ctx.log(`  ${load}${waits ? `; ${poolWaitLine(waits.before, waits.after, walk.turns.length + count, 'turn')}` : ''}`);
      if (walk.errors.length) ctx.log(`  errors: ${walk.errors.join(' | ')}`);
      const ok = turns.p99 <= CAPACITY_P99_TARGET_MS;
      if (!ok && knee === null) knee = count;
      rows.push({
        name: `chat capacity: ${count} paced conversations`, database: rig.raw.kind, figure: fmtTiming(turns), floor: '', ratio: null,
        target: `p99 ≤ ${CAPACITY_P99_TARGET_MS} ms`, verdict: count === 1000 ? (ok ? 'PASS' : 'MISS') : 'INFO',
        note: `${perSecond.toFixed(0)} turns/s, ${walk.booked}/${count} booked, ${walk.failed} failed, ${walk.cut} cut; ${load}`,
      });
    } finally {
      await rig.close();
    }
  }
  ctx.log(knee === null
    ? `knee: beyond ${CAPACITY_STEPS.at(-1)} conversations (every step kept p99 ≤ ${CAPACITY_P99_TARGET_MS} ms)`
    : `knee: p99 first passes ${CAPACITY_P99_TARGET_MS} ms at ${knee} paced conversations`);
  return rows;
}

export const capacityBenchmark: Benchmark = { name: 'capacity', run: capacity };

