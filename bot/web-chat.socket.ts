import type { Namespace, Server, Socket } from 'socket.io';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import { isValidTimeZone } from '../scheduling/time-zones.ts';
import type { Database } from '../models/database.ts';
import { findBrand } from '../models/brands.repository.ts';
import {
  authenticateConversation, createWebConversation, entriesAfter, findConversation, type Conversation, type TranscriptEntry,
} from '../models/conversations.repository.ts';
import { toChatActivity } from './transcript-activity.ts';
import { CustomerInbox, type ChannelTurns } from './customer-inbox.ts';
import { WebChatAdapter, type TurnLogic } from './web-chat.adapter.ts';
import { chatAuth, clientMessage, readReceipt, resyncRequest, typingSignal, type ChatError, type MessageAck } from './web-protocol.ts';
import type { HandoffRouter } from './handoff/handoff-router.ts';

export interface WebChatDeps {
  db: Database;
  logger: Logger;
  /** The server's own origins (the demo site is served from it), besides each brand's sites. */
  ownOrigins: string[];
  /** The bot: one turn. */
  bot: TurnLogic;
  /** Messages a socket may send per 10 seconds. */
  messagesPer10s?: number;
  /**
   * Live agents: Join links, and routing customer messages to an agent instead of the bot while
   * one is awaited or in the chat. Without it the bot answers everything and Join links are refused.
   */
  handoff?: HandoffRouter | undefined;
  /** The inbound pipeline shared with the other channels (one turn order per conversation); default: its own. */
  inbox?: CustomerInbox | undefined;
}

/** Events over this size get a clear error; the transport itself drops frames over 4× that. */
export const MAX_EVENT_BYTES = 64 * 1024;

interface SocketData {
  conversation: Conversation;
  token: string | null;
  lastSeq: number;
  /** The appointment a Join link opened this conversation for. */
  joinAppointmentId?: string;
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
  const limiter = new RateLimiterMemory({ points: deps.messagesPer10s ?? 20, duration: 10 });

  type Incoming = Parameters<WebChatAdapter['processIncoming']>[1];
  /** One bot turn; the caller runs it inside the conversation's queue. */
  const botTurn = async (conversation: Conversation, incoming: Incoming) => {
    nsp.to(conversation.id).emit('typing', { from: 'bot', on: true });
    try {
      await adapter.processIncoming(conversation, incoming, deps.bot);
    } catch (err) {
      logger.error({ err, conversationId: conversation.id }, 'bot turn failed');
    } finally {
      nsp.to(conversation.id).emit('typing', { from: 'bot', on: false });
    }
  };
  const channel: ChannelTurns = { botTurn, publish };
  inbox.register(['web'], channel);
  /** A phone conversation's proactive turns (an agent leaving) go back to the phone. */
  const runTurn = (conversation: Conversation, incoming: Incoming) =>
    inbox.runTurn(conversation, incoming, inbox.channelFor(conversation) ?? channel);

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
        const created = await createWebConversation(db, brand.id, auth.data.locale ?? brand.defaultLocale, timeZone);
        data = { conversation: created.conversation, token: created.token, lastSeq: 0 };
      }
      socket.data = data;
      next();
    } catch (err) {
      logger.error({ err }, 'chat handshake failed');
      next(new Error('internal: please try again.'));
    }
  });

  nsp.on('connection', async (socket) => {
    const data = socket.data as SocketData;
    const { conversation } = data;
    // A conversation opened by a Join link is not greeted by the bot: the hand-off speaks.
    const isNew = data.lastSeq === 0 && conversation.lastSeq === 0 && !data.joinAppointmentId;
    await socket.join(conversation.id);
    socket.emit('session', { conversationId: conversation.id, token: data.token, locale: conversation.locale });
    const replay = async (afterSeq: number) => {
      for (const entry of await entriesAfter(db, conversation.id, afterSeq)) socket.emit('activity', toChatActivity(entry));
    };
    await replay(data.lastSeq);
    if (handoff) {
      const status = await handoff.statusFor(conversation.id).catch(() => null);
      if (status) socket.emit('handoff', status);
      if (data.joinAppointmentId) {
        handoff.afterJoin(conversation.id, data.joinAppointmentId)
          .catch((err) => logger.error({ err, conversationId: conversation.id }, 'join failed'));
      }
    }
    if (isNew) void runTurn(conversation, { type: 'conversationUpdate', membersAdded: [{ id: `customer:${conversation.id}`, name: 'customer' }] });

    socket.on('message', async (payload: unknown, ack?: (a: MessageAck) => void) => {
      const reply = typeof ack === 'function' ? ack : () => undefined;
      try {
        await limiter.consume(socket.id);
      } catch {
        const error = { code: 'rate_limited', message: 'You are sending messages too quickly. Please wait a few seconds.' } as const;
        chatError(socket, error);
        return reply({ ok: false, error });
      }
      if (JSON.stringify(payload ?? null).length > MAX_EVENT_BYTES) {
        const error = { code: 'too_large', message: 'That message is too large (64 KB at most).' } as const;
        chatError(socket, error);
        return reply({ ok: false, error });
      }
      const parsed = clientMessage.safeParse(payload);
      if (!parsed.success) {
        const error = { code: 'invalid_event', message: 'That message could not be read.' } as const;
        chatError(socket, error);
        return reply({ ok: false, error });
      }
      try {
        const { entry, duplicate } = await inbox.receiveCustomerMessage(conversation, parsed.data, channel);
        reply({ ok: true, seq: entry.seq, duplicate });
      } catch (err) {
        logger.error({ err, conversationId: conversation.id }, 'chat message failed');
        const error = { code: 'internal', message: 'Your message could not be saved. Please try again.' } as const;
        reply({ ok: false, error });
      }
    });

    socket.on('resync', async (payload: unknown) => {
      const parsed = resyncRequest.safeParse(payload);
      if (!parsed.success) return void chatError(socket, { code: 'invalid_event', message: 'resync needs { afterSeq }.' });
      await replay(parsed.data.afterSeq).catch((err) => logger.error({ err }, 'resync failed'));
    });

    socket.on('typing', async (payload: unknown) => {
      const parsed = typingSignal.safeParse(payload);
      if (!parsed.success) return void chatError(socket, { code: 'invalid_event', message: 'typing needs { on }.' });
      if (!handoff) return;
      try {
        await limiter.consume(`${socket.id}:typing`);
      } catch {
        return; // typing signals are best effort: extra ones are dropped silently
      }
      handoff.customerTyping(conversation.id, parsed.data.on);
    });

    socket.on('read', async (payload: unknown) => {
      const parsed = readReceipt.safeParse(payload);
      if (!parsed.success) return void chatError(socket, { code: 'invalid_event', message: 'read needs { seq }.' });
      try {
        await limiter.consume(`${socket.id}:read`);
      } catch {
        return void chatError(socket, { code: 'rate_limited', message: 'Too many read receipts. Please wait a few seconds.' });
      }
      await handoff?.customerRead(conversation.id, parsed.data.seq).catch((err) => logger.error({ err }, 'read receipt failed'));
    });

    socket.onAny((event: string) => {
      if (!['message', 'resync', 'typing', 'read'].includes(event)) chatError(socket, { code: 'invalid_event', message: `Unknown event "${event}".` });
    });
  });

  return { adapter, queue, namespace: nsp };
}

/** socket.io server options that apply to every namespace. */
export const socketServerOptions = {
  maxHttpBufferSize: 4 * MAX_EVENT_BYTES,
  // Origins are checked per brand in the namespace middleware; polling needs CORS headers to reach it.
  cors: { origin: true, credentials: false },
};
