import { randomUUID } from 'node:crypto';
import type { Database } from '../models/database.ts';
import { insertQueuedMessage } from '../models/messages.repository.ts';
import { DEFAULT_DELIVERY_RETRY, type DeliveryQueue } from './delivery-queue.ts';
import type { MessageSender } from './message-sender.ts';
import type { Transport } from './transport.ts';

/**
 * For messages a customer is waiting for (one-time codes): recorded and queued like any other,
 * then sent at once. The job waits a retry delay before it runs, so it is the safety net behind
 * that first try (a transient failure, a crash) rather than a second sender racing it. No
 * transaction: the job is committed first, then the message, one statement each (a crash in
 * between leaves a job with no message, which sends nothing; never a message without its job).
 */
export function queuedTransport(deps: { db: Database; queue: DeliveryQueue; sender: MessageSender; now: () => Date }): Transport {
  return {
    name: 'queued',
    async send(message) {
      const key = message.idempotencyKey ?? `message:${randomUUID()}`;
      const messageId = randomUUID();
      await deps.queue.enqueueDeliveryAhead(messageId, { afterSeconds: DEFAULT_DELIVERY_RETRY.delaySeconds });
      const id = await insertQueuedMessage(deps.db, { ...message, idempotencyKey: key }, deps.now(), messageId);
      if (id) await deps.sender.send(id, { channel: message.channel }).catch(() => undefined);
      return { id: id ?? key };
    },
  };
}
