/**
 * Hash routes: the console is one page at /console/, every screen has an address after '#'
 * (bookmarkable, back and forward work, nothing for the server to route).
 */

export type AppointmentsView = 'today' | 'upcoming' | 'past';
export type SettingsSection = 'services' | 'workflows' | 'stores' | 'staff-hours' | 'notifications' | 'templates' | 'staff' | 'faq' | 'phone-numbers';
export const SETTINGS_SECTIONS: SettingsSection[] = ['services', 'workflows', 'stores', 'staff-hours', 'notifications', 'templates', 'staff', 'faq', 'phone-numbers'];

export type Route =
  | { name: 'login'; next?: string; email?: string }
  | { name: 'invite'; token: string }
  | { name: 'appointments'; view: AppointmentsView; query: URLSearchParams }
  | { name: 'requests'; query: URLSearchParams }
  | { name: 'appointment'; id: string }
  | { name: 'book' }
  | { name: 'live'; conversationId?: string }
  | { name: 'tasks'; query: URLSearchParams }
  | { name: 'settings'; section: SettingsSection; id?: string }
  | { name: 'not-found'; path: string };

const VIEWS: AppointmentsView[] = ['today', 'upcoming', 'past'];

/** '#/appointments/today?store=x' → route. An empty hash is the appointments of today. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/appointments/today';
  const [pathPart = '', search = ''] = raw.split('?', 2);
  const query = new URLSearchParams(search);
  const parts = pathPart.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [first, second, third] = parts;
  switch (first) {
    case 'login':
      return {
        name: 'login',
        ...(query.get('next') ? { next: query.get('next')! } : {}),
        ...(query.get('email') ? { email: query.get('email')! } : {}),
      };
    case 'invite':
      return second ? { name: 'invite', token: second } : { name: 'not-found', path: pathPart };
    case undefined:
    case 'appointments': {
      const view = (second ?? 'today') as AppointmentsView;
      return VIEWS.includes(view) ? { name: 'appointments', view, query } : { name: 'not-found', path: pathPart };
    }
    case 'requests':
      return { name: 'requests', query };
    case 'appointment':
      return second ? { name: 'appointment', id: second } : { name: 'not-found', path: pathPart };
    case 'book':
      return { name: 'book' };
    case 'live':
      return second ? { name: 'live', conversationId: second } : { name: 'live' };
    case 'tasks':
      return { name: 'tasks', query };
    case 'settings': {
      const section = (second ?? 'services') as SettingsSection;
      if (!SETTINGS_SECTIONS.includes(section)) return { name: 'not-found', path: pathPart };
      return third ? { name: 'settings', section, id: third } : { name: 'settings', section };
    }
    default:
      return { name: 'not-found', path: pathPart };
  }
}

/** Builds a hash from path segments and an optional query. */
export function href(path: string, query?: URLSearchParams | Record<string, string | undefined>): string {
  let search = '';
  if (query) {
    const params = query instanceof URLSearchParams ? new URLSearchParams(query) : new URLSearchParams();
    if (!(query instanceof URLSearchParams)) {
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
    }
    search = params.toString() ? `?${params.toString()}` : '';
  }
  return `#${path}${search}`;
}

export const routes = {
  login: (next?: string, email?: string) => href('/login', { next, email }),
  appointments: (view: AppointmentsView = 'today', query?: URLSearchParams) => href(`/appointments/${view}`, query),
  requests: (query?: URLSearchParams) => href('/requests', query),
  appointment: (id: string) => href(`/appointment/${encodeURIComponent(id)}`),
  book: () => href('/book'),
  live: (conversationId?: string) => href(conversationId ? `/live/${encodeURIComponent(conversationId)}` : '/live'),
  tasks: () => href('/tasks'),
  settings: (section: SettingsSection = 'services', id?: string) => href(`/settings/${section}${id ? `/${encodeURIComponent(id)}` : ''}`),
};

export function navigate(hash: string, replace = false): void {
  if (!replace && location.hash !== hash) {
    location.hash = hash; // the browser fires hashchange
    return;
  }
  if (replace) history.replaceState(null, '', hash);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

let listHash: string | null = null;
/** The list (with its filters) the user last looked at: the details page links back to it. */
export const rememberListHash = (hash: string) => { listHash = hash; };
export const lastListHash = () => listHash;
