import type {
  AttachedConversation, ConsoleChannel, HandoffAppointmentSummary, HandoffRequestEvent, PresenceEvent, PresenceStatus,
} from '../../bot/handoff/console-protocol.ts';
import type { ChatActivity } from '../../bot/web-protocol.ts';
import { formatRange } from './format.ts';

/**
 * The live-chat state (customers waiting for an agent, the conversations this agent joined) and its
 * changes, as pure functions: the connector feeds them socket events, the Live screen renders them.
 */

export type LiveConnection = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'unavailable';
/** What an agent sets ("presence:set"); offline is only ever seen of others. */
export type Presence = Exclude<PresenceStatus, 'offline'>;

/** A customer asking for an agent (server event handoff:request, console:ready). */
export interface HandoffRequest {
  conversationId: string;
  /** appointment: the customer joined their appointment; queue: asked for a person in the chat. */
  kind: HandoffRequestEvent['kind'];
  customerName: string;
  appointment: HandoffAppointmentSummary | null;
  waitingSince: string;
  offeredTo: string[];
  /** Place in the brand's queue (queue requests). */
  position: number | null;
  channel: ConsoleChannel;
  channelNotice: string | null;
}

/** An agent message not acknowledged yet. */
export interface PendingMessage {
  clientId: string;
  text: string;
  status: 'sending' | 'failed';
  error?: string;
}

export interface LiveConversation {
  conversationId: string;
  customerName: string;
  appointment: HandoffAppointmentSummary | null;
  /** Booked in this conversation (shown when the hand-off is not about one appointment). */
  appointments: HandoffAppointmentSummary[];
  /** Ascending by seq, one per seq. */
  activities: ChatActivity[];
  pending: PendingMessage[];
  customerTyping: boolean;
  /** The highest seq the customer has read (handoff:read from the server). */
  customerReadSeq: number;
  /** The highest customer seq we told the server we read. */
  readSentSeq: number;
  /** Customer messages not seen yet (the conversation is not on screen). */
  unread: number;
  ended: boolean;
  /** Someone else took it while we were joining. */
  takenBy: string | null;
  channel: ConsoleChannel;
  channelNotice: string | null;
}

export interface LiveState {
  connection: LiveConnection;
  presence: Presence;
  waiting: HandoffRequest[];
  conversations: LiveConversation[];
  /** Colleagues' presence (those in the user's scope), by staff id. */
  presenceOf: Record<string, Pick<PresenceEvent, 'name' | 'status'>>;
  /** The conversation on screen (Live page), if any. */
  viewing: string | null;
}

export const initialLiveState = (): LiveState => ({
  connection: 'idle', presence: 'online', waiting: [], conversations: [], presenceOf: {}, viewing: null,
});

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback);

/** A handoff:request payload (or one of console:ready's requests), read defensively. */
export function readHandoffRequest(payload: unknown): HandoffRequest | null {
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as Partial<HandoffRequestEvent>;
  const conversationId = str(p.conversationId);
  if (!conversationId) return null;
  const appointment = p.appointment && typeof p.appointment === 'object' ? p.appointment : null;
  return {
    conversationId,
    kind: p.kind === 'queue' || (!appointment && p.kind !== 'appointment') ? 'queue' : 'appointment',
    customerName: str(p.customerName) || 'A customer',
    appointment,
    waitingSince: str(p.waitingSince) || new Date().toISOString(),
    offeredTo: Array.isArray(p.offeredTo) ? p.offeredTo.filter((x): x is string => typeof x === 'string') : [],
    position: typeof p.position === 'number' ? p.position : null,
    ...channelOf(p),
  };
}

const channelOf = (p: { channel?: unknown; channelNotice?: unknown }): { channel: ConsoleChannel; channelNotice: string | null } => ({
  channel: p.channel === 'sms' || p.channel === 'whatsapp' ? p.channel : 'web',
  channelNotice: typeof p.channelNotice === 'string' ? p.channelNotice : null,
});

/** How the console names a channel. */
export const channelLabel = (c: ConsoleChannel) => ({ web: 'Web chat', sms: 'SMS', whatsapp: 'WhatsApp' })[c];

/** "Kitchen design consultation · Mon 1 Mar, 10:00 · Paris Opéra · with Camille Martin" */
export function appointmentSummary(a: HandoffAppointmentSummary | null | undefined): string {
  if (!a) return '';
  const when = Number.isNaN(new Date(a.startAt).getTime()) ? '' : formatRange(a.startAt, a.endAt);
  const place = a.mode === 'online' ? 'Online' : a.mode === 'at_home' ? 'At home' : a.storeName ?? '';
  return [a.serviceName, when, place, a.staffName ? `with ${a.staffName}` : ''].filter(Boolean).join(' · ');
}

/** An AttachedConversation (join ack, handoff:attached, console:ready), read defensively. */
export function readAttached(payload: unknown): AttachedConversation | null {
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as Partial<AttachedConversation>;
  if (typeof p.conversationId !== 'string') return null;
  return {
    conversationId: p.conversationId,
    customerName: typeof p.customerName === 'string' ? p.customerName : null,
    appointment: p.appointment && typeof p.appointment === 'object' ? p.appointment : null,
    appointments: Array.isArray(p.appointments) ? p.appointments.filter((a) => a && typeof a === 'object' && typeof a.id === 'string') : [],
    locale: p.locale === 'fr' ? 'fr' : 'en',
    lastSeq: typeof p.lastSeq === 'number' ? p.lastSeq : 0,
    customerReadSeq: typeof p.customerReadSeq === 'number' ? p.customerReadSeq : 0,
    agentReadSeq: typeof p.agentReadSeq === 'number' ? p.agentReadSeq : 0,
    ...channelOf(p),
  };
}

// ---- changes --------------------------------------------------------------------------------------

export function addWaiting(state: LiveState, request: HandoffRequest): Partial<LiveState> {
  if (state.conversations.some((c) => c.conversationId === request.conversationId && !c.ended)) return {};
  const others = state.waiting.filter((w) => w.conversationId !== request.conversationId);
  const waiting = [...others, request].sort((a, b) => a.waitingSince.localeCompare(b.waitingSince));
  return { waiting };
}

export function removeWaiting(state: LiveState, conversationId: string): Partial<LiveState> {
  if (!state.waiting.some((w) => w.conversationId === conversationId)) return {};
  return { waiting: state.waiting.filter((w) => w.conversationId !== conversationId) };
}

function updateConversation(state: LiveState, conversationId: string, change: (c: LiveConversation) => Partial<LiveConversation>): Partial<LiveState> {
  let changed = false;
  const conversations = state.conversations.map((c) => {
    if (c.conversationId !== conversationId) return c;
    const patch = change(c);
    if (Object.keys(patch).length === 0) return c;
    changed = true;
    return { ...c, ...patch };
  });
  return changed ? { conversations } : {};
}

/**
 * We joined (or are joining) a conversation: it leaves the queue and opens. With `attached` (the
 * server's view: join ack, handoff:attached, console:ready) the read marks are taken from it.
 */
export function openConversation(
  state: LiveState,
  request: {
    conversationId: string; customerName: string | null; appointment: HandoffAppointmentSummary | null;
    channel?: ConsoleChannel; channelNotice?: string | null;
  },
  attached?: AttachedConversation,
): Partial<LiveState> {
  const existing = state.conversations.find((c) => c.conversationId === request.conversationId);
  const waiting = state.waiting.filter((w) => w.conversationId !== request.conversationId);
  const name = request.customerName || existing?.customerName || 'A customer';
  const marks = attached ? { customerReadSeq: attached.customerReadSeq, readSentSeq: attached.agentReadSeq } : {};
  if (existing) {
    return {
      waiting,
      ...updateConversation({ ...state, waiting }, request.conversationId, (c) => ({
        ended: false, takenBy: null, customerName: name, appointment: request.appointment ?? c.appointment,
        ...(attached ? { appointments: attached.appointments } : {}),
        channel: request.channel ?? c.channel, channelNotice: request.channelNotice === undefined ? c.channelNotice : request.channelNotice,
        ...(attached ? { customerReadSeq: Math.max(c.customerReadSeq, attached.customerReadSeq), readSentSeq: Math.max(c.readSentSeq, attached.agentReadSeq) } : {}),
      })),
    };
  }
  const conversation: LiveConversation = {
    conversationId: request.conversationId, customerName: name, appointment: request.appointment, appointments: attached?.appointments ?? [],
    activities: [], pending: [], customerTyping: false, customerReadSeq: 0, readSentSeq: 0, unread: 0, ended: false, takenBy: null,
    channel: request.channel ?? 'web', channelNotice: request.channelNotice ?? null,
    ...marks,
  };
  return { waiting, conversations: [...state.conversations, conversation] };
}

/** Replaces the waiting list (console:ready), keeping what we already joined out of it. */
export function setWaiting(state: LiveState, requests: HandoffRequest[]): Partial<LiveState> {
  const open = new Set(state.conversations.filter((c) => !c.ended).map((c) => c.conversationId));
  return { waiting: requests.filter((r) => !open.has(r.conversationId)).sort((a, b) => a.waitingSince.localeCompare(b.waitingSince)) };
}

/** The brand's queue order (handoff:queue): positions of queue requests. */
export function setQueueOrder(state: LiveState, conversationIds: string[]): Partial<LiveState> {
  let changed = false;
  const waiting = state.waiting.map((w) => {
    if (w.kind !== 'queue') return w;
    const index = conversationIds.indexOf(w.conversationId);
    const position = index >= 0 ? index + 1 : null;
    if (position === w.position) return w;
    changed = true;
    return { ...w, position };
  });
  return changed ? { waiting } : {};
}

export function closeConversation(state: LiveState, conversationId: string): Partial<LiveState> {
  return {
    conversations: state.conversations.filter((c) => c.conversationId !== conversationId),
    ...(state.viewing === conversationId ? { viewing: null } : {}),
  };
}

export function lastSeqOf(conversation: LiveConversation): number {
  return conversation.activities.at(-1)?.seq ?? 0;
}

/** Adds activities, deduplicated by seq; a local stand-in (same seq) is replaced by the server's. */
export function mergeActivities(state: LiveState, conversationId: string, incoming: ChatActivity[]): Partial<LiveState> {
  return updateConversation(state, conversationId, (c) => {
    const bySeq = new Map(c.activities.map((a) => [a.seq, a]));
    let added = 0;
    let changed = false;
    for (const activity of incoming) {
      const known = bySeq.get(activity.seq);
      if (known?.id === activity.id) continue;
      if (!known && activity.from === 'customer') added++;
      bySeq.set(activity.seq, activity);
      changed = true;
    }
    if (!changed) return {};
    const activities = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    const fromCustomer = incoming.some((a) => a.from === 'customer');
    return {
      activities,
      ...(fromCustomer ? { customerTyping: false } : {}),
      ...(added && state.viewing !== conversationId ? { unread: c.unread + added } : {}),
    };
  });
}

export function addPending(state: LiveState, conversationId: string, message: PendingMessage): Partial<LiveState> {
  return updateConversation(state, conversationId, (c) => ({ pending: [...c.pending, message] }));
}

export type MessageAck = { ok: true; seq: number } | { ok: false; error?: { code?: string; message?: string } };

/** The server's answer to one of our messages: it takes its place in the transcript, or fails. */
export function applyAck(state: LiveState, conversationId: string, clientId: string, ack: MessageAck | undefined, agentName: string, now: Date): Partial<LiveState> {
  const conversation = state.conversations.find((c) => c.conversationId === conversationId);
  const message = conversation?.pending.find((p) => p.clientId === clientId);
  if (!conversation || !message) return {};
  if (!ack || !ack.ok) {
    const error = ack && !ack.ok ? ack.error?.message : undefined;
    return updateConversation(state, conversationId, (c) => ({
      pending: c.pending.map((p) => (p.clientId === clientId ? { ...p, status: 'failed', ...(error ? { error } : {}) } : p)),
    }));
  }
  const pending = conversation.pending.filter((p) => p.clientId !== clientId);
  const withoutPending = updateConversation(state, conversationId, () => ({ pending }));
  if (conversation.activities.some((a) => a.seq === ack.seq)) return withoutPending;
  const standIn: ChatActivity = { seq: ack.seq, id: `local:${clientId}`, from: 'agent', name: agentName, text: message.text, timestamp: now.toISOString() };
  const next = { ...state, ...withoutPending };
  return { ...withoutPending, ...mergeActivities(next, conversationId, [standIn]) };
}

export function retryPending(state: LiveState, conversationId: string, clientId: string): Partial<LiveState> {
  return updateConversation(state, conversationId, (c) => ({
    pending: c.pending.map((p) => (p.clientId === clientId ? { clientId: p.clientId, text: p.text, status: 'sending' as const } : p)),
  }));
}

export function setCustomerTyping(state: LiveState, conversationId: string, on: boolean): Partial<LiveState> {
  return updateConversation(state, conversationId, (c) => (c.customerTyping === on ? {} : { customerTyping: on }));
}

export function setCustomerRead(state: LiveState, conversationId: string, seq: number): Partial<LiveState> {
  return updateConversation(state, conversationId, (c) => (seq > c.customerReadSeq ? { customerReadSeq: seq } : {}));
}

export function markReadSent(state: LiveState, conversationId: string, seq: number): Partial<LiveState> {
  return updateConversation(state, conversationId, (c) => (seq > c.readSentSeq || c.unread ? { readSentSeq: Math.max(seq, c.readSentSeq), unread: 0 } : {}));
}

export function endConversation(state: LiveState, conversationId: string, by: string | null = null): Partial<LiveState> {
  return updateConversation(state, conversationId, (c) => (c.ended ? {} : { ended: true, customerTyping: false, ...(by ? { takenBy: by } : {}) }));
}

/** The highest seq of the conversation's transcript that we hold. */
export function lastReadableSeq(conversation: LiveConversation): number {
  for (let i = conversation.activities.length - 1; i >= 0; i--) {
    if (!conversation.activities[i]!.id.startsWith('local:')) return conversation.activities[i]!.seq;
  }
  return 0;
}
