/**
 * The customers of the chat benchmark, in a child process of their own (forked by chat.bench.ts),
 * so their sockets' CPU and heap are not counted against the server's event loop and heap.
 *
 * Driven over the IPC channel (ClientCommand in, ClientReport out). Not a benchmark module itself.
 */
import { io as connect, type Socket } from 'socket.io-client';
import { FORM, SLOTS, type ChatActivity, type FormContent, type MessageAck, type SlotsContent } from '../bot/web-protocol.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom, throughput, wallClock } from './harness.ts';

// ---- protocol with chat.bench.ts -----------------------------------------------------------------

export type TurnKind = 'menu' | 'service' | 'date' | 'date-words' | 'page' | 'slot' | 'slot-taken' | 'confirm' | 'contact' | 'code';

export interface WalkPlan {
  /** Quick pick at the date question (a title of the date buttons), or words typed when `typed`. */
  pick: string;
  /** Types `pick` as words (the date recognizers read it) instead of clicking a button. */
  typed?: boolean;
  /** "later" pages asked for before picking (spreads conversations over times). */
  pages: number;
  /** Index in the shown page of the first slot tried. */
  slotIndex: number;
}

/**
 * How customers pace themselves: each arrives after a random delay in [0, arrivalMs) and, after
 * each answer, thinks for a random time in [thinkMs[0], thinkMs[1]) before sending the next
 * message. Drawn from a PRNG seeded per client (`seed` + index), so runs compare.
 */
export interface Pacing {
  arrivalMs: number;
  thinkMs: [number, number];
  seed: number;
}

export type ClientCommand =
  | { type: 'echo'; url: string; namespace: EchoNamespace; clients: number; warmup: number; roundTrips: number; pacing?: Pacing }
  | {
    /** Conversation i talks to `url`, or to `spread[i % spread.length]` (instances behind a sticky load balancer). */
    type: 'walk'; url: string; spread?: string[]; origin: string; plans: WalkPlan[]; emailPrefix: string; finish: boolean; budgetMs: number; pacing?: Pacing;
  }
  | { type: 'open'; url: string; origin: string; count: number; concurrency: number }
  | { type: 'open-echo'; url: string; count: number; concurrency: number }
  | { type: 'close-all' }
  | { type: 'otp-code'; id: number; code: string | null };

/** `echo` acknowledges at once; `durable-echo` stores the message in the transcript and commits first. */
export type EchoNamespace = 'echo' | 'durable-echo';

export interface TurnSample {
  kind: TurnKind;
  ms: number;
  /** Send → first bot activity of the turn. */
  firstMs: number;
  /** When it was sent and when the bot's typing stopped, epoch ms (harness.ts wallClock: the server's statements compare). */
  at: number;
  endAt: number;
}

/** A conversation's greeting: connecting → greeting done, epoch ms. */
export interface GreetingSpan { at: number; endAt: number }

export interface WalkOutcome {
  turns: TurnSample[];
  /** Connection → greeting done, per conversation. */
  greetingMs: number[];
  /** The same greetings' spans on the machine's clock. */
  greetings: GreetingSpan[];
  booked: number;
  /** Walks that stopped before the end (unexpected answer, error, rate limit, time-out). */
  failed: number;
  /** Walks cut short because the time budget ran out (no further turn started after it). */
  cut: number;
  errors: string[];
  wallMs: number;
}

export type ClientReport =
  | { type: 'ready' }
  | { type: 'echo-done'; samples: number[]; errors: string[]; wallMs: number }
  | { type: 'walk-done'; outcome: WalkOutcome }
  | { type: 'opened'; count: number; failed: number; errors: string[]; wallMs: number }
  | { type: 'closed' }
  | { type: 'otp'; id: number; email: string };

// ---- helpers -------------------------------------------------------------------------------------

const TURN_TIMEOUT_MS = 30_000;
/** Slots tried before a walk gives up: 200 customers paging the same hours collide often (a paced walk stays within the socket's 20 messages per 10 s). */
const MAX_SLOT_ATTEMPTS = 12;
const sockets = new Set<Socket>();
const send = (report: ClientReport) => process.send!(report);
const since = (t: number) => performance.now() - t;
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

function pushError(errors: string[], message: string) {
  if (errors.length < 5 && !errors.includes(message)) errors.push(message);
}

/** A client's own clock of pauses: arrival, then a think time before every turn but the first. */
function pauses(pacing: Pacing | undefined, index: number) {
  const random = seededRandom((pacing?.seed ?? 1) * 7919 + index);
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  return {
    random,
    arrive: () => (pacing ? sleep(between(0, pacing.arrivalMs)) : Promise.resolve()),
    think: () => (pacing ? sleep(between(pacing.thinkMs[0], pacing.thinkMs[1])) : Promise.resolve()),
  };
}

const pendingCodes = new Map<number, (code: string | null) => void>();
let codeRequests = 0;
/** The one-time code sent to `email`, read by the parent from the outbox. */
function otpCode(email: string): Promise<string | null> {
  const id = ++codeRequests;
  return new Promise((resolve) => {
    pendingCodes.set(id, resolve);
    send({ type: 'otp', id, email });
  });
}

// ---- one customer --------------------------------------------------------------------------------

/** A conversation over the real widget protocol: a turn is a message, answered until the bot's typing stops. */
class Conversation {
  readonly socket: Socket;
  private waiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private replies: ChatActivity[] = [];
  private firstAt = 0;
  private sent = 0;
  readonly greeted: Promise<void>;

  constructor(url: string, origin: string, readonly id: string) {
    this.socket = connect(`${url}/chat`, {
      auth: { brand: 'demo', timeZone: 'Europe/Paris', locale: 'en' },
      transports: ['websocket'],
      extraHeaders: { origin },
      reconnection: false,
      forceNew: true,
    });
    sockets.add(this.socket);
    this.socket.on('activity', (a: ChatActivity) => {
      if (a.from !== 'bot') return;
      if (this.replies.length === 0) this.firstAt = performance.now();
      this.replies.push(a);
    });
    this.socket.on('typing', (e: { from: string; on: boolean }) => {
      if (e.from === 'bot' && !e.on) this.settle(null);
    });
    this.socket.on('chat-error', (e: { code: string; message: string }) => this.settle(new Error(`chat-error ${e.code}: ${e.message}`)));
    this.socket.on('connect_error', (e: Error) => this.settle(new Error(`connect_error: ${e.message}`)));
    this.socket.on('disconnect', (reason: string) => this.settle(new Error(`disconnected: ${reason}`)));
    this.greeted = this.wait();
  }

  private settle(error: Error | null) {
    const w = this.waiter;
    if (!w) return;
    this.waiter = null;
    if (error) w.reject(error);
    else w.resolve();
  }

  private wait(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(new Error('timed out waiting for the bot')), TURN_TIMEOUT_MS);
      this.waiter = {
        resolve: () => { clearTimeout(timer); resolve(); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
    });
  }

  /** One turn: what the bot said, and how long it took (send → typing off, send → first activity). */
  async turn(text: string, value?: Record<string, unknown>): Promise<{ replies: ChatActivity[]; ms: number; firstMs: number; at: number; endAt: number }> {
    this.replies = [];
    this.firstAt = 0;
    const done = this.wait();
    done.catch(() => undefined); // awaited below; a failed send must not leave it unhandled
    const t = performance.now();
    const at = wallClock();
    const payload = { clientId: `${this.id}-${++this.sent}`, text, ...(value ? { value } : {}) };
    const ack = (await this.socket.timeout(TURN_TIMEOUT_MS).emitWithAck('message', payload)) as MessageAck;
    if (!ack.ok) {
      this.settle(null);
      await done.catch(() => undefined);
      throw new Error(`message refused: ${ack.error.code}`);
    }
    await done;
    const ms = since(t);
    return { replies: this.replies, ms, firstMs: this.firstAt ? this.firstAt - t : ms, at, endAt: wallClock() };
  }

  close() {
    this.socket.disconnect();
    sockets.delete(this.socket);
  }
}

const actionsOf = (replies: ChatActivity[]) => replies.flatMap((r) => r.suggestedActions?.map((a) => a.title) ?? []);
function contentOf<T>(replies: ChatActivity[], type: string): T | undefined {
  for (const r of [...replies].reverse()) {
    const found = r.attachments?.find((a) => a.contentType === type);
    if (found) return found.content as T;
  }
  return undefined;
}
const slotsOf = (replies: ChatActivity[]) => contentOf<SlotsContent>(replies, SLOTS)?.days.flatMap((d) => d.slots) ?? [];
const textOf = (replies: ChatActivity[]) => replies.map((r) => r.text).join(' / ').slice(0, 160);

class OutOfTime extends Error {}

/** Menu → Video advice → date pick → [later pages] → slot (again if taken) → Confirm → contact → [code]. */
async function walk(
  c: Conversation, plan: WalkPlan, email: string, finish: boolean, turns: TurnSample[], deadline: number, pace: ReturnType<typeof pauses>,
): Promise<boolean> {
  let first = true;
  const turn = async (text: string, value?: Record<string, unknown>) => {
    if (!first) await pace.think();
    first = false;
    if (performance.now() > deadline) throw new OutOfTime();
    return c.turn(text, value);
  };
  const click = (title: string) => turn(title, { choice: title });
  const record = (kind: TurnKind, r: { ms: number; firstMs: number; at: number; endAt: number }) =>
    turns.push({ kind, ms: r.ms, firstMs: r.firstMs, at: r.at, endAt: r.endAt });
  const expect = (ok: boolean, step: string, replies: ChatActivity[]) => {
    if (!ok) throw new Error(`unexpected answer at ${step}: ${textOf(replies)}`);
  };

  let r = await click('Book an appointment');
  record('menu', r);
  expect(actionsOf(r.replies).includes('Video advice'), 'menu', r.replies);
  r = await click('Video advice');
  record('service', r);
  expect(plan.typed || actionsOf(r.replies).includes(plan.pick), 'service', r.replies);
  r = plan.typed ? await turn(plan.pick) : await click(plan.pick);
  record(plan.typed ? 'date-words' : 'date', r);
  let slots = slotsOf(r.replies);
  expect(slots.length > 0, 'date', r.replies);
  for (let p = 0; p < plan.pages && contentOf<SlotsContent>(r.replies, SLOTS)?.later; p++) {
    r = await turn('later', { action: 'later' });
    record('page', r);
    slots = slotsOf(r.replies);
    expect(slots.length > 0, 'page', r.replies);
  }
  for (let attempt = 0; ; attempt++) {
    // Then, taken, any of the free times shown around it.
    const slot = slots[attempt === 0 ? plan.slotIndex % slots.length : Math.floor(pace.random() * slots.length)]!;
    r = await turn(slot.label, { action: 'slot', start: slot.start });
    if (actionsOf(r.replies).includes('Confirm')) {
      record('slot', r);
      break;
    }
    // Taken meanwhile by another conversation: the bot shows the free times around it.
    record('slot-taken', r);
    slots = slotsOf(r.replies);
    expect(slots.length > 0 && attempt < MAX_SLOT_ATTEMPTS, 'slot', r.replies);
  }
  r = await click('Confirm');
  record('confirm', r);
  expect(contentOf<FormContent>(r.replies, FORM)?.form === 'contact', 'confirm', r.replies);
  r = await turn('', { action: 'form', form: 'contact', values: { name: `Bench ${c.id}`, email, phone: '' } });
  record('contact', r);
  expect(contentOf<FormContent>(r.replies, FORM)?.form === 'code', 'contact', r.replies);
  if (!finish) return false;
  const code = await otpCode(email);
  if (!code) throw new Error(`no code was sent to ${email}`);
  r = await turn('', { action: 'form', form: 'code', values: { code } });
  record('code', r);
  expect(r.replies.some((a) => a.text.includes("You're booked!")), 'code', r.replies);
  return true;
}

async function runWalks(cmd: Extract<ClientCommand, { type: 'walk' }>): Promise<WalkOutcome> {
  const outcome: WalkOutcome = { turns: [], greetingMs: [], greetings: [], booked: 0, failed: 0, cut: 0, errors: [], wallMs: 0 };
  const began = performance.now();
  const deadline = began + cmd.budgetMs;
  await Promise.all(cmd.plans.map(async (plan, i) => {
    const pace = pauses(cmd.pacing, i);
    await pace.arrive();
    const url = cmd.spread?.length ? cmd.spread[i % cmd.spread.length]! : cmd.url;
    const t = performance.now();
    const at = wallClock();
    const c = new Conversation(url, cmd.origin, `${cmd.emailPrefix}-${i}-${process.pid}`);
    let failedAt = 'greeting';
    try {
      await c.greeted;
      outcome.greetingMs.push(since(t));
      outcome.greetings.push({ at, endAt: wallClock() });
      failedAt = 'walk';
      if (await walk(c, plan, `${cmd.emailPrefix}-${i}@bench.example`, cmd.finish, outcome.turns, deadline, pace)) outcome.booked++;
    } catch (error) {
      if (error instanceof OutOfTime) {
        outcome.cut++;
        return;
      }
      outcome.failed++;
      pushError(outcome.errors, `${failedAt}: ${describe(error)}`);
    } finally {
      c.close();
    }
  }));
  outcome.wallMs = since(began);
  return outcome;
}

// ---- idle conversations and echo clients ---------------------------------------------------------

/** Greeted conversations, or echo connections, opened `concurrency` at a time and left open (until close-all). */
async function open(count: number, concurrency: number, connect: (i: number) => Promise<unknown>): Promise<ClientReport> {
  const r = await throughput(count, concurrency, connect);
  return { type: 'opened', count: r.ok, failed: r.failed, errors: r.errors, wallMs: r.wallMs };
}

function echoSocket(url: string, namespace: EchoNamespace = 'echo'): Promise<Socket> {
  const socket = connect(`${url}/${namespace}`, { transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.add(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** `clients` sockets each doing round trips (paced like the customers when `pacing` is given), all at once. */
async function runEcho(cmd: Extract<ClientCommand, { type: 'echo' }>): Promise<ClientReport> {
  const clients = await Promise.all(Array.from({ length: cmd.clients }, () => echoSocket(cmd.url, cmd.namespace)));
  const paces = clients.map((_, i) => pauses(cmd.pacing, i));
  const samples: number[] = [];
  const errors: string[] = [];
  // About what a chat message carries (a quick reply's text and value).
  // Every message has a clientId of its own: the durable echo stores each one (a repeat would be a cheaper duplicate).
  const payload = (i: number, n: number) => ({ clientId: `echo-${i}-${n}`, text: 'Book an appointment', value: { choice: 'Book an appointment' } });
  const roundTrip = (s: Socket, i: number, n: number) => s.timeout(TURN_TIMEOUT_MS).emitWithAck('echo', payload(i, n));
  await Promise.all(clients.map(async (s, i) => {
    for (let n = 0; n < cmd.warmup; n++) await roundTrip(s, i, cmd.roundTrips + n);
  }));
  const began = performance.now();
  await Promise.all(clients.map(async (s, i) => {
    await paces[i]!.arrive();
    for (let n = 0; n < cmd.roundTrips; n++) {
      if (n > 0) await paces[i]!.think();
      const t = performance.now();
      try {
        await roundTrip(s, i, n);
        samples.push(since(t));
      } catch (error) {
        pushError(errors, describe(error));
      }
    }
  }));
  const wallMs = since(began);
  for (const s of clients) {
    s.disconnect();
    sockets.delete(s);
  }
  return { type: 'echo-done', samples, errors, wallMs };
}

// ---- IPC -----------------------------------------------------------------------------------------

process.on('message', (cmd: ClientCommand) => {
  const run = async (): Promise<ClientReport | null> => {
    switch (cmd.type) {
      case 'echo': return runEcho(cmd);
      case 'walk': return { type: 'walk-done', outcome: await runWalks(cmd) };
      case 'open': return open(cmd.count, cmd.concurrency, (i) => new Conversation(cmd.url, cmd.origin, `idle-${i}`).greeted);
      case 'open-echo': return open(cmd.count, cmd.concurrency, () => echoSocket(cmd.url));
      case 'close-all':
        for (const s of sockets) s.disconnect();
        sockets.clear();
        return { type: 'closed' };
      case 'otp-code':
        pendingCodes.get(cmd.id)?.(cmd.code);
        pendingCodes.delete(cmd.id);
        return null;
    }
  };
  run().then(
    (report) => { if (report) send(report); },
    (error) => {
      console.error('bench chat clients:', error);
      process.exit(1);
    },
  );
});
// The parent going away ends the customers too.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
