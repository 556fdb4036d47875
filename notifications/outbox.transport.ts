import type { Queryable } from '../models/database.ts';
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

/** A row of `messages` as the database returns it (attachments and times as text on some drivers). */
export interface MessageRow {
  id: string;
  brand_id: string;
  channel: MessageChannel;
  recipient: string;
  kind: string;
  subject: string | null;
  body_text: string;
  body_html: string | null;
  attachments: MessageAttachment[] | string;
  status: MessageStatus;
  provider: string;
  provider_id: string | null;
  error: string | null;
  idempotency_key: string | null;
  created_at: Date | string;
  sent_at: Date | string | null;
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
      const at = now();
      const key = message.idempotencyKey ?? null;
      const inserted = await db.query<{ id: string }>(
        `INSERT INTO messages (brand_id, channel, recipient, kind, subject, body_text, body_html, attachments,
                               status, provider, idempotency_key, created_at, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, 'sent', 'local', $9, $10, $10)
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING id`,
        [message.brandId, message.channel, message.to, message.kind, message.subject, message.text, message.html,
          JSON.stringify(message.attachments), key, at],
      );
      if (inserted[0]) return { id: inserted[0].id };
      // Only a repeated idempotency key gets here: the first send wins.
      const [first] = await db.query<{ id: string }>('SELECT id FROM messages WHERE idempotency_key = $1', [key]);
      if (!first) throw new Error('message insert returned nothing');
      return { id: first.id };
    },
  };
}

export const OUTBOX_MAX_LIMIT = 500;

/** Messages newest first, optionally to one recipient (case-insensitive) and of one kind. */
export async function listOutbox(
  db: Queryable,
  filter: { recipient?: string; kind?: string; limit?: number },
): Promise<OutboxMessage[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.recipient !== undefined) {
    params.push(filter.recipient.trim());
    where.push(`lower(recipient) = lower($${params.length})`);
  }
  if (filter.kind !== undefined) {
    params.push(filter.kind);
    where.push(`kind = $${params.length}`);
  }
  const limit = filter.limit !== undefined && Number.isFinite(filter.limit) ? Math.trunc(filter.limit) : 50;
  params.push(Math.min(Math.max(limit, 1), OUTBOX_MAX_LIMIT));
  const rows = await db.query<MessageRow>(
    `SELECT * FROM messages ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, seq DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toMessage);
}

/** One message by id (the dev outbox's HTML view). */
export async function findOutboxMessage(db: Queryable, id: string): Promise<OutboxMessage | null> {
  const [row] = await db.query<MessageRow>('SELECT * FROM messages WHERE id = $1', [id]);
  return row ? toMessage(row) : null;
}
