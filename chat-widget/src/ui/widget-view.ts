import type { ChatActivity } from '../../../bot/web-protocol.ts';
import type { Connector, OutgoingMessage } from '../connector.ts';
import { locate } from '../geolocation.ts';
import { labelsFor } from '../i18n.ts';
import type { WidgetState, WidgetStore } from '../store.ts';
import { answeredThrough, latestAppointmentCards, supersedingCards, withLatestCards } from '../transcript.ts';
import { createComposer } from './composer.ts';
import { el } from './dom.ts';
import { createLauncher } from './launcher.ts';
import { keepLauncherClear } from './launcher-placement.ts';
import { createMessageList, type ListEntry } from './message-list.ts';
import { createPanel } from './panel.ts';
import { renderActivity } from './render/activity.ts';
import type { RenderContext } from './render/context.ts';
import { renderNotice } from './render/notice.ts';
import { renderPendingMessage } from './render/pending-message.ts';
import { renderTypingIndicator } from './render/typing-indicator.ts';
import STYLES from './styles.css';

export interface WidgetView {
  open(): void;
  close(): void;
  toggle(): void;
  /** Opens the chat and sends a message as the visitor. */
  send(text: string): void;
  /** Forgets this browser's conversation and starts a new one. */
  reset(): void;
}

export interface ViewOptions {
  origin: string;
  /** Overrides the panel's default title (data-title). */
  title: string | undefined;
  timeZone: string | undefined;
}

const PANEL_ID = 'rdv-panel';
const HOST_ID = 'rendezvous-chat';

/** Builds the widget in its own shadow root and keeps it in step with the store. */
export function mountWidget(store: WidgetStore, connector: Connector, options: ViewOptions): WidgetView {
  const host = el('div', { id: HOST_ID });
  const shadow: ShadowRoot | HTMLElement = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
  let t = labelsFor(store.getState().locale);
  const root = el('div', { class: 'rdv-root', lang: store.getState().locale });

  const launcher = createLauncher(t, PANEL_ID, () => toggle());
  const panel = createPanel(PANEL_ID, t, options.title ?? t.title, { close: () => close(), reconnectNow: () => connector.reconnectNow() });
  const composer = createComposer(t, (text) => connector.send({ text }), (on) => connector.setTyping(on));
  const list = createMessageList(panel.log);
  panel.element.appendChild(composer.element);
  root.append(launcher.element, panel.element);
  shadow.append(el('style', {}, STYLES), root);
  document.body.appendChild(host);
  keepLauncherClear(launcher.element, host);

  const activeElement = (): Element | null => ('activeElement' in shadow ? shadow.activeElement : document.activeElement);

  /**
   * Buttons and forms in the log disable themselves once used: keep keyboard focus in the log
   * until the answer comes, then move it to what the answer asks for (see focusAnswer).
   */
  let focusAfterSeq: number | null = null;
  const sendFromLog = (message: OutgoingMessage) => {
    focusAfterSeq = store.getState().activities.at(-1)?.seq ?? 0;
    connector.send(message);
    panel.log.focus({ preventScroll: true });
  };
  /** The answer to a button or form is here: focus its first field, else the message box. */
  function focusAnswer(state: WidgetState) {
    if (focusAfterSeq === null) return;
    const after = focusAfterSeq;
    const answer = [...state.activities].reverse().find((a) => a.seq > after && a.from !== 'customer');
    if (!answer) return;
    focusAfterSeq = null;
    if (activeElement() !== panel.log) return; // the customer has moved on by themselves
    const row = panel.log.querySelector(`[data-seq="${answer.seq}"]`);
    const field = row?.querySelector<HTMLInputElement>('input:not([type="hidden"]):not(:disabled)');
    (field ?? composer.input).focus({ preventScroll: true });
  }

  /**
   * Whether new messages keep the log scrolled to the bottom: yes while the customer is there (or
   * on the way there, smooth scrolling); no once they scroll up to read, until they come back down.
   */
  let pinned = true;
  let lastScrollTop = 0;
  const log = panel.log;
  const nearBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  log.addEventListener('scroll', () => {
    if (nearBottom()) pinned = true;
    else if (log.scrollTop < lastScrollTop) pinned = false;
    lastScrollTop = log.scrollTop;
  }, { passive: true });
  const toBottom = () => { log.scrollTop = log.scrollHeight; };
  // The log's box changes too (the composer grows, a phone's keyboard opens): stay at the bottom.
  if (typeof ResizeObserver === 'function') new ResizeObserver(() => { if (pinned) toBottom(); }).observe(log);
  const context = (idPrefix: string): RenderContext => ({ t, send: sendFromLog, locate: () => locate(), idPrefix, timeZone: options.timeZone, origin: options.origin,
    mapTiles: () => store.getState().map });
  const dismissNotice = (id: number) => store.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));

  function entries(state: WidgetState): ListEntry[] {
    const answered = answeredThrough(state);
    const cards = latestAppointmentCards(state.activities);
    const rows: ListEntry[] = state.activities.map((activity, index) => {
      const showName = activity.from === 'agent' && !sameAgent(state.activities[index - 1], activity);
      return {
        key: `a${activity.seq}`,
        // A card updated later (staff confirmed it) is drawn again as it is now.
        inputs: [activity, t, showName, ...supersedingCards(activity, cards)],
        interactive: activity.from !== 'customer' && activity.seq > answered,
        render: () => {
          const row = renderActivity(withLatestCards(activity, cards), context(`rdv-${activity.seq}`), showName);
          row.dataset['seq'] = String(activity.seq);
          return row;
        },
      };
    });
    for (const message of state.pending) {
      rows.push({ key: `p${message.clientId}`, inputs: [message, t], interactive: true, render: () => renderPendingMessage(message, t, connector.retry) });
    }
    for (const notice of state.notices) {
      rows.push({ key: `n${notice.id}`, inputs: [notice, t], interactive: true, render: () => renderNotice(notice, t, dismissNotice) });
    }
    const typing = state.typing;
    if (typing) rows.push({ key: 'typing', inputs: [typing, t], interactive: true, render: () => renderTypingIndicator(typing, t) });
    return rows;
  }

  let rendered: WidgetState | null = null;
  let refocusInput = false;
  function render() {
    const state = store.getState();
    const previous = rendered;
    rendered = state;
    if (state.locale !== previous?.locale) {
      t = labelsFor(state.locale);
      root.lang = state.locale;
      launcher.setLabels(t);
      panel.setLabels(t, options.title ?? t.title);
      composer.setLabels(t);
    }
    root.classList.toggle('rdv-is-open', state.open);
    launcher.setExpanded(state.open);
    panel.element.hidden = !state.open;
    panel.setConnection(state.connection, t, state.handoff);
    const online = state.connection === 'online';
    const placeholders = { online: t.messagePlaceholder, idle: t.connecting, connecting: t.connecting, reconnecting: t.reconnecting, offline: t.offline, unavailable: t.unavailable };
    // Disabling the focused message box drops focus to the page: give it back once reconnected.
    if (!online && activeElement() === composer.input) refocusInput = true;
    composer.setEnabled(online, placeholders[state.connection]);
    if (online && state.open && (refocusInput || activeElement() === panel.element)) composer.input.focus();
    if (online) refocusInput = false;

    list.update(entries(state));
    const customerSent = state.pending.length > (previous?.pending.length ?? 0);
    if (customerSent || (state.open && !previous?.open)) pinned = true;
    if (pinned) toBottom();
    focusAnswer(state);
  }

  let frame = 0;
  // One render per frame: an activity and its ack usually arrive together.
  store.subscribe(() => {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); });
  });
  const flush = () => {
    cancelAnimationFrame(frame);
    frame = 0;
    render();
  };

  function open() {
    if (!store.getState().open) store.setState({ open: true });
    connector.connect();
    flush();
    if (composer.input.disabled) panel.element.focus();
    else composer.input.focus();
  }
  function close() {
    if (!store.getState().open) return;
    store.setState({ open: false });
    flush();
    launcher.element.focus();
  }
  function toggle() {
    if (store.getState().open) close();
    else open();
  }

  panel.element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
    }
  });

  // Open across page loads (a visitor browsing the brand's site): show it again, without taking focus.
  if (store.getState().open) connector.connect();
  flush();

  return {
    open,
    close,
    toggle,
    send(text) {
      open();
      const trimmed = String(text ?? '').trim();
      if (trimmed) connector.send({ text: trimmed });
    },
    reset: () => connector.reset(),
  };
}

function sameAgent(previous: ChatActivity | undefined, current: ChatActivity): boolean {
  return previous?.from === 'agent' && previous.name === current.name;
}
