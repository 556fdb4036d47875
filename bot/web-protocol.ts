import { z } from 'zod';
import type { Attachment, SuggestedAction } from '../dialogs/card-content.ts';

/**
 * The web chat's wire protocol (socket.io, namespace "/chat"), shared by the server and the widget.
 * Every client event is validated with these schemas; every server event has these shapes.
 *
 * Connect with `io(url + '/chat', { auth: ChatAuth })`. The server answers `session` (keep the
 * token: it is the only key to the conversation), then replays every activity after `lastSeq`.
 *
 * Joining an appointment (the Join link of a confirmation lands on `/?join=<token>`): connect once
 * with `auth.join = <token>` (plus the saved conversationId/token, if any). The server opens the
 * appointment's conversation — the one it was booked in, with its earlier transcript — and answers
 * `session` with a token for this device: keep it, and reconnect later WITHOUT `join` (a join
 * resent on every reconnection would ask for the advisor again after they left). A join link that
 * is stale is refused at the handshake with an error whose message starts with `join_refused:`
 * (and `data: { code: 'join_refused', reason: 'invalid' | 'cancelled' | 'moved' }`): drop the
 * token and connect normally.
 */

/** A transcript position (a 32-bit integer in the database). */
const seq = z.int32().min(0);

export const chatAuth = z.object({
  brand: z.string().regex(/^[a-z0-9-]{2,40}$/),
  /** Resume this conversation (both id and token) or omit both to start a new one. */
  conversationId: z.string().uuid().optional(),
  token: z.string().min(20).max(200).optional(),
  /** Highest activity sequence number the client has; the server replays what follows. */
  lastSeq: seq.default(0),
  locale: z.enum(['en', 'fr']).optional(),
  timeZone: z.string().max(64).optional(),
  /** A Join link's token: opens the appointment's conversation and, in its window, calls its advisor. */
  join: z.string().max(600).optional(),
});
export type ChatAuth = z.input<typeof chatAuth>;

/** Client → server "message": typed text, a button's value, or a form's values. Ack: MessageAck. */
export const clientMessage = z.object({
  /** Unique per message on the client: a resend after a network drop is processed once. */
  clientId: z.string().min(8).max(64),
  text: z.string().max(2000).default(''),
  value: z.record(z.string(), z.unknown()).optional(),
});
export type ClientMessage = z.input<typeof clientMessage>;
export type MessageAck = { ok: true; seq: number; duplicate: boolean } | { ok: false; error: { code: string; message: string } };

/** Client → server "resync": ask again for everything after a sequence number. */
export const resyncRequest = z.object({ afterSeq: seq });

/** Client → server "typing": the customer is typing (shown to a live agent). */
export const typingSignal = z.object({ on: z.boolean() });

/** Client → server "read": the customer has seen the transcript up to `seq` (shown to a live agent). */
export const readReceipt = z.object({ seq });
export type ReadReceipt = z.input<typeof readReceipt>;

// Suggested actions and the rich content the widget renders natively are the dialogs' card
// contents (dialogs/card-content.ts), re-exported here for the widget.
export {
  APPOINTMENT, FORM, LOCATION, PIN, SLOTS,
  type AppointmentContent, type Attachment, type FormContent, type LocationContent, type PinContent, type SlotsContent, type SuggestedAction,
} from '../dialogs/card-content.ts';

/** Server → client "activity": one entry of the transcript, in `seq` order. */
export interface ChatActivity {
  seq: number;
  id: string;
  from: 'customer' | 'bot' | 'agent' | 'system';
  /** Display name of an agent. */
  name?: string;
  /** A customer message's own clientId: the sending widget replaces its pending copy with this entry. */
  clientId?: string;
  text: string;
  suggestedActions?: SuggestedAction[];
  attachments?: Attachment[];
  timestamp: string;
}

/** Server → client "session". */
export interface ChatSession {
  conversationId: string;
  token: string;
  locale: 'en' | 'fr';
  /** The map's tiles for a pin card (loaded only when one is shown). */
  map?: { tileUrl: string; attribution: string };
}

/** Server → client "typing": the bot or an agent is composing. */
export interface TypingEvent {
  from: 'bot' | 'agent';
  on: boolean;
}

/** Server → client "read": the live agent has read the transcript up to `seq`. */
export interface ReadEvent {
  by: 'agent';
  seq: number;
}

/**
 * Server → client "handoff": who the customer is talking to, sent on connection when a live agent
 * is involved and whenever it changes. `bot` again once the agent has left.
 */
export interface HandoffStatusEvent {
  state: 'bot' | 'waiting' | 'attached';
  /** The agent in the chat (attached). */
  agent?: { name: string };
  /** Place in the queue of a "talk to a person" request (waiting, no appointment). */
  position?: number;
  /** The video link of an online appointment. */
  meetingUrl?: string;
}

/** Server → client "queue": the customer's new place in line (also said in the transcript). */
export interface QueueEvent {
  position: number;
}

/** Server → client "chat-error": a bad event was refused; the connection stays usable. */
export interface ChatError {
  code: 'invalid_event' | 'too_large' | 'rate_limited' | 'unauthorized' | 'internal';
  message: string;
}
