import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import pino from 'pino';
import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import { pastTheGate } from '../models/statement-gate.ts';
import { loadConfig } from '../server/config.ts';
import { createRendezvous, type Rendezvous } from '../server/composition.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { ChatCustomer } from './support/chat-customer.ts';
import { until } from './support/wait.ts';
import { FORM, SLOTS, type ChatActivity, type FormContent, type MessageAck, type SlotsContent } from '../bot/web-protocol.ts';

/**
 * A customer message whose conversation's dialog state this instance knows runs its turn before the
 * message is stored (bot/customer-inbox.ts, bot/deferred-message.ts): a turn that only reads stores
 * the message, its replies and its state in one statement at its end, and shows nothing before; a
 * turn that may not stand (the state changed elsewhere, a resend) runs again the usual way or not at all.
 * A turn that writes stores its message with its first write, in that write's statement when it can.
 */

const QUESTION = 'is there parking?';
const ANSWER = /public car park/;
const TURN_STATEMENT = 'save_customer_turn';

/**
 * Statements naming the job queue's schema (`pgboss` on PGlite, `<schema>_boss` on PostgreSQL): pg-boss's own polls,
 * and the delivery jobs a booking's rendering inserts after the reply. No turn's own statement names it.
 */
const JOB_QUEUE_STATEMENT = /\b\w*boss\.\w/;

/** The product's database: the statements that reach it are recorded, and the turns' statements are held while `hold` is set. */
function observed(db: Database) {
  let hold: Promise<void> | null = null;
  const statements: string[] = [];
  const wrapped: Database = {
    ...db,
    // Past the statement gate first (as the database below would), so that a write carried by a customer message's
    // statement (models/statement-gate.ts) is recorded once, as that statement.
    query: (sql, params) => pastTheGate(sql, params, async () => {
      // pg-boss polls on its own every few seconds: on a busy machine a poll can fall inside a turn.
      if (!JOB_QUEUE_STATEMENT.test(sql)) statements.push(sql);
      if (hold && sql.includes(TURN_STATEMENT)) await hold;
      return db.query(sql, params);
    }),
    transaction(work) {
      statements.push('BEGIN');
      return db.transaction(work);
    },
  };
  return {
    db: wrapped,
    statements,
    /** Holds the next turns' statements until the returned function is called. */
    holdTurns(): () => void {
      let release!: () => void;
      hold = new Promise<void>((resolve) => { release = resolve; });
      return () => {
        hold = null;
        release();
      };
    },
  };
}

const content = <T,>(replies: ChatActivity[], type: string) =>
  replies.flatMap((r) => r.attachments ?? []).reverse().find((a) => a.contentType === type)?.content as T | undefined;
const actionsOf = (replies: ChatActivity[]) => replies.flatMap((r) => r.suggestedActions ?? []).map((a) => a.title);

/** The seq a message was stored at (its ack must be a success). */
function seqOf(ack: MessageAck | null): number {
  if (!ack?.ok) throw new Error(`message refused: ${JSON.stringify(ack)}`);
  return ack.seq;
}

describe.each(DATABASE_KINDS)('turns run before their message is stored (%s)', (kind) => {
  let db: Database;
  let watch: ReturnType<typeof observed>;
  let rendezvous: Rendezvous;
  let url: string;
  const customers: ChatCustomer[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    url = `http://127.0.0.1:${port}`;
    await seedDemo(db, { allowedOrigins: [url] });
    watch = observed(db);
    const config = loadConfig({ PUBLIC_URL: url, PORT: String(port) });
    rendezvous = await createRendezvous({ db: watch.db, config, logger: pino({ level: 'silent' }), now: () => new Date(), secret: 's'.repeat(40) });
    await new Promise<void>((resolve) => rendezvous.http.listen(port, '127.0.0.1', resolve));
  }, 120_000);

  afterAll(async () => {
    for (const c of customers) c.disconnect();
    await rendezvous?.close();
    await db?.close();
  });

  const transcript = (conversationId: string) => db.query<{ seq: number; sender: string; text: string }>(
    'SELECT seq, sender, text FROM conversation_messages WHERE conversation_id = $1 ORDER BY seq', [conversationId],
  );
  const stateOf = async (conversationId: string) => (await db.query<{ etag: string; data: unknown }>(
    'SELECT etag::text AS etag, data FROM dialog_state WHERE key = $1', [`web/conversations/${conversationId}/`],
  ))[0];
  const turnsOf = async (conversationId: string) => (await db.query<{ asked: number; done: number }>(
    'SELECT turns_asked AS asked, turns_done AS done FROM conversations WHERE id = $1', [conversationId],
  ))[0]!;

  /** Every turn the conversation's messages asked for is done. */
  const allTurnsDone = async (conversationId: string) => {
    const turns = await turnsOf(conversationId);
    return turns.done === turns.asked;
  };

  /** Bot turns refused and run again, as /metrics counts them (a scraper on this host needs no token). */
  const turnsAgain = async () => {
    const series = 'rendezvous_bot_turns_total{outcome="again"}';
    const line = (await (await fetch(`${url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };

  /** A customer past the greeting and one answered question: the instance knows its state. */
  async function customerWithState(name: string): Promise<{ customer: ChatCustomer; conversationId: string }> {
    const customer = new ChatCustomer(name, { origin: url, ip: `10.9.${customers.length}.1` });
    customers.push(customer);
    await customer.connectTo(url);
    await until(() => customer.session !== null && customer.answeredAfter(0), 60_000);
    const first = await customer.send(`${name}-first-0000`, 'is it free?');
    await until(() => customer.answeredAfter(seqOf(first)), 60_000);
    return { customer, conversationId: customer.session!.conversationId };
  }

  test('a turn that only reads stores its message, replies and state in one statement, and shows nothing before', async () => {
    const { customer, conversationId } = await customerWithState('held');
    const before = await stateOf(conversationId);
    const entriesBefore = (await transcript(conversationId)).length;
    const seen = customer.received.length;
    let typing = 0;
    customer.socket.on('typing', (t: { from: string; on: boolean }) => {
      if (t.from === 'bot' && t.on) typing++;
    });
    const release = watch.holdTurns();
    const statementsBefore = watch.statements.length;
    const acked = customer.send('held-second-0000', QUESTION);
    try {
      // The turn has run up to its store (the bot is typing)…
      await until(() => typing > 0 && watch.statements.length > statementsBefore, 60_000);
      // …and nothing is stored or shown yet.
      expect(await stateOf(conversationId)).toEqual(before);
      expect(await transcript(conversationId)).toHaveLength(entriesBefore);
      expect(customer.received.length).toBe(seen);
    } finally {
      release();
    }
    const seq = seqOf(await acked);
    await until(() => customer.answeredAfter(seq), 60_000);
    // One statement for the whole turn.
    expect(watch.statements.slice(statementsBefore)).toEqual([expect.stringContaining(TURN_STATEMENT)]);
    const rows = await transcript(conversationId);
    const asked = rows.findIndex((r) => r.seq === seq);
    expect(asked).toBe(entriesBefore);
    expect(rows[asked]).toMatchObject({ sender: 'customer', text: QUESTION });
    expect(rows[asked + 1]).toMatchObject({ sender: 'bot' });
    expect(rows[asked + 1]!.text).toMatch(ANSWER);
    expect(rows.slice(asked + 1).every((r) => r.sender === 'bot')).toBe(true);
    expect(Number((await stateOf(conversationId))!.etag)).toBe(Number(before!.etag) + 1);
    expect(await turnsOf(conversationId)).toEqual({ asked: 2, done: 2 });
    // Shown in order: the customer's message, then the answer.
    await until(() => customer.received.filter((a) => a.seq >= seq).length === rows.length - asked, 60_000);
    expect(customer.received.filter((a) => a.seq >= seq).map((a) => a.seq)).toEqual(rows.slice(asked).map((r) => r.seq));
  }, 120_000);

  test('a state changed elsewhere meanwhile: the turn run first is refused and the message answered once, on the stored state', async () => {
    const { customer, conversationId } = await customerWithState('changed');
    const againBefore = await turnsAgain();
    // Another writer (another instance, say) stores the same state again: a new eTag this instance has not seen.
    await db.query('UPDATE dialog_state SET etag = etag + 1 WHERE key = $1', [`web/conversations/${conversationId}/`]);
    const changed = await stateOf(conversationId);
    const seq = seqOf(await customer.send('changed-second-0000', QUESTION));
    await until(() => customer.answeredAfter(seq), 60_000);
    await until(() => allTurnsDone(conversationId), 60_000);
    const after = (await transcript(conversationId)).filter((r) => r.seq > seq);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r) => r.sender === 'bot')).toBe(true);
    expect(after.map((r) => r.text).join('\n')).toMatch(ANSWER);
    expect(after.map((r) => r.text).join('\n')).not.toMatch(/sorry/i);
    // Written once, over the state the other writer left.
    expect(Number((await stateOf(conversationId))!.etag)).toBe(Number(changed!.etag) + 1);
    // Nothing shown twice.
    const shown = customer.received.filter((a) => a.seq > seq).map((a) => a.seq);
    expect(new Set(shown).size).toBe(shown.length);
    // Counted as a turn run again, not as a failure.
    expect(await turnsAgain()).toBe(againBefore + 1);
  }, 120_000);

  test('a resent message is not answered again', async () => {
    const { customer, conversationId } = await customerWithState('resent');
    const seq = seqOf(await customer.send('resent-second-0000', QUESTION));
    await until(() => customer.answeredAfter(seq), 60_000);
    await until(() => allTurnsDone(conversationId), 60_000);
    const before = await transcript(conversationId);
    const state = await stateOf(conversationId);
    const again = await customer.send('resent-second-0000', QUESTION);
    expect(again).toMatchObject({ ok: true, seq, duplicate: true });
    // A question asked after it is answered, and the resend never was.
    const next = seqOf(await customer.send('resent-third-0000', 'what should I bring?'));
    await until(() => customer.answeredAfter(next), 60_000);
    const rows = await transcript(conversationId);
    expect(rows.slice(0, before.length)).toEqual(before);
    expect(rows[before.length]).toMatchObject({ sender: 'customer', text: 'what should I bring?' });
    expect(rows.slice(before.length + 1).every((r) => r.sender === 'bot')).toBe(true);
    expect(Number((await stateOf(conversationId))!.etag)).toBe(Number(state!.etag) + 1);
  }, 120_000);

  /** A customer's turns, one at a time: the bot's activities after each message, and the statements until every turn was done. */
  function walker(customer: ChatCustomer, conversationId: string) {
    let n = 0;
    const turn = async (text: string, value?: Record<string, unknown>) => {
      const from = watch.statements.length;
      const seq = seqOf(await customer.send(`${customer.name}-${++n}-0000`, text, value));
      await until(() => customer.answeredAfter(seq), 60_000);
      await until(() => allTurnsDone(conversationId), 60_000);
      const replies: ChatActivity[] = [];
      // Every reply of the turn is shown once the turn is done; the last one may still be on its way.
      await until(() => {
        replies.splice(0, replies.length, ...[...customer.activities.values()].filter((a) => a.seq > seq && a.from === 'bot'));
        return replies.some((a) => (a.suggestedActions?.length ?? 0) > 0 || (a.attachments?.length ?? 0) > 0);
      }, 60_000);
      return { seq, replies, statements: watch.statements.slice(from) };
    };
    const click = (title: string) => turn(title, { choice: title });
    return {
      turn, click,
      turns: () => n,
      /** Book → Video advice → the first date offered: its free times. */
      async freeTimes() {
        await click('Book an appointment');
        const service = await click('Video advice');
        const date = await click(actionsOf(service.replies)[0]!);
        return content<SlotsContent>(date.replies, SLOTS)!.days[0]!.slots;
      },
    };
  }

  test("a turn that writes stores its message in its first write's own statement: the hold, the code sent, the code used", async () => {
    const { customer, conversationId } = await customerWithState('writer');
    const walk = walker(customer, conversationId);
    const { turn, click } = walk;
    const slot = (await walk.freeTimes())[0]!;
    const held = await turn(slot.label, { action: 'slot', start: slot.start });
    // The hold ran inside the message's statement; then the turn's save.
    const carrying = (write: RegExp) => expect.stringMatching(new RegExp(`save_customer_turn[\\s\\S]*${write.source}`));
    expect(held.statements).toEqual([carrying(/FROM hold_slot\(/), expect.stringContaining('UPDATE dialog_state')]);
    const confirm = await click('Confirm');
    expect(content<FormContent>(confirm.replies, FORM)?.form).toBe('contact');
    const email = `writer-${kind}@example.com`;
    const sent = await turn('', { action: 'form', form: 'contact', values: { name: 'Ada Writer', email, phone: '' } });
    expect(sent.statements[0]).toEqual(carrying(/FROM otp_send\(/));
    const [otp] = await db.query<{ text: string }>("SELECT body_text AS text FROM messages WHERE recipient = $1 AND kind = 'otp' ORDER BY seq DESC LIMIT 1", [email]);
    const code = /\b(\d{6})\b/.exec(otp!.text)![1]!;
    const booked = await turn('', { action: 'form', form: 'code', values: { code } });
    expect(booked.statements[0]).toEqual(carrying(/FROM otp_consume_matching\(/));
    // That statement used the code: the turn had no other look at the codes.
    expect(booked.statements.slice(1).filter((q) => q.includes('otp_codes'))).toEqual([]);
    expect(booked.replies.map((r) => r.text).join('\n')).toMatch(/You're booked!/);

    // No message was stored alone; each once, before the bot's answer to it, and every turn's number taken and done once.
    expect([...held.statements, ...sent.statements, ...booked.statements].filter((q) => q.includes('WITH seen AS'))).toEqual([]);
    const rows = await transcript(conversationId);
    for (const t of [held, sent, booked]) {
      const at = rows.findIndex((r) => r.seq === t.seq);
      expect(rows[at]).toMatchObject({ sender: 'customer' });
      expect(rows[at + 1]).toMatchObject({ sender: 'bot' });
    }
    expect(new Set(rows.map((r) => r.seq)).size).toBe(rows.length);
    expect(await turnsOf(conversationId)).toEqual({ asked: walk.turns() + 1, done: walk.turns() + 1 });
    const [appointment] = await db.query<{ state: string }>('SELECT state FROM appointments WHERE conversation_id = $1', [conversationId]);
    expect(appointment).toBeDefined();
  }, 180_000);

  test('a turn that would hold a time, begun on a state changed elsewhere, holds nothing; run again, it holds the time once', async () => {
    const { customer, conversationId } = await customerWithState('holder');
    const walk = walker(customer, conversationId);
    // A time of its own (the other test holds the first).
    const slot = (await walk.freeTimes()).at(-1)!;
    const againBefore = await turnsAgain();
    await db.query('UPDATE dialog_state SET etag = etag + 1 WHERE key = $1', [`web/conversations/${conversationId}/`]);
    const held = await walk.turn(slot.label, { action: 'slot', start: slot.start });
    // Its first try asked for the hold with the message and was refused: the message alone was stored. Run again,
    // the turn held the time by itself.
    expect(held.statements.filter((q) => q.includes('hold_slot('))).toEqual([
      expect.stringContaining('save_customer_turn'), expect.not.stringContaining('save_customer_turn'),
    ]);
    expect(actionsOf(held.replies)).toContain('Confirm');
    const [holds] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM holds WHERE start_at = $1', [slot.start]);
    expect(holds!.n).toBe(1);
    expect(await turnsAgain()).toBe(againBefore + 1);
    const rows = (await transcript(conversationId)).filter((r) => r.seq >= held.seq);
    expect(rows[0]).toMatchObject({ sender: 'customer', text: slot.label });
    expect(rows.slice(1).every((r) => r.sender === 'bot')).toBe(true);
    expect(rows.filter((r) => /Here is your appointment/.test(r.text))).toHaveLength(1);
  }, 180_000);
});
