import { randomUUID } from 'node:crypto';
import type { Database } from '../models/database.ts';
import type { DeliveryQueue } from './delivery-queue.ts';
import { queueMessage, type MessageSender } from './message-sender.ts';
import type { Transport } from './transport.ts';

/**
 * For messages a customer is waiting for (one-time codes): recorded and queued like any other,
 * then sent at once; if that first try fails, the queued job retries it.
 */
export function queuedTransport(deps: { db: Database; queue: DeliveryQueue; sender: MessageSender; now: () => Date }): Transport {
  return {
    name: 'queued',
    async send(message) {
      const key = message.idempotencyKey ?? `message:${randomUUID()}`;
      const id = await deps.db.transaction((tx) => queueMessage(tx, deps.queue, { ...message, idempotencyKey: key }, deps.now()));
      if (id) await deps.sender.send(id).catch(() => undefined);
      return { id: id ?? key };
    },
  };
}
