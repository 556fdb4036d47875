import { randomUUID } from 'node:crypto';
import type { Database } from '../models/database.ts';
import { DEFAULT_DELIVERY_RETRY, type DeliveryQueue } from './delivery-queue.ts';
import { queueMessage, type MessageSender } from './message-sender.ts';
import type { Transport } from './transport.ts';

/**
 * For messages a customer is waiting for (one-time codes): recorded and queued like any other,
 * then sent at once. The job waits a retry delay before it runs, so it is the safety net behind
 * that first try (a transient failure, a crash) rather than a second sender racing it.
 */
export function queuedTransport(deps: { db: Database; queue: DeliveryQueue; sender: MessageSender; now: () => Date }): Transport {
  return {
    name: 'queued',
    async send(message) {
      const key = message.idempotencyKey ?? `message:${randomUUID()}`;
      const id = await deps.db.transaction((tx) => queueMessage(tx, deps.queue, { ...message, idempotencyKey: key }, deps.now(), { afterSeconds: DEFAULT_DELIVERY_RETRY.delaySeconds }));
      if (id) await deps.sender.send(id, { channel: message.channel }).catch(() => undefined);
      return { id: id ?? key };
    },
  };
}
