import { errorMessage } from '../../api.ts';
import { isAdmin, isManager, type AppContext } from '../../context.ts';
import { routes } from '../../router.ts';
import type { NotificationRouting, Store } from '../../types.ts';
import { el, empty, errorBlock, loading, replaceChildren, section } from '../../ui/dom.ts';
import { busy, checkboxField, checked, clearErrors, fieldWrapper, formAlert, selectControl, showError, textField, valueOf } from '../../ui/forms.ts';
import { specialDaysEditor, weeklyHoursEditor } from '../../ui/hours-editor.ts';
import type { SectionView } from './index.ts';

const ROUTING: [NotificationRouting, string, string][] = [
  ['headquarters', 'Headquarters', 'New requests are sent to the brand’s headquarters address.'],
  ['store', 'The store', 'New requests are sent to the store’s email address.'],
  ['salesman', 'The advisor', 'New requests are sent to the advisor given the appointment.'],
];

/** Stores: details and notification routing (admins), opening hours and special days (admins and the store's managers). */
export function storesSection(ctx: AppContext, storeId: string | undefined): SectionView {
  const role = ctx.session().staff.role;
  const admin = isAdmin(role);
  const canEditHours = isManager(role);
  const picker = el('div', {});
  const body = el('div', {}, loading());
  const element = el('div', { class: 'stack-l' },
    el('section', { class: 'card', 'aria-labelledby': 'stores-title' },
      el('h2', { id: 'stores-title', class: 'card-title' }, 'Stores'),
      el('p', { class: 'muted' }, admin ? 'Details, time zone, opening hours, holidays and where new requests are notified.'
        : canEditHours ? 'You can change the opening hours and special days of your stores; the other details are read-only.' : 'Read-only.'),
      picker),
    body);

  async function load() {
    try {
      const { stores } = await ctx.api.get<{ stores: Store[] }>('/stores');
      if (stores.length === 0) {
        replaceChildren(body, empty('No stores.'));
        return;
      }
      const store = stores.find((s) => s.id === storeId) ?? stores[0]!;
      if (stores.length > 1) {
        const select = selectControl('store', stores.map((s) => ({ value: s.id, label: `${s.name}${s.active ? '' : ' (inactive)'}` })), store.id);
        select.addEventListener('change', () => ctx.navigate(routes.settings('stores', select.value), true));
        replaceChildren(picker, fieldWrapper({ label: 'Store' }, select, 'field field-inline'));
      }
      render(store);
    } catch (error) {
      replaceChildren(body, errorBlock(errorMessage(error), () => void load()));
    }
  }

  /** A form that PATCHes the store with what `payload` reads. */
  function patchForm(store: Store, title: string, fields: Node[], payload: (form: HTMLFormElement) => Record<string, unknown>, readOnly: boolean): HTMLElement {
    const submit = el('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
    const form = el('form', { class: 'form', novalidate: true }, formAlert(), ...fields, readOnly ? null : el('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (readOnly || submit.disabled) return;
      clearErrors(form);
      void busy(submit, 'Saving…', async () => {
        try {
          const reply = await ctx.api.patch<{ store: Store }>(`/stores/${store.id}`, payload(form));
          Object.assign(store, reply.store);
          ctx.toast('success', `Saved: ${title.toLowerCase()} of ${reply.store.name}.`);
        } catch (error) {
          showError(form, error);
        }
      });
    });
    return section(title, { class: 'card' }, form);
  }

  function render(store: Store) {
    const ro = !admin;
    const text = (label: string, name: string, value: string | number | null, attrs: Record<string, string | number | boolean> = {}, hint?: string) =>
      textField({ label, name, value: value ?? '', attrs: { ...attrs, disabled: ro }, ...(hint ? { hint } : {}) });
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    const zoneList = el('datalist', { id: 'time-zones' }, ...zones.map((z) => el('option', { value: z })));
    const details = patchForm(store, 'Details', [
      el('div', { class: 'grid-2' },
        text('Name', 'name', store.name, { maxlength: 120, required: true }),
        text('Phone', 'phone', store.phone, { type: 'tel', maxlength: 16 }, 'International format, e.g. +33142000001'),
        text('Address', 'addressLine', store.addressLine, { maxlength: 200 }),
        text('Email', 'email', store.email, { type: 'email', maxlength: 254 }),
        text('Postcode', 'postcode', store.postcode, { maxlength: 20 }),
        text('City', 'city', store.city, { maxlength: 100 }),
        text('Country', 'country', store.country, { maxlength: 2, pattern: '[A-Z]{2}' }, 'Two-letter ISO code, e.g. FR'),
        text('Time zone', 'timeZone', store.timeZone, { list: 'time-zones', maxlength: 64 }, 'Opening hours and appointment times are read in this zone.'),
        text('Latitude', 'latitude', store.latitude, { inputmode: 'decimal' }, 'Decimal degrees (for the nearest-store search).'),
        text('Longitude', 'longitude', store.longitude, { inputmode: 'decimal' })),
      zoneList,
      fieldWrapper({ label: 'Notify new requests to', hint: ROUTING.map(([, l, h]) => `${l}: ${h}`).join(' ') },
        selectControl('notificationRouting', ROUTING.map(([v, l]) => ({ value: v, label: l })), store.notificationRouting, { disabled: ro })),
      checkboxField({ label: 'Active (customers can book here)', name: 'active', checked: store.active, attrs: { disabled: ro } }),
    ], (form) => {
      const nullable = (name: string) => valueOf(form, name).trim() || null;
      return {
        name: valueOf(form, 'name').trim(), addressLine: valueOf(form, 'addressLine').trim(), postcode: valueOf(form, 'postcode').trim(),
        city: valueOf(form, 'city').trim(), country: valueOf(form, 'country').trim().toUpperCase(),
        latitude: Number(valueOf(form, 'latitude')), longitude: Number(valueOf(form, 'longitude')),
        timeZone: valueOf(form, 'timeZone').trim(), email: nullable('email'), phone: nullable('phone'),
        notificationRouting: valueOf(form, 'notificationRouting'), active: checked(form, 'active'),
      };
    }, ro);

    const week = weeklyHoursEditor({
      periods: store.hours.map((h) => ({ weekday: h.weekday, start: h.opens, end: h.closes })),
      prefix: 'hours', startKey: 'opens', endKey: 'closes', readOnly: !canEditHours, label: 'Opening hours',
    });
    const hours = patchForm(store, 'Opening hours', [
      el('p', { class: 'muted small' }, `Local time of the store (${store.timeZone}). Several periods a day for a lunch break.`),
      week.element,
    ], () => ({ hours: week.read().map((p) => ({ weekday: p.weekday, opens: p.start, closes: p.end })) }), !canEditHours);

    const special = specialDaysEditor(store.specialDays.map((d) => ({ date: d.date, opens: d.opens, closes: d.closes, label: d.label })), !canEditHours);
    const specialDays = patchForm(store, 'Special days and holidays', [
      el('p', { class: 'muted small' }, 'Days the store is closed, or open at other hours, whatever the weekly hours say.'),
      special.element,
    ], () => ({ specialDays: special.read() }), !canEditHours);

    replaceChildren(body, details, hours, specialDays);
  }

  void load();
  return { element };
}
