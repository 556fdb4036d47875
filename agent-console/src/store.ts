import { createStore, type Store } from '../../web-ui/store.ts';
import type { Session } from './types.ts';
import type { LiveState } from './live.ts';
import { initialLiveState } from './live.ts';

/** A short message shown at the bottom of the screen and announced politely. */
export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  text: string;
}

export interface ConsoleState {
  /** null: signed out (or not known yet, while `booting`). */
  session: Session | null;
  booting: boolean;
  live: LiveState;
  toasts: Toast[];
  /** Play a sound when a customer starts waiting. */
  soundOn: boolean;
}

export type ConsoleStore = Store<ConsoleState>;

export function createConsoleStore(soundOn: boolean): ConsoleStore {
  return createStore<ConsoleState>({ session: null, booting: true, live: initialLiveState(), toasts: [], soundOn });
}

let toastCount = 0;
/** Adds a toast that goes away by itself. */
export function toast(store: ConsoleStore, kind: Toast['kind'], text: string, ms = 5000): void {
  const id = ++toastCount;
  store.setState((s) => ({ toasts: [...s.toasts.slice(-2), { id, kind, text }] }));
  setTimeout(() => store.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })), ms);
}
