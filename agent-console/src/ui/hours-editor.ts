import { WEEKDAYS } from '../format.ts';
import { button, el, replaceChildren, uid } from './dom.ts';
import { selectControl, type Option } from './forms.ts';

/**
 * Editors for weekly periods (store opening hours, staff working hours) and dated exceptions
 * (holidays, special opening hours). Before sending, `read()` names each input after its place in
 * the array sent (`hours.3.closes`), so the server's error lands on the right input.
 */

export interface Period {
  weekday: number;
  start: string;
  end: string;
  store?: string;
}

export interface WeeklyEditorOptions {
  periods: Period[];
  /** The API's array and keys: 'hours' + 'opens'/'closes' (stores) or 'starts'/'ends' (staff). */
  prefix: string;
  startKey: string;
  endKey: string;
  /** Staff hours: where each period is worked. */
  stores?: Option[];
  readOnly: boolean;
  /** e.g. "Opening hours": the legend of each day reads "Opening hours, Monday". */
  label: string;
}

export interface WeeklyEditor {
  element: HTMLElement;
  read(): Period[];
}

export function weeklyHoursEditor(o: WeeklyEditorOptions): WeeklyEditor {
  const days = new Map<number, HTMLElement>();
  const element = el('div', { class: 'week-editor' });

  function periodRow(p: Period, day: number): HTMLElement {
    const start = el('input', { type: 'time', value: p.start, required: true, disabled: o.readOnly, 'data-key': 'start', 'aria-label': `${WEEKDAYS[day - 1]}: from` });
    const end = el('input', { type: 'time', value: p.end, required: true, disabled: o.readOnly, 'data-key': 'end', 'aria-label': `${WEEKDAYS[day - 1]}: until` });
    const errorId = `${uid('period')}-error`;
    start.setAttribute('aria-describedby', errorId);
    end.setAttribute('aria-describedby', errorId);
    const store = o.stores
      ? selectControl('', o.stores, p.store ?? o.stores[0]?.value, { 'data-key': 'store', 'aria-label': `${WEEKDAYS[day - 1]}: store`, disabled: o.readOnly, 'aria-describedby': errorId })
      : null;
    const row = el('div', { class: 'period' },
      store, start, el('span', { 'aria-hidden': 'true' }, '–'), end,
      o.readOnly ? null : button({ class: 'btn-icon', 'aria-label': `Remove this period of ${WEEKDAYS[day - 1]}` }, [el('span', { 'aria-hidden': 'true' }, '×')], () => {
        const list = row.parentElement!;
        row.remove();
        refreshEmpty(list);
        (list.parentElement?.querySelector<HTMLElement>('.add-period') ?? element).focus();
      }),
      el('p', { id: errorId, class: 'field-error', hidden: true }));
    return row;
  }

  function refreshEmpty(list: HTMLElement) {
    list.querySelector('.closed')?.remove();
    if (!list.querySelector('.period')) list.prepend(el('span', { class: 'closed muted' }, o.stores ? 'Not working' : 'Closed'));
  }

  for (let day = 1; day <= 7; day++) {
    const list = el('div', { class: 'period-list' });
    for (const p of o.periods.filter((x) => x.weekday === day).sort((a, b) => a.start.localeCompare(b.start))) list.append(periodRow(p, day));
    refreshEmpty(list);
    days.set(day, list);
    const legendId = uid('day');
    element.append(el('div', { class: 'week-day', role: 'group', 'aria-labelledby': legendId },
      el('span', { id: legendId, class: 'week-day-name' }, el('span', { class: 'sr-only' }, `${o.label}, `), WEEKDAYS[day - 1]!),
      list,
      o.readOnly ? null : button({ class: 'btn btn-link btn-small add-period', 'aria-label': `Add a period on ${WEEKDAYS[day - 1]}` }, '+ Add', () => {
        const last = [...list.querySelectorAll<HTMLInputElement>('input[data-key="end"]')].at(-1)?.value;
        const row = periodRow({ weekday: day, start: last && last < '23:00' ? last : '09:00', end: last && last < '23:00' ? '19:00' : '18:00' }, day);
        list.querySelector('.closed')?.remove();
        list.append(row);
        row.querySelector<HTMLElement>('select, input')?.focus();
      })));
  }

  return {
    element,
    read() {
      const periods: Period[] = [];
      for (const [day, list] of days) {
        for (const row of list.querySelectorAll<HTMLElement>('.period')) {
          const start = row.querySelector<HTMLInputElement>('[data-key="start"]')!;
          const end = row.querySelector<HTMLInputElement>('[data-key="end"]')!;
          const store = row.querySelector<HTMLSelectElement>('[data-key="store"]');
          const i = periods.length;
          start.name = `${o.prefix}.${i}.${o.startKey}`;
          end.name = `${o.prefix}.${i}.${o.endKey}`;
          if (store) store.name = `${o.prefix}.${i}.store`;
          periods.push({ weekday: day, start: start.value, end: end.value, ...(store ? { store: store.value } : {}) });
        }
      }
      return periods;
    },
  };
}

export interface SpecialDayRow {
  date: string;
  opens: string | null;
  closes: string | null;
  label: string;
}

export interface SpecialDaysEditor {
  element: HTMLElement;
  read(): SpecialDayRow[];
}

/** Holidays (closed all day) and days with special hours. */
export function specialDaysEditor(rows: SpecialDayRow[], readOnly: boolean): SpecialDaysEditor {
  const list = el('div', { class: 'special-list' });
  const element = el('div', { class: 'special-editor' }, list,
    readOnly ? null : button({ class: 'btn btn-secondary btn-small' }, '+ Add a special day', () => {
      const row = rowOf({ date: '', opens: null, closes: null, label: '' });
      list.querySelector('.empty')?.remove();
      list.append(row);
      row.querySelector<HTMLElement>('input')?.focus();
    }));

  function rowOf(d: SpecialDayRow): HTMLElement {
    const errorId = `${uid('sd')}-error`;
    const date = el('input', { type: 'date', value: d.date, required: true, disabled: readOnly, 'data-key': 'date', 'aria-label': 'Date', 'aria-describedby': errorId });
    const label = el('input', { type: 'text', value: d.label, maxlength: 100, disabled: readOnly, 'data-key': 'label', 'aria-label': 'Label', placeholder: 'e.g. Christmas', 'aria-describedby': errorId });
    const closedId = uid('closed');
    const closed = el('input', { type: 'checkbox', id: closedId, disabled: readOnly, 'data-key': 'closed' });
    closed.checked = d.opens === null;
    const opens = el('input', { type: 'time', value: d.opens ?? '10:00', disabled: readOnly, 'data-key': 'opens', 'aria-label': 'Opens', 'aria-describedby': errorId });
    const closes = el('input', { type: 'time', value: d.closes ?? '16:00', disabled: readOnly, 'data-key': 'closes', 'aria-label': 'Closes', 'aria-describedby': errorId });
    const times = el('span', { class: 'special-times', hidden: closed.checked }, opens, el('span', { 'aria-hidden': 'true' }, '–'), closes);
    closed.addEventListener('change', () => { times.hidden = closed.checked; });
    const row = el('div', { class: 'special-row' },
      date, label,
      el('span', { class: 'field-check' }, closed, el('label', { for: closedId }, 'Closed all day')),
      times,
      readOnly ? null : button({ class: 'btn-icon', 'aria-label': 'Remove this special day' }, [el('span', { 'aria-hidden': 'true' }, '×')], () => {
        row.remove();
        if (!list.querySelector('.special-row')) list.append(el('p', { class: 'empty' }, 'No special days.'));
      }),
      el('p', { id: errorId, class: 'field-error', hidden: true }));
    return row;
  }

  if (rows.length === 0) replaceChildren(list, el('p', { class: 'empty' }, 'No special days.'));
  else for (const r of rows) list.append(rowOf(r));

  return {
    element,
    read() {
      return [...list.querySelectorAll<HTMLElement>('.special-row')].map((row, i) => {
        const get = (key: string) => row.querySelector<HTMLInputElement>(`[data-key="${key}"]`)!;
        for (const key of ['date', 'label', 'opens', 'closes']) get(key).name = `specialDays.${i}.${key}`;
        const closed = get('closed').checked;
        return { date: get('date').value, label: get('label').value.trim(), opens: closed ? null : get('opens').value, closes: closed ? null : get('closes').value };
      });
    },
  };
}
