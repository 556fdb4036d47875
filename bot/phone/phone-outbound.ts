import type { Database } from '../../models/database.ts';
import { findConversation, type Conversation, type TranscriptEntry } from '../../models/conversations.repository.ts';
import type { Locale } from '../../models/catalogue.repository.ts';
import {
  conversationSender, findPhoneContact, parsePhoneAddress, setMessagePhoneFields, type PhoneChannel,
} from '../../models/phone-channels.repository.ts';
import type { DeliveryQueue } from '../../notifications/delivery-queue.ts';
import { queueMessage, type MessageSender } from '../../notifications/message-sender.ts';
import { WHATSAPP_WINDOW_MS } from '../../notifications/whatsapp-content.ts';
import { renderForPhone } from './phone-rendering.ts';

/** A phone conversation during a turn, with the brand number the customer wrote to. */
export interface PhoneTurn {
  conversation: Conversation;
  sender: string;
}

export interface PhoneOutboundDeps {
  db: Database;
  queue: Pick<DeliveryQueue, 'enqueueDelivery'>;
  sender: MessageSender;
  now: () => Date;
}

/**
 * Transcript entries (the bot's, an agent's) to the customer's phone: rendered for the channel,
 * recorded in the transactional outbox with their delivery job, then sent at once (the job retries
 * a failed first try). One message per entry, whatever happens: the entry id is the idempotency key.
 */
export function createPhoneOutbound(deps: PhoneOutboundDeps) {
  const { db, now } = deps;
  return {
    /**
     * `to`: the conversation's id, or (during a turn from an inbound message) the conversation
     * itself with the brand number written to, which spares two reads.
     */
    async deliver(to: string | PhoneTurn, entry: TranscriptEntry, locale: Locale): Promise<void> {
      const conversation = typeof to === 'string' ? await findConversation(db, to) : to.conversation;
      if (!conversation || conversation.channel === 'web' || !conversation.externalId) return;
      const channel: PhoneChannel = conversation.channel;
      const phone = conversation.externalId;
      const senderAddress = typeof to === 'string' ? await conversationSender(db, conversation) : to.sender;
      const contact = channel === 'whatsapp' ? await findPhoneContact(db, conversation.brandId, channel, phone) : null;
      const windowOpen = !!contact?.lastInboundAt && now().getTime() - contact.lastInboundAt.getTime() < WHATSAPP_WINDOW_MS;
      const rendered = renderForPhone(entry, channel, locale, windowOpen);
      const id = await db.transaction(async (tx) => {
        const queued = await queueMessage(tx, deps.queue, {
          brandId: conversation.brandId, channel, to: phone, kind: 'chat', subject: null, text: rendered.text, html: null, attachments: [],
          idempotencyKey: `chat:${entry.id}`,
        }, now());
        if (queued) {
          const sender = senderAddress ? parsePhoneAddress(senderAddress)?.phone ?? null : null;
          await setMessagePhoneFields(tx, queued, { sender, rich: rendered.rich, conversationId: conversation.id });
        }
        return queued;
      });
      if (id) await deps.sender.send(id).catch(() => undefined);
    },
  };
}

export type PhoneOutbound = ReturnType<typeof createPhoneOutbound>;
