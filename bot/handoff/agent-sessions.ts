import type { StaffPrincipal } from '../../models/staff-sessions.ts';
import { appendEntry } from '../../models/conversations.repository.ts';
import * as repo from '../../models/handoff.repository.ts';
import type { Handoff, HandoffAppointment } from '../../models/handoff.repository.ts';
import { seesAppointment, type StaffScope } from '../../scheduling/staff-access.ts';
import type { ChatActivity, ReadEvent } from '../web-protocol.ts';
import type { AppointmentOffers } from './appointment-offers.ts';
import type { AttachedConversation, ConsoleErrorCode, HandoffRequestEvent } from './console-protocol.ts';
import { appointmentRooms, consoleRooms } from './console-rooms.ts';
import { attachedSummary, requestEvent } from './console-views.ts';
import type { HandoffContext } from './handoff-context.ts';
import { handoffTexts } from './handoff-texts.ts';
import type { PersonQueue } from './person-queue.ts';

/** A signed-in console user. */
export interface Agent {
  staff: StaffPrincipal;
  scope: StaffScope;
}

/** A refused console action: its code and a message for the agent. */
export class HandoffError extends Error {
  constructor(readonly code: ConsoleErrorCode, message: string) {
    super(message);
  }
}

/**
 * An agent's side of the hand-off: taking a waiting customer (one of racing agents wins), writing,
 * typing and reading in the chat, leaving it to the bot, catching up, and the console's first state.
 */
export class AgentSessions {
  constructor(private readonly ctx: HandoffContext, private readonly offers: AppointmentOffers, private readonly queue: PersonQueue) {}

  /** A conversation of the agent's brand (else not_found). */
  private async handoffOf(agent: Agent, conversationId: string): Promise<Handoff> {
    const h = await repo.findHandoff(this.ctx.db, conversationId);
    if (!h || h.brandId !== agent.staff.brandId) throw new HandoffError('not_found', 'There is no such conversation.');
    return h;
  }

  private async appointmentInScope(agent: Agent, h: Handoff): Promise<HandoffAppointment | null> {
    if (!h.appointmentId) return null;
    const appointment = await repo.findHandoffAppointment(this.ctx.db, h.brandId, h.appointmentId);
    if (!appointment) return null;
    if (!seesAppointment(agent.scope, appointment)) throw new HandoffError('forbidden', 'This customer’s appointment belongs to a store outside your access.');
    return appointment;
  }

  /** The conversation if this agent is the one in it (else not_attached). */
  private async attachedHandoff(agent: Agent, conversationId: string): Promise<Handoff> {
    const h = await this.handoffOf(agent, conversationId);
    if (h.state !== 'attached' || h.agentStaffId !== agent.staff.id) {
      throw new HandoffError('not_attached', 'You are not in this conversation: join it first.');
    }
    return h;
  }

  /** Takes a waiting customer: exactly one of racing agents wins; the others get already_taken. */
  async join(agent: Agent, conversationId: string): Promise<{ conversation: AttachedConversation; activities: ChatActivity[] }> {
    const h = await this.handoffOf(agent, conversationId);
    const appointment = await this.appointmentInScope(agent, h);
    if (h.state === 'attached' && h.agentStaffId === agent.staff.id) return this.attachedView(agent, h, appointment);
    if (h.state === 'attached' && h.agentStaffId) throw new HandoffError('already_taken', 'Another advisor has already joined this customer.');
    if (h.state === 'bot') throw new HandoffError('not_waiting', 'This customer is no longer waiting for an advisor.');
    const claimed = await repo.claimHandoff(this.ctx.db, conversationId, agent.staff.id);
    if (!claimed) {
      const current = await repo.findHandoff(this.ctx.db, conversationId);
      if (current?.state === 'attached' && current.agentStaffId === agent.staff.id) return this.attachedView(agent, current, appointment);
      throw new HandoffError(current?.state === 'attached' ? 'already_taken' : 'not_waiting',
        current?.state === 'attached' ? 'Another advisor has already joined this customer.' : 'This customer is no longer waiting for an advisor.');
    }
    this.ctx.fanOut.followConversation(agent.staff.id, conversationId);
    await this.ctx.notices.system(conversationId, handoffTexts(claimed.locale).joined(agent.staff.name));
    await this.ctx.notices.sendStatus(conversationId);
    // Told where the request was: the brand's consoles for its queue, else those who see the appointment.
    this.ctx.fanOut.toConsoles(appointment ? appointmentRooms(appointment) : [consoleRooms.brand(claimed.brandId)], 'handoff:taken', {
      conversationId, staffId: agent.staff.id, staffName: agent.staff.name,
    });
    const view = await this.attachedView(agent, await repo.findHandoff(this.ctx.db, conversationId) ?? claimed, appointment);
    this.ctx.fanOut.toConsoles([consoleRooms.staff(agent.staff.id)], 'handoff:attached', view.conversation);
    if (!claimed.appointmentId) await this.queue.refresh(claimed.brandId);
    return view;
  }

  private async attachedView(
    agent: Agent, h: Handoff, appointment: HandoffAppointment | null,
  ): Promise<{ conversation: AttachedConversation; activities: ChatActivity[] }> {
    return { conversation: await attachedSummary(this.ctx.db, this.ctx.now(), agent.scope, h, appointment), activities: await this.ctx.notices.transcript(h.conversationId, 0) };
  }

  async agentMessage(agent: Agent, conversationId: string, clientId: string, text: string): Promise<{ seq: number; duplicate: boolean }> {
    await this.attachedHandoff(agent, conversationId);
    const { entry, duplicate } = await appendEntry(this.ctx.db, conversationId, {
      sender: 'agent', senderName: agent.staff.name, text, clientId: `agent:${agent.staff.id}:${clientId}`,
    });
    if (!duplicate) {
      this.ctx.fanOut.toCustomer(conversationId, 'typing', { from: 'agent', on: false });
      this.ctx.fanOut.publish(conversationId, entry);
    }
    return { seq: entry.seq, duplicate };
  }

  async agentTyping(agent: Agent, conversationId: string, on: boolean): Promise<void> {
    await this.attachedHandoff(agent, conversationId);
    this.ctx.fanOut.toCustomer(conversationId, 'typing', { from: 'agent', on });
  }

  async agentRead(agent: Agent, conversationId: string, seq: number): Promise<void> {
    await this.attachedHandoff(agent, conversationId);
    const read = await repo.markRead(this.ctx.db, conversationId, 'agent', seq);
    if (read !== null) this.ctx.fanOut.toCustomer(conversationId, 'read', { by: 'agent', seq: read } satisfies ReadEvent);
  }

  /** The agent leaves: the bot takes over again with a "handoff.ended" event turn. */
  async end(agent: Agent, conversationId: string): Promise<void> {
    const released = await repo.releaseHandoff(this.ctx.db, conversationId, agent.staff.id);
    if (!released) {
      await this.attachedHandoff(agent, conversationId); // throws the reason
      throw new HandoffError('not_attached', 'You are not in this conversation.');
    }
    this.ctx.fanOut.toCustomer(conversationId, 'typing', { from: 'agent', on: false });
    await this.ctx.notices.system(conversationId, handoffTexts(released.locale).left(agent.staff.name));
    this.ctx.fanOut.dropConversation(conversationId);
    this.ctx.fanOut.toConsoles([consoleRooms.staff(agent.staff.id)], 'handoff:ended', { conversationId });
    await this.ctx.notices.sendStatus(conversationId);
    void this.ctx.fanOut.runBotTurn(conversationId, { type: 'event', name: 'handoff.ended' });
    await this.offers.offerWaitingTo(agent.staff.id, agent.staff.brandId);
  }

  /** Everything after afterSeq, for the agent in the conversation or one who may join it. */
  async resync(agent: Agent, conversationId: string, afterSeq: number): Promise<ChatActivity[]> {
    const h = await this.handoffOf(agent, conversationId);
    if (!(h.state === 'attached' && h.agentStaffId === agent.staff.id)) {
      if (h.state !== 'waiting') throw new HandoffError('not_attached', 'You are not in this conversation.');
      await this.appointmentInScope(agent, h);
    }
    return this.ctx.notices.transcript(conversationId, afterSeq);
  }

  /** What a console gets on connection: requests offered to the agent and conversations they are in. */
  async consoleState(agent: Agent): Promise<{ requests: HandoffRequestEvent[]; attached: AttachedConversation[] }> {
    const requests: HandoffRequestEvent[] = [];
    for (const h of await repo.waitingRequests(this.ctx.db, agent.staff.brandId)) {
      if (h.appointmentId && !h.offeredTo.includes(agent.staff.id)) continue;
      const appointment = h.appointmentId ? await repo.findHandoffAppointment(this.ctx.db, h.brandId, h.appointmentId) : null;
      if (h.appointmentId && !(appointment && seesAppointment(agent.scope, appointment))) continue;
      requests.push(await requestEvent(this.ctx.db, this.ctx.now(), h, appointment));
    }
    const attached: AttachedConversation[] = [];
    for (const h of await repo.attachedTo(this.ctx.db, agent.staff.id)) {
      const appointment = h.appointmentId ? await repo.findHandoffAppointment(this.ctx.db, h.brandId, h.appointmentId) : null;
      attached.push(await attachedSummary(this.ctx.db, this.ctx.now(), agent.scope, h, appointment));
    }
    return { requests, attached };
  }
}
