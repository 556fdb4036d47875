import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder-core';
import type { NewEntry, TranscriptEntry } from '../models/conversations.repository.ts';
import type { TurnTicket } from './turn-order.ts';

/**
 * What a bot turn has said: held until the turn's end, then stored together with its dialog state
 * in one statement (models saveTurn) and only then shown, so nothing the customer sees is lost
 * and a turn costs one write, not one per message.
 */
export class TurnReplies {
  /** Said, not yet stored (each with the id its entry will have). */
  readonly pending: (NewEntry & { id: string })[] = [];
  /** Stored, not yet shown. */
  readonly stored: TranscriptEntry[] = [];

  /** The customer message's place in the turn order, marked done by the save that stores the replies. */
  constructor(readonly conversationId: string, readonly ticket: TurnTicket | undefined) {}

  /** The turn number the next save marks done (once). */
  turnToMark(): number | null {
    return this.ticket && !this.ticket.marked ? this.ticket.turn : null;
  }

  /** Holds a reply; its entry id, known now. */
  say(entry: NewEntry): string {
    const id = randomUUID();
    this.pending.push({ ...entry, id });
    return id;
  }

  /** The held replies were stored as these entries (and the turn marked done). */
  storedAs(entries: readonly TranscriptEntry[]): void {
    if (this.ticket) this.ticket.marked = true;
    this.pending.length = 0;
    this.stored.push(...entries);
  }

  /** The stored entries, in order, handed over once. */
  takeStored(): TranscriptEntry[] {
    return this.stored.splice(0);
  }
}

const TURN_REPLIES = Symbol('rendezvous.turnReplies');

export function holdReplies(context: TurnContext, replies: TurnReplies): void {
  context.turnState.set(TURN_REPLIES, replies);
}

/** The turn's held replies, when its adapter holds them (proactive turns and other adapters do not). */
export function heldReplies(context: TurnContext): TurnReplies | undefined {
  return context.turnState.get(TURN_REPLIES) as TurnReplies | undefined;
}
