import type { Queryable, Tx } from './database.ts';

/**
 * The delivery state of `messages` rows: queued → sending (claimed, committed before the provider
 * is called) → sent, or back to queued for a retry, or failed. Whoever claims a message owns its
 * outcome; a claim older than the send timeout belongs to a process that died and is released.
 */

/** A message as a send reads it, locked. */
export interface MessageForSend {
  id: string;
  brand_id: string;
  channel: 'email' | 'sms' | 'whatsapp';
  recipient: string;
  kind: string;
  subject: string | null;
  body_text: string;
  body_html: string | null;
  attachments: { filename: string; contentType: string; contentBase64: string }[] | string;
  status: string;
  provider: string;
  idempotency_key: string | null;
  attempts: number;
  /** The provider already reported on it (status callback or event webhook): it was accepted. */
  reported: boolean;
}

export async function lockMessageForSend(tx: Tx, id: string): Promise<MessageForSend | null> {
  const [row] = await tx.query<MessageForSend>(
    `SELECT id, brand_id, channel, recipient, kind, subject, body_text, body_html, attachments, status, provider,
            idempotency_key, attempts, EXISTS (SELECT 1 FROM delivery_events e WHERE e.message_id = m.id) AS reported
       FROM messages m WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return row ?? null;
}

/**
 * An email still 'queued' that no provider has reported on (nearly every send), in one statement
 * instead of a locked read and a write: claimed 'sending' for a new attempt by `provider` (its
 * `attempts` is that attempt's number), or, when the local outbox is its transport (`local`), marked
 * sent. Null when the row is anything else: the caller then decides under the row's lock.
 */
export async function claimQueuedEmail(
  db: Queryable, id: string, provider: string, local: boolean, at: Date,
): Promise<MessageForSend | null> {
  const [row] = await db.query<MessageForSend>(
    `UPDATE messages m SET
       status = CASE WHEN $3::boolean THEN 'sent' ELSE 'sending' END,
       provider = $2,
       attempts = CASE WHEN $3::boolean THEN attempts ELSE attempts + 1 END,
       claimed_at = CASE WHEN $3::boolean THEN NULL ELSE $4::timestamptz END,
       error = CASE WHEN $3::boolean THEN NULL ELSE error END,
       sent_at = CASE WHEN $3::boolean THEN COALESCE(sent_at, $4::timestamptz) ELSE sent_at END
     WHERE id = $1 AND status = 'queued' AND channel = 'email'
       AND NOT EXISTS (SELECT 1 FROM delivery_events e WHERE e.message_id = m.id)
     RETURNING id, brand_id, channel, recipient, kind, subject, body_text, body_html, attachments, status, provider,
       idempotency_key, attempts, false AS reported`,
    [id, provider, local, at],
  );
  return row ?? null;
}

/** Marks the locked message 'sending' for a new attempt by `provider`; returns the attempt's number. */
export async function claimMessage(tx: Tx, id: string, provider: string, at: Date): Promise<number> {
  const [row] = await tx.query<{ attempts: number }>(
    `UPDATE messages SET status = 'sending', provider = $2, attempts = attempts + 1, claimed_at = $3
      WHERE id = $1 RETURNING attempts`,
    [id, provider, at],
  );
  if (!row) throw new Error(`message ${id} vanished while claimed`);
  return row.attempts;
}

/**
 * Records a send the provider accepted. Applied whatever the claim: the provider has the message,
 * so a later attempt (or a webhook that already moved it on) must not make it look unsent.
 */
export async function recordMessageSent(db: Queryable, id: string, provider: string, providerId: string | null, at: Date): Promise<void> {
  await db.query(
    `UPDATE messages
        SET status = CASE WHEN status IN ('queued', 'sending') THEN 'sent' ELSE status END,
            error = CASE WHEN status IN ('queued', 'sending') THEN NULL ELSE error END,
            provider = $2, provider_id = COALESCE($3, provider_id), claimed_at = NULL,
            sent_at = COALESCE(sent_at, $4)
      WHERE id = $1`,
    [id, provider, providerId, at],
  );
}

/**
 * Records a failed attempt: 'queued' to be retried, or 'failed' for good. Only the attempt that
 * holds the claim may: a stale attempt's late failure must not undo a newer attempt.
 */
export async function recordAttemptFailed(
  db: Queryable, id: string, attempt: number, status: 'queued' | 'failed', error: string,
): Promise<void> {
  await db.query(
    `UPDATE messages SET status = $3, error = $4, claimed_at = NULL
      WHERE id = $1 AND status = 'sending' AND attempts = $2`,
    [id, attempt, status, error],
  );
}

export interface ReleasedClaims {
  /** Back to 'queued': their last attempt's outcome is unknown; send them again with the same key. */
  requeued: string[];
  /** Out of attempts: marked failed. */
  failed: string[];
}

/**
 * Releases claims made before `claimedBefore` (their process died mid-send): back to 'queued' for
 * another attempt, or 'failed' once `maxAttempts` attempts were started. SKIP LOCKED lets
 * several processes sweep at once.
 */
export async function releaseStaleClaims(tx: Tx, claimedBefore: Date, maxAttempts: number, limit: number): Promise<ReleasedClaims> {
  const rows = await tx.query<{ id: string; status: 'queued' | 'failed' }>(
    `UPDATE messages m
        SET status = CASE WHEN m.attempts >= $2 THEN 'failed' ELSE 'queued' END,
            error = 'attempt ' || m.attempts || ' was interrupted (outcome unknown)'
                    || CASE WHEN m.attempts >= $2 THEN '; no attempts left' ELSE '; sent again with the same idempotency key' END,
            claimed_at = NULL
      WHERE m.id IN (SELECT id FROM messages WHERE status = 'sending' AND claimed_at < $1
                      ORDER BY claimed_at LIMIT $3 FOR UPDATE SKIP LOCKED)
      RETURNING m.id, m.status`,
    [claimedBefore, maxAttempts, limit],
  );
  return {
    requeued: rows.filter((r) => r.status === 'queued').map((r) => r.id),
    failed: rows.filter((r) => r.status === 'failed').map((r) => r.id),
  };
}
