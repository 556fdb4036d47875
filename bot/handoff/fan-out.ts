import type { Activity } from 'botbuilder-core';
import type { Namespace } from 'socket.io';
import type { TranscriptEntry } from '../../models/conversations.repository.ts';
import { toChatActivity } from '../transcript-activity.ts';
import type { ConsoleClientEvents, ConsoleServerEvents } from './console-protocol.ts';
import { consoleRooms } from './console-rooms.ts';

/** The /console namespace as the protocol types it. */
export type ConsoleNamespace = Namespace<ConsoleClientEvents, ConsoleServerEvents>;

/** The web chat's side, bound by attachWebChat. */
export interface ChatBinding {
  /** Emits to every socket of the customer's conversation. */
  toCustomer(conversationId: string, event: string, payload: unknown): void;
  /** Queues a bot turn for the conversation (after the turns already queued). */
  runBotTurn(conversationId: string, activity: Partial<Activity>): Promise<void>;
}

/**
 * Where hand-off events go: the customer's sockets (/chat), console rooms (/console), another channel
 * (SMS, WhatsApp). Room emits reach every instance when socket.io has the shared (Redis) adapter.
 */
export interface FanOut {
  toCustomer(conversationId: string, event: string, payload: unknown): void;
  toConsoles<E extends keyof ConsoleServerEvents>(rooms: string[], event: E, payload: Parameters<ConsoleServerEvents[E]>[0]): void;
  /** A new transcript entry: to the customer, to agents in the conversation, and to a phone when it is one. */
  publish(conversationId: string, entry: TranscriptEntry): void;
  /** Every console tab of the agent (on any instance) follows the conversation... */
  followConversation(staffId: string, conversationId: string): void;
  /** ...until it ends for all of them. */
  dropConversation(conversationId: string): void;
  runBotTurn(conversationId: string, activity: Partial<Activity>): Promise<void>;
}

/** The fan-out over this server's socket.io namespaces, bound as they are attached. */
export class SocketFanOut implements FanOut {
  private chat: ChatBinding | null = null;
  private console: ConsoleNamespace | null = null;
  private relay: ((conversationId: string, entry: TranscriptEntry) => void) | undefined;

  bindChat(chat: ChatBinding): void {
    this.chat = chat;
  }

  bindConsole(nsp: ConsoleNamespace): void {
    this.console = nsp;
  }

  /** Another channel (SMS, WhatsApp) that agents' messages and the hand-off's notices must reach. */
  bindRelay(relay: (conversationId: string, entry: TranscriptEntry) => void): void {
    this.relay = relay;
  }

  toCustomer(conversationId: string, event: string, payload: unknown): void {
    this.chat?.toCustomer(conversationId, event, payload);
  }

  toConsoles<E extends keyof ConsoleServerEvents>(rooms: string[], event: E, payload: Parameters<ConsoleServerEvents[E]>[0]): void {
    // socket.io's types cannot resolve a generic event name's parameters: this signature checks the callers.
    if (rooms.length > 0) (this.console as Namespace | null)?.to(rooms).emit(event, payload);
  }

  publish(conversationId: string, entry: TranscriptEntry): void {
    const activity = toChatActivity(entry);
    this.toCustomer(conversationId, 'activity', activity);
    this.toConsoles([consoleRooms.conversation(conversationId)], 'handoff:activity', { conversationId, activity });
    // The bot's own replies reach a phone through its adapter; agents and hand-off notices through the relay.
    if (entry.sender === 'agent' || (entry.sender === 'system' && !entry.content['internal'])) this.relay?.(conversationId, entry);
  }

  followConversation(staffId: string, conversationId: string): void {
    this.console?.in(consoleRooms.staff(staffId)).socketsJoin(consoleRooms.conversation(conversationId));
  }

  dropConversation(conversationId: string): void {
    this.console?.in(consoleRooms.conversation(conversationId)).socketsLeave(consoleRooms.conversation(conversationId));
  }

  async runBotTurn(conversationId: string, activity: Partial<Activity>): Promise<void> {
    await this.chat?.runBotTurn(conversationId, activity);
  }
}
