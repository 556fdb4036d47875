import { ActivityTypes, type Activity, type ResourceResponse, type TurnContext } from 'botbuilder-core';
import type { Queryable } from '../models/database.ts';
import { appendEntry, saveTurn, type TranscriptEntry } from '../models/conversations.repository.ts';
import { ConversationAdapter } from './conversation-adapter.ts';
import { transcriptContent } from './transcript-activity.ts';
import { heldReplies, holdReplies, TurnReplies } from './turn-replies.ts';
import { ticketOf } from './turn-order.ts';

/** Where the adapter hands what the bot says: the socket layer broadcasts it to the conversation. */
export interface ChatOutput {
  deliver(conversationId: string, entry: TranscriptEntry): void;
  typing(conversationId: string, on: boolean): void;
}

export type { TurnLogic } from './conversation-adapter.ts';

/**
 * Our own botbuilder adapter for the web chat: activities in from socket.io, out to the transcript.
 * A turn's replies are held and stored with its dialog state (one statement), then shown.
 */
export class WebChatAdapter extends ConversationAdapter {
  constructor(private readonly db: Queryable, private readonly output: ChatOutput) {
    super();
  }

  protected channelOf(): string {
    return 'web';
  }

  protected override beginTurn(context: TurnContext): void {
    holdReplies(context, new TurnReplies(context.activity.conversation.id, ticketOf(context.activity)));
  }

  /** Stores what is still held (a turn whose state did not change, or failed), then shows every stored reply in order. */
  protected override async endTurn(context: TurnContext): Promise<void> {
    const replies = heldReplies(context);
    if (!replies) return;
    const deferred = replies.ticket?.deferred;
    // A turn begun before its message was stored and refused shows nothing: it runs again.
    if (deferred?.refused) return;
    if (deferred && !deferred.started) {
      // Its state unchanged (or not yet saved): the message and what was said, in one statement.
      replies.storedAs((await deferred.storeWithTurn(replies.pending, null)).said);
    } else if (replies.pending.length > 0) {
      replies.storedAs((await saveTurn(this.db, replies.conversationId, replies.pending, null, replies.turnToMark())).entries);
    }
    for (const entry of replies.takeStored()) this.output.deliver(replies.conversationId, entry);
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const conversationId = context.activity.conversation.id;
    const replies = heldReplies(context);
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === ActivityTypes.Typing) {
        this.output.typing(conversationId, true);
        responses.push({ id: '' });
      } else if (activity.type === 'delay') {
        // What was said before a pause is shown before it.
        await this.endTurn(context);
        await new Promise((resolve) => setTimeout(resolve, Math.min(Number(activity.value) || 0, 5000)));
        responses.push({ id: '' });
      } else if (activity.type === ActivityTypes.Message && replies) {
        responses.push({ id: replies.say({ sender: 'bot', ...transcriptContent(activity) }) });
      } else if (activity.type === ActivityTypes.Message) {
        // A proactive turn (continueConversation) holds nothing: stored and shown at once.
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
