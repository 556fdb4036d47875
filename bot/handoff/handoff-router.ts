import { randomBytes } from 'node:crypto';
import type { Activity } from 'botbuilder-core';
import type { Namespace } from 'socket.io';
import type { Logger } from 'pino';
import type { Database } from '../../models/database.ts';
import { findBrandSettings, type Brand } from '../../models/brands.repository.ts';
import type { Locale } from '../../models/catalogue.repository.ts';
import {
  appendEntry, authenticateConversation, createConversationToken, createWebConversation, entriesAfter, findConversation,
  updateConversation, type Conversation, type TranscriptEntry,
} from '../../models/conversations.repository.ts';
import { findCustomer } from '../../models/customers.repository.ts';
import { insertConsoleTask } from '../../models/staff-accounts.repository.ts';
import * as repo from '../../models/handoff.repository.ts';
import { findPhoneContact, type PhoneContact } from '../../models/phone-channels.repository.ts';
import { WHATSAPP_WINDOW_MS } from '../../notifications/whatsapp-content.ts';
import type { Handoff, HandoffAppointment } from '../../models/handoff.repository.ts';
import type { SignedLinks } from '../../notifications/signed-links.ts';
import type { PersonRequester } from '../../dialogs/turn-scope.ts';
import type { StaffPrincipal } from '../../models/staff-sessions.ts';
import { scopeOfStaffMember, seesAppointment, type StaffScope } from '../../scheduling/staff-access.ts';
import { toChatActivity } from '../transcript-activity.ts';
import { APPOINTMENT, type ChatActivity, type HandoffStatusEvent, type ReadEvent } from '../web-protocol.ts';
import type {
  AttachedConversation, ConsoleChannel, ConsoleClientEvents, ConsoleErrorCode, ConsoleServerEvents, HandoffAppointmentSummary, HandoffRequestEvent,
  PresenceEvent, TaskCreatedEvent,
} from './console-protocol.ts';
import { firstName, formatWhen, handoffChoice, handoffTexts, CHOICE_LEAVE_MESSAGE, CHOICE_LEAVE_QUEUE, CHOICE_RESCHEDULE } from './handoff-texts.ts';
import { PresenceTracker, type PresenceChange, type PresentStaff } from './presence.ts';

/** What the console API calls after a change (its onChange option). */
export interface ConsoleNotifier {
  appointmentChanged(brandId: string, appointmentId: string): void;
}

/** The web chat's side, bound by attachWebChat. */
export interface ChatBinding {
  /** Emits to every socket of the customer's conversation. */
  toCustomer(conversationId: string, event: string, payload: unknown): void;
  /** Queues a bot turn for the conversation (after the turns already queued). */
  runBotTurn(conversationId: string, activity: Partial<Activity>): Promise<void>;
}

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

export type JoinOpened =
  | { ok: true; conversation: Conversation; token: string; lastSeq: number; appointmentId: string }
  | { ok: false; reason: 'invalid' | 'cancelled' | 'moved'; message: string };

/** Where the customer routes a message: to the bot (as is, or as another activity) or nowhere. */
export type CustomerRoute = { to: 'bot'; activity?: Partial<Activity> } | { to: 'none' };

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
}

/** socket.io rooms of the /console namespace. */
export const consoleRooms = {
  staff: (id: string) => `staff:${id}`,
  brand: (id: string) => `brand:${id}`,
  admins: (brandId: string) => `admins:${brandId}`,
  store: (id: string) => `store:${id}`,
  conversation: (id: string) => `conv:${id}`,
};

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const MINUTE = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 24 random base32 characters (120 bits). */
function meetingRoomName(): string {
  const bytes = randomBytes(15);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/**
 * Routes a web chat between the bot, the customer and live agents in the console:
 * - Join links: opens the appointment's conversation on any device and, in the join window, asks
 *   the assigned advisor, then (busy, offline or silent past the grace period) every available
 *   advisor of the store offering the service; with nobody at all, offers to reschedule or to
 *   leave a message (a console task).
 * - "Talk to a person" outside an appointment: a FIFO queue per brand (requestPerson).
 * - While waiting or attached, customer messages go to the console, not to the bot; when the
 *   agent leaves, the bot takes over again.
 * State lives in the database (conversations.handoff_*); presence and grace timers in memory.
 */
export class HandoffRouter implements PersonRequester {
  readonly presence = new PresenceTracker();
  /** Stable functions: safe to hand to the console API before the console socket is attached. */
  readonly consoleNotifier: ConsoleNotifier = {
    appointmentChanged: (brandId, appointmentId) => {
      this.appointmentChanged(brandId, appointmentId).catch((err) => this.logger.warn({ err, appointmentId }, 'appointment:changed failed'));
    },
  };

  private readonly db: Database;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly links: SignedLinks;
  private readonly graceMs: number;
  private readonly joinWindowMinutes: number;
  private readonly videoBase: string;
  private chat: ChatBinding | null = null;
  private console: Namespace<ConsoleClientEvents, ConsoleServerEvents> | null = null;
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  /** Last place in line told to each queued customer. */
  private readonly toldPosition = new Map<string, number>();
  private relay: ((conversationId: string, entry: TranscriptEntry) => void) | undefined;

  constructor(options: HandoffRouterOptions) {
    this.db = options.db;
    this.logger = options.logger;
    this.now = options.now;
    this.links = options.links;
    this.graceMs = options.graceMs ?? 60_000;
    this.joinWindowMinutes = options.joinWindowMinutes ?? 10;
    this.videoBase = (options.videoMeetingBaseUrl ?? 'https://meet.jit.si').replace(/\/+$/, '');
  }

  bindChat(chat: ChatBinding): void {
    this.chat = chat;
  }

  /** Another channel (SMS, WhatsApp) that agents' messages and the hand-off's notices must reach. */
  bindRelay(relay: (conversationId: string, entry: TranscriptEntry) => void): void {
    this.relay = relay;
  }

  bindConsole(nsp: Namespace<ConsoleClientEvents, ConsoleServerEvents>): void {
    this.console = nsp;
  }

  /** Stops the grace timers (shutdown, tests). */
  close(): void {
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.graceTimers.clear();
  }

  // ---- transcript ------------------------------------------------------------------------------

  /** A new transcript entry: to the customer's sockets and to agents in the conversation. */
  publish(conversationId: string, entry: TranscriptEntry): void {
    const activity = toChatActivity(entry);
    this.chat?.toCustomer(conversationId, 'activity', activity);
    this.console?.to(consoleRooms.conversation(conversationId)).emit('handoff:activity', { conversationId, activity });
    // The bot's own replies reach a phone through its adapter; agents and hand-off notices through the relay.
    if (entry.sender === 'agent' || (entry.sender === 'system' && !entry.content['internal'])) this.relay?.(conversationId, entry);
  }

  private async system(conversationId: string, text: string, content: Record<string, unknown> = {}): Promise<TranscriptEntry> {
    const { entry } = await appendEntry(this.db, conversationId, { sender: 'system', text, content });
    this.publish(conversationId, entry);
    return entry;
  }

  private async transcript(conversationId: string, afterSeq: number): Promise<ChatActivity[]> {
    const activities: ChatActivity[] = [];
    for (let after = afterSeq; ;) {
      const page = await entriesAfter(this.db, conversationId, after, 1000);
      activities.push(...page.map(toChatActivity));
      if (page.length < 1000) return activities;
      after = page[page.length - 1]!.seq;
    }
  }

  /** The customer's "handoff" status, for a socket that just connected (null: with the bot). */
  async statusFor(conversationId: string): Promise<HandoffStatusEvent | null> {
    const h = await repo.findHandoff(this.db, conversationId);
    if (!h || h.state === 'bot') return null;
    return this.statusOf(h);
  }

  private async statusOf(h: Handoff): Promise<HandoffStatusEvent> {
    const status: HandoffStatusEvent = { state: h.state };
    if (h.state === 'attached' && h.agentStaffId) {
      const [agent] = await this.db.query<{ name: string }>('SELECT name FROM staff WHERE id = $1', [h.agentStaffId]);
      if (agent) status.agent = { name: agent.name };
    }
    if (h.state === 'waiting' && !h.appointmentId) {
      const position = (await repo.queueOrder(this.db, h.brandId)).indexOf(h.conversationId) + 1;
      if (position > 0) status.position = position;
    }
    if (h.appointmentId && h.state !== 'bot') {
      const [row] = await this.db.query<{ meeting_url: string | null }>('SELECT meeting_url FROM appointments WHERE id = $1', [h.appointmentId]);
      if (row?.meeting_url) status.meetingUrl = row.meeting_url;
    }
    return status;
  }

  private async sendStatus(conversationId: string): Promise<void> {
    const h = await repo.findHandoff(this.db, conversationId);
    if (h) this.chat?.toCustomer(conversationId, 'handoff', await this.statusOf(h));
  }

  // ---- joining an appointment (customer) ---------------------------------------------------------

  /**
   * Checks a Join link and opens its appointment's conversation: the one it was booked in, else a
   * new web conversation linked to it. The device gets its own token unless it already holds one
   * for that conversation.
   */
  async openJoin(
    brand: Brand,
    joinToken: string,
    client: { conversationId?: string | undefined; token?: string | undefined; lastSeq: number; locale?: Locale | undefined; timeZone: string | null },
  ): Promise<JoinOpened> {
    const claims = this.links.verify(joinToken);
    const invalid = { ok: false, reason: 'invalid', message: 'this join link is not valid or has expired.' } as const;
    if (!claims || claims.action !== 'join') return invalid;
    const appointment = await repo.findHandoffAppointment(this.db, brand.id, claims.appointmentId);
    if (!appointment) return invalid;
    if (appointment.state === 'cancelled') return { ok: false, reason: 'cancelled', message: 'this appointment was cancelled.' };
    if (appointment.version !== claims.version) {
      return { ok: false, reason: 'moved', message: 'this appointment has changed: use the Join link of the latest message about it.' };
    }

    let conversation = await this.webConversation(brand.id, appointment.conversationId);
    if (!conversation) {
      const created = await createWebConversation(
        this.db, brand.id, client.locale ?? appointment.customerLocale, client.timeZone ?? appointment.customerTimeZone,
      );
      const linked = await repo.linkAppointmentConversation(this.db, appointment.id, appointment.conversationId, created.conversation.id);
      conversation = linked === created.conversation.id ? created.conversation : await this.webConversation(brand.id, linked);
      if (!conversation) return invalid;
    }
    if (!conversation.customerId) {
      await updateConversation(this.db, conversation.id, { customerId: appointment.customerId });
      conversation = { ...conversation, customerId: appointment.customerId };
    }

    const ownToken = client.conversationId === conversation.id && client.token
      && (await authenticateConversation(this.db, brand.id, conversation.id, client.token)) !== null;
    if (ownToken) return { ok: true, conversation, token: client.token!, lastSeq: client.lastSeq, appointmentId: appointment.id };
    const token = await createConversationToken(this.db, conversation.id, `join:${appointment.id}`);
    return { ok: true, conversation, token, lastSeq: 0, appointmentId: appointment.id };
  }

  private async webConversation(brandId: string, id: string | null): Promise<Conversation | null> {
    if (!id || !UUID.test(id)) return null;
    const conversation = await findConversation(this.db, id);
    // An SMS or WhatsApp conversation opens on the web too: the customer keeps its whole history.
    return conversation && conversation.brandId === brandId ? conversation : null;
  }

  private async joinWindow(brandId: string): Promise<number> {
    return (await findBrandSettings(this.db, brandId)).joinWindowMinutes ?? this.joinWindowMinutes;
  }

  /**
   * After a Join link opened the conversation: in the join window, the advisor is asked for;
   * before or after it, the customer is told when the appointment is.
   */
  async afterJoin(conversationId: string, appointmentId: string): Promise<void> {
    const h = await repo.findHandoff(this.db, conversationId);
    if (!h || h.state !== 'bot') return; // already waiting or with an agent: nothing to add
    const appointment = await repo.findHandoffAppointment(this.db, h.brandId, appointmentId);
    if (!appointment || appointment.state === 'cancelled') return;
    const now = this.now().getTime();
    const window = await this.joinWindow(h.brandId);
    const texts = handoffTexts(h.locale);
    const when = formatWhen(appointment.startAt, h.timeZone ?? appointment.customerTimeZone, h.locale);
    if (now < appointment.startAt.getTime() - window * MINUTE) {
      await this.system(conversationId, texts.early(when, window));
    } else if (now >= appointment.endAt.getTime()) {
      await this.system(conversationId, texts.ended(when));
    } else {
      await this.requestAppointmentHandoff(h, appointment);
    }
  }

  private async requestAppointmentHandoff(h: Handoff, appointment: HandoffAppointment): Promise<void> {
    const waiting = await repo.startWaiting(this.db, h.conversationId, { appointmentId: appointment.id, offeredTo: [appointment.staffId], now: this.now() });
    if (!waiting) return;
    if (appointment.mode === 'online') {
      appointment.meetingUrl = await repo.ensureMeetingUrl(this.db, appointment.id, `${this.videoBase}/rendezvous-${meetingRoomName()}`);
    }
    const texts = handoffTexts(waiting.locale);
    const content: Record<string, unknown> = {};
    if (appointment.meetingUrl) {
      const zone = waiting.timeZone ?? appointment.customerTimeZone;
      content.attachments = [{
        contentType: APPOINTMENT,
        content: {
          title: texts.videoTitle,
          status: appointment.state,
          lines: [serviceName(appointment, waiting.locale), formatWhen(appointment.startAt, zone, waiting.locale)],
          links: [{ label: texts.videoLink, url: appointment.meetingUrl }],
        },
      }];
    }
    await this.system(h.conversationId, texts.requesting(firstName(appointment.staffName)), content);
    await this.sendStatus(h.conversationId);
    await this.emitRequest(waiting, appointment);
    if (await this.isAvailable(appointment.staffId)) {
      this.graceTimers.set(h.conversationId, setTimeout(() => {
        this.graceTimers.delete(h.conversationId);
        this.widen(h.conversationId).catch((err) => this.logger.error({ err, conversationId: h.conversationId }, 'hand-off widening failed'));
      }, this.graceMs).unref());
    } else {
      await this.widen(h.conversationId);
    }
  }

  /** The assigned advisor cannot or did not come: every available advisor of the store is asked. */
  private async widen(conversationId: string): Promise<void> {
    this.clearGrace(conversationId);
    const h = await repo.findHandoff(this.db, conversationId);
    if (!h || h.state !== 'waiting' || !h.appointmentId) return;
    const appointment = await repo.findHandoffAppointment(this.db, h.brandId, h.appointmentId);
    if (!appointment) return;
    const candidates = (await repo.staffForStoreService(this.db, h.brandId, appointment.storeId, appointment.serviceId))
      .filter((id) => id !== appointment.staffId);
    const available = await this.allowedToSee(appointment, await this.availableAmong(candidates));
    if (available.length > 0) {
      const offeredTo = await repo.addOffers(this.db, conversationId, available);
      if (offeredTo) await this.emitRequest({ ...h, offeredTo }, appointment);
      return;
    }
    // Nobody else: the customer may reschedule or leave a message; the request stays open meanwhile.
    const texts = handoffTexts(h.locale);
    await this.system(conversationId, texts.nobody, {
      suggestedActions: [
        { title: texts.reschedule, value: CHOICE_RESCHEDULE },
        { title: texts.leaveMessage, value: CHOICE_LEAVE_MESSAGE },
      ],
    });
  }

  private clearGrace(conversationId: string): void {
    const timer = this.graceTimers.get(conversationId);
    if (timer) clearTimeout(timer);
    this.graceTimers.delete(conversationId);
  }

  private async isAvailable(staffId: string): Promise<boolean> {
    return (await this.availableAmong([staffId])).length === 1;
  }

  /** Those among these staff whose console access shows them the appointment: nobody is offered a customer they may not see. */
  private async allowedToSee(appointment: HandoffAppointment, staffIds: string[]): Promise<string[]> {
    const allowed: string[] = [];
    for (const id of staffIds) {
      const scope = await scopeOfStaffMember(this.db, appointment.brandId, id);
      if (scope && seesAppointment(scope, appointment)) allowed.push(id);
    }
    return allowed;
  }

  /** Online (a tab says so) and not already with a customer. */
  private async availableAmong(staffIds: string[]): Promise<string[]> {
    const online = staffIds.filter((id) => this.presence.statusOf(id) === 'online');
    const busy = await repo.busyStaff(this.db, online);
    return online.filter((id) => !busy.has(id));
  }

  // ---- "talk to a person" (bot) ----------------------------------------------------------------

  async requestPerson(conversationId: string): Promise<{ status: 'queued'; position: number } | { status: 'unavailable' }> {
    const h = await repo.findHandoff(this.db, conversationId);
    if (!h) return { status: 'unavailable' };
    if (h.state === 'bot') {
      if (this.presence.onlineOf(h.brandId).length === 0) return { status: 'unavailable' };
      const waiting = await repo.startWaiting(this.db, conversationId, { appointmentId: null, offeredTo: [], now: this.now() });
      if (waiting) {
        const position = (await repo.queueOrder(this.db, h.brandId)).indexOf(conversationId) + 1;
        this.toldPosition.set(conversationId, position);
        const texts = handoffTexts(h.locale);
        await this.system(conversationId, texts.queue(position), { suggestedActions: [{ title: texts.leaveQueue, value: CHOICE_LEAVE_QUEUE }] });
        this.chat?.toCustomer(conversationId, 'queue', { position });
        await this.sendStatus(conversationId);
        await this.emitRequest(waiting, null);
        this.emitQueue(h.brandId).catch((err) => this.logger.warn({ err }, 'queue update failed'));
        return { status: 'queued', position };
      }
    }
    // Already waiting or with an agent.
    const position = (await repo.queueOrder(this.db, h.brandId)).indexOf(conversationId) + 1;
    return { status: 'queued', position: Math.max(position, 1) };
  }

  /** Tells queued customers whose place changed, and the consoles the new order. */
  private async refreshQueue(brandId: string): Promise<void> {
    const order = await repo.queueOrder(this.db, brandId);
    for (const [index, conversationId] of order.entries()) {
      const position = index + 1;
      if (this.toldPosition.get(conversationId) === position) continue;
      this.toldPosition.set(conversationId, position);
      const h = await repo.findHandoff(this.db, conversationId);
      if (!h || h.state !== 'waiting') continue;
      await this.system(conversationId, handoffTexts(h.locale).queueMoved(position));
      this.chat?.toCustomer(conversationId, 'queue', { position });
      await this.sendStatus(conversationId);
    }
    this.console?.to(consoleRooms.brand(brandId)).emit('handoff:queue', { conversationIds: order });
  }

  private async emitQueue(brandId: string): Promise<void> {
    this.console?.to(consoleRooms.brand(brandId)).emit('handoff:queue', { conversationIds: await repo.queueOrder(this.db, brandId) });
  }

  // ---- customer events -------------------------------------------------------------------------

  /**
   * Decides who answers a stored customer message: the bot (unless an agent is in or awaited), or
   * nobody (the agent reads it in the console). Handles the choices offered while waiting and a
   * message left for the store. Called inside the conversation's turn queue.
   */
  async routeCustomerMessage(
    conversation: Conversation, entry: TranscriptEntry, value: Record<string, unknown> | undefined,
  ): Promise<CustomerRoute> {
    const h = await repo.findHandoff(this.db, conversation.id);
    if (!h) return { to: 'bot' };
    if (h.state === 'attached') return { to: 'none' };
    if (h.state === 'waiting') {
      const choice = handoffChoice(entry.text, value);
      if (!h.appointmentId) return choice === 'leave-queue' ? this.leaveQueue(h) : { to: 'none' };
      if (!choice || choice === 'leave-queue') return { to: 'none' };
      const withdrawn = await repo.withdrawHandoff(this.db, h.conversationId, choice === 'leave-message');
      if (!withdrawn) return { to: 'none' };
      this.clearGrace(h.conversationId);
      const appointment = await repo.findHandoffAppointment(this.db, h.brandId, h.appointmentId);
      if (appointment) this.console?.to(appointmentRooms(appointment)).emit('handoff:withdrawn', { conversationId: h.conversationId, reason: choice });
      await this.sendStatus(h.conversationId);
      if (choice === 'reschedule') {
        return { to: 'bot', activity: { type: 'event', name: 'handoff.reschedule', value: { appointmentId: h.appointmentId } } };
      }
      await this.system(h.conversationId, handoffTexts(h.locale).leavePrompt);
      return { to: 'none' };
    }
    if (h.awaitingMessage) {
      await repo.setAwaitingMessage(this.db, h.conversationId, false);
      if (entry.text.trim() !== '' && value?.action === undefined && value?.choice === undefined) {
        await this.leaveMessage(h, entry.text.trim());
        return { to: 'none' };
      }
    }
    return { to: 'bot' };
  }

  /** The customer stops waiting in the queue: told so, the others move up, the bot shows its menu again. */
  private async leaveQueue(h: Handoff): Promise<CustomerRoute> {
    const withdrawn = await repo.withdrawHandoff(this.db, h.conversationId, false);
    if (!withdrawn) return { to: 'none' };
    this.toldPosition.delete(h.conversationId);
    this.console?.to(consoleRooms.brand(h.brandId)).emit('handoff:withdrawn', { conversationId: h.conversationId, reason: 'leave-queue' });
    await this.system(h.conversationId, handoffTexts(h.locale).queueLeft);
    await this.sendStatus(h.conversationId);
    await this.refreshQueue(h.brandId);
    return { to: 'bot', activity: { type: 'event', name: 'handoff.queueLeft' } };
  }

  private async leaveMessage(h: Handoff, message: string): Promise<void> {
    const appointment = h.appointmentId ? await repo.findHandoffAppointment(this.db, h.brandId, h.appointmentId) : null;
    const customer = appointment
      ? { name: appointment.customerName, email: appointment.customerEmail, phone: appointment.customerPhone }
      : h.customerId ? await findCustomer(this.db, h.customerId) : null;
    const contact = customer?.email ?? customer?.phone ?? null;
    const task = await insertConsoleTask(this.db, {
      brandId: h.brandId,
      storeId: appointment?.storeId ?? null,
      // Without a store, the appointment's advisor (and the admins) see it, not the whole brand.
      staffId: appointment && !appointment.storeId ? appointment.staffId : null,
      conversationId: h.conversationId,
      customerName: customer?.name ?? null,
      contact,
      message,
    }, this.now());
    await this.system(h.conversationId, handoffTexts(h.locale).leaveDone(contact));
    const event: TaskCreatedEvent = {
      id: task.id, storeId: task.storeId, conversationId: task.conversationId, customerName: task.customerName,
      contact: task.contact, message: task.message, createdAt: new Date(task.createdAt).toISOString(),
    };
    // The consoles that see the task (staff-access.ts, seesTask).
    const rooms = task.storeId ? [consoleRooms.store(task.storeId), consoleRooms.admins(h.brandId)]
      : task.staffId ? [consoleRooms.staff(task.staffId), consoleRooms.admins(h.brandId)]
        : [consoleRooms.brand(h.brandId)];
    this.console?.to(rooms).emit('task:created', event);
  }

  customerTyping(conversationId: string, on: boolean): void {
    this.console?.to(consoleRooms.conversation(conversationId)).emit('handoff:typing', { conversationId, from: 'customer', on });
  }

  async customerRead(conversationId: string, seq: number): Promise<void> {
    const read = await repo.markRead(this.db, conversationId, 'customer', seq);
    if (read !== null) this.console?.to(consoleRooms.conversation(conversationId)).emit('handoff:read', { conversationId, by: 'customer', seq: read });
  }

  // ---- agents ----------------------------------------------------------------------------------

  /** A conversation of the agent's brand (else not_found). */
  private async handoffOf(agent: Agent, conversationId: string): Promise<Handoff> {
    const h = await repo.findHandoff(this.db, conversationId);
    if (!h || h.brandId !== agent.staff.brandId) throw new HandoffError('not_found', 'There is no such conversation.');
    return h;
  }

  private async appointmentInScope(agent: Agent, h: Handoff): Promise<HandoffAppointment | null> {
    if (!h.appointmentId) return null;
    const appointment = await repo.findHandoffAppointment(this.db, h.brandId, h.appointmentId);
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
    const claimed = await repo.claimHandoff(this.db, conversationId, agent.staff.id);
    if (!claimed) {
      const current = await repo.findHandoff(this.db, conversationId);
      if (current?.state === 'attached' && current.agentStaffId === agent.staff.id) return this.attachedView(agent, current, appointment);
      throw new HandoffError(current?.state === 'attached' ? 'already_taken' : 'not_waiting',
        current?.state === 'attached' ? 'Another advisor has already joined this customer.' : 'This customer is no longer waiting for an advisor.');
    }
    this.clearGrace(conversationId);
    this.toldPosition.delete(conversationId);
    this.console?.in(consoleRooms.staff(agent.staff.id)).socketsJoin(consoleRooms.conversation(conversationId));
    await this.system(conversationId, handoffTexts(claimed.locale).joined(agent.staff.name));
    await this.sendStatus(conversationId);
    // Told where the request was: the brand's consoles for its queue, else those who see the appointment.
    this.console?.to(appointment ? appointmentRooms(appointment) : [consoleRooms.brand(claimed.brandId)]).emit('handoff:taken', {
      conversationId, staffId: agent.staff.id, staffName: agent.staff.name,
    });
    const view = await this.attachedView(agent, await repo.findHandoff(this.db, conversationId) ?? claimed, appointment);
    this.console?.to(consoleRooms.staff(agent.staff.id)).emit('handoff:attached', view.conversation);
    if (!claimed.appointmentId) await this.refreshQueue(claimed.brandId);
    return view;
  }

  private async attachedView(
    agent: Agent, h: Handoff, appointment: HandoffAppointment | null,
  ): Promise<{ conversation: AttachedConversation; activities: ChatActivity[] }> {
    return { conversation: await this.attachedSummary(agent, h, appointment), activities: await this.transcript(h.conversationId, 0) };
  }

  private async attachedSummary(agent: Agent, h: Handoff, appointment: HandoffAppointment | null): Promise<AttachedConversation> {
    // A customer who booked in this chat and then asked for a person: the advisor sees what they booked.
    const booked = (await repo.conversationAppointments(this.db, h.brandId, h.conversationId)).filter((a) => seesAppointment(agent.scope, a));
    return {
      conversationId: h.conversationId,
      customerName: await this.customerName(h, appointment) ?? booked[0]?.customerName ?? null,
      appointment: appointment ? summarize(appointment) : null,
      appointments: booked.map(summarize),
      locale: h.locale,
      lastSeq: h.lastSeq,
      customerReadSeq: h.customerReadSeq,
      agentReadSeq: h.agentReadSeq,
      ...await this.channelOf(h),
    };
  }

  /** The customer's channel and, on a phone, what its rules allow now. */
  private async channelOf(h: Handoff): Promise<{ channel: ConsoleChannel; channelNotice: string | null }> {
    const channel: ConsoleChannel = h.channel === 'sms' || h.channel === 'whatsapp' ? h.channel : 'web';
    const conversation = channel === 'web' ? null : await findConversation(this.db, h.conversationId);
    if (channel === 'web' || !conversation?.externalId) return { channel, channelNotice: null };
    return { channel, channelNotice: phoneNotice(channel, await findPhoneContact(this.db, h.brandId, channel, conversation.externalId), this.now()) };
  }

  private async customerName(h: Handoff, appointment: HandoffAppointment | null): Promise<string | null> {
    if (appointment) return appointment.customerName;
    return h.customerId ? (await findCustomer(this.db, h.customerId))?.name ?? null : null;
  }

  async agentMessage(agent: Agent, conversationId: string, clientId: string, text: string): Promise<{ seq: number; duplicate: boolean }> {
    await this.attachedHandoff(agent, conversationId);
    const { entry, duplicate } = await appendEntry(this.db, conversationId, {
      sender: 'agent', senderName: agent.staff.name, text, clientId: `agent:${agent.staff.id}:${clientId}`,
    });
    if (!duplicate) {
      this.chat?.toCustomer(conversationId, 'typing', { from: 'agent', on: false });
      this.publish(conversationId, entry);
    }
    return { seq: entry.seq, duplicate };
  }

  async agentTyping(agent: Agent, conversationId: string, on: boolean): Promise<void> {
    await this.attachedHandoff(agent, conversationId);
    this.chat?.toCustomer(conversationId, 'typing', { from: 'agent', on });
  }

  async agentRead(agent: Agent, conversationId: string, seq: number): Promise<void> {
    await this.attachedHandoff(agent, conversationId);
    const read = await repo.markRead(this.db, conversationId, 'agent', seq);
    if (read !== null) this.chat?.toCustomer(conversationId, 'read', { by: 'agent', seq: read } satisfies ReadEvent);
  }

  /** The agent leaves: the bot takes over again with a "handoff.ended" event turn. */
  async end(agent: Agent, conversationId: string): Promise<void> {
    const released = await repo.releaseHandoff(this.db, conversationId, agent.staff.id);
    if (!released) {
      await this.attachedHandoff(agent, conversationId); // throws the reason
      throw new HandoffError('not_attached', 'You are not in this conversation.');
    }
    this.chat?.toCustomer(conversationId, 'typing', { from: 'agent', on: false });
    await this.system(conversationId, handoffTexts(released.locale).left(agent.staff.name));
    this.console?.in(consoleRooms.conversation(conversationId)).socketsLeave(consoleRooms.conversation(conversationId));
    this.console?.to(consoleRooms.staff(agent.staff.id)).emit('handoff:ended', { conversationId });
    await this.sendStatus(conversationId);
    void this.chat?.runBotTurn(conversationId, { type: 'event', name: 'handoff.ended' });
    await this.offerWaitingTo(agent.staff.id, agent.staff.brandId);
  }

  /** Everything after afterSeq, for the agent in the conversation or one who may join it. */
  async resync(agent: Agent, conversationId: string, afterSeq: number): Promise<ChatActivity[]> {
    const h = await this.handoffOf(agent, conversationId);
    if (!(h.state === 'attached' && h.agentStaffId === agent.staff.id)) {
      if (h.state !== 'waiting') throw new HandoffError('not_attached', 'You are not in this conversation.');
      await this.appointmentInScope(agent, h);
    }
    return this.transcript(conversationId, afterSeq);
  }

  /** What a console gets on connection: requests offered to the agent and conversations they are in. */
  async consoleState(agent: Agent): Promise<{ requests: HandoffRequestEvent[]; attached: AttachedConversation[] }> {
    const requests: HandoffRequestEvent[] = [];
    for (const h of await repo.waitingRequests(this.db, agent.staff.brandId)) {
      if (h.appointmentId && !h.offeredTo.includes(agent.staff.id)) continue;
      const appointment = h.appointmentId ? await repo.findHandoffAppointment(this.db, h.brandId, h.appointmentId) : null;
      if (h.appointmentId && !(appointment && seesAppointment(agent.scope, appointment))) continue;
      requests.push(await this.requestEvent(h, appointment));
    }
    const attached: AttachedConversation[] = [];
    for (const h of await repo.attachedTo(this.db, agent.staff.id)) {
      const appointment = h.appointmentId ? await repo.findHandoffAppointment(this.db, h.brandId, h.appointmentId) : null;
      attached.push(await this.attachedSummary(agent, h, appointment));
    }
    return { requests, attached };
  }

  private async requestEvent(h: Handoff, appointment: HandoffAppointment | null): Promise<HandoffRequestEvent> {
    const position = appointment ? null : (await repo.queueOrder(this.db, h.brandId)).indexOf(h.conversationId) + 1 || null;
    return {
      conversationId: h.conversationId,
      kind: appointment ? 'appointment' : 'queue',
      customerName: await this.customerName(h, appointment),
      appointment: appointment ? summarize(appointment) : null,
      waitingSince: (h.requestedAt ?? this.now()).toISOString(),
      offeredTo: h.offeredTo,
      position,
      ...await this.channelOf(h),
    };
  }

  /** Sends the request to those it is offered to (the whole brand for the queue). */
  private async emitRequest(h: Handoff, appointment: HandoffAppointment | null): Promise<void> {
    if (!this.console) return;
    const event = await this.requestEvent(h, appointment);
    const rooms = appointment ? h.offeredTo.map(consoleRooms.staff) : [consoleRooms.brand(h.brandId)];
    if (rooms.length > 0) this.console.to(rooms).emit('handoff:request', event);
  }

  /**
   * An agent became available (came online, or left a customer): waiting appointment requests of
   * their store and service are offered to them too — once the assigned advisor's grace is over.
   */
  private async offerWaitingTo(staffId: string, brandId: string): Promise<void> {
    if (!(await this.isAvailable(staffId))) return;
    for (const h of await repo.waitingRequests(this.db, brandId)) {
      if (!h.appointmentId || h.offeredTo.includes(staffId) || this.graceTimers.has(h.conversationId)) continue;
      const appointment = await repo.findHandoffAppointment(this.db, brandId, h.appointmentId);
      if (!appointment) continue;
      const eligible = await repo.staffForStoreService(this.db, brandId, appointment.storeId, appointment.serviceId);
      if (!eligible.includes(staffId) || (await this.allowedToSee(appointment, [staffId])).length === 0) continue;
      const offeredTo = await repo.addOffers(this.db, h.conversationId, [staffId]);
      if (offeredTo) await this.emitRequest({ ...h, offeredTo }, appointment);
    }
  }

  // ---- presence --------------------------------------------------------------------------------

  /** Records a presence change, tells the consoles in scope, and offers waiting customers to a newly available agent. */
  async presenceChanged(change: PresenceChange | null): Promise<void> {
    if (!change || change.before === change.after) return;
    const { staff } = change;
    const event: PresenceEvent = { staffId: staff.staffId, name: staff.name, status: change.after };
    this.console?.to(presenceRooms(staff)).emit('presence', event);
    if (change.after === 'online') await this.offerWaitingTo(staff.staffId, staff.brandId);
  }

  /** Agents present whose presence this console may see. */
  presenceInScope(agent: Agent): PresenceEvent[] {
    return this.presence.present(agent.staff.brandId)
      .filter(({ staff }) => staff.staffId === agent.staff.id || agent.scope.allStores
        || staff.storeIds.some((id) => agent.scope.storeIds.includes(id)))
      .map(({ staff, status }) => ({ staffId: staff.staffId, name: staff.name, status }));
  }

  // ---- appointment changes -----------------------------------------------------------------------

  private async appointmentChanged(brandId: string, appointmentId: string): Promise<void> {
    const appointment = await repo.findHandoffAppointment(this.db, brandId, appointmentId);
    if (!appointment) return;
    this.console?.to(appointmentRooms(appointment)).emit('appointment:changed', { appointmentId });
    // The chat it was booked in shows its card as it is now (in turn order, like any bot message).
    if (appointment.conversationId) {
      await this.chat?.runBotTurn(appointment.conversationId, { type: 'event', name: 'appointment.changed', value: { appointmentId } });
    }
  }
}

/**
 * Rooms of the consoles that see an appointment (staff-access.ts, seesAppointment): the brand's admins,
 * its advisor, its store's staff. Events about it go there, never to the whole brand.
 */
export const appointmentRooms = (a: HandoffAppointment): string[] => [
  consoleRooms.admins(a.brandId), consoleRooms.staff(a.staffId), ...(a.storeId ? [consoleRooms.store(a.storeId)] : []),
];

/** Rooms of consoles that see this agent's presence: their stores' and the brand's admins. */
export const presenceRooms = (staff: PresentStaff): string[] => [
  consoleRooms.admins(staff.brandId), consoleRooms.staff(staff.staffId), ...staff.storeIds.map(consoleRooms.store),
];

const serviceName = (a: HandoffAppointment, locale: Locale): string =>
  a.serviceNames[locale] ?? a.serviceNames.en ?? a.serviceNames.fr ?? '';

function summarize(a: HandoffAppointment): HandoffAppointmentSummary {
  return {
    id: a.id,
    serviceName: serviceName(a, a.brandLocale),
    mode: a.mode,
    startAt: a.startAt.toISOString(),
    endAt: a.endAt.toISOString(),
    storeId: a.storeId,
    storeName: a.storeName,
    staffId: a.staffId,
    staffName: a.staffName,
    meetingUrl: a.meetingUrl,
  };
}

/** Why the agent's messages may not reach a phone as typed: opted out, or WhatsApp's 24-hour window closed. */
function phoneNotice(channel: 'sms' | 'whatsapp', contact: PhoneContact | null, now: Date): string | null {
  if (contact?.optedOutAt) return `The customer opted out of ${channel === 'sms' ? 'SMS' : 'WhatsApp'} (${contact.optOutKeyword ?? 'STOP'}): nothing can be sent to this number.`;
  if (channel === 'whatsapp' && (!contact?.lastInboundAt || now.getTime() - contact.lastInboundAt.getTime() >= WHATSAPP_WINDOW_MS)) {
    return 'WhatsApp window closed (no message from the customer for 24 hours): your messages go by template or SMS.';
  }
  return null;
}
