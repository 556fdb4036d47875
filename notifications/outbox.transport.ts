import type { Queryable } from '../models/database.ts';
import { messageIdByIdempotencyKey } from '../models/delivery-events.repository.ts';
import { findMessage, insertLocallySentMessage, listMessages, type MessageRow } from '../models/messages.repository.ts';
import type { MessageAttachment, MessageChannel, OutgoingMessage, Transport } from './transport.ts';

export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed';

/** A row of `messages`, as the outbox page and tests read it: the message as sent, and what became of it. */
export interface OutboxMessage extends OutgoingMessage {
  id: string;
  status: MessageStatus;
  provider: string;
  providerId: string | null;
  error: string | null;
  idempotencyKey: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** The columns that hold the message itself. */
export type MessageContentRow = Pick<MessageRow,
  'brand_id' | 'channel' | 'recipient' | 'kind' | 'subject' | 'body_text' | 'body_html' | 'attachments'>;

/** The message a row records, without its idempotency key (each reader adds it where it wants it). */
export function messageContent(r: MessageContentRow): Omit<OutgoingMessage, 'idempotencyKey'> {
  return {
    brandId: r.brand_id,
    channel: r.channel,
    to: r.recipient,
    kind: r.kind,
    subject: r.subject,
    text: r.body_text,
    html: r.body_html,
    attachments: typeof r.attachments === 'string' ? (JSON.parse(r.attachments) as MessageAttachment[]) : r.attachments,
  };
}

function toMessage(r: MessageRow): OutboxMessage {
  return {
    id: r.id,
    ...messageContent(r),
    status: r.status,
    provider: r.provider,
    providerId: r.provider_id,
    error: r.error,
    idempotencyKey: r.idempotency_key,
    createdAt: new Date(r.created_at),
    sentAt: r.sent_at === null ? null : new Date(r.sent_at),
  };
}

/**
 * The default transport: delivers nothing, records the message in `messages` as sent by 'local'.
 * Developers read it on /dev/outbox; tests read codes and confirmations back from it.
 */
export function localOutboxTransport(db: Queryable, now: () => Date): Transport {
  return {
    name: 'local',
    async send(message: OutgoingMessage) {
      const inserted = await insertLocallySentMessage(db, message, now());
      if (inserted) return { id: inserted };
      // Only a repeated idempotency key gets here: the first send wins.
      const key = message.idempotencyKey ?? null;
      const first = key === null ? null : await messageIdByIdempotencyKey(db, key);
      if (!first) throw new Error('message insert returned nothing');
      return { id: first };
    },
  };
}

export const OUTBOX_MAX_LIMIT = 500;

/** Messages newest first, optionally to one recipient (case-insensitive) and of one kind. */
export async function listOutbox(
  db: Queryable,
  filter: { recipient?: string; kind?: string; limit?: number },
): Promise<OutboxMessage[]> {
  const limit = filter.limit !== undefined && Number.isFinite(filter.limit) ? Math.trunc(filter.limit) : 50;
  const rows = await listMessages(db, { recipient: filter.recipient?.trim(), kind: filter.kind, limit: Math.min(Math.max(limit, 1), OUTBOX_MAX_LIMIT) });
  return rows.map(toMessage);
}

/** One message by id (the dev outbox's HTML view). */
export async function findOutboxMessage(db: Queryable, id: string): Promise<OutboxMessage | null> {
  const row = await findMessage(db, id);
  return row ? toMessage(row) : null;
}
