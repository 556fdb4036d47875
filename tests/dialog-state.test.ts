import { TestAdapter, TurnContext, type Activity } from 'botbuilder-core';
import type { Database } from '../models/database.ts';
import { ConcurrencySafeConversationState, ETagConflictError, PostgresStorage } from '../bot/dialog-state.storage.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';

describe.each(DATABASE_KINDS)('dialog state storage on %s', (kind) => {
  let db: Database;
  let storage: PostgresStorage;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    storage = new PostgresStorage(db);
  });
  afterAll(() => db.close());

  test('read, write with the eTag read, and refuse a stale eTag', async () => {
    expect(await storage.read(['k1'])).toEqual({});
    await storage.write({ k1: { step: 1 } });
    const first = (await storage.read(['k1'])).k1 as { step: number; eTag: string };
    expect(first.step).toBe(1);
    await storage.write({ k1: { ...first, step: 2 } });
    await expect(storage.write({ k1: { ...first, step: 3 } })).rejects.toBeInstanceOf(ETagConflictError);
    expect((await storage.read(['k1'])).k1).toMatchObject({ step: 2 });
    // Creating what exists already is a conflict too; '*' overwrites.
    await expect(storage.write({ k1: { step: 9 } })).rejects.toBeInstanceOf(ETagConflictError);
    await storage.write({ k1: { step: 4, eTag: '*' } });
    expect((await storage.read(['k1'])).k1).toMatchObject({ step: 4 });
    await storage.delete(['k1']);
    expect(await storage.read(['k1'])).toEqual({});
  });

  test('two turns racing on one conversation: the second save fails instead of overwriting', async () => {
    const state = new ConcurrencySafeConversationState(storage);
    const counter = state.createProperty<number>('counter');
    const adapter = new TestAdapter();
    const activity = { type: 'message', text: 'x', channelId: 'test', conversation: { id: 'race' }, from: { id: 'u' }, recipient: { id: 'b' } } as Activity;
    const a = new TurnContext(adapter, activity);
    const b = new TurnContext(adapter, activity);
    await state.load(a);
    await state.load(b);
    await counter.set(a, 1);
    await counter.set(b, 2);
    await state.saveChanges(a);
    await expect(state.saveChanges(b)).rejects.toBeInstanceOf(ETagConflictError);
    // A turn that read the fresh state saves fine, twice in a row.
    const c = new TurnContext(adapter, activity);
    await state.load(c);
    expect(await counter.get(c)).toBe(1);
    await counter.set(c, 3);
    await state.saveChanges(c);
    await counter.set(c, 4);
    await state.saveChanges(c);
    const d = new TurnContext(adapter, activity);
    await state.load(d);
    expect(await counter.get(d)).toBe(4);
  });
});
