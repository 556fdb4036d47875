import { errorMessage, type Query } from '../api.ts';
import { debounce, isManager, type AppContext, type Screen } from '../context.ts';
import { STATE_LABELS } from '../format.ts';
import { rememberListHash, routes, type AppointmentsView, type Route } from '../router.ts';
import type { AppointmentList } from '../types.ts';
import { appointmentMenuItems } from '../ui/appointment-actions.ts';
import { empty, el, errorBlock, heading, link, loading, replaceChildren, button } from '../ui/dom.ts';
import { checkboxField, fieldWrapper, selectControl, type Option } from '../ui/forms.ts';
import { isMenuOpen, menuButton } from '../ui/menu.ts';
import { renderAppointmentTable } from '../ui/render/appointment-table.ts';

/**
 * The appointment lists: Today / Upcoming / Past with filters, and the Requests queue (unconfirmed
 * requests; confirmed ones come back with "Show confirmed appointments"). Filters live in the
 * address (#/appointments/upcoming?store=…), so a list can be bookmarked and Back works.
 */

const PAGE = 25;
const POLL_MS = 60_000;
const FILTER_KEYS = ['store', 'staff', 'service', 'status', 'from', 'to', 'q'] as const;

const VIEW_TITLES: Record<AppointmentsView, string> = { today: 'Today', upcoming: 'Upcoming', past: 'Past' };

type ListRoute = Extract<Route, { name: 'appointments' } | { name: 'requests' }>;

export function appointmentsScreen(ctx: AppContext, initial: ListRoute): Screen {
  let route = initial;
  let query = new URLSearchParams(initial.query);
  const requests = () => route.name === 'requests';
  const view = () => (route.name === 'appointments' ? route.view : 'requests');
  const session = ctx.session();
  const manager = isManager(session.staff.role);

  const title = heading(requests() ? 'Requests' : 'Appointments');
  const intro = el('p', { class: 'screen-intro' });
  const tabs = el('nav', { class: 'tabs', 'aria-label': 'Appointment views' });
  const filters = el('form', { class: 'filters', role: 'search', 'aria-label': 'Filter appointments' });
  const status = el('p', { class: 'list-status', role: 'status', 'aria-live': 'polite' });
  const results = el('div', { class: 'table-wrap' }, loading());
  const pager = el('nav', { class: 'pager', 'aria-label': 'Pages' });
  const element = el('div', { class: 'screen screen-list' },
    el('header', { class: 'screen-header' },
      el('div', {}, title, intro),
      el('div', { class: 'screen-actions' }, link(routes.book(), 'Book for a customer', { class: 'btn btn-primary' }))),
    tabs, filters, status, results, pager);

  let list: AppointmentList | null = null;
  let loadNo = 0;
  const highlight = new Set<string>();

  function renderTabs() {
    title.textContent = requests() ? 'Requests' : 'Appointments';
    intro.textContent = requests()
      ? 'Appointment requests waiting for confirmation by a store. Confirmed ones leave the list.'
      : 'Appointments of your stores, in each store’s local time.';
    tabs.hidden = requests();
    replaceChildren(tabs, ...(['today', 'upcoming', 'past'] as const).map((v) =>
      link(routes.appointments(v, filtersOnly()), VIEW_TITLES[v], { class: 'tab', 'aria-current': view() === v ? 'page' : undefined })));
  }

  const filtersOnly = () => {
    const q = new URLSearchParams();
    for (const key of FILTER_KEYS) if (query.get(key)) q.set(key, query.get(key)!);
    return q;
  };

  async function buildFilters() {
    const stores: Option[] = session.staff.stores.map((s) => ({ value: s.id, label: s.name }));
    const [services, staff, workflows] = await Promise.all([
      ctx.catalog.services().catch(() => []),
      manager ? ctx.catalog.staff().catch(() => []) : Promise.resolve([]),
      manager ? ctx.catalog.workflows().catch(() => new Map()) : Promise.resolve(new Map()),
    ]);
    const statusOptions: (Option | { group: string; options: Option[] })[] = [
      { value: '', label: 'Any status' },
      { group: 'State', options: (['pending', 'confirmed', 'cancelled'] as const).map((s) => ({ value: s, label: STATE_LABELS[s] })) },
      ...services.filter((s) => workflows.has(s.id)).map((s) => ({
        group: `Workflow: ${s.name}`, options: (workflows.get(s.id) ?? []).map((w: { id: string; name: string }) => ({ value: w.id, label: w.name })),
      })),
    ];
    const select = (label: string, name: string, options: (Option | { group: string; options: Option[] })[]) =>
      fieldWrapper({ label }, selectControl(name, options, query.get(name) ?? ''), 'field field-inline');
    const date = (label: string, name: string) => {
      const input = el('input', { type: 'date', name });
      input.value = query.get(name) ?? '';
      return fieldWrapper({ label }, input, 'field field-inline');
    };
    const search = el('input', { type: 'search', name: 'q', placeholder: 'Name, email or phone', autocomplete: 'off' });
    search.value = query.get('q') ?? '';
    const parts: (HTMLElement | null)[] = [
      fieldWrapper({ label: 'Customer' }, search, 'field field-inline field-search'),
      stores.length > 1 ? select('Store', 'store', [{ value: '', label: 'All my stores' }, ...stores]) : null,
      manager && staff.length ? select('Advisor', 'staff', [{ value: '', label: 'Any advisor' }, ...staff.map((s) => ({ value: s.id, label: s.name }))]) : null,
      select('Service', 'service', [{ value: '', label: 'Any service' }, ...services.map((s) => ({ value: s.id, label: s.name }))]),
      requests() ? null : select('Status', 'status', statusOptions),
      date('From', 'from'),
      date('To', 'to'),
    ];
    const showConfirmed = requests()
      ? checkboxField({ label: 'Show confirmed appointments', name: 'showConfirmed', role: 'switch', checked: query.get('showConfirmed') === 'true' })
      : null;
    replaceChildren(filters,
      el('div', { class: 'filter-fields' }, ...parts),
      el('div', { class: 'filter-actions' },
        showConfirmed,
        button({ class: 'btn btn-link' }, 'Clear filters', () => {
          query = new URLSearchParams(requests() && query.get('showConfirmed') ? { showConfirmed: query.get('showConfirmed')! } : {});
          void buildFilters();
          applyQuery();
        })));
  }

  /** Reads the form into the query, puts it in the address (no remount) and reloads. */
  function readFilters() {
    const next = new URLSearchParams();
    for (const key of FILTER_KEYS) {
      const control = filters.elements.namedItem(key) as HTMLInputElement | HTMLSelectElement | null;
      const value = control?.value.trim();
      if (value) next.set(key, value);
    }
    const toggle = filters.elements.namedItem('showConfirmed') as HTMLInputElement | null;
    if (toggle?.checked) next.set('showConfirmed', 'true');
    query = next;
    applyQuery();
  }

  function applyQuery() {
    const hash = requests() ? routes.requests(query) : routes.appointments(view() as AppointmentsView, query);
    history.replaceState(null, '', hash);
    rememberListHash(hash);
    renderTabs();
    void load();
  }

  const searchLater = debounce(readFilters, 350);
  filters.addEventListener('change', (event) => {
    if ((event.target as HTMLInputElement).name !== 'q') readFilters();
  });
  filters.addEventListener('input', (event) => {
    if ((event.target as HTMLInputElement).name === 'q') searchLater();
  });
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    searchLater.cancel();
    readFilters();
  });

  function apiQuery(): Query {
    const q: Query = { view: view(), limit: PAGE, offset: Number(query.get('offset') ?? 0) || 0 };
    for (const key of FILTER_KEYS) if (query.get(key)) q[key] = query.get(key)!;
    if (requests() && query.get('showConfirmed') === 'true') q.showConfirmed = 'true';
    return q;
  }

  async function load(quiet = false) {
    const no = ++loadNo;
    if (!quiet || !list) replaceChildren(results, loading());
    try {
      const next = await ctx.api.get<AppointmentList>('/appointments', apiQuery());
      if (no !== loadNo) return;
      list = next;
      render(quiet);
    } catch (error) {
      if (no !== loadNo) return;
      replaceChildren(results, errorBlock(errorMessage(error), () => void load()));
      status.textContent = '';
      replaceChildren(pager);
    }
  }

  function render(quiet: boolean) {
    if (!list) return;
    // A background refresh keeps the keyboard where it was.
    const focusedRow = quiet ? (document.activeElement?.closest('tr[data-id]') as HTMLElement | null)?.dataset.id : undefined;
    const focusedMenu = quiet && document.activeElement?.classList.contains('menu-trigger');
    const noun = requests() ? 'request' : 'appointment';
    const { total, offset, appointments } = list;
    status.textContent = total === 0
      ? `No ${noun}s match.`
      : `${total} ${noun}${total === 1 ? '' : 's'}${total > appointments.length ? ` · showing ${offset + 1}–${offset + appointments.length}` : ''}`;
    if (appointments.length === 0) {
      replaceChildren(results, empty(requests()
        ? query.get('showConfirmed') === 'true' ? 'No open or confirmed requests.' : 'No requests are waiting for confirmation. 🎉'
        : `No ${VIEW_TITLES[view() as AppointmentsView].toLowerCase()} appointments match these filters.`));
    } else {
      replaceChildren(results, renderAppointmentTable(appointments, {
        kind: requests() ? 'requests' : 'appointments',
        caption: requests() ? 'Appointment requests' : `${VIEW_TITLES[view() as AppointmentsView]} appointments`,
        highlight,
        menu: (item) => menuButton(`Actions for ${item.customer.name}`, () => appointmentMenuItems(ctx, item, changed)),
      }));
    }
    if (focusedRow) {
      const row = results.querySelector<HTMLElement>(`tr[data-id="${focusedRow}"]`);
      (focusedMenu ? row?.querySelector<HTMLElement>('.menu-trigger') : row?.querySelector<HTMLElement>('a'))?.focus();
    }
    renderPager();
  }

  function renderPager() {
    if (!list || list.total <= PAGE) {
      replaceChildren(pager);
      return;
    }
    const offset = list.offset;
    const go = (to: number) => {
      if (to) query.set('offset', String(to));
      else query.delete('offset');
      applyQuery();
      title.focus();
    };
    replaceChildren(pager,
      button({ class: 'btn btn-secondary btn-small', disabled: offset === 0 }, '← Previous', () => go(Math.max(0, offset - PAGE))),
      el('span', { class: 'muted' }, `Page ${Math.floor(offset / PAGE) + 1} of ${Math.ceil(list.total / PAGE)}`),
      button({ class: 'btn btn-secondary btn-small', disabled: offset + PAGE >= list.total }, 'Next →', () => go(offset + PAGE)));
  }

  /** After one of our own actions: reload now, and the navigation's counts. */
  function changed() {
    ctx.refreshCounts();
    void load(true);
  }

  const refreshSoon = debounce(() => void load(true), 400);
  const poll = setInterval(() => {
    const live = ctx.store.getState().live.connection === 'online';
    if (!live && document.visibilityState === 'visible' && !document.querySelector('dialog[open]') && !isMenuOpen()) void load(true);
  }, POLL_MS);

  rememberListHash(location.hash);
  renderTabs();
  void buildFilters();
  void load();

  return {
    element,
    title: requests() ? 'Requests' : `${VIEW_TITLES[view() as AppointmentsView]} · Appointments`,
    destroy() {
      clearInterval(poll);
      refreshSoon.cancel();
      searchLater.cancel();
    },
    onAppointmentChanged(id) {
      highlight.add(id);
      setTimeout(() => highlight.delete(id), 4000);
      if (!document.querySelector('dialog[open]') && !isMenuOpen()) refreshSoon();
      else {
        // Refresh once the dialog or menu is gone.
        const wait = setInterval(() => {
          if (document.querySelector('dialog[open]') || isMenuOpen()) return;
          clearInterval(wait);
          refreshSoon();
        }, 500);
      }
    },
    update(next) {
      if (next.name !== initial.name || (next.name === 'appointments' && route.name !== 'appointments')) return false;
      route = next as ListRoute;
      query = new URLSearchParams(next.name === 'appointments' || next.name === 'requests' ? next.query : undefined);
      ctx.setTitle(requests() ? 'Requests' : `${VIEW_TITLES[view() as AppointmentsView]} · Appointments`);
      rememberListHash(location.hash);
      renderTabs();
      void buildFilters();
      void load();
      return true;
    },
  };
}
