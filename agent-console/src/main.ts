import { createApi, errorMessage } from './api.ts';
import { createConnector } from './connector.ts';
import { debounce, isManager, type AppContext, type Catalog, type Screen } from './context.ts';
import { navigate, parseRoute, routes, type Route } from './router.ts';
import { appointmentScreen } from './screens/appointment.ts';
import { appointmentsScreen } from './screens/appointments.ts';
import { bookScreen } from './screens/book.ts';
import { inviteScreen } from './screens/invite.ts';
import { liveScreen } from './screens/live.ts';
import { loginScreen } from './screens/login.ts';
import { settingsScreen } from './screens/settings/index.ts';
import { tasksScreen } from './screens/tasks.ts';
import { beep, unlockAudioOnGesture } from './sound.ts';
import { createConsoleStore, toast } from './store.ts';
import type { AppointmentList, Service, Session, StaffMember, Task, WorkflowStatus } from './types.ts';
import { el, heading, link } from './ui/dom.ts';
import { mountShell, type Counts } from './ui/shell.ts';

/**
 * The console's entry point: the store, the API client, the socket, the shell, and hash routing
 * between screens. Focus moves to each new screen's heading; the document title follows.
 */

const SOUND_KEY = 'rdv-console:sound';
const APP_NAME = 'Rendezvous console';
const COUNTS_EVERY_MS = 120_000;

function readSoundSetting(): boolean {
  try {
    return localStorage.getItem(SOUND_KEY) !== 'off';
  } catch {
    return true;
  }
}

function start() {
  const root = document.getElementById('app') ?? document.body.appendChild(el('div', { id: 'app' }));
  const store = createConsoleStore(readSoundSetting());
  let expiredNotice: string | undefined;
  const api = createApi({
    onUnauthorized: () => {
      if (!store.getState().session) return;
      signedOut('Your session has ended. Sign in again to continue.');
    },
  });
  const connector = createConnector(store, { origin: location.origin });
  const shell = mountShell(root, {
    signOut: () => void signOut(),
    setPresence: (status) => {
      connector.setPresence(status);
      toast(store, 'info', status === 'online' ? 'You are online: you will be offered live chats.' : 'You are away: no new live chats will be offered to you.');
    },
    dismissToast: (id) => store.setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  });

  let route: Route = parseRoute(location.hash);
  let screen: Screen | null = null;
  let screenTitle = '';
  let counts: Counts = { requests: null, tasks: null };

  // ---- reference data, once per session ----
  let services: Promise<Service[]> | null = null;
  let staff: Promise<StaffMember[]> | null = null;
  let workflows: Promise<Map<string, WorkflowStatus[]>> | null = null;
  const catalog: Catalog = {
    services: () => (services ??= api.get<{ services: Service[] }>('/services').then((r) => r.services).catch((e) => { services = null; throw e; })),
    staff: () => {
      const role = store.getState().session?.staff.role;
      if (!role || !isManager(role)) return Promise.resolve([]);
      return (staff ??= api.get<{ staff: StaffMember[] }>('/staff').then((r) => r.staff).catch((e) => { staff = null; throw e; }));
    },
    workflows: () => {
      const role = store.getState().session?.staff.role;
      if (!role || !isManager(role)) return Promise.resolve(new Map());
      return (workflows ??= catalog.services().then(async (list) => {
        const entries = await Promise.all(list.filter((s) => s.statusWorkflow).map(async (s) =>
          [s.id, (await api.get<{ statuses: WorkflowStatus[] }>(`/services/${s.id}/statuses`)).statuses] as const));
        return new Map(entries);
      }).catch((e) => { workflows = null; throw e; }));
    },
    invalidate: () => {
      services = null;
      staff = null;
      workflows = null;
    },
  };

  const ctx: AppContext = {
    api,
    store,
    connector,
    catalog,
    session: () => {
      const session = store.getState().session;
      if (!session) throw new Error('not signed in');
      return session;
    },
    toast: (kind, text) => toast(store, kind, text),
    announce: (text, assertive) => shell.announce(text, assertive),
    navigate: (hash, replace) => navigate(hash, replace),
    setTitle: (title) => {
      screenTitle = title;
      updateTitle();
    },
    signedIn,
    refreshCounts: () => refreshCountsSoon(),
  };

  function updateTitle() {
    const waiting = store.getState().live.waiting.length;
    document.title = `${waiting ? `(${waiting}) ` : ''}${screenTitle ? `${screenTitle} · ` : ''}${APP_NAME}`;
  }

  async function refreshCounts() {
    if (!store.getState().session) return;
    const [requests, tasks] = await Promise.all([
      api.get<AppointmentList>('/appointments', { view: 'requests', limit: 1 }).then((r) => r.total).catch(() => null),
      api.get<{ tasks: Task[]; total: number }>('/tasks', { status: 'open', limit: 1 }).then((r) => r.total).catch(() => null),
    ]);
    counts = { requests, tasks };
    renderShell();
  }
  const refreshCountsSoon = debounce(() => void refreshCounts(), 500);
  setInterval(() => {
    if (store.getState().session && store.getState().live.connection !== 'online') void refreshCounts();
  }, COUNTS_EVERY_MS);

  function signedIn(session: Session) {
    api.setCsrfToken(session.csrfToken);
    store.setState({ session, booting: false });
    catalog.invalidate();
    connector.connect();
    void refreshCounts();
  }

  function signedOut(notice?: string) {
    connector.disconnect();
    api.setCsrfToken(null);
    catalog.invalidate();
    expiredNotice = notice;
    const next = route.name === 'login' || route.name === 'invite' ? undefined : location.hash;
    store.setState((s) => ({ session: null, booting: false, live: { ...s.live, waiting: [], conversations: [], viewing: null } }));
    navigate(routes.login(next), true);
  }

  async function signOut() {
    try {
      await api.delete('/session');
    } catch {
      // Signed out locally anyway; the server session ends at its timeout.
    }
    signedOut('You are signed out.');
  }

  function renderShell() {
    shell.render(store.getState(), route, counts);
  }

  // ---- routing ----
  function show() {
    route = parseRoute(location.hash);
    const state = store.getState();
    if (state.booting) return;
    const open = route.name === 'login' || route.name === 'invite';
    if (!state.session && !open) {
      navigate(routes.login(location.hash || undefined), true);
      return;
    }
    if (state.session && route.name === 'login') {
      navigate(route.next && route.next.startsWith('#/') && !route.next.startsWith('#/login') ? route.next : routes.appointments('today'), true);
      return;
    }
    renderShell();
    if (screen?.update?.(route)) return;
    screen?.destroy?.();
    screen = createScreen(route);
    shell.main.replaceChildren(screen.element);
    screenTitle = screen.title;
    updateTitle();
    // A new screen: the keyboard and screen readers start at its heading.
    const h1 = screen.element.querySelector<HTMLElement>('h1');
    (h1 ?? shell.main).focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }

  function createScreen(r: Route): Screen {
    switch (r.name) {
      case 'login': {
        const notice = expiredNotice;
        expiredNotice = undefined;
        return loginScreen(ctx, { ...(r.next ? { next: r.next } : {}), ...(r.email ? { email: r.email } : {}), ...(notice ? { notice } : {}) });
      }
      case 'invite': return inviteScreen(ctx, r.token);
      case 'appointments': case 'requests': return appointmentsScreen(ctx, r);
      case 'appointment': return appointmentScreen(ctx, r.id);
      case 'book': return bookScreen(ctx);
      case 'live': return liveScreen(ctx, r);
      case 'tasks': return tasksScreen(ctx, r);
      case 'settings': return settingsScreen(ctx, r);
      case 'not-found':
        return {
          title: 'Page not found',
          element: el('div', { class: 'screen' }, heading('Page not found'),
            el('p', {}, 'This address does not lead anywhere in the console.'),
            link(routes.appointments('today'), 'Go to today’s appointments', { class: 'btn btn-primary' })),
        };
    }
  }

  window.addEventListener('hashchange', show);

  // ---- live events ----
  connector.onAppointmentChanged((id) => {
    screen?.onAppointmentChanged?.(id);
    refreshCountsSoon();
  });
  connector.onTaskCreated((task) => {
    refreshCountsSoon();
    screen?.onTaskCreated?.();
    toast(store, 'info', `New message from ${task.customerName ?? 'a customer'}: see Tasks.`);
  });
  connector.onError((message) => toast(store, 'error', message));
  connector.onHandoffRequest((request) => {
    if (store.getState().soundOn && store.getState().live.presence === 'online') beep();
    shell.announce(`${request.customerName} is waiting for an agent. Open Live to join.`, true);
    toast(store, 'info', `${request.customerName} is waiting for an agent.`, 10_000);
  });

  let frame = 0;
  store.subscribe((state, previous) => {
    if (state.soundOn !== previous.soundOn) {
      try {
        localStorage.setItem(SOUND_KEY, state.soundOn ? 'on' : 'off');
      } catch {
        // Private mode: the setting lasts for this page.
      }
    }
    if (state.live.waiting.length !== previous.live.waiting.length) updateTitle();
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; renderShell(); });
  });

  unlockAudioOnGesture();

  // ---- boot: an existing session (cookie) or the sign-in page ----
  const bootRoute = parseRoute(location.hash);
  if (bootRoute.name === 'invite') {
    store.setState({ booting: false });
    show();
    return;
  }
  api.get<Session>('/session').then(
    (session) => {
      signedIn(session);
      show();
    },
    (error: unknown) => {
      store.setState({ booting: false });
      if ((error as { status?: number }).status !== 401) toast(store, 'error', errorMessage(error));
      show();
    },
  );
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
