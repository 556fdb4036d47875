import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import {
  appendEntry, createWebConversation, saveCustomerTurn, saveTurn, type CustomerEntry,
} from '../models/conversations.repository.ts';
import { composableWrite, guardWrites, outsideGuard, readOnlyStatement, type Statement } from '../models/statement-gate.ts';
import { DeferredMessage } from '../bot/deferred-message.ts';
import { EarlyTurnRefused, TurnTicket } from '../bot/turn-order.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { until } from './support/wait.ts';

/**
 * The statement that stores a customer message with the turn that answered it (migration 028), and
 * the guard that stores the message first when such a turn writes anything else (models/statement-gate.ts).
 */

const key = (conversationId: string) => `web/conversations/${conversationId}/`;

describe.each(DATABASE_KINDS)('a customer message stored with its turn (%s)', (kind) => {
  let db: Database;
  let n = 0;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db, { allowedOrigins: [] });
  }, 120_000);

  afterAll(() => db?.close());

  /** A conversation greeted by the bot: one reply stored with its first state (eTag returned). */
  async function greeted(): Promise<{ id: string; etag: string }> {
    const { conversation } = await createWebConversation(db, 'demo', 'en', null);
    const saved = await saveTurn(db, conversation.id, [{ sender: 'bot', text: 'Hello!' }], { key: key(conversation.id), data: '{"step":1}', eTag: undefined });
    return { id: conversation.id, etag: saved.etag! };
  }

  const message = (over: Partial<CustomerEntry> = {}): CustomerEntry => ({
    id: crypto.randomUUID(), clientId: `client-${++n}`, text: 'is there parking?', content: {}, ...over,
  });
  const rows = (id: string) => db.query<{ seq: number; sender: string; text: string; client_id: string | null }>(
    'SELECT seq, sender, text, client_id FROM conversation_messages WHERE conversation_id = $1 ORDER BY seq', [id],
  );
  const conversationRow = async (id: string) => (await db.query<{ last_seq: number; turns_asked: number; turns_done: number }>(
    'SELECT last_seq, turns_asked, turns_done FROM conversations WHERE id = $1', [id],
  ))[0]!;
  const stateRow = async (id: string) => (await db.query<{ etag: string; data: unknown }>(
    'SELECT etag::text AS etag, data FROM dialog_state WHERE key = $1', [key(id)],
  ))[0]!;

  /** A turn's message, deferred, the sequence numbers published, and the statements its stores made. */
  async function deferredTurn(c: { id: string; etag: string }) {
    const published: number[] = [];
    const statements: string[] = [];
    const ticket = new TurnTicket(null);
    const counted = { query: <T,>(sql: string, params?: readonly unknown[]) => (statements.push(sql), db.query<T>(sql, params)) };
    const deferred = new DeferredMessage({ db: counted, publish: (entry) => published.push(entry.seq) }, c.id, message(),
      { key: key(c.id), eTag: c.etag }, [key(c.id)], ticket);
    const beforeWrite = (write: Statement | null) => deferred.beforeWrite(write);
    return { deferred, ticket, published, beforeWrite, statements };
  }

  test('a turn that stands: message, replies, state and turn order in one statement', async () => {
    const c = await greeted();
    const m = message();
    const saved = await saveCustomerTurn(db, c.id, m, { key: key(c.id), eTag: c.etag, data: '{"step":2}' },
      [{ sender: 'bot', text: 'There is a public car park.' }, { sender: 'bot', text: 'Anything else?' }], [key(c.id)]);
    expect(saved).toMatchObject({ outcome: 'stands', turn: 1, etag: String(Number(c.etag) + 1) });
    if (saved.outcome !== 'stands') throw new Error('unreachable');
    expect(saved.entries.map((e) => [e.seq, e.sender, e.id === m.id])).toEqual([[2, 'customer', true], [3, 'bot', false], [4, 'bot', false]]);
    expect(saved.entries[0]!.createdAt).toBeInstanceOf(Date);
    expect(await rows(c.id)).toEqual([
      { seq: 1, sender: 'bot', text: 'Hello!', client_id: null },
      { seq: 2, sender: 'customer', text: 'is there parking?', client_id: m.clientId },
      { seq: 3, sender: 'bot', text: 'There is a public car park.', client_id: null },
      { seq: 4, sender: 'bot', text: 'Anything else?', client_id: null },
    ]);
    expect(await conversationRow(c.id)).toEqual({ last_seq: 4, turns_asked: 1, turns_done: 1 });
    expect(await stateRow(c.id)).toEqual({ etag: saved.etag, data: { step: 2 } });
  });

  test('an unchanged state stays as it is, and must still be the one the turn began on', async () => {
    const c = await greeted();
    const saved = await saveCustomerTurn(db, c.id, message(), { key: key(c.id), eTag: c.etag, data: null }, [], [key(c.id)]);
    expect(saved).toMatchObject({ outcome: 'stands', etag: c.etag, turn: 1 });
    expect(await stateRow(c.id)).toEqual({ etag: c.etag, data: { step: 1 } });
    expect(await conversationRow(c.id)).toEqual({ last_seq: 2, turns_asked: 1, turns_done: 1 });
  });

  test.each([
    ['the state changed since', async (id: string) => void await db.query('UPDATE dialog_state SET etag = etag + 1 WHERE key = $1', [key(id)])],
    ['a live agent is awaited', async (id: string) => void await db.query("UPDATE conversations SET handoff_state = 'waiting' WHERE id = $1", [id])],
    ['the bot awaits a message for the agent', async (id: string) => void await db.query('UPDATE conversations SET handoff_awaiting_message = true WHERE id = $1', [id])],
    ['an earlier turn is unfinished', async (id: string) => void await appendEntry(db, id, { sender: 'customer', text: 'first', clientId: `first-${id}`, asksTurn: true })],
  ])('refused when %s: the message alone, with its place in the turn order', async (_case, change) => {
    const c = await greeted();
    await change(c.id);
    const before = await stateRow(c.id);
    const asked = (await conversationRow(c.id)).turns_asked;
    const m = message();
    const saved = await saveCustomerTurn(db, c.id, m, { key: key(c.id), eTag: c.etag, data: '{"step":2}' },
      [{ sender: 'bot', text: 'never stored' }], [key(c.id), key(`other-${c.id}`)]);
    expect(saved.outcome).toBe('refused');
    if (saved.outcome !== 'refused') throw new Error('unreachable');
    expect(saved.entry).toMatchObject({ id: m.id, sender: 'customer', text: m.text, clientId: m.clientId });
    expect(saved.order).toMatchObject({ turn: asked + 1, done: 0, doneBefore: 0 });
    expect(saved.order.states).toEqual({ [key(c.id)]: { etag: before.etag, data: { step: 1 } }, [key(`other-${c.id}`)]: null });
    const texts = (await rows(c.id)).map((r) => r.text);
    expect(texts).not.toContain('never stored');
    expect(texts.at(-1)).toBe(m.text);
    expect(await stateRow(c.id)).toEqual(before);
    expect(await conversationRow(c.id)).toMatchObject({ turns_asked: asked + 1, turns_done: 0 });
  });

  test('a resend stores nothing and gives the first entry back', async () => {
    const c = await greeted();
    const m = message();
    await saveCustomerTurn(db, c.id, m, { key: key(c.id), eTag: c.etag, data: '{"step":2}' }, [{ sender: 'bot', text: 'once' }], [key(c.id)]);
    const before = { rows: await rows(c.id), conversation: await conversationRow(c.id), state: await stateRow(c.id) };
    const again = await saveCustomerTurn(db, c.id, { ...m, id: crypto.randomUUID() }, { key: key(c.id), eTag: before.state.etag, data: '{"step":3}' },
      [{ sender: 'bot', text: 'twice' }], [key(c.id)]);
    expect(again).toMatchObject({ outcome: 'duplicate', entry: { id: m.id, seq: 2 } });
    expect({ rows: await rows(c.id), conversation: await conversationRow(c.id), state: await stateRow(c.id) }).toEqual(before);
  });

  test('a code the bot just asked for is stored masked', async () => {
    const { conversation } = await createWebConversation(db, 'demo', 'en', null);
    const asking = await saveTurn(db, conversation.id, [{ sender: 'bot', text: 'Your code?', content: { attachments: [{ content: { form: 'code' } }] } }],
      { key: key(conversation.id), data: '{}', eTag: undefined });
    const saved = await saveCustomerTurn(db, conversation.id, message({ text: '123456', textIfCodeAsked: '••••••' }),
      { key: key(conversation.id), eTag: asking.etag!, data: null }, [], [key(conversation.id)]);
    expect(saved.outcome).toBe('stands');
    expect((await rows(conversation.id)).at(-1)!.text).toBe('••••••');
  });

  describe('a turn that writes stores its message first', () => {
    const readNow = readOnlyStatement('SELECT 1 AS one');

    test('reads go at once; the first write stores the message (once), then every write goes', async () => {
      const c = await greeted();
      const turn = await deferredTurn(c);
      await guardWrites(turn.beforeWrite, async () => {
        await db.query(readNow);
        expect(turn.deferred.started).toBe(false);
        expect(await outsideGuard(() => rows(c.id))).toHaveLength(1);
        await Promise.all([
          db.query('UPDATE conversations SET updated_at = now() WHERE id = $1', [c.id]),
          db.transaction((tx) => tx.query('UPDATE conversations SET updated_at = now() WHERE id = $1', [c.id])),
        ]);
        expect(turn.deferred.started).toBe(true);
      });
      expect(turn.statements).toHaveLength(1);
      expect((await rows(c.id)).map((r) => r.sender)).toEqual(['bot', 'customer']);
      expect(turn.published).toEqual([2]);
      // Its number is the turn's to mark done with its save.
      expect(turn.ticket).toMatchObject({ turn: 1, marked: false });
      await expect(turn.deferred.stored).resolves.toMatchObject({ stands: true, duplicate: false, order: null });
    });

    test('a state changed since: the message is stored, every write of the turn fails, and the turn runs again', async () => {
      const c = await greeted();
      await db.query('UPDATE dialog_state SET etag = etag + 1 WHERE key = $1', [key(c.id)]);
      const turn = await deferredTurn(c);
      const write = () => db.query("UPDATE dialog_state SET data = '{\"lost\":true}' WHERE key = $1", [key(c.id)]);
      await guardWrites(turn.beforeWrite, async () => {
        await expect(write()).rejects.toBeInstanceOf(EarlyTurnRefused);
        await expect(db.transaction(async () => undefined)).rejects.toBeInstanceOf(EarlyTurnRefused);
        // What is the guard's own business goes.
        await outsideGuard(() => db.query(readNow));
      });
      expect(turn.deferred.refused).toBe(true);
      expect((await stateRow(c.id)).data).toEqual({ step: 1 });
      const stored = await turn.deferred.stored;
      expect(stored).toMatchObject({ stands: false, duplicate: false, order: { turn: 1, withBot: true } });
      expect((await rows(c.id)).map((r) => r.sender)).toEqual(['bot', 'customer']);
      // Outside the guard nothing waits any more.
      await write();
    });
  });

  describe("a turn's first write, when composable, carries the message in its own statement", () => {
    const noteWrite = composableWrite('SELECT note, at FROM turn_write($1, $2)');

    beforeAll(async () => {
      // A write of the test's own, run as the turn's: 'fail' fails it as a taken time would.
      await db.transaction((tx) => tx.exec(`
        CREATE TABLE turn_writes (conversation_id text NOT NULL, note text NOT NULL);
        CREATE FUNCTION turn_write(p_conversation text, p_note text) RETURNS TABLE (note text, at timestamptz) LANGUAGE plpgsql AS $f$
        BEGIN
          IF p_note = 'fail' THEN RAISE EXCEPTION 'taken' USING ERRCODE = '23P01'; END IF;
          INSERT INTO turn_writes VALUES (p_conversation, p_note);
          RETURN QUERY SELECT p_note, now();
        END $f$;`));
    });

    const notes = async (id: string) => (await outsideGuard(() => db.query<{ note: string }>(
      'SELECT note FROM turn_writes WHERE conversation_id = $1 ORDER BY note', [id],
    ))).map((r) => r.note);

    test('one statement stores the message and runs the write, whose rows the caller gets as if it ran alone', async () => {
      const c = await greeted();
      const turn = await deferredTurn(c);
      const written = await guardWrites(turn.beforeWrite, () => db.query<{ note: string; at: Date }>(noteWrite, [c.id, 'held']));
      expect(written).toEqual([{ note: 'held', at: expect.any(Date) }]);
      expect(turn.statements).toHaveLength(1);
      expect(turn.statements[0]).toContain('turn_write(');
      expect(await notes(c.id)).toEqual(['held']);
      expect((await rows(c.id)).map((r) => r.sender)).toEqual(['bot', 'customer']);
      expect(turn.published).toEqual([2]);
      // The turn's number is taken, not done: its own save finishes it.
      expect(turn.ticket).toMatchObject({ turn: 1, marked: false });
      expect(await conversationRow(c.id)).toEqual({ last_seq: 2, turns_asked: 1, turns_done: 0 });
      expect(await stateRow(c.id)).toEqual({ etag: c.etag, data: { step: 1 } });
      await expect(turn.deferred.stored).resolves.toMatchObject({ stands: true, duplicate: false, order: null });
    });

    test('a turn that may not stand: the message is stored alone and the write never runs', async () => {
      const c = await greeted();
      await db.query('UPDATE dialog_state SET etag = etag + 1 WHERE key = $1', [key(c.id)]);
      const turn = await deferredTurn(c);
      await guardWrites(turn.beforeWrite, async () => {
        await expect(db.query(noteWrite, [c.id, 'held'])).rejects.toBeInstanceOf(EarlyTurnRefused);
        await expect(db.query(noteWrite, [c.id, 'again'])).rejects.toBeInstanceOf(EarlyTurnRefused);
      });
      expect(await notes(c.id)).toEqual([]);
      expect((await rows(c.id)).map((r) => r.sender)).toEqual(['bot', 'customer']);
      expect(await conversationRow(c.id)).toEqual({ last_seq: 2, turns_asked: 1, turns_done: 0 });
      await expect(turn.deferred.stored).resolves.toMatchObject({ stands: false, order: { turn: 1, withBot: true } });
      expect(turn.deferred.refused).toBe(true);
    });

    test('a resend stores nothing and its write never runs', async () => {
      const c = await greeted();
      const first = await deferredTurn(c);
      await guardWrites(first.beforeWrite, () => db.query(noteWrite, [c.id, 'first']));
      const again = new DeferredMessage({ db, publish: () => undefined }, c.id, { ...first.deferred.message, id: crypto.randomUUID() },
        { key: key(c.id), eTag: c.etag }, [key(c.id)], new TurnTicket(null));
      await guardWrites((write) => again.beforeWrite(write), async () => {
        await expect(db.query(noteWrite, [c.id, 'resent'])).rejects.toBeInstanceOf(EarlyTurnRefused);
      });
      expect(await notes(c.id)).toEqual(['first']);
      expect((await rows(c.id)).map((r) => r.sender)).toEqual(['bot', 'customer']);
      await expect(again.stored).resolves.toMatchObject({ duplicate: true });
    });

    test('a write that fails stores nothing: the caller gets its error, and the next write stores the message', async () => {
      const c = await greeted();
      const turn = await deferredTurn(c);
      await guardWrites(turn.beforeWrite, async () => {
        await expect(db.query(noteWrite, [c.id, 'fail'])).rejects.toMatchObject({ code: '23P01' });
        expect(turn.deferred.started).toBe(false);
        expect(await outsideGuard(() => rows(c.id))).toHaveLength(1);
        expect(await db.query(noteWrite, [c.id, 'other'])).toEqual([{ note: 'other', at: expect.any(Date) }]);
      });
      expect(await notes(c.id)).toEqual(['other']);
      expect((await rows(c.id)).map((r) => r.sender)).toEqual(['bot', 'customer']);
      expect(turn.published).toEqual([2]);
      expect(turn.ticket).toMatchObject({ turn: 1, marked: false });
    });

    test('after a failed write the turn can still store the message with its replies and state, in one statement', async () => {
      const c = await greeted();
      const turn = await deferredTurn(c);
      await guardWrites(turn.beforeWrite, () => expect(db.query(noteWrite, [c.id, 'fail'])).rejects.toMatchObject({ code: '23P01' }));
      const { said } = await turn.deferred.storeWithTurn([{ sender: 'bot', text: 'That time was just taken.' }], '{"step":2}');
      expect(said.map((e) => e.seq)).toEqual([3]);
      expect(turn.ticket).toMatchObject({ turn: 1, marked: true });
      expect(await conversationRow(c.id)).toEqual({ last_seq: 3, turns_asked: 1, turns_done: 1 });
    });

    test("a write fails inside as it would alone: the message's columns cannot stand in for names it lacks", async () => {
      const c = await greeted();
      const turn = await deferredTurn(c);
      // turn_write has no column "id", the message has one.
      const wrong = composableWrite('SELECT id, seq FROM turn_write($1, $2)');
      await expect(db.query(wrong, [c.id, 'alone'])).rejects.toMatchObject({ code: '42703' });
      await guardWrites(turn.beforeWrite, () => expect(db.query(wrong, [c.id, 'inside'])).rejects.toMatchObject({ code: '42703' }));
      expect(await notes(c.id)).toEqual([]);
      expect(turn.deferred.started).toBe(false);
    });

    test('two writes at once: one carries the message, the other waits for it and then runs alone', async () => {
      const c = await greeted();
      const turn = await deferredTurn(c);
      const [a, b] = await guardWrites(turn.beforeWrite, () => Promise.all([
        db.query<{ note: string }>(noteWrite, [c.id, 'a']), db.query<{ note: string }>(noteWrite, [c.id, 'b']),
      ]));
      expect([a!.map((r) => r.note), b!.map((r) => r.note)]).toEqual([['a'], ['b']]);
      expect(turn.statements).toHaveLength(1);
      expect(await notes(c.id)).toEqual(['a', 'b']);
      expect((await rows(c.id)).map((r) => r.sender)).toEqual(['bot', 'customer']);
      expect(turn.published).toEqual([2]);
    });
  });
});

describe('a customer message stored with its turn, beside another instance saving the same conversation (postgres)', () => {
  let db: Database;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await seedDemo(db, { allowedOrigins: [] });
  }, 120_000);

  afterAll(() => db?.close());

  test('it takes the state row before the conversation row, as a save does: the two wait for each other, never deadlock', async () => {
    const { conversation } = await createWebConversation(db, 'demo', 'en', null);
    const stateKey = key(conversation.id);
    const saved = await saveTurn(db, conversation.id, [{ sender: 'bot', text: 'Hello!' }], { key: stateKey, data: '{"step":1}', eTag: undefined });
    let other: Promise<unknown> | undefined;
    // Another instance's save of the same conversation, held between its two locks (saveTurn's statement takes
    // the state row, then the conversation row).
    await db.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM dialog_state WHERE key = $1 FOR UPDATE', [stateKey]);
      other = saveCustomerTurn(db, conversation.id, { id: crypto.randomUUID(), clientId: 'beside', text: 'hello', content: {} },
        { key: stateKey, eTag: saved.etag!, data: '{"step":2}' }, [{ sender: 'bot', text: 'Hi!' }], [stateKey]);
      other.catch(() => undefined);
      // Asked outside the transaction: inside it, the statistics views keep their first snapshot.
      await until(async () => (await db.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%save_customer_turn%'",
      ))[0]!.n !== '0', 30_000);
      await tx.query('UPDATE conversations SET updated_at = now() WHERE id = $1', [conversation.id]);
    });
    await expect(other).resolves.toMatchObject({ outcome: 'stands', turn: 1 });
  }, 60_000);
});
