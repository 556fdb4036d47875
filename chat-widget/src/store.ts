import { createStore, type Store } from '../../web-ui/store.ts';
import type { ChatActivity, ChatError, HandoffStatusEvent, TypingEvent } from '../../bot/web-protocol.ts';
import type { Locale } from './i18n.ts';
import type { SafeStorage } from './storage.ts';

/** offline: cannot reach the server, retrying; unavailable: the server refuses this embed, not retrying. */
export type ConnectionStatus = 'idle' | 'connecting' | 'online' | 'reconnecting' | 'offline' | 'unavailable';

/** What resumes a conversation: the only thing kept across page loads (the server replays the rest). */
export interface SavedSession {
  conversationId: string;
  token: string;
}

/** A message the server has not acknowledged yet; resent with the same clientId after a reconnect. */
export interface PendingMessage {
  clientId: string;
  text: string;
  value?: Record<string, unknown>;
  status: 'sending' | 'failed';
}

/** An inline, dismissible error line. */
export interface Notice {
  id: number;
  /** A refused event; 'expired': the saved conversation could not be resumed; 'join_refused': a stale Join link. */
  code: ChatError['code'] | 'expired' | 'join_refused';
}

export interface WidgetState {
  open: boolean;
  connection: ConnectionStatus;
  locale: Locale;
  session: SavedSession | null;
  /** Ascending by seq, one entry per seq. */
  activities: ChatActivity[];
  pending: PendingMessage[];
  typing: TypingEvent['from'] | null;
  /** Whether a live advisor is awaited or in the chat (null: the bot alone). */
  handoff: HandoffStatusEvent | null;
  notices: Notice[];
  /** The map's tiles for pin cards, from the session event. */
  map: { tileUrl: string; attribution: string } | null;
}


export type WidgetStore = Store<WidgetState>;

/**
 * The widget's store for one brand. Persists the session (localStorage, to resume tomorrow) and whether
 * the panel is open (sessionStorage, so it stays open while the visitor moves between the brand's pages).
 * The transcript is never stored in the browser: the server replays it.
 */
export function createWidgetStore(options: { brand: string; locale: Locale; local: SafeStorage; session: SafeStorage }): WidgetStore {
  const sessionKey = `rdv:${options.brand}:session`;
  const openKey = `rdv:${options.brand}:open`;
  const store = createStore<WidgetState>({
    open: options.session.get(openKey) === '1',
    connection: 'idle',
    locale: options.locale,
    session: readSession(options.local.get(sessionKey)),
    activities: [],
    pending: [],
    typing: null,
    handoff: null,
    notices: [],
    map: null,
  });
  store.subscribe((state, previous) => {
    if (state.session !== previous.session) {
      if (state.session) options.local.set(sessionKey, JSON.stringify(state.session));
      else options.local.remove(sessionKey);
    }
    if (state.open !== previous.open) options.session.set(openKey, state.open ? '1' : '0');
  });
  return store;
}

function readSession(raw: string | null): SavedSession | null {
  if (!raw) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && 'conversationId' in parsed && 'token' in parsed) {
      const { conversationId, token } = parsed;
      if (typeof conversationId === 'string' && typeof token === 'string') return { conversationId, token };
    }
  } catch {
    // A corrupt entry just means a new conversation.
  }
  return null;
}
