import { errorMessage } from '../../api.ts';
import type { AppContext } from '../../context.ts';
import { formatDateTime, formatRange, formatUtc, utcToZonedInput, zonedToUtc } from '../../format.ts';
import { routes } from '../../router.ts';
import type { AppointmentListItem, StaffDetail, StaffMember, Store, TimeOff } from '../../types.ts';
import { button, el, empty, errorBlock, link, loading, replaceChildren, section } from '../../ui/dom.ts';
import { confirmDialog } from '../../ui/dialog.ts';
import { busy, clearErrors, fieldWrapper, formAlert, selectControl, showError, showFieldError, textField, valueOf } from '../../ui/forms.ts';
import { weeklyHoursEditor } from '../../ui/hours-editor.ts';
import type { SectionView } from './index.ts';

/** Each advisor's weekly hours (per store) and time off; a manager for the people of their stores. */
export function staffHoursSection(ctx: AppContext, staffId: string | undefined): SectionView {
  const picker = el('div', {});
  const body = el('div', {}, loading());
  const element = el('div', { class: 'stack-l' },
    el('section', { class: 'card', 'aria-labelledby': 'staff-hours-title' },
      el('h2', { id: 'staff-hours-title', class: 'card-title' }, 'Staff hours and time off'),
      el('p', { class: 'muted' }, 'When each advisor can be booked. Time off blocks new bookings; appointments already booked in it are listed to move or cancel.'),
      picker),
    body);
  let stores: Store[] = [];

  async function load() {
    try {
      const [people, storeReply] = await Promise.all([
        ctx.catalog.staff(),
        ctx.api.get<{ stores: Store[] }>('/stores'),
      ]);
      stores = storeReply.stores;
      const bookable = people.filter((p) => p.active);
      if (bookable.length === 0) {
        replaceChildren(body, empty('No staff in your stores.'));
        return;
      }
      const chosen = bookable.find((p) => p.id === staffId) ?? bookable[0]!;
      const select = selectControl('staff', bookable.map((p: StaffMember) => ({ value: p.id, label: p.name })), chosen.id);
      select.addEventListener('change', () => ctx.navigate(routes.settings('staff-hours', select.value), true));
      replaceChildren(picker, fieldWrapper({ label: 'Staff member' }, select, 'field field-inline'));
      await show(chosen.id);
    } catch (error) {
      replaceChildren(body, errorBlock(errorMessage(error), () => void load()));
    }
  }

  async function show(id: string) {
    replaceChildren(body, loading());
    try {
      const { staff } = await ctx.api.get<{ staff: StaffDetail }>(`/staff/${id}`);
      render(staff);
    } catch (error) {
      replaceChildren(body, errorBlock(errorMessage(error), () => void show(id)));
    }
  }

  function render(staff: StaffDetail) {
    const mine = new Set(ctx.session().staff.stores.map((s) => s.id));
    const storeOptions = stores.filter((s) => mine.has(s.id)).map((s) => ({ value: s.id, label: s.name }));
    const zone = stores.find((s) => s.id === staff.homeStoreId)?.timeZone ?? stores[0]?.timeZone ?? 'UTC';

    // Weekly hours.
    const week = weeklyHoursEditor({
      periods: staff.hours.map((h) => ({ weekday: h.weekday, start: h.starts, end: h.ends, store: h.store })),
      prefix: 'hours', startKey: 'starts', endKey: 'ends', stores: storeOptions, readOnly: false, label: `${staff.name}'s hours`,
    });
    const submit = el('button', { type: 'submit', class: 'btn btn-primary' }, 'Save hours');
    const hoursForm = el('form', { class: 'form', novalidate: true }, formAlert(),
      el('p', { class: 'muted small' }, 'Local time of each store.'), week.element, el('div', { class: 'form-actions' }, submit));
    hoursForm.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors(hoursForm);
      void busy(submit, 'Saving…', async () => {
        try {
          const hours = week.read().map((p) => ({ store: p.store!, weekday: p.weekday, starts: p.start, ends: p.end }));
          await ctx.api.put(`/staff/${staff.id}/hours`, { hours });
          ctx.toast('success', `Saved ${staff.name}'s hours.`);
        } catch (error) {
          showError(hoursForm, error);
        }
      });
    });

    // Time off.
    const list = el('div', {});
    const conflicts = el('div', { 'aria-live': 'polite' });
    const renderTimeOff = (items: TimeOff[]) => {
      replaceChildren(list, items.length === 0 ? empty('No time off planned.') : el('ul', { class: 'plain-list' }, ...items.map((t) => el('li', { class: 'time-off' },
        el('span', {}, el('time', { datetime: t.startsAt, title: formatUtc(t.startsAt) }, formatDateTime(t.startsAt, zone)), ' → ',
          el('time', { datetime: t.endsAt, title: formatUtc(t.endsAt) }, formatDateTime(t.endsAt, zone)),
          t.reason ? el('span', { class: 'muted' }, ` · ${t.reason}`) : null),
        button({ class: 'btn btn-danger-outline btn-small', 'aria-label': `Remove time off from ${formatDateTime(t.startsAt, zone)}` }, 'Remove', () => void (async () => {
          if (!(await confirmDialog({ title: 'Remove time off', message: 'Remove this time off? The advisor can be booked again in it.', confirmLabel: 'Remove', danger: true }))) return;
          try {
            await ctx.api.delete(`/staff/${staff.id}/time-off/${t.id}`);
            staff.timeOff = staff.timeOff.filter((x) => x.id !== t.id);
            renderTimeOff(staff.timeOff);
            ctx.toast('success', 'Time off removed.');
          } catch (error) {
            ctx.toast('error', errorMessage(error));
          }
        })())))));
    };
    renderTimeOff(staff.timeOff);
    const add = el('button', { type: 'submit', class: 'btn btn-secondary' }, 'Add time off');
    const offForm = el('form', { class: 'form', novalidate: true }, formAlert(),
      el('div', { class: 'grid-3' },
        textField({ label: 'From', name: 'startsAt', type: 'datetime-local', required: true }),
        textField({ label: 'Until', name: 'endsAt', type: 'datetime-local', required: true }),
        textField({ label: 'Reason', name: 'reason', attrs: { maxlength: 200 }, hint: 'Optional, for colleagues.' })),
      el('p', { class: 'muted small' }, `Times in ${zone}.`),
      el('div', { class: 'form-actions' }, add));
    offForm.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors(offForm);
      const starts = valueOf(offForm, 'startsAt');
      const ends = valueOf(offForm, 'endsAt');
      if (!starts) return showFieldError(offForm, 'startsAt', 'When does it start?');
      if (!ends) return showFieldError(offForm, 'endsAt', 'When does it end?');
      if (ends <= starts) return showFieldError(offForm, 'endsAt', 'Must be after the start.');
      void busy(add, 'Adding…', async () => {
        try {
          const reply = await ctx.api.post<{ timeOff: TimeOff; conflicts: AppointmentListItem[] }>(`/staff/${staff.id}/time-off`, {
            startsAt: zonedToUtc(starts, zone), endsAt: zonedToUtc(ends, zone), reason: valueOf(offForm, 'reason').trim(),
          });
          staff.timeOff = [...staff.timeOff, reply.timeOff].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
          renderTimeOff(staff.timeOff);
          offForm.reset();
          ctx.toast('success', 'Time off added.');
          replaceChildren(conflicts, reply.conflicts.length === 0 ? '' : el('div', { class: 'banner banner-warning', role: 'alert' },
            el('p', {}, `${reply.conflicts.length} appointment${reply.conflicts.length === 1 ? ' is' : 's are'} already booked in this time off: move or cancel ${reply.conflicts.length === 1 ? 'it' : 'them'}.`),
            el('ul', {}, ...reply.conflicts.map((c) => el('li', {}, link(routes.appointment(c.id), `${c.customer.name} · ${c.service.name} · ${formatRange(c.start, c.end, c.timeZone)}`))))));
        } catch (error) {
          showError(offForm, error);
        }
      });
    });
    // Default: tomorrow, the whole working day.
    const tomorrow = utcToZonedInput(new Date(Date.now() + 86_400_000).toISOString(), zone).slice(0, 10);
    (offForm.querySelector('[name="startsAt"]') as HTMLInputElement).value = `${tomorrow}T09:00`;
    (offForm.querySelector('[name="endsAt"]') as HTMLInputElement).value = `${tomorrow}T19:00`;

    replaceChildren(body,
      section(`Weekly hours of ${staff.name}`, { class: 'card' }, hoursForm),
      section(`Time off of ${staff.name}`, { class: 'card' }, list, conflicts, el('h3', { class: 'subhead' }, 'Add time off'), offForm));
  }

  void load();
  return { element };
}
