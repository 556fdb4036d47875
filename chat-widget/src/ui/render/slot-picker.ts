import type { SlotsContent } from '../../../../bot/web-protocol.ts';
import { button, el } from '../dom.ts';
import { icon } from '../icons.ts';
import type { RenderContext } from './context.ts';

/** Free slots grouped by day, with paging to earlier and later periods. */
export function renderSlotPicker(content: SlotsContent, ctx: RenderContext): HTMLElement {
  const { t } = ctx;
  const days = content.days.filter((day) => day.slots.length > 0);
  const card = el('div', { class: 'rdv-card rdv-slots' });
  if (content.timeZone !== ctx.timeZone) card.appendChild(el('p', { class: 'rdv-caption' }, t.timesIn(content.timeZone)));
  if (days.length === 0) card.appendChild(el('p', { class: 'rdv-empty' }, t.noSlots));
  days.forEach((day, index) => {
    const labelId = `${ctx.idPrefix}-day-${index}`;
    card.appendChild(el('div', { class: 'rdv-day', role: 'group', 'aria-labelledby': labelId },
      el('p', { class: 'rdv-day-label', id: labelId }, day.label),
      el('div', { class: 'rdv-slot-grid' },
        ...day.slots.map((slot) => button({ class: 'rdv-slot' }, [slot.label], () =>
          ctx.send({ text: slot.label, value: { action: 'slot', start: slot.start } }))))));
  });
  if (content.earlier || content.later) {
    card.appendChild(el('div', { class: 'rdv-paging' },
      content.earlier && button({ class: 'rdv-link-button' }, [icon('earlier', 18), t.earlier], () =>
        ctx.send({ text: t.earlier, value: { action: 'earlier' } })),
      content.later && button({ class: 'rdv-link-button rdv-paging-later' }, [t.later, icon('later', 18)], () =>
        ctx.send({ text: t.later, value: { action: 'later' } }))));
  }
  return card;
}
