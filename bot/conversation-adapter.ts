import {
  ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference,
} from 'botbuilder-core';
import type { Conversation } from '../models/conversations.repository.ts';

export type TurnLogic = (context: TurnContext) => Promise<void>;

/**
 * What our channel adapters share: an incoming message or event of a stored conversation becomes
 * a botbuilder activity (brand, time zone and the channel's own facts in channelData), the
 * transcript is append-only, and proactive turns reuse a saved conversation reference.
 */
export abstract class ConversationAdapter extends BotAdapter {
  /** The channel the customer writes on now (an SMS conversation opened by a Join link is on the web). */
  protected abstract channelOf(conversation: Conversation): string;

  /** What the bot reads of the conversation besides brand and zone (e.g. a phone proven by the channel). */
  protected channelData(_conversation: Conversation): Record<string, unknown> {
    return {};
  }

  /** Before a turn's logic runs (e.g. to hold its replies until its state is saved). */
  protected beginTurn(_context: TurnContext): void {}

  /** After a turn's logic, even one that threw: what the turn said and was not yet stored is stored and shown. */
  protected async endTurn(_context: TurnContext): Promise<void> {}

  /** Runs one bot turn for an incoming customer message or event. */
  async processIncoming(conversation: Conversation, incoming: Partial<Activity>, logic: TurnLogic): Promise<void> {
    const activity = {
      channelId: this.channelOf(conversation),
      serviceUrl: '',
      conversation: { id: conversation.id, isGroup: false, conversationType: 'personal', name: '' },
      from: { id: `customer:${conversation.id}`, name: 'customer', role: 'user' },
      recipient: { id: 'bot', name: 'bot', role: 'bot' },
      locale: conversation.locale,
      timestamp: new Date(),
      channelData: { brandId: conversation.brandId, timeZone: conversation.timeZone, ...this.channelData(conversation) },
      ...incoming,
    } as Activity;
    const context = new TurnContext(this, activity);
    this.beginTurn(context);
    try {
      await this.runMiddleware(context, logic);
    } finally {
      await this.endTurn(context);
    }
  }

  override async updateActivity(): Promise<void> {
    throw new Error('The transcript is append-only: a message cannot be changed once sent.');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('The transcript is append-only: a message cannot be taken back once sent.');
  }

  /** Proactive messages (a hold expiring, an agent leaving) reuse a saved conversation reference. */
  override async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continue' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity as Activity), logic);
  }
}
