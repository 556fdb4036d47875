import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder-core';
import type { Logger } from 'pino';
import type { Queryable } from '../models/database.ts';
import { guardWrites } from '../models/statement-gate.ts';
import {
  appendEntry, markTurnDone, type Conversation, type CustomerEntry, type TranscriptEntry, type TurnOrder,
} from '../models/conversations.repository.ts';
import { maskForTranscript } from './code-masking.ts';
import type { HandoffRouter } from './handoff/handoff-router.ts';
import { TurnQueue } from './turn-queue.ts';
import { awaitTurnDone, TurnTicket, withTicket } from './turn-order.ts';
import { conversationStateKey, type KnownStates } from './dialog-state.storage.ts';
import { DeferredMessage } from './deferred-message.ts';

/** The channels a conversation's turns may run on (each keeps its dialog state under its own key). */
const STATE_CHANNELS = ['web', 'sms', 'whatsapp'] as const;

/** A customer's message as any channel received it. */
export interface CustomerMessage {
  /** The channel's own id for it (the widget's clientId, Twilio's MessageSid): a redelivery is stored once. */
  clientId: string;
  text: string;
  /** A structured answer (a button, a slot, a form, a location). */
  value?: Record<string, unknown> | undefined;
  /** Extra transcript content (how the phone showed it, a location…). */
  content?: Record<string, unknown> | undefined;
}

/** How one channel runs a bot turn and shows a new transcript entry. */
export interface ChannelTurns {
  /** One bot turn through the channel's adapter; the inbox calls it inside the conversation's queue. */
  botTurn(conversation: Conversation, activity: Partial<Activity>): Promise<void>;
  /**
   * The channel id under which its turns keep the dialog state, when a turn may begin on the state
   * this process knows before its message is stored (its adapter holds every reply until the turn
   * is stored, and stores a deferred message with them: bot/deferred-message.ts).
   */
  turnsFirst?: string;
  /** A new customer entry, to whoever watches the conversation (sockets, console). */
  publish(conversationId: string, entry: TranscriptEntry): void;
}

export interface Received {
  entry: TranscriptEntry;
  duplicate: boolean;
  /** The routing and bot turn, in the conversation's turn order (resolves when done; never rejects). */
  turn: Promise<void>;
}

/**
 * The one inbound pipeline of every channel (web socket, Twilio webhook, …): append to the
 * transcript with dedupe by clientId, then, in turn order per conversation (on this process by the
 * queue, across instances by bot/turn-order.ts), route the message to a live agent (awaited or in
 * the chat) or to the bot.
 */
export class CustomerInbox {
  /** One queue for every channel: a conversation continued on the web after SMS keeps its order. */
  readonly queue = new TurnQueue();

  /** The last turn number queued here per conversation, while its queue is busy: the next one follows it here. */
  private readonly lastQueued = new Map<string, number>();

  /** The channel that speaks for each kind of conversation ('web', 'sms', 'whatsapp'). */
  private readonly channels = new Map<string, ChannelTurns>();

  constructor(private readonly deps: {
    db: Queryable; logger: Logger; handoff?: HandoffRouter | undefined;
    /** The dialog states this process last read or wrote (the bot's ConversationState keeps them): turns may begin on them. */
    knownStates?: KnownStates | undefined;
  }) {}

  register(kinds: readonly string[], channel: ChannelTurns): void {
    for (const kind of kinds) this.channels.set(kind, channel);
  }

  /** The channel registered for the conversation's kind (bot turns not started by a customer message go there). */
  channelFor(conversation: Conversation): ChannelTurns | undefined {
    return this.channels.get(conversation.channel);
  }

  /**
   * Stores the message and queues its turn. A duplicate is not answered again unless `redeliver`
   * (a durable inbound queue resuming a message whose turn never finished).
   */
  async receiveCustomerMessage(
    conversation: Conversation, message: CustomerMessage, channel: ChannelTurns, options: { redeliver?: boolean } = {},
  ): Promise<Received> {
    const { text, value } = message;
    // One-time codes are stored masked on every channel; the bot's turn still gets what was sent.
    // Digits alone are a code only if the bot just asked for one: the append decides, in its statement.
    const stored = maskForTranscript({ text, value }, false);
    const ifAsked = maskForTranscript({ text, value }, true).text;
    const stateKeys = STATE_CHANNELS.map((c) => conversationStateKey(c, conversation.id));
    const customer = {
      text: stored.text, clientId: message.clientId, ...(ifAsked !== stored.text ? { textIfCodeAsked: ifAsked } : {}),
      content: { ...(message.content ?? {}), ...(stored.value ? { value: stored.value } : {}) },
    };
    const first = options.redeliver ? null : await this.turnFirst(conversation, { ...customer, id: randomUUID() }, { text, value }, stateKeys, channel);
    if (first) return first;
    const { entry, duplicate, order } = await appendEntry(this.deps.db, conversation.id, { ...customer, sender: 'customer', asksTurn: true, stateKeys });
    if (!duplicate) channel.publish(conversation.id, entry);
    const activity: Partial<Activity> = { type: 'message', id: entry.id, text, ...(value ? { value } : {}) };
    const turn = duplicate && !options.redeliver ? Promise.resolve() : this.routeCustomerTurn(conversation, entry, activity, value, channel, order);
    return { entry, duplicate, turn };
  }

  /**
   * The turn begun first, on the dialog state this process last read or wrote, when nothing else of
   * the conversation is queued here: the message is stored by the turn's first write, or with its
   * replies and state by its save (bot/deferred-message.ts), one round trip in all for a turn that
   * only reads. Resolves once the message is stored. If the turn may not stand (a resend, another
   * turn or a live agent first, the state changed), it has written and shown nothing and runs again
   * the usual way. Null when no such turn can begin.
   */
  private async turnFirst(
    conversation: Conversation, message: CustomerEntry, sent: Pick<CustomerMessage, 'text' | 'value'>, stateKeys: readonly string[],
    channel: ChannelTurns,
  ): Promise<Received | null> {
    const { db, logger } = this.deps;
    const id = conversation.id;
    const key = channel.turnsFirst === undefined ? null : conversationStateKey(channel.turnsFirst, id);
    const known = key !== null && !this.queue.busy(id) && !this.lastQueued.has(id) ? this.deps.knownStates?.get(key) : undefined;
    if (!key || !known) return null;
    const ticket = new TurnTicket(null, { [key]: { etag: known.eTag, data: JSON.parse(known.json) as Record<string, unknown> } });
    const deferred = new DeferredMessage({ db, publish: (entry) => channel.publish(id, entry) }, id, message, { key, eTag: known.eTag }, stateKeys, ticket);
    // The turn gets what was sent; the transcript keeps it masked.
    const { value } = sent;
    const activity: Partial<Activity> = { type: 'message', id: message.id, text: sent.text, ...(value ? { value } : {}) };
    const turn = this.queue.run(id, async () => {
      let again: { order: TurnOrder; ticket: TurnTicket } | null = null;
      try {
        await guardWrites((write) => deferred.beforeWrite(write), () => channel.botTurn(conversation, withTicket(activity, ticket)));
        // A turn that stored nothing (it failed before saying anything) stores its message now.
        if (!deferred.started) await deferred.storeAlone().catch(() => undefined);
        const { entry, order } = await deferred.stored;
        if (!order) return;
        // Runs again the usual way, and the next message too until a turn of the bot reads the state again
        // (while a live agent has the conversation, none does). Nothing ran between the message's statement
        // and now (this turn held the queue).
        this.deps.knownStates?.remember(key, null);
        this.lastQueued.set(id, order.turn);
        const current = order.doneBefore >= order.turn - 1;
        again = { order, ticket: new TurnTicket(order.turn, current ? order.states : undefined) };
        await this.answer(conversation, entry, activity, value, channel, order, again.ticket, {
          nothingPending: order.done >= order.turn - 1, previousQueuedHere: false, withBot: current && order.withBot,
        });
      } finally {
        // A turn that stood stored its number with its replies, or by its own save after a write.
        if (ticket.turn !== null && !ticket.marked) await markTurnDone(db, id, ticket.turn);
        if (again && !again.ticket.marked) await markTurnDone(db, id, again.order.turn);
        if (again && this.lastQueued.get(id) === again.order.turn) this.lastQueued.delete(id);
      }
    }).catch((err) => logger.error({ err, conversationId: id }, 'customer turn failed'));
    const { entry, duplicate } = await deferred.stored;
    return { entry, duplicate, turn };
  }

  /**
   * A bot turn that is not a customer message (a greeting, an agent leaving), in turn order.
   * `created`: the conversation was created just now and has no dialog state, so none is read.
   */
  runTurn(
    conversation: Conversation, activity: Partial<Activity>, channel: Pick<ChannelTurns, 'botTurn'>, options: { created?: boolean } = {},
  ): Promise<void> {
    const none = options.created ? new TurnTicket(null, Object.fromEntries(STATE_CHANNELS.map((c) => [conversationStateKey(c, conversation.id), null]))) : null;
    return this.queue.run(conversation.id, () => channel.botTurn(conversation, none ? withTicket(activity, none) : activity));
  }

  /**
   * A customer message: to the bot, unless a live agent is awaited or in the chat (decided in turn
   * order). When the message was stored, nothing was pending and the conversation was with the bot,
   * that answer stands without asking the hand-off again.
   */
  private routeCustomerTurn(
    conversation: Conversation, entry: TranscriptEntry, incoming: Partial<Activity>, value: Record<string, unknown> | undefined,
    channel: ChannelTurns, order: TurnOrder | null,
  ): Promise<void> {
    const { db, handoff, logger } = this.deps;
    const id = conversation.id;
    const nothingPending = order !== null && order.done >= order.turn - 1;
    const previousQueuedHere = order !== null && this.lastQueued.get(id) === order.turn - 1;
    // Nothing can write the dialog state before this turn reads it: the states read with the message stand.
    const current = order !== null && order.doneBefore >= order.turn - 1 && !this.queue.busy(id);
    const withBot = current && order.withBot;
    if (order) this.lastQueued.set(id, order.turn);
    const ticket = order ? new TurnTicket(order.turn, current ? order.states : undefined) : null;
    return this.queue.run(id, async () => {
      try {
        await this.answer(conversation, entry, incoming, value, channel, order, ticket, { nothingPending, previousQueuedHere, withBot });
      } finally {
        // A turn that stored nothing (routed to an agent, failed, or a channel that saves apart) is marked here.
        if (order && ticket && !ticket.marked) await markTurnDone(db, id, order.turn);
        if (order && this.lastQueued.get(id) === order.turn) this.lastQueued.delete(id);
      }
    }).catch((err) => logger.error({ err, conversationId: id }, 'customer turn failed'));
  }

  /** A stored customer message's turn, inside its queue: after the one before it, to a live agent or to the bot. */
  private async answer(
    conversation: Conversation, entry: TranscriptEntry, incoming: Partial<Activity>, value: Record<string, unknown> | undefined,
    channel: ChannelTurns, order: TurnOrder | null, ticket: TurnTicket | null,
    known: { nothingPending: boolean; previousQueuedHere: boolean; withBot: boolean },
  ): Promise<void> {
    const { db, handoff, logger } = this.deps;
    const id = conversation.id;
    if (order && !known.nothingPending && !known.previousQueuedHere) await awaitTurnDone(db, logger, id, order.turn - 1);
    let activity: Partial<Activity> | null = incoming;
    if (handoff && !known.withBot) {
      try {
        const route = await handoff.routeCustomerMessage(conversation, entry, value);
        activity = route.to === 'none' ? null : route.activity ?? incoming;
      } catch (err) {
        logger.error({ err, conversationId: id }, 'hand-off routing failed');
      }
    }
    if (activity) await channel.botTurn(conversation, ticket ? withTicket(activity, ticket) : activity);
  }
}
