import { formatDay, formatUtc } from '../../format.ts';
import type { SlotDay } from '../../types.ts';
import { el, empty, uid } from '../dom.ts';

/**
 * Free times as radio buttons grouped by day (one fieldset per day), named `start` (the instant):
 * arrow keys move within a day, Tab moves between days.
 */
export function renderSlotPicker(days: SlotDay[], o: { name?: string; current?: string; zoneLabel: string }): HTMLElement {
  const name = o.name ?? 'start';
  const withSlots = days.filter((d) => d.slots.length > 0);
  if (withSlots.length === 0) return empty('No free times in this period. Try later dates.');
  const errorId = `${uid('slots')}-error`;
  return el('div', { class: 'slot-days', 'data-field': name, 'aria-describedby': errorId, tabindex: -1 },
    el('p', { id: errorId, class: 'field-error', hidden: true }),
    ...withSlots.map((day) => {
      const legendId = uid('day');
      return el('fieldset', { class: 'slot-day', 'aria-labelledby': legendId },
        el('legend', { id: legendId }, formatDay(day.date)),
        el('div', { class: 'slot-list' }, ...day.slots.map((slot) => {
          const id = uid('slot');
          const input = el('input', { type: 'radio', name, id, value: slot.start, class: 'slot-input' });
          if (o.current === slot.start) input.disabled = true;
          return el('span', { class: 'slot' }, input,
            el('label', { for: id, title: `${formatUtc(slot.start)}${slot.free > 1 ? ` · ${slot.free} advisors free` : ''}` },
              slot.time, o.current === slot.start ? el('span', { class: 'sr-only' }, ' (current time)') : null));
        })));
    }),
    el('p', { class: 'field-hint' }, `Times in ${o.zoneLabel}.`));
}
