import {
  ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse,
} from 'botbuilder-core';
import type { Queryable } from '../../models/database.ts';
import { appendEntry, type Conversation, type TranscriptEntry } from '../../models/conversations.repository.ts';
import type { Locale } from '../../models/catalogue.repository.ts';
import { turnScope } from '../../dialogs/turn-scope.ts';
import { transcriptContent } from '../transcript-activity.ts';
import type { TurnLogic } from '../web-chat.adapter.ts';

/** Where the adapter hands what the bot says: the transcript entry, in the language the bot spoke. */
export interface PhoneOutput {
  deliver(conversationId: string, entry: TranscriptEntry, locale: Locale): Promise<void>;
}

/**
 * Our own botbuilder adapter for SMS and WhatsApp (Twilio): activities in from the inbound queue,
 * out to the transcript and, rendered for a phone, to the transactional outbox.
 */
export class PhoneChatAdapter extends BotAdapter {
  constructor(private readonly db: Queryable, private readonly output: PhoneOutput) {
    super();
  }

  /** Runs one bot turn; the customer's number is proven by the channel (channelData.customerPhone). */
  async processIncoming(conversation: Conversation, incoming: Partial<Activity>, logic: TurnLogic): Promise<void> {
    const activity = {
      channelId: conversation.channel,
      serviceUrl: '',
      conversation: { id: conversation.id, isGroup: false, conversationType: 'personal', name: '' },
      from: { id: `customer:${conversation.id}`, name: 'customer', role: 'user' },
      recipient: { id: 'bot', name: 'bot', role: 'bot' },
      locale: conversation.locale,
      timestamp: new Date(),
      channelData: { brandId: conversation.brandId, timeZone: conversation.timeZone, customerPhone: conversation.externalId },
      ...incoming,
    } as Activity;
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const conversationId = context.activity.conversation.id;
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type !== ActivityTypes.Message) {
        // Typing and pacing delays mean nothing on a phone.
        responses.push({ id: '' });
        continue;
      }
      const { entry } = await appendEntry(this.db, conversationId, { sender: 'bot', ...transcriptContent(activity) });
      await this.output.deliver(conversationId, entry, localeOf(context));
      responses.push({ id: entry.id });
    }
    return responses;
  }

  override async updateActivity(): Promise<void> {
    throw new Error('A text message cannot be changed once sent.');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('A text message cannot be taken back once sent.');
  }

  override async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continue' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity as Activity), logic);
  }
}

/** The language the bot spoke this turn (a turn that failed before its scope was set: the activity's). */
function localeOf(context: TurnContext): Locale {
  try {
    return turnScope(context).locale;
  } catch {
    return context.activity.locale === 'fr' ? 'fr' : 'en';
  }
}
