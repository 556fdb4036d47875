import { z } from 'zod';
import type { ChatActivity } from '../web-protocol.ts';

/**
 * The agent console's live protocol (socket.io, namespace "/console"), shared by the server and
 * the console UI. Every client event is validated with these schemas; every server event has
 * these shapes.
 *
 * Connect with `io(origin + '/console', { withCredentials: true })` from a page of the server's own
 * origin: the handshake is authenticated by the console's session cookie (`rdv_session`, the one
 * the console API sets at sign-in) and refused from any other Origin. Refusals are errors whose
 * message starts with a code: `origin_not_allowed:` or `unauthorized:`.
 *
 * On connection the server sends `console:ready` (who you are, who is online, the requests offered
 * to you, the conversations you are in). Events with an acknowledgement answer
 * `{ ok: true, ... }` or `{ ok: false, error: ConsoleError }`; a refused event also emits
 * `console-error`. The connection stays usable after any refusal.
 *
 * Transcript activities are keyed by `seq` per conversation: the same one may arrive twice (in a
 * transcript and live); keep one. After a reconnection, ask `handoff:resync` with the highest seq
 * held for each open conversation: nothing is lost.
 */

const uuid = z.string().uuid();
/** A transcript position (a 32-bit integer in the database). */
const seq = z.int32().min(0);

/** Client → server "presence:set": every tab says whether its agent is at the desk. */
export const presenceSet = z.object({ status: z.enum(['online', 'away']) });

/** Client → server "handoff:join" (ack HandoffJoinAck): take a waiting customer. */
export const handoffJoin = z.object({ conversationId: uuid });

/** Client → server "handoff:message" (ack HandoffMessageAck): the clientId makes a resend harmless. */
export const handoffMessage = z.object({
  conversationId: uuid,
  clientId: z.string().min(8).max(64),
  text: z.string().trim().min(1).max(2000),
});

/** Client → server "handoff:typing": the agent is (not) composing. */
export const handoffTyping = z.object({ conversationId: uuid, on: z.boolean() });

/** Client → server "handoff:read": the agent has read the transcript up to seq. */
export const handoffRead = z.object({ conversationId: uuid, seq });

/** Client → server "handoff:end" (ack { ok }): leave the chat; the bot takes over again. */
export const handoffEnd = z.object({ conversationId: uuid });

/** Client → server "handoff:resync" (ack HandoffResyncAck): everything after afterSeq. */
export const handoffResync = z.object({ conversationId: uuid, afterSeq: seq });

export type PresenceStatus = 'online' | 'away' | 'offline';

/** Server → client "presence": an agent in your scope came, went or stepped away. */
export interface PresenceEvent {
  staffId: string;
  name: string;
  status: PresenceStatus;
}

/** The appointment a customer joined, as the console shows it. */
export interface HandoffAppointmentSummary {
  id: string;
  serviceName: string;
  mode: 'in_store' | 'online' | 'at_home';
  startAt: string;
  endAt: string;
  storeId: string | null;
  storeName: string | null;
  staffId: string;
  staffName: string;
  meetingUrl: string | null;
}

/**
 * Server → client "handoff:request": a customer is waiting (alert the agent: sound, badge). An
 * upsert keyed by conversationId: it is sent again when the request is offered more widely.
 */
export interface HandoffRequestEvent {
  conversationId: string;
  /** appointment: the customer joined their appointment; queue: asked for a person in the chat. */
  kind: 'appointment' | 'queue';
  customerName: string | null;
  appointment: HandoffAppointmentSummary | null;
  waitingSince: string;
  /** Staff ids the request is offered to (empty for the brand's queue: every agent of the brand). */
  offeredTo: string[];
  /** Place in the brand's queue (queue requests). */
  position: number | null;
  channel: ConsoleChannel;
  /** What the channel allows now, when it limits the agent (an opted-out number, a closed WhatsApp window). */
  channelNotice: string | null;
}

/** Where the customer writes from. */
export type ConsoleChannel = 'web' | 'sms' | 'whatsapp';

/** Server → client "handoff:taken": someone joined; drop the request. */
export interface HandoffTakenEvent {
  conversationId: string;
  staffId: string;
  staffName: string;
}

/** Server → client "handoff:withdrawn": the customer stopped waiting (rescheduling, leaving a message, leaving the queue). */
export interface HandoffWithdrawnEvent {
  conversationId: string;
  reason: 'reschedule' | 'leave-message' | 'leave-queue';
}

/** Server → client "handoff:queue": the brand's queue, first in line first. */
export interface HandoffQueueEvent {
  conversationIds: string[];
}

/** A conversation an agent is in ("handoff:attached", console:ready, join ack). */
export interface AttachedConversation {
  conversationId: string;
  customerName: string | null;
  appointment: HandoffAppointmentSummary | null;
  /** Booked in this conversation (not cancelled, within the advisor's stores), soonest first. */
  appointments: HandoffAppointmentSummary[];
  locale: 'en' | 'fr';
  lastSeq: number;
  customerReadSeq: number;
  agentReadSeq: number;
  channel: ConsoleChannel;
  channelNotice: string | null;
}

/** Server → client "handoff:ended": you (another tab) left this conversation. */
export interface HandoffEndedEvent {
  conversationId: string;
}

/** Server → client "handoff:activity": a new transcript entry of a conversation you are in. */
export interface HandoffActivityEvent {
  conversationId: string;
  activity: ChatActivity;
}

/** Server → client "handoff:typing": the customer is (not) typing. */
export interface HandoffTypingEvent {
  conversationId: string;
  from: 'customer';
  on: boolean;
}

/** Server → client "handoff:read": the customer has read up to seq. */
export interface HandoffReadEvent {
  conversationId: string;
  by: 'customer';
  seq: number;
}

/** Server → client "appointment:changed": reload this appointment (list, calendar). */
export interface AppointmentChangedEvent {
  appointmentId: string;
}

/** Server → client "task:created": a customer left a message nobody could take live. */
export interface TaskCreatedEvent {
  id: string;
  storeId: string | null;
  conversationId: string | null;
  customerName: string | null;
  contact: string | null;
  message: string;
  createdAt: string;
}

/** Server → client "console:ready", once per connection. */
export interface ConsoleReady {
  staff: { id: string; name: string; role: string };
  presence: PresenceEvent[];
  requests: HandoffRequestEvent[];
  attached: AttachedConversation[];
}

export type ConsoleErrorCode =
  | 'invalid_event' | 'too_large' | 'rate_limited' | 'unauthorized' | 'forbidden' | 'not_found'
  | 'already_taken' | 'not_waiting' | 'not_attached' | 'internal';

/** Server → client "console-error" (and the error of a refused acknowledgement). */
export interface ConsoleError {
  code: ConsoleErrorCode;
  message: string;
  /** The event refused. */
  event?: string;
}

export type Refusal = { ok: false; error: ConsoleError };
export type HandoffJoinAck = { ok: true; conversation: AttachedConversation; activities: ChatActivity[] } | Refusal;
export type HandoffMessageAck = { ok: true; seq: number; duplicate: boolean } | Refusal;
export type HandoffResyncAck = { ok: true; activities: ChatActivity[] } | Refusal;
export type HandoffEndAck = { ok: true } | Refusal;

/**
 * Server → client events of /console, by name: the map socket.io's typed `Namespace` (server) and
 * `Socket` (console) take, so an event name or payload that is not here does not compile.
 */
export interface ConsoleServerEvents {
  'console:ready': (state: ConsoleReady) => void;
  'console-error': (error: ConsoleError) => void;
  presence: (event: PresenceEvent) => void;
  'handoff:request': (event: HandoffRequestEvent) => void;
  'handoff:taken': (event: HandoffTakenEvent) => void;
  'handoff:withdrawn': (event: HandoffWithdrawnEvent) => void;
  'handoff:queue': (event: HandoffQueueEvent) => void;
  'handoff:attached': (conversation: AttachedConversation) => void;
  'handoff:ended': (event: HandoffEndedEvent) => void;
  'handoff:activity': (event: HandoffActivityEvent) => void;
  'handoff:typing': (event: HandoffTypingEvent) => void;
  'handoff:read': (event: HandoffReadEvent) => void;
  'appointment:changed': (event: AppointmentChangedEvent) => void;
  'task:created': (event: TaskCreatedEvent) => void;
}

/** Client → server events of /console, by name: payloads are the schemas' input; acknowledged events take their ack last. */
export interface ConsoleClientEvents {
  'presence:set': (payload: z.input<typeof presenceSet>) => void;
  'handoff:join': (payload: z.input<typeof handoffJoin>, ack: (reply: HandoffJoinAck) => void) => void;
  'handoff:message': (payload: z.input<typeof handoffMessage>, ack: (reply: HandoffMessageAck) => void) => void;
  'handoff:typing': (payload: z.input<typeof handoffTyping>) => void;
  'handoff:read': (payload: z.input<typeof handoffRead>) => void;
  'handoff:end': (payload: z.input<typeof handoffEnd>, ack: (reply: HandoffEndAck) => void) => void;
  'handoff:resync': (payload: z.input<typeof handoffResync>, ack: (reply: HandoffResyncAck) => void) => void;
}

/** Client events answered through an acknowledgement. */
export type AcknowledgedConsoleEvent = {
  [E in keyof ConsoleClientEvents]: Parameters<ConsoleClientEvents[E]> extends [unknown, unknown] ? E : never;
}[keyof ConsoleClientEvents];

/** The acknowledgement an event is answered with (never for events without one). */
export type ConsoleReply<E extends keyof ConsoleClientEvents> =
  Parameters<ConsoleClientEvents[E]> extends [unknown, (reply: infer R) => void] ? R : never;

/** What the server's handler of an event answers: its reply's success without `ok` (void when there is nothing more). */
export type ConsoleAnswer<E extends keyof ConsoleClientEvents> = [ConsoleReply<E>] extends [never]
  ? void
  : keyof Omit<Extract<ConsoleReply<E>, { ok: true }>, 'ok'> extends never ? void : Omit<Extract<ConsoleReply<E>, { ok: true }>, 'ok'>;
