import { randomUUID } from 'node:crypto';
import type { Queryable, Tx } from './database.ts';
import type { MessageForSend } from './message-delivery.repository.ts';
import type { Statement } from './statement-gate.ts';

/** The `messages` table as the outbox records it: one row per message, sent once per idempotency key. */

type Channel = 'email' | 'sms' | 'whatsapp';
type Attachment = { filename: string; contentType: string; contentBase64: string };

/** A row of `messages` as the database returns it (attachments and times as text on some drivers). */
export interface MessageRow {
  id: string;
  brand_id: string;
  channel: Channel;
  recipient: string;
  kind: string;
  subject: string | null;
  body_text: string;
  body_html: string | null;
  attachments: Attachment[] | string;
  status: 'queued' | 'sending' | 'sent' | 'delivered' | 'failed';
  provider: string;
  provider_id: string | null;
  error: string | null;
  idempotency_key: string | null;
  created_at: Date | string;
  sent_at: Date | string | null;
}

/** A message to record, as the notifications layer words it. */
export interface MessageToRecord {
  brandId: string;
  channel: Channel;
  to: string;
  kind: string;
  subject: string | null;
  text: string;
  html: string | null;
  attachments: readonly Attachment[];
  idempotencyKey?: string | null | undefined;
}

const COLUMNS = 'brand_id, channel, recipient, kind, subject, body_text, body_html, attachments, idempotency_key, created_at';
const values = (m: MessageToRecord, at: Date) =>
  [m.brandId, m.channel, m.to, m.kind, m.subject, m.text, m.html, JSON.stringify(m.attachments), m.idempotencyKey ?? null, at];

/**
 * Records a message to send ('queued'), under `id` when the caller chose it (its delivery job was
 * enqueued first); null when its idempotency key is already recorded.
 */
export async function insertQueuedMessage(db: Queryable, m: MessageToRecord, at: Date, id: string | null = null): Promise<string | null> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO messages (id, ${COLUMNS}, status, provider)
     VALUES (COALESCE($11::uuid, gen_random_uuid()), $1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, 'queued', 'pending')
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id`,
    [...values(m, at), id],
  );
  return row?.id ?? null;
}

/** A message to send, under the id its delivery job names. */
export type QueuedMessageToRecord = MessageToRecord & { id: string; idempotencyKey: string };

/**
 * The INSERT of messages to send ('queued') under their ids, as a statement that may be a part of a
 * larger one: only when `onlyIf` (SQL) holds, and each only if its idempotency key is not yet recorded.
 */
export function queuedMessagesInsert(ms: readonly QueuedMessageToRecord[], at: Date, onlyIf = 'true'): Statement {
  return {
    sql: `INSERT INTO messages (id, ${COLUMNS}, status, provider)
     SELECT m.id, m.brand_id, m.channel, m.recipient, m.kind, m.subject, m.body_text, m.body_html, m.attachments::jsonb, m.idempotency_key, $11, 'queued', 'pending'
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS m (id, brand_id, channel, recipient, kind, subject, body_text, body_html, attachments, idempotency_key)
      WHERE ${onlyIf}
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id, idempotency_key AS key`,
    params: [ms.map((m) => m.id), ms.map((m) => m.brandId), ms.map((m) => m.channel), ms.map((m) => m.to), ms.map((m) => m.kind),
      ms.map((m) => m.subject), ms.map((m) => m.text), ms.map((m) => m.html), ms.map((m) => JSON.stringify(m.attachments)),
      ms.map((m) => m.idempotencyKey), at],
  };
}

/**
 * Records several messages to send in one statement; each answer is its message's id, or null
 * when its idempotency key is already recorded.
 */
export async function insertQueuedMessages(tx: Tx, ms: readonly (MessageToRecord & { idempotencyKey: string })[], at: Date): Promise<(string | null)[]> {
  if (ms.length === 0) return [];
  const insert = queuedMessagesInsert(ms.map((m) => ({ ...m, id: randomUUID() })), at);
  const rows = await tx.query<{ id: string; key: string }>(insert.sql, insert.params);
  const ids = new Map(rows.map((r) => [r.key, String(r.id)]));
  return ms.map((m) => ids.get(m.idempotencyKey) ?? null);
}

/** Records a message the local outbox "sent" at once; null when its idempotency key is already recorded. */
export async function insertLocallySentMessage(db: Queryable, m: MessageToRecord, at: Date): Promise<string | null> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO messages (${COLUMNS}, status, provider, sent_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, 'sent', 'local', $10)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id`,
    values(m, at),
  );
  return row?.id ?? null;
}

/**
 * Records a new email already claimed for its first attempt by `provider` ('sending', attempt 1), or
 * already sent when the provider is the local outbox: one statement for a message someone waits for
 * (a one-time code). A crash before its outcome is recorded leaves a claim the recovery sweep releases.
 * Null when its idempotency key is already recorded.
 */
export async function insertClaimedEmail(
  db: Queryable, m: MessageToRecord & { channel: 'email' }, at: Date, provider: string, local: boolean,
): Promise<MessageForSend | null> {
  const [row] = await db.query<MessageForSend>(
    `INSERT INTO messages (${COLUMNS}, status, provider, attempts, claimed_at, sent_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10,
       CASE WHEN $12::boolean THEN 'sent' ELSE 'sending' END, $11,
       CASE WHEN $12::boolean THEN 0 ELSE 1 END,
       CASE WHEN $12::boolean THEN NULL ELSE $10::timestamptz END,
       CASE WHEN $12::boolean THEN $10::timestamptz END)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id, brand_id, channel, recipient, kind, subject, body_text, body_html, attachments, status, provider,
       idempotency_key, attempts, false AS reported`,
    [...values(m, at), provider, local],
  );
  return row ?? null;
}

/** Messages newest first, optionally to one recipient (case-insensitive) and of one kind. */
export async function listMessages(db: Queryable, filter: { recipient?: string | undefined; kind?: string | undefined; limit: number }): Promise<MessageRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.recipient !== undefined) {
    params.push(filter.recipient);
    where.push(`lower(recipient) = lower($${params.length})`);
  }
  if (filter.kind !== undefined) {
    params.push(filter.kind);
    where.push(`kind = $${params.length}`);
  }
  params.push(filter.limit);
  return db.query<MessageRow>(
    `SELECT * FROM messages ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC, seq DESC LIMIT $${params.length}`,
    params,
  );
}

export async function findMessage(db: Queryable, id: string): Promise<MessageRow | null> {
  const [row] = await db.query<MessageRow>('SELECT * FROM messages WHERE id = $1', [id]);
  return row ?? null;
}
