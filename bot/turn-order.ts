import type { Activity } from 'botbuilder-core';
import type { Logger } from 'pino';
import type { Queryable } from '../models/database.ts';
import { turnsDone } from '../models/conversations.repository.ts';
import type { DeferredMessage } from './deferred-message.ts';

/**
 * Turn order across instances. Each customer message that asks for a turn takes the next number in
 * its conversation (in the same statement that stores it, migration 021); the turn that answers it
 * marks its number done in the same statement that stores its replies and dialog state. A turn runs
 * once the one before it is done: at once when that was so when its message was stored, or when
 * the one before is queued on this process (bot/turn-queue.ts keeps that order); otherwise it is
 * running on another instance (a second socket of the same customer), and this one waits for it.
 * Neither path costs a round trip; only the wait polls.
 */

/** A message's place in the turn order, carried by its activity to whatever stores the turn. */
export class TurnTicket {
  /** Its number was marked done by the turn's own save. */
  marked = false;

  /** A turn begun before its message was stored (bot/customer-inbox.ts): the message, stored by the turn's first write or its save. */
  deferred: DeferredMessage | undefined;

  /**
   * `turn`: the message's number, or null for a turn no message asked for (a new conversation's
   * greeting), which marks nothing. `states`: the dialog states read when the message was stored,
   * when nothing could change them before this turn reads (every earlier turn done, none queued
   * here), or known to be none (a conversation created just now): the turn uses them instead of
   * reading again. Any other writer is still caught by the eTag when the turn saves.
   */
  constructor(public turn: number | null, private states?: Record<string, { etag: string; data: Record<string, unknown> } | null>) {}

  /** The stored state of `key` as storage.read gives it (null: none stored), once; undefined when not read with the message. */
  takeState(key: string): Record<string, unknown> | null | undefined {
    const row = this.states?.[key];
    this.states = undefined;
    if (row === undefined) return undefined;
    return row ? { ...row.data, eTag: row.etag } : null;
  }
}

/**
 * What a turn begun before its message was stored fails with when it may not stand (the message was
 * a resend, a turn or a live agent came first, or the dialog state changed): it has stored and shown
 * nothing, and runs again the usual way.
 */
export class EarlyTurnRefused extends Error {
  constructor() {
    super('This turn began on a dialog state that is no longer current: it runs again.');
    this.name = 'EarlyTurnRefused';
  }
}

/**
 * Whether a turn failed with EarlyTurnRefused, also when a dialog wrapped it: botbuilder-dialogs
 * throws what a dialog's step threw (a write refused by the turn's guard) as a DialogContextError
 * whose `error` is the original.
 */
export function isEarlyTurnRefused(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { error?: unknown }).error) {
    if (e instanceof EarlyTurnRefused) return true;
  }
  return false;
}

const TICKET = Symbol('rendezvous.turnTicket');

/** The activity, carrying its ticket (a symbol key: invisible to the dialogs and to JSON). */
export function withTicket(activity: Partial<Activity>, ticket: TurnTicket): Partial<Activity> {
  return Object.assign({ ...activity }, { [TICKET]: ticket });
}

export function ticketOf(activity: Partial<Activity>): TurnTicket | undefined {
  return (activity as { [TICKET]?: TurnTicket })[TICKET];
}

/**
 * How long a turn waits for the one before it on another instance. Past it that instance is taken
 * for dead (its turn will never be marked) and this turn runs: a lost turn must not stop the chat.
 */
export const TURN_ORDER_WAIT_MS = 10_000;
const POLL_MS = [20, 50, 100, 200] as const;

/** Resolves once turn `previous` of the conversation is done (on any instance), or after TURN_ORDER_WAIT_MS. */
export async function awaitTurnDone(db: Queryable, logger: Logger, conversationId: string, previous: number): Promise<void> {
  const deadline = Date.now() + TURN_ORDER_WAIT_MS;
  for (let attempt = 0; (await turnsDone(db, conversationId)) < previous; attempt++) {
    if (Date.now() > deadline) {
      logger.warn({ conversationId, previous }, 'the turn before this one never finished (its instance stopped?): running this one');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS[Math.min(attempt, POLL_MS.length - 1)]));
  }
}
