import type { Activity } from 'botbuilder-core';
import type { Conversation, TranscriptEntry } from '../../models/conversations.repository.ts';
import { findCustomer } from '../../models/customers.repository.ts';
import * as repo from '../../models/handoff.repository.ts';
import type { Handoff } from '../../models/handoff.repository.ts';
import { insertConsoleTask } from '../../models/staff-accounts.repository.ts';
import type { TaskCreatedEvent } from './console-protocol.ts';
import { appointmentRooms, consoleRooms } from './console-rooms.ts';
import type { HandoffContext } from './handoff-context.ts';
import { handoffChoice, handoffTexts } from './handoff-texts.ts';
import type { PersonQueue } from './person-queue.ts';

/** Where the customer routes a message: to the bot (as is, or as another activity) or nowhere. */
export type CustomerRoute = { to: 'bot'; activity?: Partial<Activity> } | { to: 'none' };

/**
 * The customer's side while a person is asked for or in the chat: their messages go to the console,
 * not to the bot; the choices offered while waiting (reschedule, leave a message, stop waiting);
 * a message left for the store (a console task); typing and read receipts.
 */
export class CustomerRouting {
  constructor(private readonly ctx: HandoffContext, private readonly queue: PersonQueue) {}

  /**
   * Decides who answers a stored customer message: the bot (unless an agent is in or awaited), or
   * nobody (the agent reads it in the console). Handles the choices offered while waiting and a
   * message left for the store. Called inside the conversation's turn queue.
   */
  async routeCustomerMessage(
    conversation: Conversation, entry: TranscriptEntry, value: Record<string, unknown> | undefined,
  ): Promise<CustomerRoute> {
    const h = await repo.findHandoff(this.ctx.db, conversation.id);
    if (!h) return { to: 'bot' };
    if (h.state === 'attached') return { to: 'none' };
    if (h.state === 'waiting') {
      const choice = handoffChoice(entry.text, value);
      if (!h.appointmentId) return choice === 'leave-queue' ? this.leaveQueue(h) : { to: 'none' };
      if (!choice || choice === 'leave-queue') return { to: 'none' };
      const withdrawn = await repo.withdrawHandoff(this.ctx.db, h.conversationId, choice === 'leave-message');
      if (!withdrawn) return { to: 'none' };
      const appointment = await repo.findHandoffAppointment(this.ctx.db, h.brandId, h.appointmentId);
      if (appointment) this.ctx.fanOut.toConsoles(appointmentRooms(appointment), 'handoff:withdrawn', { conversationId: h.conversationId, reason: choice });
      await this.ctx.notices.sendStatus(h.conversationId);
      if (choice === 'reschedule') {
        return { to: 'bot', activity: { type: 'event', name: 'handoff.reschedule', value: { appointmentId: h.appointmentId } } };
      }
      await this.ctx.notices.system(h.conversationId, handoffTexts(h.locale).leavePrompt);
      return { to: 'none' };
    }
    if (h.awaitingMessage) {
      await repo.setAwaitingMessage(this.ctx.db, h.conversationId, false);
      if (entry.text.trim() !== '' && value?.action === undefined && value?.choice === undefined) {
        await this.leaveMessage(h, entry.text.trim());
        return { to: 'none' };
      }
    }
    return { to: 'bot' };
  }

  /** The customer stops waiting in the queue: the bot shows its menu again. */
  private async leaveQueue(h: Handoff): Promise<CustomerRoute> {
    return (await this.queue.leave(h)) ? { to: 'bot', activity: { type: 'event', name: 'handoff.queueLeft' } } : { to: 'none' };
  }

  private async leaveMessage(h: Handoff, message: string): Promise<void> {
    const appointment = h.appointmentId ? await repo.findHandoffAppointment(this.ctx.db, h.brandId, h.appointmentId) : null;
    const customer = appointment
      ? { name: appointment.customerName, email: appointment.customerEmail, phone: appointment.customerPhone }
      : h.customerId ? await findCustomer(this.ctx.db, h.customerId) : null;
    const contact = customer?.email ?? customer?.phone ?? null;
    const task = await insertConsoleTask(this.ctx.db, {
      brandId: h.brandId,
      storeId: appointment?.storeId ?? null,
      // Without a store, the appointment's advisor (and the admins) see it, not the whole brand.
      staffId: appointment && !appointment.storeId ? appointment.staffId : null,
      conversationId: h.conversationId,
      customerName: customer?.name ?? null,
      contact,
      message,
    }, this.ctx.now());
    await this.ctx.notices.system(h.conversationId, handoffTexts(h.locale).leaveDone(contact));
    const event: TaskCreatedEvent = {
      id: task.id, storeId: task.storeId, conversationId: task.conversationId, customerName: task.customerName,
      contact: task.contact, message: task.message, createdAt: new Date(task.createdAt).toISOString(),
    };
    // The consoles that see the task (staff-access.ts, seesTask).
    const rooms = task.storeId ? [consoleRooms.store(task.storeId), consoleRooms.admins(h.brandId)]
      : task.staffId ? [consoleRooms.staff(task.staffId), consoleRooms.admins(h.brandId)]
        : [consoleRooms.brand(h.brandId)];
    this.ctx.fanOut.toConsoles(rooms, 'task:created', event);
  }

  customerTyping(conversationId: string, on: boolean): void {
    this.ctx.fanOut.toConsoles([consoleRooms.conversation(conversationId)], 'handoff:typing', { conversationId, from: 'customer', on });
  }

  async customerRead(conversationId: string, seq: number): Promise<void> {
    const read = await repo.markRead(this.ctx.db, conversationId, 'customer', seq);
    if (read !== null) this.ctx.fanOut.toConsoles([consoleRooms.conversation(conversationId)], 'handoff:read', { conversationId, by: 'customer', seq: read });
  }
}
