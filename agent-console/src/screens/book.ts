import { ApiError, errorMessage, type Query } from '../api.ts';
import { newClientId } from '../../../web-ui/client-id.ts';
import { debounce, type AppContext, type Screen } from '../context.ts';
import { MODE_LABELS, formatDateTime, zoneAbbreviation } from '../format.ts';
import { routes } from '../router.ts';
import type { AppointmentListItem, AvailabilityReply, Mode, Service } from '../types.ts';
import { button, el, errorBlock, heading, loading, replaceChildren, section } from '../ui/dom.ts';
import { busy, clearErrors, fieldWrapper, formAlert, radioGroup, selectControl, showError, showFieldError, textArea, textField, valueOf } from '../ui/forms.ts';
import { renderSlotPicker } from '../ui/render/slot-picker.ts';

/**
 * Booking on a customer's behalf (a phone call): service, mode, store or home address, a free time,
 * the customer's contact. The booking is sent with an idempotency key, so a double click or a retry
 * after a network error books once.
 */
export function bookScreen(ctx: AppContext): Screen {
  const session = ctx.session();
  const admin = session.staff.role === 'admin';
  const title = heading('Book for a customer');
  const alert = formAlert();
  const form = el('form', { class: 'form book-form', novalidate: true, 'aria-labelledby': 'book-title' }, alert, loading());
  title.id = 'book-title';
  const element = el('div', { class: 'screen screen-book' },
    el('header', { class: 'screen-header' }, el('div', {}, title,
      el('p', { class: 'screen-intro' }, 'For a customer on the phone or at the counter: they receive the usual confirmation.'))),
    form);

  let services: Service[] = [];
  let idempotencyKey = newClientId();
  let from: string | undefined;
  let previous: (string | undefined)[] = [];
  let availability: AvailabilityReply | null = null;
  /** The time picked, kept while the list of free times is reloaded. */
  let chosenStart = '';

  const modeHolder = el('div', {});
  const storeHolder = el('div', {});
  const homeHolder = el('div', { class: 'home-fields', hidden: true });
  const slotsHolder = el('div', { class: 'slots-holder', 'aria-live': 'polite' });
  const slotsPager = el('div', { class: 'pager' });

  const service = () => services.find((s) => s.id === valueOf(form, 'service'));
  const mode = () => valueOf(form, 'mode') as Mode | '';

  function renderModes() {
    const s = service();
    const current = mode();
    const modes = s?.modes ?? [];
    replaceChildren(modeHolder, radioGroup({
      legend: 'Mode', name: 'mode', required: true, className: 'radio-group radio-inline',
      options: modes.map((m) => ({ value: m, label: MODE_LABELS[m] })),
      value: modes.includes(current as Mode) ? current : modes[0],
    }));
    renderPlace();
  }

  function renderPlace() {
    const m = mode();
    const stores = session.staff.stores;
    const needsStore = m === 'in_store' || (m === 'online' && !admin);
    storeHolder.hidden = m === 'at_home';
    homeHolder.hidden = m !== 'at_home';
    const current = valueOf(form, 'store');
    replaceChildren(storeHolder, fieldWrapper({ label: 'Store', required: needsStore, hint: m === 'online' ? 'The store whose advisors hold the video call.' : undefined },
      selectControl('store', [
        ...(needsStore ? [] : [{ value: '', label: 'Any store (any advisor)' }]),
        ...stores.map((st) => ({ value: st.id, label: st.name })),
      ], stores.some((st) => st.id === current) ? current : needsStore ? stores[0]?.id ?? '' : '', { required: needsStore })));
  }

  function availabilityQuery(): Query | null {
    const s = service();
    const m = mode();
    if (!s || !m) return null;
    const q: Query = { service: s.id, mode: m };
    if (m === 'at_home') {
      const lat = valueOf(form, 'home.latitude').trim();
      const lng = valueOf(form, 'home.longitude').trim();
      if (!lat || !lng || Number.isNaN(Number(lat)) || Number.isNaN(Number(lng))) return null;
      q.lat = lat;
      q.lng = lng;
    } else {
      const store = valueOf(form, 'store');
      if (store) q.store = store;
      else if (m === 'in_store') return null;
    }
    const day = valueOf(form, 'from');
    if (from) q.from = from;
    else if (day) q.from = day;
    return q;
  }

  let loadNo = 0;
  async function loadSlots() {
    const q = availabilityQuery();
    const no = ++loadNo;
    if (!q) {
      availability = null;
      replaceChildren(slotsHolder, el('p', { class: 'empty' }, mode() === 'at_home'
        ? 'Enter the home address and its coordinates to see free times.'
        : 'Choose a service, a mode and a store to see free times.'));
      replaceChildren(slotsPager);
      return;
    }
    replaceChildren(slotsHolder, loading('Looking for free times…'));
    try {
      const reply = await ctx.api.get<AvailabilityReply>('/availability', q);
      if (no !== loadNo) return;
      availability = reply;
      const firstSlot = reply.days.find((d) => d.slots.length)?.slots[0]?.start ?? new Date().toISOString();
      replaceChildren(slotsHolder, renderSlotPicker(reply.days, { zoneLabel: `${reply.timeZone} (${zoneAbbreviation(firstSlot, reply.timeZone)})` }));
      // The same time, still free, stays chosen.
      const again = [...slotsHolder.querySelectorAll<HTMLInputElement>('input[name="start"]')].find((i) => i.value === chosenStart);
      if (again) again.checked = true;
      const last = reply.days.at(-1)?.date ?? (typeof q.from === 'string' ? q.from : undefined);
      replaceChildren(slotsPager,
        button({ class: 'btn btn-secondary btn-small', disabled: previous.length === 0 }, '← Earlier', () => {
          from = previous.pop();
          void loadSlots();
        }),
        button({ class: 'btn btn-secondary btn-small', disabled: !last }, 'Later →', () => {
          previous = [...previous, from];
          from = nextDay(last);
          void loadSlots();
        }));
    } catch (error) {
      if (no !== loadNo) return;
      availability = null;
      replaceChildren(slotsHolder, errorBlock(errorMessage(error), () => void loadSlots()));
      replaceChildren(slotsPager);
    }
  }
  const fetchSlotsSoon = debounce(() => void loadSlots(), 300);
  /** The criteria changed: the times shown are stale at once (not clickable), new ones follow. */
  const loadSlotsSoon = () => {
    from = undefined;
    previous = [];
    loadNo++;
    replaceChildren(slotsHolder, loading('Looking for free times…'));
    replaceChildren(slotsPager);
    fetchSlotsSoon();
  };

  async function build() {
    try {
      services = (await ctx.catalog.services()).filter((s) => s.active);
    } catch (error) {
      replaceChildren(form, errorBlock(errorMessage(error), () => void build()));
      return;
    }
    const submit = el('button', { type: 'submit', class: 'btn btn-primary' }, 'Book appointment');
    replaceChildren(form,
      alert,
      section('1. What and where', { class: 'card book-what' },
        fieldWrapper({ label: 'Service', required: true }, selectControl('service', services.map((s) => ({
          value: s.id, label: `${s.name} · ${s.durationMinutes} min${s.bookingMode === 'request' ? ' · request' : ''}`,
        })), services[0]?.id, { required: true })),
        modeHolder,
        storeHolder,
        el('div', { class: 'home-wrap' }, homeHolder)),
      section('2. When', { class: 'card book-when' },
        textField({ label: 'From day', name: 'from', type: 'date', hint: 'Optional: leave empty for the next free times.' }),
        slotsHolder, slotsPager),
      section('3. Customer', { class: 'card book-customer' },
        el('div', { class: 'grid-2' },
          textField({ label: 'Full name', name: 'customer.name', required: true, attrs: { autocomplete: 'off', maxlength: 120 } }),
          fieldWrapper({ label: 'Language of messages' }, selectControl('customer.locale', [{ value: 'en', label: 'English' }, { value: 'fr', label: 'French' }], 'en')),
          textField({ label: 'Email', name: 'customer.email', type: 'email', hint: 'An email or a phone number is required.', attrs: { autocomplete: 'off', maxlength: 254 } }),
          textField({ label: 'Phone', name: 'customer.phone', type: 'tel', hint: 'International format, e.g. +33612345678.', attrs: { autocomplete: 'off', maxlength: 16 } })),
        textArea({ label: 'Notes', name: 'notes', hint: 'Visible to the advisor and in the confirmation.', attrs: { maxlength: 2000 } })),
      el('div', { class: 'form-actions book-actions' }, submit));
    replaceChildren(homeHolder,
      textField({ label: 'Home address', name: 'home.address', required: true, attrs: { autocomplete: 'off', maxlength: 300 } }),
      el('div', { class: 'grid-2' },
        textField({ label: 'Latitude', name: 'home.latitude', required: true, attrs: { inputmode: 'decimal' }, hint: 'Decimal degrees, e.g. 48.8566' }),
        textField({ label: 'Longitude', name: 'home.longitude', required: true, attrs: { inputmode: 'decimal' }, hint: 'Decimal degrees, e.g. 2.3522' })));
    renderModes();
    void loadSlots();

    form.addEventListener('change', (event) => {
      const name = (event.target as HTMLInputElement).name;
      if (name === 'start') chosenStart = (event.target as HTMLInputElement).value;
      if (name === 'service') renderModes();
      if (name === 'mode') renderPlace();
      if (['service', 'mode', 'store', 'from', 'home.latitude', 'home.longitude'].includes(name)) loadSlotsSoon();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (submit.disabled) return;
      clearErrors(form);
      const problem = check();
      if (problem) return showFieldError(form, problem.field, problem.message);
      void busy(submit, 'Booking…', () => send());
    });
  }

  function check(): { field: string; message: string } | null {
    const m = mode();
    if (!service()) return { field: 'service', message: 'Choose a service.' };
    if (!m) return { field: 'mode', message: 'Choose how the appointment takes place.' };
    if (m === 'in_store' && !valueOf(form, 'store')) return { field: 'store', message: 'Choose the store.' };
    if (m === 'at_home') {
      if (!valueOf(form, 'home.address').trim()) return { field: 'home.address', message: 'Enter the customer’s address.' };
      if (Number.isNaN(Number(valueOf(form, 'home.latitude'))) || !valueOf(form, 'home.latitude').trim()) return { field: 'home.latitude', message: 'Enter the latitude in decimal degrees.' };
      if (Number.isNaN(Number(valueOf(form, 'home.longitude'))) || !valueOf(form, 'home.longitude').trim()) return { field: 'home.longitude', message: 'Enter the longitude in decimal degrees.' };
    }
    if (!valueOf(form, 'start')) return { field: 'start', message: 'Pick a time.' };
    if (!valueOf(form, 'customer.name').trim()) return { field: 'customer.name', message: 'Enter the customer’s name.' };
    const email = valueOf(form, 'customer.email').trim();
    const phone = valueOf(form, 'customer.phone').trim().replace(/[\s.-]/g, '');
    if (!email && !phone) return { field: 'customer.email', message: 'Enter an email or a phone number: the confirmation goes there.' };
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return { field: 'customer.email', message: 'This email address looks wrong.' };
    if (phone && !/^\+[1-9]\d{6,14}$/.test(phone)) return { field: 'customer.phone', message: 'Use the international format, e.g. +33612345678.' };
    return null;
  }

  async function send() {
    const m = mode() as Mode;
    const email = valueOf(form, 'customer.email').trim();
    const phone = valueOf(form, 'customer.phone').trim().replace(/[\s.-]/g, '');
    const store = valueOf(form, 'store');
    const body = {
      service: service()!.id,
      mode: m,
      ...(m !== 'at_home' && store ? { store } : {}),
      ...(m === 'at_home' ? { home: { address: valueOf(form, 'home.address').trim(), latitude: Number(valueOf(form, 'home.latitude')), longitude: Number(valueOf(form, 'home.longitude')) } } : {}),
      start: valueOf(form, 'start'),
      customer: {
        name: valueOf(form, 'customer.name').trim(),
        ...(email ? { email } : {}),
        ...(phone ? { phone } : {}),
        locale: valueOf(form, 'customer.locale') || 'en',
      },
      ...(availability ? { timeZone: availability.timeZone } : {}),
      notes: valueOf(form, 'notes'),
    };
    try {
      const reply = await ctx.api.post<{ appointment: AppointmentListItem; replayed: boolean }>('/appointments', body, { 'idempotency-key': idempotencyKey });
      idempotencyKey = newClientId();
      const a = reply.appointment;
      ctx.toast('success', `Booked: ${a.customer.name}, ${a.service.name}, ${formatDateTime(a.start, a.timeZone)}${a.state === 'pending' ? ' (request, to confirm)' : ''}.`);
      ctx.refreshCounts();
      ctx.navigate(routes.appointment(a.id));
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'slot_unavailable' || error.code === 'hold_expired')) {
        idempotencyKey = newClientId();
        showFieldError(form, undefined, 'That time was just taken. The free times are updated: pick another one.');
        void loadSlots();
        return;
      }
      showError(form, error);
    }
  }

  void build();
  return { element, title: 'Book for a customer', destroy: () => fetchSlotsSoon.cancel() };
}

function nextDay(date: string | undefined): string | undefined {
  if (!date) return undefined;
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
