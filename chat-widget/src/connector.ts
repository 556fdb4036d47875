import { io, type Socket } from 'socket.io-client';
import type {
  ChatActivity, ChatAuth, ChatError, ChatSession, ClientMessage, HandoffStatusEvent, MessageAck, TypingEvent,
} from '../../bot/web-protocol.ts';
import { newClientId } from '../../web-ui/client-id.ts';
import type { PendingMessage, WidgetStore } from './store.ts';
import { addPending, applyAck, lastSeq, mergeActivities, retryPending } from './transcript.ts';

/** What a button, a form or the composer sends; the connector adds the clientId. */
export type OutgoingMessage = Omit<ClientMessage, 'clientId' | 'text'> & { text: string };

export interface Connector {
  /** Connects once; later calls do nothing. */
  connect(): void;
  send(message: OutgoingMessage): void;
  /** Sends a message the server refused again, with the same clientId. */
  retry(clientId: string): void;
  /** Skips the wait before the next connection attempt. */
  reconnectNow(): void;
  setTyping(on: boolean): void;
  /** Forgets the conversation and starts a new one. */
  reset(): void;
}

export interface ConnectorOptions {
  origin: string;
  brand: string;
  timeZone: string | undefined;
  /** A Join link's token (from `?join=`): sent with the first handshake only. */
  joinToken?: string | undefined;
  /** Injected by tests; socket.io's client otherwise. */
  connectSocket?: typeof io;
}

const TYPING_TIMEOUT_MS = 15_000;
let noticeCount = 0;
const nextNoticeId = () => ++noticeCount;
const MAX_RETRY_DELAY_MS = 15_000;
/** A message the server has not answered in this time is sent again (same clientId: stored once). */
const ACK_TIMEOUT_MS = 10_000;
/** Handshake refusals that retrying cannot fix (a misconfigured embed). */
const PERMANENT_REFUSALS = new Set(['invalid_auth', 'unknown_brand', 'origin_not_allowed']);

/** The one place that talks to the server: socket events in, store updates out. */
export function createConnector(store: WidgetStore, options: ConnectorOptions): Connector {
  let socket: Socket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let failedAttempts = 0;
  let typingSent = false;
  let joinToken = options.joinToken;
  /** The attempt of the message on its way; callbacks of earlier attempts are ignored. */
  let attempts = 0;
  let inFlight: number | null = null;

  // A function, so every reconnection attempt sends the session and sequence number held at that moment.
  const auth = (cb: (data: ChatAuth) => void) => {
    const state = store.getState();
    cb({
      brand: options.brand,
      ...(state.session ?? {}),
      lastSeq: lastSeq(state),
      locale: state.locale,
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      ...(joinToken ? { join: joinToken } : {}),
    });
  };

  /**
   * Sends the oldest unanswered message, one at a time: the next leaves once the server has answered,
   * so the customer's messages are stored in the order they wrote them, resends included. Without an
   * answer in time, or after a reconnection, the same message goes again.
   */
  function sendNext() {
    if (!socket?.connected || inFlight !== null) return; // resumed on connect
    const message = store.getState().pending.find((p) => p.status === 'sending');
    if (!message) return;
    const attempt = ++attempts;
    inFlight = attempt;
    const payload: ClientMessage = { clientId: message.clientId, text: message.text, ...(message.value ? { value: message.value } : {}) };
    socket.timeout(ACK_TIMEOUT_MS).emit('message', payload, (err: Error | null, ack?: MessageAck) => {
      if (inFlight !== attempt) return; // a reconnection started over
      inFlight = null;
      if (!err && ack) store.setState((s) => applyAck(s, message.clientId, ack, new Date()));
      sendNext();
    });
  }

  /** After a server-initiated disconnect or a refused handshake socket.io does not retry by itself. */
  function scheduleRetry() {
    clearTimeout(retryTimer);
    const delay = Math.min(1000 * 2 ** failedAttempts, MAX_RETRY_DELAY_MS) * (0.8 + Math.random() * 0.4);
    failedAttempts++;
    retryTimer = setTimeout(() => socket?.connect(), delay);
  }

  function onSession(session: ChatSession) {
    // Joined once: resent on a reconnection, it would call the advisor again after they left.
    joinToken = undefined;
    const state = store.getState();
    const switched = state.session !== null && state.session.conversationId !== session.conversationId;
    store.setState({
      session: { conversationId: session.conversationId, token: session.token },
      locale: session.locale,
      map: session.map ?? null,
      // A new conversation (the old one expired): the transcript we hold belongs to the old one.
      ...(switched ? { activities: [], notices: [{ id: nextNoticeId(), code: 'expired' }] } : {}),
    });
    if (switched) socket?.emit('resync', { afterSeq: 0 });
  }

  function onTyping(event: TypingEvent) {
    clearTimeout(typingTimer);
    store.setState({ typing: event.on ? event.from : null });
    // A lost "off" must not leave the dots forever.
    if (event.on) typingTimer = setTimeout(() => store.setState({ typing: null }), TYPING_TIMEOUT_MS);
  }

  function onChatError(error: ChatError) {
    store.setState((s) => ({ notices: [...s.notices.slice(-2), { id: nextNoticeId(), code: error.code }] }));
  }

  /** The server refuses a handshake with an Error whose message starts with a code: "unauthorized: …". */
  function onConnectError(error: Error) {
    if (socket?.active) {
      store.setState({ connection: 'reconnecting' });
      return;
    }
    const code = error.message.split(':')[0] ?? '';
    if (code === 'join_refused') {
      // A stale Join link (the appointment moved or was cancelled): open the chat without it.
      joinToken = undefined;
      store.setState((s) => ({ notices: [...s.notices, { id: nextNoticeId(), code: 'join_refused' }] }));
      socket?.connect();
      return;
    }
    if (code === 'unauthorized' && store.getState().session) {
      // The saved conversation cannot be resumed (expired, or its token revoked): start a new one.
      store.setState({ session: null, activities: [], pending: [], notices: [{ id: nextNoticeId(), code: 'expired' }] });
      socket?.connect();
      return;
    }
    if (PERMANENT_REFUSALS.has(code)) {
      console.error(`[Rendezvous] the chat server refused this page: ${error.message}`);
      store.setState({ connection: 'unavailable' });
      return;
    }
    store.setState({ connection: 'offline' });
    scheduleRetry();
  }

  function open(): Socket {
    const s = (options.connectSocket ?? io)(`${options.origin}/chat`, { auth });
    s.on('connect', () => {
      failedAttempts = 0;
      typingSent = false;
      store.setState({ connection: 'online' });
      inFlight = null;
      sendNext();
    });
    s.on('disconnect', (reason) => {
      store.setState({ connection: reason === 'io client disconnect' ? 'idle' : 'reconnecting', typing: null });
      if (reason === 'io server disconnect') scheduleRetry();
    });
    s.on('connect_error', onConnectError);
    s.on('session', onSession);
    s.on('activity', (activity: ChatActivity) => {
      store.setState((state) => mergeActivities(state, [activity]));
      // The advisor sees that the customer has read them.
      if (activity.from === 'agent' && store.getState().open) s.emit('read', { seq: activity.seq });
    });
    s.on('typing', onTyping);
    s.on('handoff', (event: HandoffStatusEvent) => store.setState({ handoff: event.state === 'bot' ? null : event }));
    s.on('chat-error', onChatError);
    return s;
  }

  function connect() {
    if (socket) return;
    store.setState({ connection: 'connecting' });
    socket = open();
  }

  function setTyping(on: boolean) {
    if (on === typingSent || !socket?.connected) return;
    typingSent = on;
    socket.emit('typing', { on });
  }

  return {
    connect,
    setTyping,
    send(message) {
      const pending: PendingMessage = { clientId: newClientId(), text: message.text, status: 'sending', ...(message.value ? { value: message.value } : {}) };
      store.setState((s) => addPending(s, pending));
      setTyping(false);
      sendNext();
    },
    retry(clientId) {
      store.setState((s) => retryPending(s, clientId));
      sendNext();
    },
    reconnectNow() {
      clearTimeout(retryTimer);
      socket?.connect();
    },
    reset() {
      clearTimeout(retryTimer);
      socket?.disconnect();
      socket = null;
      inFlight = null;
      store.setState({ session: null, activities: [], pending: [], notices: [], typing: null, handoff: null, connection: 'idle' });
      connect();
    },
  };
}
