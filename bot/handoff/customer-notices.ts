import type { Database } from '../../models/database.ts';
import { appendEntry, entriesAfter, type TranscriptEntry } from '../../models/conversations.repository.ts';
import * as repo from '../../models/handoff.repository.ts';
import type { Handoff } from '../../models/handoff.repository.ts';
import { toChatActivity } from '../transcript-activity.ts';
import type { ChatActivity, HandoffStatusEvent } from '../web-protocol.ts';
import type { FanOut } from './fan-out.ts';

/** What the hand-off tells the customer: notices in the transcript, the "handoff" status, the transcript itself. */
export class CustomerNotices {
  constructor(private readonly db: Database, private readonly fanOut: FanOut) {}

  /** A system entry in the transcript, published to both sides. */
  async system(conversationId: string, text: string, content: Record<string, unknown> = {}): Promise<TranscriptEntry> {
    const { entry } = await appendEntry(this.db, conversationId, { sender: 'system', text, content });
    this.fanOut.publish(conversationId, entry);
    return entry;
  }

  async transcript(conversationId: string, afterSeq: number): Promise<ChatActivity[]> {
    const activities: ChatActivity[] = [];
    for (let after = afterSeq; ;) {
      const page = await entriesAfter(this.db, conversationId, after, 1000);
      activities.push(...page.map(toChatActivity));
      if (page.length < 1000) return activities;
      after = page[page.length - 1]!.seq;
    }
  }

  /** The customer's "handoff" status, for a socket that just connected (null: with the bot). */
  async statusFor(conversationId: string): Promise<HandoffStatusEvent | null> {
    const h = await repo.findHandoff(this.db, conversationId);
    if (!h || h.state === 'bot') return null;
    return this.statusOf(h);
  }

  async sendStatus(conversationId: string): Promise<void> {
    const h = await repo.findHandoff(this.db, conversationId);
    if (h) this.fanOut.toCustomer(conversationId, 'handoff', await this.statusOf(h));
  }

  private async statusOf(h: Handoff): Promise<HandoffStatusEvent> {
    const status: HandoffStatusEvent = { state: h.state };
    if (h.state === 'attached' && h.agentStaffId) {
      const name = await repo.staffName(this.db, h.agentStaffId);
      if (name) status.agent = { name };
    }
    if (h.state === 'waiting' && !h.appointmentId) {
      const position = (await repo.queueOrder(this.db, h.brandId)).indexOf(h.conversationId) + 1;
      if (position > 0) status.position = position;
    }
    if (h.appointmentId && h.state !== 'bot') {
      const meetingUrl = await repo.meetingUrlOf(this.db, h.appointmentId);
      if (meetingUrl) status.meetingUrl = meetingUrl;
    }
    return status;
  }
}
