import { isManager } from '../context.ts';
import { ROLE_LABELS } from '../format.ts';
import type { LiveConnection, Presence } from '../live.ts';
import { lastListHash, routes, type Route } from '../router.ts';
import type { ConsoleState, Toast } from '../store.ts';
import { button, el, replaceChildren } from './dom.ts';

/**
 * The page around the screens: skip link, header (navigation with badge counts, live status,
 * presence, the user and sign-out), the main region, toasts and the screen-reader announcers.
 */

export interface Counts {
  requests: number | null;
  tasks: number | null;
}

export interface Shell {
  main: HTMLElement;
  render(state: ConsoleState, route: Route, counts: Counts): void;
  announce(text: string, assertive?: boolean): void;
}

export interface ShellActions {
  signOut(): void;
  setPresence(status: Presence): void;
  dismissToast(id: number): void;
}

type NavKey = 'appointments' | 'requests' | 'book' | 'live' | 'tasks' | 'settings';

const LIVE_TEXT: Record<LiveConnection, string> = {
  idle: 'Live updates off',
  connecting: 'Connecting…',
  online: 'Live',
  reconnecting: 'Reconnecting…',
  unavailable: 'Live updates unavailable',
};

export function mountShell(root: HTMLElement, actions: ShellActions): Shell {
  const main = el('main', { id: 'main', tabindex: -1, class: 'main' });
  const skip = el('a', { href: '#main', class: 'skip-link' }, 'Skip to content');
  skip.addEventListener('click', (event) => {
    event.preventDefault();
    (main.querySelector<HTMLElement>('h1') ?? main).focus();
  });
  const nav = el('nav', { class: 'main-nav', 'aria-label': 'Main' });
  const liveStatus = el('span', { class: 'live-status', role: 'status' });
  const presenceSelect = el('select', { id: 'presence', class: 'presence-select' },
    el('option', { value: 'online' }, 'Online'), el('option', { value: 'away' }, 'Away'));
  presenceSelect.addEventListener('change', () => actions.setPresence(presenceSelect.value as Presence));
  const presence = el('div', { class: 'presence' },
    el('label', { for: 'presence', class: 'presence-label' }, el('span', { class: 'presence-dot', 'aria-hidden': 'true' }), el('span', { class: 'sr-only' }, 'Your availability for live chat')),
    presenceSelect);
  const user = el('div', { class: 'user' });
  const header = el('header', { class: 'topbar' },
    el('div', { class: 'topbar-inner' },
      el('a', { href: routes.appointments('today'), class: 'brand' }, el('span', { class: 'logo', 'aria-hidden': 'true' }, 'R'),
        el('span', { class: 'brand-name' }, 'Rendezvous'), el('span', { class: 'brand-sub' }, 'Console')),
      nav,
      el('div', { class: 'topbar-tools' }, liveStatus, presence, user)));
  const toasts = el('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
  const polite = el('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const assertive = el('div', { class: 'sr-only', 'aria-live': 'assertive', 'aria-atomic': 'true' });
  root.replaceChildren(skip, header, main, toasts, polite, assertive);

  let renderedNav = '';
  let renderedUser = '';
  let renderedToasts: Toast[] = [];

  function navKey(route: Route): NavKey | null {
    switch (route.name) {
      case 'appointments': return 'appointments';
      case 'appointment': return lastListHash()?.startsWith('#/requests') ? 'requests' : 'appointments';
      case 'requests': return 'requests';
      case 'book': return 'book';
      case 'live': return 'live';
      case 'tasks': return 'tasks';
      case 'settings': return 'settings';
      default: return null;
    }
  }

  function render(state: ConsoleState, route: Route, counts: Counts) {
    const signedIn = state.session !== null && route.name !== 'login' && route.name !== 'invite';
    header.hidden = !signedIn;
    skip.hidden = !signedIn;
    document.body.classList.toggle('signed-in', signedIn);
    if (state.toasts !== renderedToasts) {
      renderedToasts = state.toasts;
      replaceChildren(toasts, ...state.toasts.map((t) => el('div', { class: `toast toast-${t.kind}` },
        el('span', {}, t.text),
        button({ class: 'btn-icon', 'aria-label': 'Dismiss' }, [el('span', { 'aria-hidden': 'true' }, '×')], () => actions.dismissToast(t.id)))));
    }
    if (!signedIn || !state.session) return;

    const waiting = state.live.waiting.length;
    const active = navKey(route);
    const key = JSON.stringify([active, counts, waiting, state.session.staff.role]);
    if (key !== renderedNav) {
      renderedNav = key;
      const item = (k: NavKey, href: string, label: string, count: number | null, countLabel: string, urgent = false) =>
        el('li', {}, el('a', { href, class: 'nav-link', 'aria-current': active === k ? 'page' : undefined },
          label,
          count ? el('span', { class: `count${urgent ? ' count-urgent' : ''}` }, el('span', { 'aria-hidden': 'true' }, String(count)), el('span', { class: 'sr-only' }, ` (${count} ${countLabel})`)) : null));
      replaceChildren(nav, el('ul', {},
        item('appointments', routes.appointments('today'), 'Appointments', null, ''),
        item('requests', routes.requests(), 'Requests', counts.requests, 'waiting for confirmation'),
        item('book', routes.book(), 'Book', null, ''),
        item('live', routes.live(), 'Live', waiting, waiting === 1 ? 'customer waiting' : 'customers waiting', true),
        item('tasks', routes.tasks(), 'Tasks', counts.tasks, 'to do'),
        item('settings', routes.settings(isManager(state.session.staff.role) ? 'services' : 'stores'), 'Settings', null, '')));
    }

    const connection = state.live.connection;
    liveStatus.className = `live-status live-${connection}`;
    const text = LIVE_TEXT[connection];
    if (liveStatus.textContent !== text) {
      liveStatus.replaceChildren(el('span', { class: 'live-dot', 'aria-hidden': 'true' }), text);
      liveStatus.title = connection === 'unavailable' ? 'The live connection to the server is not available: lists refresh every minute, live chat is off. Retrying in the background.' : '';
    }
    presenceSelect.value = state.live.presence;
    presence.className = `presence presence-${state.live.presence}`;

    const staff = state.session.staff;
    const userKey = `${staff.id}|${staff.name}|${staff.role}`;
    if (userKey !== renderedUser) {
      renderedUser = userKey;
      replaceChildren(user,
        el('span', { class: 'user-name' }, staff.name, el('span', { class: 'user-role' }, ROLE_LABELS[staff.role])),
        button({ class: 'btn btn-ghost btn-small' }, 'Sign out', () => actions.signOut()));
    }

  }

  let clearTimer: ReturnType<typeof setTimeout> | undefined;
  function announce(text: string, urgent = false) {
    const region = urgent ? assertive : polite;
    // Cleared first, so the same words twice are read twice.
    region.textContent = '';
    setTimeout(() => { region.textContent = text; }, 50);
    clearTimeout(clearTimer);
    clearTimer = setTimeout(() => { polite.textContent = ''; assertive.textContent = ''; }, 8000);
  }

  return { main, render, announce };
}
