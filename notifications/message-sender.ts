import type { Database, Tx } from '../models/database.ts';
import { DeliveryError, type ProviderOutgoingMessage } from './delivery-errors.ts';
import { applyPhoneRules, recordPhoneRefusal, type RuledRow } from './phone-rules.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import { localOutboxTransport, messageContent, type MessageContentRow, type MessageRow } from './outbox.transport.ts';
import type { MessageChannel, OutgoingMessage, Transport } from './transport.ts';

/** The transport that carries each channel. */
export type Transports = Record<MessageChannel, Transport>;

/** Every channel through the local outbox (development, tests, and until providers are configured). */
export const localTransports = (db: Database, now: () => Date): Transports => {
  const local = localOutboxTransport(db, now);
  return { email: local, sms: local, whatsapp: local };
};

/**
 * The transactional outbox: records the message as 'queued' and enqueues its delivery in the
 * caller's transaction, so it is sent if and only if that commits. A key already recorded is the
 * same message: nothing is added and null is returned.
 */
export async function queueMessage(
  tx: Tx,
  queue: Pick<DeliveryQueue, 'enqueueDelivery'>,
  message: OutgoingMessage & { idempotencyKey: string },
  now: Date,
): Promise<string | null> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO messages (brand_id, channel, recipient, kind, subject, body_text, body_html, attachments,
                           status, provider, idempotency_key, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, 'queued', 'pending', $9, $10)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id`,
    [message.brandId, message.channel, message.to, message.kind, message.subject, message.text, message.html,
      JSON.stringify(message.attachments), message.idempotencyKey, now],
  );
  if (!row) return null;
  await queue.enqueueDelivery(tx, row.id);
  return row.id;
}

export type SendOutcome =
  | { status: 'sent'; provider: string }
  /** Already sent, failed or gone: a repeated job changes nothing. */
  | { status: 'unchanged' }
  | { status: 'failed'; error: string }
  /** Failed for now: the row keeps the error and stays queued; the caller retries. */
  | { status: 'retry'; error: unknown };

export interface MessageSender {
  /** Sends one queued `messages` row; final → a transient failure is recorded as failed. */
  send(messageId: string, options?: { final?: boolean }): Promise<SendOutcome>;
}

/** A failure no retry will fix: the provider's PermanentDeliveryError, or any error saying permanent. */
export function isPermanentFailure(error: unknown): boolean {
  if (error instanceof DeliveryError) return !error.retryable;
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

/** The columns a send reads; status is whatever the row holds. */
type QueuedRow = MessageContentRow & Pick<MessageRow, 'id' | 'idempotency_key'> & { status: string } & Pick<RuledRow, 'sender' | 'rich'>;

function outgoing(r: QueuedRow): ProviderOutgoingMessage & { messageId: string } {
  return { messageId: r.id, ...messageContent(r), idempotencyKey: r.idempotency_key };
}

/**
 * Sends messages already recorded as 'queued' (the transactional outbox) and records the result on
 * the same row, exactly once: the row is locked for the send, and anything but 'queued' is left
 * alone. The local outbox's own send would insert another row, so for it the row is only marked
 * sent. Provider transports are called while the row is locked: they must not use the database
 * (on PGlite that would wait for this very transaction).
 */
export function createMessageSender(deps: { db: Database; now: () => Date; transports?: Transports | undefined }): MessageSender {
  const transports = deps.transports ?? localTransports(deps.db, deps.now);

  const mark = (tx: Tx, id: string, status: 'sent' | 'queued' | 'failed', provider: string, providerId: string | null, error: string | null) =>
    tx.query(
      `UPDATE messages SET status = $2, provider = $3, provider_id = $4, error = $5,
              sent_at = CASE WHEN $2 = 'sent' THEN $6::timestamptz ELSE sent_at END
        WHERE id = $1`,
      [id, status, provider, providerId, error, deps.now()],
    );

  return {
    async send(messageId, options = {}) {
      return deps.db.transaction(async (tx): Promise<SendOutcome> => {
        const [row] = await tx.query<QueuedRow>(
          `SELECT id, brand_id, channel, recipient, kind, subject, body_text, body_html, attachments, status, idempotency_key, sender, rich
             FROM messages WHERE id = $1 FOR UPDATE`,
          [messageId],
        );
        if (!row || row.status !== 'queued') return { status: 'unchanged' };
        const ruled = await applyPhoneRules(tx, row, deps.now());
        if (!ruled.send) {
          await mark(tx, row.id, 'failed', 'rules', null, ruled.reason);
          return { status: 'failed', error: ruled.reason };
        }
        const transport = transports[ruled.channel];
        if (transport.name === 'local') {
          await mark(tx, row.id, 'sent', 'local', null, null);
          return { status: 'sent', provider: 'local' };
        }
        try {
          const message: ProviderOutgoingMessage = { ...outgoing(row), channel: ruled.channel, from: ruled.from, whatsapp: ruled.whatsapp };
          const { id } = await transport.send(message);
          await mark(tx, row.id, 'sent', transport.name, id, null);
          return { status: 'sent', provider: transport.name };
        } catch (error) {
          const text = describe(error);
          await recordPhoneRefusal(tx, row, ruled.channel, error, deps.now());
          if (isPermanentFailure(error) || options.final) {
            await mark(tx, row.id, 'failed', transport.name, null, text);
            return { status: 'failed', error: text };
          }
          await mark(tx, row.id, 'queued', transport.name, null, text);
          return { status: 'retry', error };
        }
      });
    },
  };
}
