import { randomUUID } from 'node:crypto';
import type { Database } from '../models/database.ts';
import { insertQueuedMessage } from '../models/messages.repository.ts';
import { DEFAULT_DELIVERY_RETRY, type DeliveryQueue } from './delivery-queue.ts';
import type { MessageSender } from './message-sender.ts';
import type { Transport } from './transport.ts';

/**
 * For messages a customer is waiting for (one-time codes): recorded, then sent at once, with a
 * retry behind that first try (a transient failure, a crash) that is never a second sender racing it.
 * An email is recorded already claimed (one statement) and sent: a transient failure is queued again
 * with a job in the transaction that records it, a crash mid-send leaves a claim the recovery sweep
 * releases. A text goes through the channel rules when it is claimed, so it is recorded 'queued'
 * behind a job that waits a retry delay: the job is committed first, then the message, one
 * statement each (a crash in between leaves a job with no message, which sends nothing; never a
 * message without its job).
 */
export function queuedTransport(deps: { db: Database; queue: DeliveryQueue; sender: MessageSender; now: () => Date }): Transport {
  const retryLater = { afterSeconds: DEFAULT_DELIVERY_RETRY.delaySeconds };
  return {
    name: 'queued',
    async send(message) {
      const key = message.idempotencyKey ?? `message:${randomUUID()}`;
      if (message.channel === 'email') {
        const sent = await deps.sender.sendNewEmail(
          { ...message, channel: 'email', idempotencyKey: key }, (tx, id) => deps.queue.enqueueDelivery(tx, id, retryLater),
        );
        return { id: sent?.id ?? key };
      }
      const messageId = randomUUID();
      await deps.queue.enqueueDeliveryAhead(messageId, retryLater);
      const id = await insertQueuedMessage(deps.db, { ...message, idempotencyKey: key }, deps.now(), messageId);
      if (id) await deps.sender.send(id, { channel: message.channel }).catch(() => undefined);
      return { id: id ?? key };
    },
  };
}
