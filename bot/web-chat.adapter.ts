import {
  ActivityTypes, BotAdapter, TurnContext, type Activity, type ConversationReference, type ResourceResponse,
} from 'botbuilder-core';
import type { Queryable } from '../models/database.ts';
import { appendEntry, type Conversation, type TranscriptEntry } from '../models/conversations.repository.ts';
import { transcriptContent } from './transcript-activity.ts';

/** Where the adapter hands what the bot says: the socket layer broadcasts it to the conversation. */
export interface ChatOutput {
  deliver(conversationId: string, entry: TranscriptEntry): void;
  typing(conversationId: string, on: boolean): void;
}

export type TurnLogic = (context: TurnContext) => Promise<void>;

/** Our own botbuilder adapter for the web chat: activities in from socket.io, out to the transcript. */
export class WebChatAdapter extends BotAdapter {
  constructor(private readonly db: Queryable, private readonly output: ChatOutput) {
    super();
  }

  /** Runs one bot turn for an incoming customer message or event. */
  async processIncoming(conversation: Conversation, incoming: Partial<Activity>, logic: TurnLogic): Promise<void> {
    const activity = {
      channelId: 'web',
      serviceUrl: '',
      conversation: { id: conversation.id, isGroup: false, conversationType: 'personal', name: '' },
      from: { id: `customer:${conversation.id}`, name: 'customer', role: 'user' },
      recipient: { id: 'bot', name: 'bot', role: 'bot' },
      locale: conversation.locale,
      timestamp: new Date(),
      channelData: { brandId: conversation.brandId, timeZone: conversation.timeZone },
      ...incoming,
    } as Activity;
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const conversationId = context.activity.conversation.id;
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === ActivityTypes.Typing) {
        this.output.typing(conversationId, true);
        responses.push({ id: '' });
      } else if (activity.type === 'delay') {
        await new Promise((resolve) => setTimeout(resolve, Math.min(Number(activity.value) || 0, 5000)));
        responses.push({ id: '' });
      } else if (activity.type === ActivityTypes.Message) {
        const { entry } = await appendEntry(this.db, conversationId, { sender: 'bot', ...transcriptContent(activity) });
        this.output.deliver(conversationId, entry);
        responses.push({ id: entry.id });
      } else {
        responses.push({ id: '' });
      }
    }
    return responses;
  }

  override async updateActivity(): Promise<void> {
    throw new Error('The web chat transcript is append-only.');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('The web chat transcript is append-only.');
  }

  /** Proactive messages (a hold expiring, an agent leaving) reuse a saved conversation reference. */
  override async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continue' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity as Activity), logic);
  }
}
