import type { Queryable } from './database.ts';

/** Providers' delivery events (Twilio status callbacks, SendGrid events) and the message statuses they move forward. */

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed';

export interface DeliveryEvent {
  provider: string;
  providerEventId: string;
  messageId: string | null;
  event: string;
  payload: unknown;
}

/** The forward-only order of message statuses ('sending': a send whose answer we may not have yet). */
const STATUS_RANK: Record<DeliveryStatus, number> = { queued: 0, sending: 0, sent: 1, delivered: 2, failed: 3 };
const RANK_OF_STATUS_SQL = `CASE status WHEN 'queued' THEN 0 WHEN 'sending' THEN 0 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 ELSE 3 END`;

/** Records a provider event once: a replay (same provider and event id) changes nothing. */
export async function insertDeliveryEvent(db: Queryable, e: DeliveryEvent, receivedAt: Date): Promise<void> {
  await db.query(
    `INSERT INTO delivery_events (provider, provider_event_id, message_id, event, payload, received_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6)
     ON CONFLICT (provider, provider_event_id) DO NOTHING`,
    [e.provider, e.providerEventId, e.messageId, e.event, JSON.stringify(e.payload), receivedAt],
  );
}

/** Moves a message to `status` only if that is further along than where it is (never back). */
export async function advanceMessageStatus(db: Queryable, messageId: string, status: DeliveryStatus, error: string | null, at: Date): Promise<void> {
  await db.query(
    `UPDATE messages
        SET status = $2,
            error = CASE WHEN $2 = 'failed' THEN $3 ELSE error END,
            sent_at = CASE WHEN $2 IN ('sent', 'delivered') THEN COALESCE(sent_at, $4) ELSE sent_at END
      WHERE id = $1 AND ${RANK_OF_STATUS_SQL} < $5::int`,
    [messageId, status, error, at, STATUS_RANK[status]],
  );
}

const firstId = (rows: { id: string }[]): string | null => rows[0]?.id ?? null;

/** The id when such a message exists. */
export async function existingMessageId(db: Queryable, id: string): Promise<string | null> {
  return firstId(await db.query<{ id: string }>('SELECT id FROM messages WHERE id = $1', [id]));
}

export async function messageIdByIdempotencyKey(db: Queryable, key: string): Promise<string | null> {
  return firstId(await db.query<{ id: string }>('SELECT id FROM messages WHERE idempotency_key = $1', [key]));
}

/** The first message the provider knows by this id of theirs. */
export async function messageIdByProviderId(db: Queryable, provider: 'twilio' | 'sendgrid', providerId: string): Promise<string | null> {
  return firstId(await db.query<{ id: string }>(
    'SELECT id FROM messages WHERE provider = $1 AND provider_id = $2 ORDER BY created_at LIMIT 1', [provider, providerId]));
}

export async function messageRecipient(db: Queryable, id: string): Promise<{ brandId: string; channel: string; recipient: string } | null> {
  const [m] = await db.query<{ brandId: string; channel: string; recipient: string }>(
    'SELECT brand_id AS "brandId", channel, recipient FROM messages WHERE id = $1', [id]);
  return m ?? null;
}
