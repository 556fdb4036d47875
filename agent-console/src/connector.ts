import { io, type Socket } from 'socket.io-client';
import type {
  AcknowledgedConsoleEvent, ConsoleClientEvents, ConsoleError, ConsoleReady, ConsoleReply, ConsoleServerEvents, TaskCreatedEvent,
} from '../../bot/handoff/console-protocol.ts';
import type { ChatActivity } from '../../bot/web-protocol.ts';
import { newClientId } from '../../web-ui/client-id.ts';
import {
  addPending, addWaiting, applyAck, endConversation, lastReadableSeq, lastSeqOf, markReadSent, mergeActivities, openConversation,
  readAttached, readHandoffRequest, removeWaiting, retryPending, setCustomerRead, setCustomerTyping, setQueueOrder, setWaiting,
  type HandoffRequest, type LiveState, type MessageAck, type Presence,
} from './live.ts';
import type { ConsoleStore } from './store.ts';

/**
 * The console's one socket: the socket.io namespace /console (protocol: bot/handoff/console-protocol.ts),
 * authenticated by the session cookie. Server events go into the store (live chat) or to listeners
 * (appointment changes, new tasks); every event name is here, in EVENTS, and nowhere else.
 */

export const CONSOLE_NAMESPACE = '/console';

export const EVENTS = {
  // server → client
  ready: 'console:ready',
  error: 'console-error',
  appointmentChanged: 'appointment:changed',
  taskCreated: 'task:created',
  presence: 'presence',
  handoffRequest: 'handoff:request',
  handoffTaken: 'handoff:taken',
  handoffWithdrawn: 'handoff:withdrawn',
  handoffQueue: 'handoff:queue',
  handoffAttached: 'handoff:attached',
  /** We (maybe from another tab) left this conversation. */
  handoffEnded: 'handoff:ended',
  activity: 'handoff:activity',
  customerTyping: 'handoff:typing',
  customerRead: 'handoff:read',
  // client → server
  setPresence: 'presence:set',
  join: 'handoff:join',
  message: 'handoff:message',
  typing: 'handoff:typing',
  read: 'handoff:read',
  end: 'handoff:end',
  resync: 'handoff:resync',
} as const satisfies Record<string, keyof ConsoleServerEvents | keyof ConsoleClientEvents>;

/** The /console socket, typed by the protocol both ways. */
type ConsoleSocket = Socket<ConsoleServerEvents, ConsoleClientEvents>;

const ACK_TIMEOUT_MS = 15_000;
const TYPING_IDLE_MS = 4_000;
const CUSTOMER_TYPING_TIMEOUT_MS = 15_000;
/** When the server refuses the connection (namespace absent, signed out), try again this often. */
const REFUSED_RETRY_MS = 30_000;
/** Refusals answered through an acknowledgement: shown where they happen, not as a toast. */
const ACKED_EVENTS = new Set<string>([EVENTS.join, EVENTS.message, EVENTS.resync, EVENTS.end]);

export interface Connector {
  /** Connects once; later calls do nothing until disconnect(). */
  connect(): void;
  disconnect(): void;
  /** Told of every appointment created or changed in the user's stores. */
  onAppointmentChanged(listener: (appointmentId: string) => void): () => void;
  /** Told when a customer starts waiting (for the sound and the announcement). */
  onHandoffRequest(listener: (request: HandoffRequest) => void): () => void;
  /** Told when a customer left a message nobody could take live. */
  onTaskCreated(listener: (task: TaskCreatedEvent) => void): () => void;
  /** Told of refusals that have no other place to show (rate limits, lost session…). */
  onError(listener: (message: string) => void): () => void;
  setPresence(status: Presence): void;
  join(request: HandoffRequest): void;
  send(conversationId: string, text: string): void;
  retry(conversationId: string, clientId: string): void;
  /** Call on every keystroke; "off" is sent after a pause or with the message. */
  typing(conversationId: string): void;
  /** Tells the server (and so the customer) we have read the conversation so far. */
  markRead(conversationId: string): void;
  end(conversationId: string): void;
}

export interface ConnectorOptions {
  /** The page's origin; the socket goes to `${origin}/console`. */
  origin: string;
  /** Injected by tests; socket.io's client otherwise. */
  connectSocket?: typeof io;
}

/** An acknowledged event's reply, or the error of a timeout or of being offline. */
type Ack<E extends AcknowledgedConsoleEvent> = (error: Error | null, reply: ConsoleReply<E> | undefined) => void;

export function createConnector(store: ConsoleStore, options: ConnectorOptions): Connector {
  let socket: ConsoleSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const changeListeners = new Set<(id: string) => void>();
  const requestListeners = new Set<(r: HandoffRequest) => void>();
  const taskListeners = new Set<(t: TaskCreatedEvent) => void>();
  const errorListeners = new Set<(message: string) => void>();
  const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const customerTypingTimers = new Map<string, ReturnType<typeof setTimeout>>();

  const live = () => store.getState().live;
  const setLive = (change: (state: LiveState) => Partial<LiveState>) => {
    store.setState((s) => {
      const patch = change(s.live);
      return Object.keys(patch).length ? { live: { ...s.live, ...patch } } : {};
    });
  };
  const me = () => store.getState().session?.staff;
  const tell = (message: string) => {
    for (const listener of errorListeners) listener(message);
  };
  const emitWithAck = <E extends AcknowledgedConsoleEvent>(event: E, payload: Parameters<ConsoleClientEvents[E]>[0], done: Ack<E>) => {
    if (!socket?.connected) {
      done(new Error('offline'), undefined);
      return;
    }
    // socket.io's types cannot resolve a generic event name's parameters: this signature checks the callers.
    (socket.timeout(ACK_TIMEOUT_MS) as Socket).emit(event, payload, done);
  };
  const activitiesOf = (list: unknown): ChatActivity[] =>
    Array.isArray(list) ? (list as ChatActivity[]).filter((a) => a && typeof a.seq === 'number' && typeof a.id === 'string') : [];

  function resync(conversationId: string) {
    const conversation = live().conversations.find((c) => c.conversationId === conversationId);
    const afterSeq = conversation ? lastSeqOf(conversation) : 0;
    emitWithAck(EVENTS.resync, { conversationId, afterSeq }, (error, reply) => {
      if (!error && reply?.ok) setLive((s) => mergeActivities(s, conversationId, activitiesOf(reply.activities)));
    });
  }

  /** Announces a new waiting customer once (a request is sent again when offered more widely). */
  function addRequest(request: HandoffRequest, alert: boolean) {
    const known = live().waiting.some((w) => w.conversationId === request.conversationId);
    setLive((state) => addWaiting(state, request));
    if (alert && !known && live().waiting.some((w) => w.conversationId === request.conversationId)) {
      for (const listener of requestListeners) listener(request);
    }
  }

  function onReady(payload: ConsoleReady) {
    const requests = (Array.isArray(payload?.requests) ? payload.requests : []).map(readHandoffRequest).filter((r): r is HandoffRequest => r !== null);
    const before = new Set(live().waiting.map((w) => w.conversationId));
    const presenceOf: LiveState['presenceOf'] = {};
    for (const p of Array.isArray(payload?.presence) ? payload.presence : []) presenceOf[p.staffId] = { name: p.name, status: p.status };
    setLive((state) => ({ ...setWaiting(state, requests), presenceOf }));
    for (const request of requests) if (!before.has(request.conversationId)) for (const listener of requestListeners) listener(request);
    for (const raw of Array.isArray(payload?.attached) ? payload.attached : []) {
      const attached = readAttached(raw);
      if (!attached) continue;
      setLive((state) => openConversation(state, attached, attached));
      resync(attached.conversationId);
    }
    // Conversations we hold but the server no longer counts us in: ended while we were away.
    const attachedIds = new Set((payload?.attached ?? []).map((a) => a.conversationId));
    for (const c of live().conversations) if (!c.ended && !attachedIds.has(c.conversationId)) setLive((s) => endConversation(s, c.conversationId));
  }

  function clearCustomerTyping(conversationId: string) {
    clearTimeout(customerTypingTimers.get(conversationId));
    customerTypingTimers.delete(conversationId);
  }

  function open(): ConsoleSocket {
    const s: ConsoleSocket = (options.connectSocket ?? io)(`${options.origin}${CONSOLE_NAMESPACE}`, {
      // WebSocket first: browsers send no Origin header on a same-origin polling GET, and the
      // namespace refuses a handshake without one. Polling stays as the fallback.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      withCredentials: true,
      reconnectionDelay: 2000,
      reconnectionDelayMax: REFUSED_RETRY_MS,
      timeout: 10_000,
    });
    s.on('connect', () => {
      clearTimeout(retryTimer);
      setLive(() => ({ connection: 'online' }));
      s.emit(EVENTS.setPresence, { status: live().presence });
    });
    s.on('disconnect', (reason) => {
      setLive((state) => ({
        connection: reason === 'io client disconnect' ? 'idle' : 'reconnecting',
        conversations: state.conversations.map((c) => (c.customerTyping ? { ...c, customerTyping: false } : c)),
      }));
      if (reason === 'io server disconnect') scheduleRetry();
    });
    s.on('connect_error', () => {
      setLive(() => ({ connection: 'unavailable' }));
      // socket.io retries by itself unless the server refused the namespace or the handshake.
      if (!s.active) scheduleRetry();
    });
    s.on(EVENTS.ready, onReady);
    s.on(EVENTS.error, (error: ConsoleError | null) => {
      if (!error || (error.event && ACKED_EVENTS.has(error.event))) return;
      // A read mark or typing signal racing the end of a chat: nothing to tell.
      if (error.code === 'not_attached' && (error.event === EVENTS.read || error.event === EVENTS.typing)) return;
      tell(error.message ?? 'The live connection refused an action.');
    });
    s.on(EVENTS.appointmentChanged, (payload: { appointmentId?: unknown } | null) => {
      const id = payload?.appointmentId;
      if (typeof id !== 'string') return;
      for (const listener of changeListeners) listener(id);
    });
    s.on(EVENTS.taskCreated, (task: TaskCreatedEvent | null) => {
      if (task && typeof task.id === 'string') for (const listener of taskListeners) listener(task);
    });
    s.on(EVENTS.presence, (payload: { staffId?: unknown; name?: unknown; status?: unknown } | null) => {
      if (typeof payload?.staffId !== 'string' || typeof payload.status !== 'string') return;
      const { staffId, status } = payload;
      const name = typeof payload.name === 'string' ? payload.name : '';
      setLive((state) => ({ presenceOf: { ...state.presenceOf, [staffId]: { name: name || state.presenceOf[staffId]?.name || '', status: status as 'online' } } }));
    });
    s.on(EVENTS.handoffRequest, (payload: unknown) => {
      const request = readHandoffRequest(payload);
      if (request) addRequest(request, true);
    });
    s.on(EVENTS.handoffTaken, (payload: { conversationId?: unknown; staffId?: unknown; staffName?: unknown } | null) => {
      if (typeof payload?.conversationId !== 'string') return;
      const id = payload.conversationId;
      if (payload.staffId === me()?.id) return; // our own join (maybe from another tab): handoff:attached follows
      setLive((state) => removeWaiting(state, id));
      const mine = live().conversations.find((c) => c.conversationId === id);
      if (mine && !mine.ended) setLive((state) => endConversation(state, id, typeof payload.staffName === 'string' ? payload.staffName : 'another advisor'));
    });
    s.on(EVENTS.handoffWithdrawn, (payload: { conversationId?: unknown } | null) => {
      if (typeof payload?.conversationId === 'string') {
        const id = payload.conversationId;
        setLive((state) => removeWaiting(state, id));
      }
    });
    s.on(EVENTS.handoffQueue, (payload: { conversationIds?: unknown } | null) => {
      const ids = Array.isArray(payload?.conversationIds) ? payload.conversationIds.filter((x): x is string => typeof x === 'string') : null;
      if (ids) setLive((state) => setQueueOrder(state, ids));
    });
    s.on(EVENTS.handoffAttached, (payload: unknown) => {
      const attached = readAttached(payload);
      if (!attached) return;
      setLive((state) => openConversation(state, attached, attached));
      resync(attached.conversationId);
    });
    s.on(EVENTS.handoffEnded, (payload: { conversationId?: unknown } | null) => {
      if (typeof payload?.conversationId !== 'string') return;
      const id = payload.conversationId;
      clearCustomerTyping(id);
      setLive((state) => endConversation(state, id));
    });
    s.on(EVENTS.activity, (payload: { conversationId?: unknown; activity?: ChatActivity } | null) => {
      const activity = payload?.activity;
      if (typeof payload?.conversationId !== 'string' || !activity || typeof activity.seq !== 'number') return;
      const id = payload.conversationId;
      if (!live().conversations.some((c) => c.conversationId === id)) return;
      setLive((state) => mergeActivities(state, id, [activity]));
      if (activity.from === 'customer') clearCustomerTyping(id);
    });
    s.on(EVENTS.customerTyping, (payload: { conversationId?: unknown; on?: unknown; from?: unknown } | null) => {
      if (typeof payload?.conversationId !== 'string' || (payload.from !== undefined && payload.from !== 'customer')) return;
      const id = payload.conversationId;
      const on = payload.on !== false;
      clearCustomerTyping(id);
      setLive((state) => setCustomerTyping(state, id, on));
      // A lost "off" must not leave the dots forever.
      if (on) customerTypingTimers.set(id, setTimeout(() => setLive((state) => setCustomerTyping(state, id, false)), CUSTOMER_TYPING_TIMEOUT_MS));
    });
    s.on(EVENTS.customerRead, (payload: { conversationId?: unknown; seq?: unknown; by?: unknown } | null) => {
      if (typeof payload?.conversationId !== 'string' || typeof payload.seq !== 'number' || (payload.by !== undefined && payload.by !== 'customer')) return;
      const id = payload.conversationId;
      const seq = payload.seq;
      setLive((state) => setCustomerRead(state, id, seq));
    });
    return s;
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => socket?.connect(), REFUSED_RETRY_MS);
  }

  function emitMessage(conversationId: string, clientId: string, text: string) {
    emitWithAck(EVENTS.message, { conversationId, clientId, text }, (error, ack) => {
      const result: MessageAck = error
        ? { ok: false, error: { message: error.message === 'offline' ? 'not connected' : 'no answer from the server' } }
        : ack?.ok ? { ok: true, seq: ack.seq } : { ok: false, error: { message: ack?.error.message ?? 'refused' } };
      setLive((s) => applyAck(s, conversationId, clientId, result, me()?.name ?? 'Agent', new Date()));
    });
  }

  function stopTyping(conversationId: string) {
    const timer = typingTimers.get(conversationId);
    if (timer === undefined) return;
    clearTimeout(timer);
    typingTimers.delete(conversationId);
    socket?.emit(EVENTS.typing, { conversationId, on: false });
  }

  return {
    connect() {
      if (socket) return;
      setLive(() => ({ connection: 'connecting' }));
      socket = open();
    },
    disconnect() {
      clearTimeout(retryTimer);
      socket?.disconnect();
      socket = null;
      setLive(() => ({ connection: 'idle' }));
    },
    onAppointmentChanged(listener) {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },
    onHandoffRequest(listener) {
      requestListeners.add(listener);
      return () => requestListeners.delete(listener);
    },
    onTaskCreated(listener) {
      taskListeners.add(listener);
      return () => taskListeners.delete(listener);
    },
    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    setPresence(status) {
      setLive(() => ({ presence: status }));
      socket?.emit(EVENTS.setPresence, { status });
    },
    join(request) {
      setLive((s) => openConversation(s, request));
      const id = request.conversationId;
      emitWithAck(EVENTS.join, { conversationId: id }, (error, reply) => {
        if (error || !reply) {
          setLive((s) => endConversation(s, id));
          tell(error?.message === 'offline' ? 'Not connected: the chat could not be joined.' : 'No answer from the server: the chat could not be joined.');
          return;
        }
        if (!reply.ok) {
          const by = reply.error.code === 'already_taken' ? 'another advisor' : null;
          setLive((s) => endConversation(s, id, by));
          tell(reply.error.message);
          return;
        }
        const attached = readAttached(reply.conversation);
        if (attached) setLive((s) => openConversation(s, attached, attached));
        setLive((s) => mergeActivities(s, id, activitiesOf(reply.activities)));
      });
    },
    send(conversationId, text) {
      const trimmed = text.trim();
      if (!trimmed) return;
      stopTyping(conversationId);
      const clientId = newClientId();
      setLive((s) => addPending(s, conversationId, { clientId, text: trimmed, status: 'sending' }));
      emitMessage(conversationId, clientId, trimmed);
    },
    retry(conversationId, clientId) {
      const message = live().conversations.find((c) => c.conversationId === conversationId)?.pending.find((p) => p.clientId === clientId);
      if (!message) return;
      setLive((s) => retryPending(s, conversationId, clientId));
      emitMessage(conversationId, clientId, message.text);
    },
    typing(conversationId) {
      if (!socket?.connected) return;
      const running = typingTimers.get(conversationId);
      if (running === undefined) socket.emit(EVENTS.typing, { conversationId, on: true });
      clearTimeout(running);
      typingTimers.set(conversationId, setTimeout(() => stopTyping(conversationId), TYPING_IDLE_MS));
    },
    markRead(conversationId) {
      const conversation = live().conversations.find((c) => c.conversationId === conversationId);
      if (!conversation || conversation.ended) return;
      const seq = lastReadableSeq(conversation);
      if (seq > conversation.readSentSeq && socket?.connected) socket.emit(EVENTS.read, { conversationId, seq });
      setLive((s) => markReadSent(s, conversationId, seq));
    },
    end(conversationId) {
      stopTyping(conversationId);
      const conversation = live().conversations.find((c) => c.conversationId === conversationId);
      // Ended at once (no more read marks or typing); back if the server refuses.
      setLive((s) => endConversation(s, conversationId));
      emitWithAck(EVENTS.end, { conversationId }, (error, reply) => {
        if (!error && reply?.ok) return;
        const refusal = reply && !reply.ok ? reply.error : null;
        if (refusal?.code !== 'not_attached' && conversation) setLive((s) => openConversation(s, conversation));
        tell(refusal?.message ?? 'The chat could not be ended: try again.');
      });
    },
  };
}
