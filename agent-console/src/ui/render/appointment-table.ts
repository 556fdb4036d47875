import { CHANNEL_LABELS, MODE_LABELS, formatDate, formatDateTime, formatTime, formatUtc, zoneAbbreviation } from '../../format.ts';
import { routes } from '../../router.ts';
import type { AppointmentListItem } from '../../types.ts';
import { el } from '../dom.ts';
import { statusChip } from './status-chip.ts';

export type TableKind = 'appointments' | 'requests';

export interface TableOptions {
  kind: TableKind;
  caption: string;
  /** The "⋯" menu of a row. */
  menu: (item: AppointmentListItem) => HTMLElement;
  /** Rows to flash (changed live). */
  highlight?: ReadonlySet<string>;
}

/** Where it takes place: the store, the home address or online. */
export function placeOf(a: Pick<AppointmentListItem, 'mode' | 'store' | 'homeAddress'>): string {
  if (a.mode === 'at_home') return a.homeAddress ? `At home: ${a.homeAddress}` : 'At the customer’s home';
  if (a.mode === 'online') return a.store?.name ? `Online (${a.store.name})` : 'Online';
  return a.store?.name ?? '—';
}

/** "Tue 2 Mar 2027 / 10:00–11:00 CET" in the store's zone, the UTC instant in the tooltip. */
export function whenCell(a: Pick<AppointmentListItem, 'start' | 'end' | 'timeZone'>): HTMLElement {
  return el('time', { datetime: a.start, title: `${formatUtc(a.start)} · ${a.timeZone}`, class: 'when' },
    el('span', { class: 'when-date' }, formatDate(a.start, a.timeZone)),
    el('span', { class: 'when-time' }, `${formatTime(a.start, a.timeZone)}–${formatTime(a.end, a.timeZone)} `,
      el('abbr', { class: 'muted', title: a.timeZone }, zoneAbbreviation(a.start, a.timeZone))));
}

/** The appointments as a table (cards on narrow screens: each cell carries its column's name). */
export function renderAppointmentTable(items: AppointmentListItem[], o: TableOptions): HTMLElement {
  const requests = o.kind === 'requests';
  const columns = requests
    ? ['Requested time', 'Customer', 'Service', 'Place', 'Advisor', 'Received', 'Status', 'Actions']
    : ['Date and time', 'Customer', 'Service', 'Place', 'Advisor', 'Status', 'Actions'];
  const cell = (label: string, ...children: (Node | string | null)[]) => el('td', { 'data-label': label }, ...children);
  return el('table', { class: 'data-table appointments-table' },
    el('caption', { class: 'sr-only' }, o.caption),
    el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', class: c === 'Actions' ? 'col-actions' : undefined },
      c === 'Actions' ? el('span', { class: 'sr-only' }, c) : c)))),
    el('tbody', {}, ...items.map((a) => el('tr', {
      'data-id': a.id, 'data-state': a.state,
      class: o.highlight?.has(a.id) ? 'row-updated' : undefined,
    },
    cell(columns[0]!, whenCell(a)),
    cell('Customer',
      el('a', { href: routes.appointment(a.id), class: 'row-link' }, a.customer.name),
      el('span', { class: 'cell-sub' }, CHANNEL_LABELS[a.channel] ?? a.channel)),
    cell('Service', el('span', {}, a.service.name), el('span', { class: 'cell-sub' }, MODE_LABELS[a.mode])),
    cell('Place', placeOf(a)),
    cell('Advisor', a.staff.name),
    requests ? cell('Received', el('time', { datetime: a.createdAt, title: formatUtc(a.createdAt) }, formatDateTime(a.createdAt, a.timeZone))) : null,
    cell('Status', statusChip(a)),
    el('td', { class: 'col-actions' }, o.menu(a))))));
}
