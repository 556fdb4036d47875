import type { Database, Tx } from '../models/database.ts';
import {
  claimMessage, claimQueuedEmail, lockMessageForSend, recordAttemptFailed, recordMessageSent, type MessageForSend,
} from '../models/message-delivery.repository.ts';
import { insertClaimedEmail, insertQueuedMessage, insertQueuedMessages } from '../models/messages.repository.ts';
import { refuseMessage } from '../models/phone-channels.repository.ts';
import { DeliveryError, type ProviderOutgoingMessage } from './delivery-errors.ts';
import type { DeliveryOptions, DeliveryQueue } from './delivery-queue.ts';
import { localOutboxTransport, messageContent } from './outbox.transport.ts';
import { applyPhoneRules, recordPhoneRefusal, type RuledSend } from './phone-rules.ts';
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
  delivery: DeliveryOptions = {},
): Promise<string | null> {
  const id = await insertQueuedMessage(tx, message, now);
  if (!id) return null;
  await queue.enqueueDelivery(tx, id, delivery);
  return id;
}

/** As queueMessage, for several messages to send at once: one statement for the rows, one for their jobs. */
export async function queueMessages(
  tx: Tx,
  queue: Pick<DeliveryQueue, 'enqueueDeliveries'>,
  messages: readonly (OutgoingMessage & { idempotencyKey: string })[],
  now: Date,
): Promise<(string | null)[]> {
  const ids = await insertQueuedMessages(tx, messages, now);
  await queue.enqueueDeliveries(tx, ids.filter((id): id is string => id !== null));
  return ids;
}

export type SendOutcome =
  | { status: 'sent'; provider: string }
  /** Already sent, failed or gone, or another attempt holds it: a repeated job changes nothing. */
  | { status: 'unchanged' }
  | { status: 'failed'; error: string }
  /** Failed for now: the row keeps the error and is queued again; the caller retries. */
  | { status: 'retry'; error: unknown };

export interface MessageSender {
  /**
   * Sends one queued `messages` row; final → a transient failure is recorded as failed. `channel`, when the caller
   * knows it: a text message skips the one-statement claim of an email (it could never apply).
   */
  send(messageId: string, options?: { final?: boolean; channel?: MessageChannel }): Promise<SendOutcome>;
  /**
   * A new email someone is waiting for (a one-time code): recorded already claimed in one statement,
   * then sent. A transient failure is handed to `requeue` in the transaction that records it (a job
   * to retry it); a crash before the outcome is recorded leaves a claim the recovery sweep releases.
   * Null when its idempotency key is already recorded (nothing is sent again).
   */
  sendNewEmail(
    message: OutgoingMessage & { channel: 'email'; idempotencyKey: string }, requeue: (tx: Tx, messageId: string) => Promise<void>,
  ): Promise<{ id: string; outcome: SendOutcome } | null>;
}

/** A failure no retry will fix: the provider's PermanentDeliveryError, or any error saying permanent. */
export function isPermanentFailure(error: unknown): boolean {
  if (error instanceof DeliveryError) return !error.retryable;
  return typeof error === 'object' && error !== null && (error as { permanent?: unknown }).permanent === true;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

/**
 * What a provider is given: the message, the idempotency key of its row (every attempt sends the
 * same), our id (the provider's idempotency token and its webhooks' way back to the row) and which
 * attempt this is.
 */
function outgoing(r: MessageForSend, attempt: number): ProviderOutgoingMessage {
  return { ...messageContent(r), idempotencyKey: r.idempotency_key, messageId: r.id, attempt };
}

/** An email: no phone rules apply (opt-outs and WhatsApp's window are the texts'). */
const EMAIL_RULED = { send: true, channel: 'email', from: null, whatsapp: null } as const;

interface Claimed {
  row: MessageForSend;
  transport: Transport;
  attempt: number;
  /** What the channel rules decided: the channel (WhatsApp may become SMS), sender number, WhatsApp content. */
  ruled: Extract<RuledSend, { send: true }>;
}

/**
 * Sends messages recorded as 'queued' (the transactional outbox) in two steps, so no lock is held
 * while a provider is called and a crash leaves a trace: (1) claim: mark the row 'sending' (attempt
 * number, time) and commit; (2) call the provider with the row's id as idempotency token, then
 * record the outcome. A row that is not 'queued' is left alone: sent, failed, or claimed by another
 * attempt, which owns its outcome (a dead process's claim is released by the recovery sweep,
 * DeliveryQueue). A row the provider already reported on was accepted: it is not sent again. The
 * local outbox's own send would insert another row, so for it the row is only marked sent.
 */
export function createMessageSender(deps: { db: Database; now: () => Date; transports?: Transports | undefined }): MessageSender {
  const { db, now } = deps;
  const transports = deps.transports ?? localTransports(db, now);

  async function claim(messageId: string, channel: MessageChannel | undefined): Promise<Claimed | SendOutcome> {
    // An email queued and never reported on needs no phone rules: one statement claims it (or sends it locally).
    const email = transports.email;
    const quick = channel === undefined || channel === 'email' ? await claimQueuedEmail(db, messageId, email.name, email.name === 'local', now()) : null;
    if (quick) {
      if (email.name === 'local') return { status: 'sent', provider: 'local' };
      return { row: quick, transport: email, attempt: quick.attempts, ruled: EMAIL_RULED };
    }
    return db.transaction(async (tx): Promise<Claimed | SendOutcome> => {
      const row = await lockMessageForSend(tx, messageId);
      if (!row || row.status !== 'queued') return { status: 'unchanged' };
      // Opt-outs and WhatsApp's window are checked when the message goes, so reminders due later are too.
      const ruled = await applyPhoneRules(tx, row, now());
      if (!ruled.send) {
        await refuseMessage(tx, row.id, ruled.reason);
        return { status: 'failed', error: ruled.reason };
      }
      const transport = transports[ruled.channel];
      if (transport.name === 'local' || row.reported) {
        const provider = row.reported ? row.provider : 'local';
        await recordMessageSent(tx, row.id, provider, null, now());
        return { status: 'sent', provider };
      }
      return { row, transport, ruled, attempt: await claimMessage(tx, row.id, transport.name, now()) };
    });
  }

  /** Calls the provider for a claimed row and records the outcome (see `requeue` in sendNewEmail). */
  async function deliver(
    claimed: Claimed, final: boolean, requeue?: (tx: Tx, messageId: string) => Promise<void>,
  ): Promise<SendOutcome> {
    const { row, transport, attempt, ruled } = claimed;
    let accepted: { id: string };
    try {
      const message: ProviderOutgoingMessage = { ...outgoing(row, attempt), channel: ruled.channel, from: ruled.from, whatsapp: ruled.whatsapp };
      accepted = await transport.send(message);
    } catch (error) {
      const text = describe(error);
      await recordPhoneRefusal(db, row, ruled.channel, error, now());
      if (isPermanentFailure(error) || final) {
        await recordAttemptFailed(db, row.id, attempt, 'failed', text);
        return { status: 'failed', error: text };
      }
      if (requeue) {
        await db.transaction(async (tx) => {
          await recordAttemptFailed(tx, row.id, attempt, 'queued', text);
          await requeue(tx, row.id);
        });
      } else {
        await recordAttemptFailed(db, row.id, attempt, 'queued', text);
      }
      return { status: 'retry', error };
    }
    // Outside the catch: the provider has it, so failing to record that must not mark it for a retry
    // (the claim stays, as after a crash).
    await recordMessageSent(db, row.id, transport.name, accepted.id, now());
    return { status: 'sent', provider: transport.name };
  }

  return {
    async send(messageId, options = {}) {
      const claimed = await claim(messageId, options.channel);
      if ('status' in claimed) return claimed;
      return deliver(claimed, options.final ?? false);
    },

    async sendNewEmail(message, requeue) {
      const email = transports.email;
      const local = email.name === 'local';
      const row = await insertClaimedEmail(db, message, now(), email.name, local);
      if (!row) return null;
      if (local) return { id: row.id, outcome: { status: 'sent', provider: 'local' } };
      // Recorded: an outcome that could not be written leaves the claim to the recovery sweep, as a crash would.
      const outcome = await deliver({ row, transport: email, attempt: row.attempts, ruled: EMAIL_RULED }, false, requeue)
        .catch((error: unknown): SendOutcome => ({ status: 'retry', error }));
      return { id: row.id, outcome };
    },
  };
}
