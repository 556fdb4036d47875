import { createConnector } from './connector.ts';
import { findOwnScript, readScriptConfig } from './script-config.ts';
import { safeStorage } from './storage.ts';
import { createWidgetStore } from './store.ts';
import { mountWidget, type WidgetView } from './ui/widget-view.ts';

/**
 * The embed's entry point. It defines `window.Rendezvous` at once; calls made before the page and the UI
 * are ready (including those a page queued in `Rendezvous.q` before this script arrived) run once it is.
 */

type Command = { [K in keyof WidgetView]: [K, ...Parameters<WidgetView[K]>] }[keyof WidgetView];

/** `window.Rendezvous`: what the widget can be asked to do, plus its version. */
export type RendezvousApi = WidgetView & { readonly version: string };

declare global {
  interface Window {
    Rendezvous?: RendezvousApi | { q?: unknown[] };
  }
}

const VERSION = '1.0.0';

function isCommand(value: unknown): value is Command {
  return Array.isArray(value) && ['open', 'close', 'toggle', 'send', 'reset'].includes(value[0]);
}

function start() {
  const existing = window.Rendezvous;
  if (existing && 'version' in existing) return; // the tag was included twice
  const config = readScriptConfig(findOwnScript(), navigator.language);
  if (!config) return;

  const queue: Command[] = (existing && 'q' in existing && Array.isArray(existing.q) ? existing.q : []).filter(isCommand);
  let view: WidgetView | null = null;
  const run = (command: Command) => {
    if (!view) queue.push(command);
    else if (command[0] === 'send') view.send(command[1]);
    else view[command[0]]();
  };

  const api: RendezvousApi = {
    open: () => run(['open']),
    close: () => run(['close']),
    toggle: () => run(['toggle']),
    send: (text) => run(['send', String(text)]),
    reset: () => run(['reset']),
    version: VERSION,
  };
  window.Rendezvous = api;

  const ready = () => {
    const store = createWidgetStore({
      brand: config.brand,
      locale: config.locale,
      local: safeStorage(() => window.localStorage),
      session: safeStorage(() => window.sessionStorage),
    });
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const joinToken = takeJoinToken();
    const connector = createConnector(store, { origin: config.origin, brand: config.brand, timeZone, joinToken });
    view = mountWidget(store, connector, { origin: config.origin, title: config.title, timeZone });
    for (const command of queue.splice(0)) run(command);
    // Arriving from a Join link: straight into the conversation.
    if (joinToken) api.open();
  };
  // CSP-friendly calls to action: <a href="#book" data-rendezvous-open> needs no inline script.
  document.addEventListener('click', (event) => {
    const trigger = event.target instanceof Element ? event.target.closest('[data-rendezvous-open]') : null;
    if (!trigger) return;
    event.preventDefault();
    api.open();
  });
  // An async script may run before the body exists.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready, { once: true });
  else ready();
}

/** The Join link lands on `?join=<token>`: read it once and take it out of the address bar and history. */
function takeJoinToken(): string | undefined {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('join') ?? undefined;
  if (token) {
    url.searchParams.delete('join');
    window.history.replaceState(window.history.state, '', url.toString());
  }
  return token;
}

start();
