import { ConversationState, type Storage, type StoreItems, type TurnContext } from 'botbuilder-core';
import type { Queryable } from '../models/database.ts';
import { saveTurn } from '../models/conversations.repository.ts';
import { deleteDialogStates, readDialogStates } from '../models/dialog-state.repository.ts';
import { heldReplies, type TurnReplies } from './turn-replies.ts';
import { ticketOf } from './turn-order.ts';

/** The storage key botbuilder's ConversationState gives a conversation's state on a channel (no namespace). */
export const conversationStateKey = (channelId: string, conversationId: string) => `${channelId}/conversations/${conversationId}/`;

export class ETagConflictError extends Error {
  constructor(key: string) {
    super(`Dialog state "${key}" was changed by another turn.`);
    this.name = 'ETagConflictError';
  }
}

/**
 * botbuilder Storage in PostgreSQL with optimistic concurrency: a write naming the eTag it read
 * fails if another write came first; '*' overwrites; no eTag creates only.
 */
export class PostgresStorage implements Storage {
  constructor(private readonly db: Queryable) {}

  async read(keys: string[]): Promise<StoreItems> {
    if (keys.length === 0) return {};
    const rows = await readDialogStates(this.db, keys);
    return Object.fromEntries(rows.map((r) => [r.key, { ...r.data, eTag: r.etag }]));
  }

  async write(changes: StoreItems): Promise<void> {
    for (const [key, item] of Object.entries(changes)) await this.writeItem(key, item, null);
  }

  /** One conversation's state (`json`: its JSON without the eTag, as `stateJson` gives it) and the replies its turn held, in one statement. */
  async writeWithReplies(key: string, item: StoreItems[string], json: string, replies: TurnReplies): Promise<void> {
    await this.writeItem(key, item, replies, json);
  }

  private async writeItem(key: string, item: StoreItems[string], replies: TurnReplies | null, json = stateJson(item)): Promise<void> {
    const { eTag } = item as { eTag?: string };
    const saved = await saveTurn(
      this.db, replies?.conversationId ?? null, replies?.pending ?? [], { key, data: json, eTag }, replies?.turnToMark() ?? null,
    );
    if (saved.etag === null) throw new ETagConflictError(key);
    replies?.storedAs(saved.entries);
    // The caller's object now carries the eTag of what is stored, for its next write.
    (item as { eTag?: string }).eTag = saved.etag;
  }

  async delete(keys: string[]): Promise<void> {
    await deleteDialogStates(this.db, keys);
  }
}

/** A state as stored: its JSON without the eTag. */
function stateJson(state: Record<string, unknown>): string {
  const { eTag: _eTag, ...data } = state;
  return JSON.stringify(data);
}

/** A dialog state as this process last read or wrote it: its eTag and JSON (without the eTag). */
export interface KnownState {
  eTag: string;
  json: string;
}

/**
 * The dialog states this process last read or wrote, by storage key: a turn may begin on one before
 * its message is stored (bot/customer-inbox.ts), the eTag telling whether it is still the stored one.
 * Bounded: past the limit the oldest is forgotten (a forgotten state only means a turn that stores its message first).
 */
export class KnownStates {
  private readonly states = new Map<string, KnownState>();

  constructor(private readonly limit = 5_000) {}

  get(key: string): KnownState | undefined {
    return this.states.get(key);
  }

  remember(key: string, state: KnownState | null): void {
    this.states.delete(key);
    if (!state) return;
    this.states.set(key, state);
    if (this.states.size > this.limit) this.states.delete(this.states.keys().next().value!);
  }
}

/**
 * ConversationState that writes back the eTag it read (botbuilder's own always writes '*', last
 * write wins), so two turns racing on one conversation cannot silently overwrite each other.
 */
export class ConcurrencySafeConversationState extends ConversationState {
  constructor(storage: Storage, private readonly known?: KnownStates) {
    super(storage);
  }

  /** botbuilder keeps the loaded state under a private key; reach it the way BotState itself does. */
  private get loadedKey(): symbol {
    return (this as unknown as { stateKey: symbol }).stateKey;
  }

  /**
   * The state read with the turn's message (bot/turn-order.ts) when it is known current, else from storage.
   * Its JSON is kept to tell at the end of the turn whether it changed, and is then what is written: one
   * plain JSON.stringify at each end of a turn, where botbuilder's own change hash stringifies the whole
   * state (through a replacer) and hashes it three times per turn.
   */
  override async load(context: TurnContext, force = false): Promise<Record<string, unknown>> {
    const loaded = context.turnState.get(this.loadedKey) as { state?: Record<string, unknown> } | undefined;
    if (!force && loaded?.state) return loaded.state;
    const key = await this.storageKey(context);
    const prefetched = ticketOf(context.activity)?.takeState(key);
    const state = prefetched !== undefined ? (prefetched ?? {}) : ((await this.storage.read([key]))[key] ?? {});
    const hash = stateJson(state);
    context.turnState.set(this.loadedKey, { state, hash });
    this.known?.remember(key, typeof state.eTag === 'string' ? { eTag: state.eTag, json: hash } : null);
    return state;
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    const stateKey = this.loadedKey;
    const cached = context.turnState.get(stateKey) as { state: Record<string, unknown>; hash: string } | undefined;
    if (!cached) return;
    const json = stateJson(cached.state);
    if (!force && cached.hash === json) return;
    const key = await this.storageKey(context);
    // The replies the turn held go with its state (and its message, when not stored yet): one round trip, one transaction.
    const replies = heldReplies(context);
    const deferred = ticketOf(context.activity)?.deferred;
    try {
      if (replies && deferred && !deferred.started && deferred.state.key === key) {
        const { said, etag } = await deferred.storeWithTurn(replies.pending, json);
        replies.storedAs(said);
        cached.state.eTag = etag;
      } else if (replies && this.storage instanceof PostgresStorage) {
        await this.storage.writeWithReplies(key, cached.state, json, replies);
      } else {
        await this.storage.write({ [key]: cached.state });
      }
    } catch (error) {
      this.known?.remember(key, null);
      throw error;
    }
    // What is stored now (the new eTag is no part of it).
    cached.hash = json;
    const { eTag } = cached.state as { eTag?: unknown };
    this.known?.remember(key, typeof eTag === 'string' ? { eTag, json } : null);
  }
}
