import type { Namespace, Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import { isValidTimeZone } from '../scheduling/time-zones.ts';
import type { Database } from '../models/database.ts';
import { findBrand } from '../models/brands.repository.ts';
import {
  authenticateConversation, createWebConversation, entriesAfter, findConversation, type Conversation, type TranscriptEntry,
} from '../models/conversations.repository.ts';
import { toChatActivity } from './transcript-activity.ts';
import { CustomerInbox, type ChannelTurns } from './customer-inbox.ts';
import { TurnQueue } from './turn-queue.ts';
import { isEarlyTurnRefused } from './turn-order.ts';
import { WebChatAdapter, type TurnLogic } from './web-chat.adapter.ts';
import { chatAuth, clientMessage, readReceipt, resyncRequest, typingSignal, type ChatError } from './web-protocol.ts';
import type { HandoffRouter } from './handoff/handoff-router.ts';
import { clientIp } from './client-ip.ts';
import { memoryRateLimit, type RateLimits } from './rate-limit.ts';
import { EventRefused, socketGuard } from './socket-guard.ts';

export interface WebChatDeps {
  db: Database;
  logger: Logger;
  /** The server's own origins (the demo site is served from it), besides each brand's sites. */
  ownOrigins: string[];
  /** The map's tiles, told to the widget for its pin cards. */
  map?: { tileUrl: string; attribution: string } | undefined;
  /** The bot: one turn. */
  bot: TurnLogic;
  /** Messages a conversation may receive per 10 seconds, whatever sockets they come by (default 20). */
  messagesPer10s?: number;
  /** Messages one IP address may send per 10 seconds, all its conversations together (default 60). */
  messagesPer10sPerIp?: number;
  /** Conversations one IP address may start per hour (default 60); resuming one costs nothing. */
  conversationsPerIpPerHour?: number;
  /** Where those budgets are kept (default: this process's memory). */
  rateLimit?: RateLimits | undefined;
  /**
   * Live agents: Join links, and routing customer messages to an agent instead of the bot while
   * one is awaited or in the chat. Without it the bot answers everything and Join links are refused.
   */
  handoff?: HandoffRouter | undefined;
  /** The inbound pipeline shared with the other channels (one turn order per conversation); default: its own. */
  inbox?: CustomerInbox | undefined;
}

/** Events over this size get a clear error; the transport itself drops frames over 2× that. */
export const MAX_EVENT_BYTES = 64 * 1024;
/** A message's value is a form at most (depth 4); anything much deeper is an attack. */
const MAX_EVENT_DEPTH = 16;

interface SocketData {
  conversation: Conversation;
  token: string | null;
  lastSeq: number;
  /** The appointment a Join link opened this conversation for. */
  joinAppointmentId?: string;
  /** Created by this connection: nothing to replay, no hand-off, no dialog state yet. */
  created?: boolean;
}

const chatError = (socket: Socket, error: ChatError) => socket.emit('chat-error', error);

/** The web channel on socket.io namespace /chat: authentication, transcript, replay, bot turns. */
export function attachWebChat(io: Server, deps: WebChatDeps) {
  const { db, logger } = deps;
  const nsp: Namespace = io.of('/chat');
  const { handoff } = deps;
  const inbox = deps.inbox ?? new CustomerInbox({ db, logger, handoff });
  const { queue } = inbox;
  /** A new transcript entry to the customer's sockets (and, with live agents, to the console). */
  const publish = (conversationId: string, entry: TranscriptEntry) => {
    if (handoff) handoff.publish(conversationId, entry);
    else nsp.to(conversationId).emit('activity', toChatActivity(entry));
  };
  const adapter = new WebChatAdapter(db, {
    deliver: publish,
    typing: (conversationId, on) => nsp.to(conversationId).emit('typing', { from: 'bot', on }),
  });
  // Budgets follow the conversation and the IP address, not the socket: reconnecting resets nothing.
  const rateLimit = deps.rateLimit ?? memoryRateLimit;
  const limits = {
    messages: rateLimit('messages', deps.messagesPer10s ?? 20, 10),
    messagesPerIp: rateLimit('messages-per-ip', deps.messagesPer10sPerIp ?? 60, 10),
    conversationsPerIp: rateLimit('conversations-per-ip', deps.conversationsPerIpPerHour ?? 60, 3600),
    signals: rateLimit('signals', deps.messagesPer10s ?? 20, 10),
  };
  /** Each conversation's incoming messages, stored one at a time in arrival order. */
  const intake = new TurnQueue();
  const guard = socketGuard({
    logger,
    bounds: { maxBytes: MAX_EVENT_BYTES, maxDepth: MAX_EVENT_DEPTH },
    emitError: (socket, _event, error) => chatError(socket, error as ChatError),
    logContext: (socket) => ({ conversationId: (socket.data as SocketData).conversation.id }),
  });

  type Incoming = Parameters<WebChatAdapter['processIncoming']>[1];
  /** One bot turn; the caller runs it inside the conversation's queue. */
  const botTurn = async (conversation: Conversation, incoming: Incoming) => {
    nsp.to(conversation.id).emit('typing', { from: 'bot', on: true });
    try {
      await adapter.processIncoming(conversation, incoming, deps.bot);
    } catch (err) {
      // A turn begun early and refused runs again (bot/customer-inbox.ts): nothing failed.
      if (!isEarlyTurnRefused(err)) logger.error({ err, conversationId: conversation.id }, 'bot turn failed');
    } finally {
      nsp.to(conversation.id).emit('typing', { from: 'bot', on: false });
    }
  };
  // The adapter holds every reply until the turn is stored: a turn may begin before its message is stored.
  const channel: ChannelTurns = { botTurn, publish, turnsFirst: 'web' };
  inbox.register(['web'], channel);
  /** A phone conversation's proactive turns (an agent leaving) go back to the phone. */
  const runTurn = (conversation: Conversation, incoming: Incoming, options: { created?: boolean } = {}) =>
    inbox.runTurn(conversation, incoming, inbox.channelFor(conversation) ?? channel, options);

  handoff?.bindChat({
    toCustomer: (conversationId, event, payload) => void nsp.to(conversationId).emit(event, payload),
    runBotTurn: async (conversationId, activity) => {
      const conversation = await findConversation(db, conversationId);
      if (conversation) await runTurn(conversation, activity);
    },
  });

  // CORS does not protect WebSockets: the Origin must be one of the brand's sites.
  nsp.use(async (socket, next) => {
    try {
      const auth = chatAuth.safeParse(socket.handshake.auth ?? {});
      if (!auth.success) return next(new Error('invalid_auth: the connection details are malformed.'));
      const brand = await findBrand(db, auth.data.brand);
      if (!brand) return next(new Error('unknown_brand: this chat is not configured.'));
      // Browsers always send Origin cross-origin and on WebSockets; only a same-origin polling
      // request or a non-browser client (which could forge it anyway) comes without one.
      const origin = socket.handshake.headers.origin;
      if (origin && ![...deps.ownOrigins, ...brand.allowedOrigins].includes(origin)) {
        return next(new Error('origin_not_allowed: this site may not open this chat.'));
      }
      const timeZone = auth.data.timeZone && isValidTimeZone(auth.data.timeZone) ? auth.data.timeZone : null;
      let data: SocketData;
      if (auth.data.join !== undefined) {
        const opened = handoff
          ? await handoff.openJoin(brand, auth.data.join, { ...auth.data, timeZone })
          : { ok: false as const, reason: 'invalid' as const, message: 'joining an appointment is not available here.' };
        if (!opened.ok) {
          return next(Object.assign(new Error(`join_refused: ${opened.message}`), { data: { code: 'join_refused', reason: opened.reason } }));
        }
        data = { conversation: opened.conversation, token: opened.token, lastSeq: opened.lastSeq, joinAppointmentId: opened.appointmentId };
      } else if (auth.data.conversationId && auth.data.token) {
        const conversation = await authenticateConversation(db, brand.id, auth.data.conversationId, auth.data.token);
        if (!conversation) return next(new Error('unauthorized: this conversation cannot be resumed.'));
        data = { conversation, token: auth.data.token, lastSeq: auth.data.lastSeq };
      } else {
        if (!(await limits.conversationsPerIp.take(clientIp(socket.request)))) {
          return next(new Error('rate_limited: too many new chats from this address; please try again later.'));
        }
        const created = await createWebConversation(db, brand.id, auth.data.locale ?? brand.defaultLocale, timeZone);
        data = { conversation: created.conversation, token: created.token, lastSeq: 0, created: true };
      }
      socket.data = data;
      next();
    } catch (err) {
      logger.error({ err }, 'chat handshake failed');
      next(new Error('internal: please try again.'));
    }
  });

  nsp.on('connection', (socket) => {
    const data = socket.data as SocketData;
    const { conversation } = data;
    const ip = clientIp(socket.request);
    // A conversation opened by a Join link is not greeted by the bot: the hand-off speaks.
    const isNew = data.lastSeq === 0 && conversation.lastSeq === 0 && !data.joinAppointmentId;
    const replay = async (afterSeq: number) => {
      for (const entry of await entriesAfter(db, conversation.id, afterSeq)) socket.emit('activity', toChatActivity(entry));
    };
    // Listeners are registered below at once, so events sent right after connecting wait for this
    // rather than being lost: the room, the session, the replay, the hand-off status. A conversation
    // created by this connection has nothing to replay and no hand-off: no round trip asks.
    const ready = (async () => {
      await socket.join(conversation.id);
      socket.emit('session', { conversationId: conversation.id, token: data.token, locale: conversation.locale, ...(deps.map ? { map: deps.map } : {}) });
      if (!data.created) await replay(data.lastSeq);
      if (handoff && !data.created) {
        const status = await handoff.statusFor(conversation.id).catch(() => null);
        if (status) socket.emit('handoff', status);
        if (data.joinAppointmentId) {
          handoff.afterJoin(conversation.id, data.joinAppointmentId)
            .catch((err) => logger.error({ err, conversationId: conversation.id }, 'join failed'));
        }
      }
      if (isNew) {
        void runTurn(conversation, { type: 'conversationUpdate', membersAdded: [{ id: `customer:${conversation.id}`, name: 'customer' }] }, { created: data.created === true });
      }
    })();
    ready.catch((err) => {
      logger.error({ err, conversationId: conversation.id }, 'chat connection failed');
      chatError(socket, { code: 'internal', message: 'The chat could not load: reconnecting.' });
      socket.disconnect(true);
    });

    const receive = async (payload: unknown) => {
      await ready;
      const [perConversation, perIp] = await Promise.all([limits.messages.take(conversation.id), limits.messagesPerIp.take(ip)]);
      if (!perConversation || !perIp) throw new EventRefused('rate_limited', 'You are sending messages too quickly. Please wait a few seconds.');
      const parsed = clientMessage.safeParse(payload);
      if (!parsed.success) throw new EventRefused('invalid_event', 'That message could not be read.');
      const { entry, duplicate } = await inbox.receiveCustomerMessage(conversation, parsed.data, channel);
      return { seq: entry.seq, duplicate };
    };

    guard.listen(socket, {
      // Queued at once, in arrival order: a customer's messages are stored in the order they were sent.
      message: (payload) => intake.run(conversation.id, () => receive(payload)),

      resync: async (payload) => {
        const parsed = resyncRequest.safeParse(payload);
        if (!parsed.success) throw new EventRefused('invalid_event', 'resync needs { afterSeq }.');
        await ready;
        await replay(parsed.data.afterSeq);
      },

      typing: async (payload) => {
        const parsed = typingSignal.safeParse(payload);
        if (!parsed.success) throw new EventRefused('invalid_event', 'typing needs { on }.');
        await ready;
        // Typing signals are best effort: extra ones are dropped silently.
        if (handoff && (await limits.signals.take(`${conversation.id}:typing`))) handoff.customerTyping(conversation.id, parsed.data.on);
      },

      read: async (payload) => {
        const parsed = readReceipt.safeParse(payload);
        if (!parsed.success) throw new EventRefused('invalid_event', 'read needs { seq }.');
        await ready;
        if (!(await limits.signals.take(`${conversation.id}:read`))) {
          throw new EventRefused('rate_limited', 'Too many read receipts. Please wait a few seconds.');
        }
        await handoff?.customerRead(conversation.id, parsed.data.seq);
      },
    });
  });

  /**
   * Resolves once every message received so far is stored and its turn has run (shutdown): a message
   * still being stored when the sockets closed queues its turn only once stored, so the intake drains first.
   */
  const drain = async (): Promise<void> => {
    await intake.drain();
    await queue.drain();
  };

  return { adapter, queue, drain, namespace: nsp };
}

/** socket.io server options that apply to every namespace. */
export const socketServerOptions = {
  // Over this a frame closes the connection unread; under it, events over MAX_EVENT_BYTES get an answer.
  maxHttpBufferSize: 2 * MAX_EVENT_BYTES,
  // Origins are checked per brand in the namespace middleware; polling needs CORS headers to reach it.
  cors: { origin: true, credentials: false },
};
