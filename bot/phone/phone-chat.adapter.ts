import { ActivityTypes, type Activity, type ResourceResponse, type TurnContext } from 'botbuilder-core';
import type { Queryable } from '../../models/database.ts';
import { appendEntry, type Conversation, type TranscriptEntry } from '../../models/conversations.repository.ts';
import type { Locale } from '../../models/catalogue.repository.ts';
import { turnScope } from '../../dialogs/turn-scope.ts';
import { transcriptContent } from '../transcript-activity.ts';
import { ConversationAdapter } from '../conversation-adapter.ts';

/** Where the adapter hands what the bot says: the transcript entry, in the language the bot spoke. */
export interface PhoneOutput {
  deliver(conversationId: string, entry: TranscriptEntry, locale: Locale): Promise<void>;
}

/**
 * Our own botbuilder adapter for SMS and WhatsApp (Twilio): activities in from the inbound queue,
 * out to the transcript and, rendered for a phone, to the transactional outbox.
 */
export class PhoneChatAdapter extends ConversationAdapter {
  constructor(private readonly db: Queryable, private readonly output: PhoneOutput) {
    super();
  }

  protected channelOf(conversation: Conversation): string {
    return conversation.channel;
  }

  /** The customer's number, proven by the channel: the bot needs no code for it. */
  protected override channelData(conversation: Conversation): Record<string, unknown> {
    return { customerPhone: conversation.externalId };
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
}

/** The language the bot spoke this turn (a turn that failed before its scope was set: the activity's). */
function localeOf(context: TurnContext): Locale {
  try {
    return turnScope(context).locale;
  } catch {
    return context.activity.locale === 'fr' ? 'fr' : 'en';
  }
}
