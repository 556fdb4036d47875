import { ActivityTypes, type Activity, type ResourceResponse, type TurnContext } from 'botbuilder-core';
import type { Queryable } from '../models/database.ts';
import { appendEntry, type TranscriptEntry } from '../models/conversations.repository.ts';
import { ConversationAdapter } from './conversation-adapter.ts';
import { transcriptContent } from './transcript-activity.ts';

/** Where the adapter hands what the bot says: the socket layer broadcasts it to the conversation. */
export interface ChatOutput {
  deliver(conversationId: string, entry: TranscriptEntry): void;
  typing(conversationId: string, on: boolean): void;
}

export type { TurnLogic } from './conversation-adapter.ts';

/** Our own botbuilder adapter for the web chat: activities in from socket.io, out to the transcript. */
export class WebChatAdapter extends ConversationAdapter {
  constructor(private readonly db: Queryable, private readonly output: ChatOutput) {
    super();
  }

  protected channelOf(): string {
    return 'web';
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
}
