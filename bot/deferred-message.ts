import type { Queryable } from '../models/database.ts';
import {
  saveCustomerMessageWith, saveCustomerTurn, type CustomerEntry, type CustomerTurnSaved, type NewEntry,
  type TranscriptEntry, type TurnOrder,
} from '../models/conversations.repository.ts';
import { outsideGuard, type Statement } from '../models/statement-gate.ts';
import { EarlyTurnRefused, type TurnTicket } from './turn-order.ts';

/** How a deferred message ended up stored. */
export interface StoredMessage {
  entry: TranscriptEntry;
  duplicate: boolean;
  /** Its place in the turn order when its turn must run again (null for a resend, or when the turn stood). */
  order: TurnOrder | null;
  /** The turn begun on the known state may stand. */
  stands: boolean;
  /** Stored with the turn: the replies as stored and the state's new eTag. */
  withTurn?: { said: TranscriptEntry[]; etag: string };
}

/**
 * A customer message whose turn began on the dialog state this process last read or wrote, before
 * the message was stored (bot/customer-inbox.ts). It is stored once, by whichever comes first:
 * - the turn's first write (models/statement-gate.ts): in that write's own statement when it is
 *   composable (the write then runs only if the turn stands), else alone before it;
 * - the turn's save, together with its replies and new state in one statement (saveCustomerTurn).
 * Either way the turn stands only if the message is no resend, came next in the turn order, found
 * the bot in charge and the state unchanged; else the turn fails with EarlyTurnRefused, having
 * written and shown nothing, and the inbox runs it again the usual way.
 */
export class DeferredMessage {
  /** Settles once the message is stored (or known to be a resend); rejects when it could not be. */
  readonly stored: Promise<StoredMessage>;
  private storing: Promise<StoredMessage> | null = null;
  private outcome: StoredMessage | null = null;
  private settle!: { resolve: (stored: StoredMessage) => void; reject: (error: unknown) => void };

  constructor(
    private readonly deps: { db: Queryable; publish: (entry: TranscriptEntry) => void },
    readonly conversationId: string,
    readonly message: CustomerEntry,
    /** The state the turn begins on: its storage key and eTag. */
    readonly state: { key: string; eTag: string },
    /** The dialog states a refused turn runs again on, read in the same statement. */
    private readonly stateKeys: readonly string[],
    private readonly ticket: TurnTicket,
  ) {
    this.stored = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Observed by the inbox; until then a failure must not count as unhandled.
    this.stored.catch(() => undefined);
    ticket.deferred = this;
  }

  /** A store has begun (alone, with the first write or with the turn). */
  get started(): boolean {
    return this.storing !== null;
  }

  /**
   * Before one of the turn's writes (`write` when it is composable, else null): the message is stored
   * first, alone or carried by the write's own statement, whose rows this then gives (undefined: the
   * caller runs its write). Rejects with EarlyTurnRefused when the turn may not go on.
   */
  async beforeWrite(write: Statement | null): Promise<unknown[] | undefined> {
    for (;;) {
      const storing = this.storing;
      if (!storing && write) return this.storeWith(write);
      if (!storing) {
        await this.storeAlone();
        return undefined;
      }
      // A write that was to carry the message and failed stored nothing: the message is still to store.
      const stored = await storing.catch((error: unknown) => {
        if (this.storing === storing) throw error;
        return null;
      });
      if (!stored) continue;
      if (!stored.stands) throw new EarlyTurnRefused();
      return undefined;
    }
  }

  /** Stores the message alone, before the turn's first write; rejects with EarlyTurnRefused when the turn may not go on. */
  async storeAlone(): Promise<void> {
    this.storing ??= this.track(async () => this.begun(await saveCustomerTurn(
      this.deps.db, this.conversationId, this.message, { ...this.state, data: null }, [], this.stateKeys, { finish: false },
    )));
    if (!(await this.storing).stands) throw new EarlyTurnRefused();
  }

  /**
   * Stores the message with the turn's replies and its new state (`data`, null when unchanged) in one
   * statement; the replies as stored and the state's new eTag, or EarlyTurnRefused.
   */
  async storeWithTurn(replies: readonly NewEntry[], data: string | null): Promise<{ said: TranscriptEntry[]; etag: string }> {
    if (this.storing) throw new Error('the message is stored already');
    this.storing = this.track(async () => {
      const saved = await saveCustomerTurn(this.deps.db, this.conversationId, this.message, { ...this.state, data }, replies, this.stateKeys);
      if (saved.outcome !== 'stands') return notStanding(saved);
      const [entry, ...said] = saved.entries;
      this.ticket.turn = saved.turn;
      this.ticket.marked = true;
      return { entry: entry!, duplicate: false, order: null, stands: true, withTurn: { said, etag: saved.etag } };
    });
    const { withTurn } = await this.storing;
    if (!withTurn) throw new EarlyTurnRefused();
    return withTurn;
  }

  /** The turn may not stand: it shows nothing. */
  get refused(): boolean {
    return this.outcome !== null && !this.outcome.stands;
  }

  /**
   * Stores the message in the statement of the turn's first write, which runs only if the turn stands.
   * If that statement fails, nothing is stored: the error is the write's, and the message is stored later.
   */
  private async storeWith(write: Statement): Promise<unknown[]> {
    let rows: unknown[] = [];
    const storing = outsideGuard(() => saveCustomerMessageWith(this.deps.db, this.conversationId, this.message, this.state, this.stateKeys, write))
      .then(({ saved, rows: written }) => {
        rows = written;
        return this.settled(this.begun(saved));
      });
    this.storing = storing;
    const stored = await storing.catch((error: unknown) => {
      if (this.storing === storing) this.storing = null;
      throw error;
    });
    if (!stored.stands) throw new EarlyTurnRefused();
    return rows;
  }

  /** The message stored as the start of its turn: if it stands, the turn's number is taken, and its own save marks it done. */
  private begun(saved: CustomerTurnSaved): StoredMessage {
    if (saved.outcome !== 'stands') return notStanding(saved);
    this.ticket.turn = saved.turn;
    return { entry: saved.entries[0]!, duplicate: false, order: null, stands: true };
  }

  /** Runs a store outside the turn's write guard; a store that fails leaves the message unstored for good. */
  private track(store: () => Promise<StoredMessage>): Promise<StoredMessage> {
    return outsideGuard(store).then((stored) => this.settled(stored), (error: unknown) => {
      this.settle.reject(error);
      throw error;
    });
  }

  /** The message is stored: shown to its watchers before anything the turn says. */
  private settled(stored: StoredMessage): StoredMessage {
    this.outcome = stored;
    if (!stored.duplicate) this.deps.publish(stored.entry);
    this.settle.resolve(stored);
    return stored;
  }
}

/** A message stored alone (its turn must run again) or not at all (a resend). */
function notStanding(saved: Exclude<CustomerTurnSaved, { outcome: 'stands' }>): StoredMessage {
  return saved.outcome === 'duplicate'
    ? { entry: saved.entry, duplicate: true, order: null, stands: false }
    : { entry: saved.entry, duplicate: false, order: saved.order, stands: false };
}
