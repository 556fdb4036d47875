import type { OutgoingMessage } from './transport.ts';
import type { WhatsAppContent } from './whatsapp-content.ts';

/**
 * An outgoing message that already has its `messages` row (the transactional outbox's sender passes
 * it): provider transports send its id along (SendGrid custom_args, Twilio's status callback URL)
 * so delivery webhooks match it back even before the provider's id is recorded on the row. The id
 * is also the provider's idempotency token: every attempt at one row sends the same.
 */
export interface ProviderOutgoingMessage extends OutgoingMessage {
  messageId?: string | null;
  /** SMS/WhatsApp: the brand number to send from (a reply goes from the number written to); else the configured one. */
  from?: string | null;
  /** WhatsApp: interactive content or an approved template instead of plain text. */
  whatsapp?: WhatsAppContent | null;
  /** Which attempt at this row (1, 2, …): a retry after an interrupted send is recognizable. */
  attempt?: number;
}

/** The token a provider deduplicates attempts by: our row's id, else the message's idempotency key. */
export const providerIdempotencyToken = (m: ProviderOutgoingMessage): string | null =>
  m.messageId || m.idempotencyKey || null;

/**
 * How a provider transport says a send failed, so a retry loop knows what to do:
 * PermanentDeliveryError → never retry (bad address, rejected content, bad credentials);
 * TransientDeliveryError → retry later with backoff (5xx, rate limits, timeouts, network).
 */
export abstract class DeliveryError extends Error {
  abstract readonly retryable: boolean;

  constructor(
    readonly provider: string,
    message: string,
    /** The provider's HTTP status, when there was a response. */
    readonly status: number | null = null,
    /** The provider's own error code (Twilio's 21211, …), when it gave one. */
    readonly providerCode: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class PermanentDeliveryError extends DeliveryError {
  override readonly retryable = false;

  constructor(provider: string, message: string, status: number | null = null, providerCode: string | null = null, options?: { cause?: unknown }) {
    super(provider, message, status, providerCode, options);
    this.name = 'PermanentDeliveryError';
  }
}

export class TransientDeliveryError extends DeliveryError {
  override readonly retryable = true;

  constructor(provider: string, message: string, status: number | null = null, providerCode: string | null = null, options?: { cause?: unknown }) {
    super(provider, message, status, providerCode, options);
    this.name = 'TransientDeliveryError';
  }
}

/** HTTP statuses that are 4xx but worth retrying: request timeout and rate limiting. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/** A provider's HTTP status → permanent (most 4xx) or transient (5xx, 408/429, no response). */
export function isPermanentStatus(status: number | null): boolean {
  return status !== null && status >= 400 && status < 500 && !RETRYABLE_4XX.has(status);
}

/**
 * Per-process deduplication by idempotency key, for providers whose API has none: concurrent and
 * repeated sends with one key share the first successful result; a failure forgets the key so a
 * retry can send. Bounded (oldest keys dropped first). Durable deduplication across processes and
 * restarts belongs to whatever records the message first (the `messages` row and its unique key).
 */
export function idempotentSends(maxKeys = 10_000) {
  const sends = new Map<string, Promise<{ id: string }>>();
  return (key: string | null | undefined, send: () => Promise<{ id: string }>): Promise<{ id: string }> => {
    if (key === null || key === undefined || key === '') return send();
    const known = sends.get(key);
    if (known) return known;
    const pending = send();
    sends.set(key, pending);
    pending.catch(() => {
      if (sends.get(key) === pending) sends.delete(key);
    });
    while (sends.size > maxKeys) {
      const oldest = sends.keys().next();
      if (oldest.done) break;
      sends.delete(oldest.value);
    }
    return pending;
  };
}
