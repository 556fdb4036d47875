import type { Logger } from 'pino';
import type { Database } from '../../models/database.ts';
import type { Brand } from '../../models/brands.repository.ts';
import type { Locale } from '../../models/catalogue.repository.ts';
import type { Conversation, TranscriptEntry } from '../../models/conversations.repository.ts';
import * as repo from '../../models/handoff.repository.ts';
import type { DurableTimers } from '../../notifications/delivery-queue.ts';
import type { SignedLinks } from '../../notifications/signed-links.ts';
import type { PersonRequester } from '../../dialogs/turn-scope.ts';
import type { ChatActivity, HandoffStatusEvent } from '../web-protocol.ts';
import { AgentSessions, type Agent } from './agent-sessions.ts';
import { AppointmentOffers } from './appointment-offers.ts';
import type { AttachedConversation, HandoffRequestEvent, PresenceEvent } from './console-protocol.ts';
import { appointmentRooms, presenceRooms } from './console-rooms.ts';
import { CustomerNotices } from './customer-notices.ts';
import { CustomerRouting, type CustomerRoute } from './customer-routing.ts';
import { SocketFanOut, type ChatBinding, type ConsoleNamespace } from './fan-out.ts';
import type { HandoffContext } from './handoff-context.ts';
import { JoinLinks, type JoinOpened } from './join-links.ts';
import { MemoryTimers } from './memory-timers.ts';
import { PersonQueue } from './person-queue.ts';
import { PresenceTracker, type Presence, type PresenceChange } from './presence.ts';

/** What the console API calls after a change (its onChange option). */
export interface ConsoleNotifier {
  appointmentChanged(brandId: string, appointmentId: string): void;
}

export interface HandoffRouterOptions {
  db: Database;
  logger: Logger;
  now: () => Date;
  /** Verifies Join links. */
  links: SignedLinks;
  /** How long the assigned advisor has to join before others are asked (ms; default 60 s). */
  graceMs?: number;
  /** Minutes before the start from which an appointment can be joined (default 10; brand.settings.joinWindowMinutes wins). */
  joinWindowMinutes?: number;
  /** Video meetings of online appointments: `${base}/rendezvous-<random>` (default https://meet.jit.si). */
  videoMeetingBaseUrl?: string;
  /** Who is at the console (default: this process's memory; several instances share RedisPresence). */
  presence?: Presence;
  /** The grace periods' ends (default: this process's timers; the server gives durable job-queue timers). */
  graceTimers?: DurableTimers;
}

/**
 * Routes a web chat between the bot, the customer and live agents in the console, one module per job:
 * Join links (join-links.ts), the appointment's offers and grace (appointment-offers.ts), the
 * "talk to a person" queue (person-queue.ts), the agent's side (agent-sessions.ts), the customer's
 * messages while a person is asked for or in (customer-routing.ts). They share a HandoffContext:
 * the database (every state, grace ends and told queue places included), the fan-out (socket.io
 * rooms, on every instance with the Redis adapter) and the presence (memory, or Redis).
 */
export class HandoffRouter implements PersonRequester {
  readonly presence: Presence;
  /** Stable functions: safe to hand to the console API before the console socket is attached. */
  readonly consoleNotifier: ConsoleNotifier = {
    appointmentChanged: (brandId, appointmentId) => {
      this.appointmentChanged(brandId, appointmentId).catch((err) => this.ctx.logger.warn({ err, appointmentId }, 'appointment:changed failed'));
    },
  };

  private readonly fanOut = new SocketFanOut();
  private readonly ctx: HandoffContext;
  private readonly graceTimers: DurableTimers;
  private readonly offers: AppointmentOffers;
  private readonly joins: JoinLinks;
  private readonly queue: PersonQueue;
  private readonly agents: AgentSessions;
  private readonly customers: CustomerRouting;

  constructor(options: HandoffRouterOptions) {
    const { db, logger, now } = options;
    this.presence = options.presence ?? new PresenceTracker();
    this.ctx = { db, logger, now, fanOut: this.fanOut, notices: new CustomerNotices(db, this.fanOut), presence: this.presence };
    this.graceTimers = options.graceTimers ?? new MemoryTimers((err, conversationId) => logger.error({ err, conversationId }, 'hand-off widening failed'));
    this.offers = new AppointmentOffers(this.ctx, {
      graceMs: options.graceMs ?? 60_000,
      graceTimers: this.graceTimers,
      videoBase: (options.videoMeetingBaseUrl ?? 'https://meet.jit.si').replace(/\/+$/, ''),
    });
    this.joins = new JoinLinks(this.ctx, this.offers, options.links, options.joinWindowMinutes ?? 10);
    this.queue = new PersonQueue(this.ctx);
    this.agents = new AgentSessions(this.ctx, this.offers, this.queue);
    this.customers = new CustomerRouting(this.ctx, this.queue);
    this.presence.onExpired((change) => {
      this.presenceChanged(change).catch((err) => logger.warn({ err, staffId: change.staff.staffId }, 'expired presence update failed'));
    });
    if (!options.graceTimers) void this.listenForGrace();
  }

  /** Runs this process's share of the grace periods' ends (the server calls it when it runs job workers). */
  listenForGrace(): Promise<void> {
    return this.offers.listenForGrace();
  }

  bindChat(chat: ChatBinding): void {
    this.fanOut.bindChat(chat);
  }

  /** Another channel (SMS, WhatsApp) that agents' messages and the hand-off's notices must reach. */
  bindRelay(relay: (conversationId: string, entry: TranscriptEntry) => void): void {
    this.fanOut.bindRelay(relay);
  }

  bindConsole(nsp: ConsoleNamespace): void {
    this.fanOut.bindConsole(nsp);
  }

  /** Stops this process's own grace timers (shutdown, tests); durable ones stay for another instance. */
  close(): void {
    if (this.graceTimers instanceof MemoryTimers) this.graceTimers.clear();
  }

  // ---- the customer ----------------------------------------------------------------------------

  /** A new transcript entry: to the customer's sockets and to agents in the conversation. */
  publish(conversationId: string, entry: TranscriptEntry): void {
    this.fanOut.publish(conversationId, entry);
  }

  statusFor(conversationId: string): Promise<HandoffStatusEvent | null> {
    return this.ctx.notices.statusFor(conversationId);
  }

  openJoin(
    brand: Brand,
    joinToken: string,
    client: { conversationId?: string | undefined; token?: string | undefined; lastSeq: number; locale?: Locale | undefined; timeZone: string | null },
  ): Promise<JoinOpened> {
    return this.joins.openJoin(brand, joinToken, client);
  }

  afterJoin(conversationId: string, appointmentId: string): Promise<void> {
    return this.joins.afterJoin(conversationId, appointmentId);
  }

  requestPerson(conversationId: string): Promise<{ status: 'queued'; position: number } | { status: 'unavailable' }> {
    return this.queue.request(conversationId);
  }

  routeCustomerMessage(conversation: Conversation, entry: TranscriptEntry, value: Record<string, unknown> | undefined): Promise<CustomerRoute> {
    return this.customers.routeCustomerMessage(conversation, entry, value);
  }

  customerTyping(conversationId: string, on: boolean): void {
    this.customers.customerTyping(conversationId, on);
  }

  customerRead(conversationId: string, seq: number): Promise<void> {
    return this.customers.customerRead(conversationId, seq);
  }

  // ---- agents ----------------------------------------------------------------------------------

  join(agent: Agent, conversationId: string): Promise<{ conversation: AttachedConversation; activities: ChatActivity[] }> {
    return this.agents.join(agent, conversationId);
  }

  agentMessage(agent: Agent, conversationId: string, clientId: string, text: string): Promise<{ seq: number; duplicate: boolean }> {
    return this.agents.agentMessage(agent, conversationId, clientId, text);
  }

  agentTyping(agent: Agent, conversationId: string, on: boolean): Promise<void> {
    return this.agents.agentTyping(agent, conversationId, on);
  }

  agentRead(agent: Agent, conversationId: string, seq: number): Promise<void> {
    return this.agents.agentRead(agent, conversationId, seq);
  }

  end(agent: Agent, conversationId: string): Promise<void> {
    return this.agents.end(agent, conversationId);
  }

  resync(agent: Agent, conversationId: string, afterSeq: number): Promise<ChatActivity[]> {
    return this.agents.resync(agent, conversationId, afterSeq);
  }

  consoleState(agent: Agent): Promise<{ requests: HandoffRequestEvent[]; attached: AttachedConversation[] }> {
    return this.agents.consoleState(agent);
  }

  // ---- presence --------------------------------------------------------------------------------

  /** Tells the consoles in scope of a presence change, and offers waiting customers to a newly available agent. */
  async presenceChanged(change: PresenceChange | null): Promise<void> {
    if (!change || change.before === change.after) return;
    const { staff } = change;
    const event: PresenceEvent = { staffId: staff.staffId, name: staff.name, status: change.after };
    this.fanOut.toConsoles(presenceRooms(staff), 'presence', event);
    if (change.after === 'online') await this.offers.offerWaitingTo(staff.staffId, staff.brandId);
  }

  /** Agents present (on any instance) whose presence this console may see. */
  async presenceInScope(agent: Agent): Promise<PresenceEvent[]> {
    return (await this.presence.present(agent.staff.brandId))
      .filter(({ staff }) => staff.staffId === agent.staff.id || agent.scope.allStores
        || staff.storeIds.some((id) => agent.scope.storeIds.includes(id)))
      .map(({ staff, status }) => ({ staffId: staff.staffId, name: staff.name, status }));
  }

  // ---- appointment changes -----------------------------------------------------------------------

  private async appointmentChanged(brandId: string, appointmentId: string): Promise<void> {
    const appointment = await repo.findHandoffAppointment(this.ctx.db, brandId, appointmentId);
    if (!appointment) return;
    this.fanOut.toConsoles(appointmentRooms(appointment), 'appointment:changed', { appointmentId });
    // The chat it was booked in shows its card as it is now (in turn order, like any bot message).
    if (appointment.conversationId) {
      await this.fanOut.runBotTurn(appointment.conversationId, { type: 'event', name: 'appointment.changed', value: { appointmentId } });
    }
  }
}
