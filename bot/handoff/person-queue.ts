import * as repo from '../../models/handoff.repository.ts';
import type { Handoff } from '../../models/handoff.repository.ts';
import { emitRequest } from './appointment-offers.ts';
import { consoleRooms } from './console-rooms.ts';
import type { HandoffContext } from './handoff-context.ts';
import { CHOICE_LEAVE_QUEUE, handoffTexts } from './handoff-texts.ts';
import { onlineOf } from './presence.ts';

/**
 * "Talk to a person" outside an appointment: a FIFO queue per brand, in the database (tickets), so
 * every instance computes the same places; the place a customer was last told is stored too, so a
 * move up is told once whichever instance notices it.
 */
export class PersonQueue {
  constructor(private readonly ctx: HandoffContext) {}

  async request(conversationId: string): Promise<{ status: 'queued'; position: number } | { status: 'unavailable' }> {
    const { db, now, notices, fanOut } = this.ctx;
    const h = await repo.findHandoff(db, conversationId);
    if (!h) return { status: 'unavailable' };
    if (h.state === 'bot') {
      if ((await onlineOf(this.ctx.presence, h.brandId)).length === 0) return { status: 'unavailable' };
      const waiting = await repo.startWaiting(db, conversationId, { appointmentId: null, offeredTo: [], now: now() });
      if (waiting) {
        const position = (await repo.queueOrder(db, h.brandId)).indexOf(conversationId) + 1;
        await repo.tellPosition(db, conversationId, position);
        const texts = handoffTexts(h.locale);
        await notices.system(conversationId, texts.queue(position), { suggestedActions: [{ title: texts.leaveQueue, value: CHOICE_LEAVE_QUEUE }] });
        fanOut.toCustomer(conversationId, 'queue', { position });
        await notices.sendStatus(conversationId);
        await emitRequest(this.ctx, waiting, null);
        this.emitOrder(h.brandId).catch((err) => this.ctx.logger.warn({ err }, 'queue update failed'));
        return { status: 'queued', position };
      }
    }
    // Already waiting or with an agent.
    const position = (await repo.queueOrder(db, h.brandId)).indexOf(conversationId) + 1;
    return { status: 'queued', position: Math.max(position, 1) };
  }

  /** Tells queued customers whose place changed, and the consoles the new order. */
  async refresh(brandId: string): Promise<void> {
    const { db, notices, fanOut } = this.ctx;
    const order = await repo.queueOrder(db, brandId);
    for (const [index, conversationId] of order.entries()) {
      const position = index + 1;
      if (!(await repo.tellPosition(db, conversationId, position))) continue; // told already, maybe by another instance
      const h = await repo.findHandoff(db, conversationId);
      if (!h || h.state !== 'waiting') continue;
      await notices.system(conversationId, handoffTexts(h.locale).queueMoved(position));
      fanOut.toCustomer(conversationId, 'queue', { position });
      await notices.sendStatus(conversationId);
    }
    fanOut.toConsoles([consoleRooms.brand(brandId)], 'handoff:queue', { conversationIds: order });
  }

  /** The customer stops waiting: told so, the others move up. False when they were no longer waiting. */
  async leave(h: Handoff): Promise<boolean> {
    const withdrawn = await repo.withdrawHandoff(this.ctx.db, h.conversationId, false);
    if (!withdrawn) return false;
    this.ctx.fanOut.toConsoles([consoleRooms.brand(h.brandId)], 'handoff:withdrawn', { conversationId: h.conversationId, reason: 'leave-queue' });
    await this.ctx.notices.system(h.conversationId, handoffTexts(h.locale).queueLeft);
    await this.ctx.notices.sendStatus(h.conversationId);
    await this.refresh(h.brandId);
    return true;
  }

  private async emitOrder(brandId: string): Promise<void> {
    this.ctx.fanOut.toConsoles([consoleRooms.brand(brandId)], 'handoff:queue', { conversationIds: await repo.queueOrder(this.ctx.db, brandId) });
  }
}
