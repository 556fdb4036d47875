import { append, el, type Child } from '../../web-ui/dom.ts';
import { api, ApiError, type Address, type Equipment, type Me, type ServiceOption, type Window } from './api.ts';
import { pinMap } from './pin-map.ts';
import { TEXTS, type Locale, type Texts } from './texts.ts';

/**
 * The customer page (product document 002): sign in by emailed code → appliance or contract →
 * address and pin → service and start date → arrival windows → summary → draft booked.
 */
interface Visit {
  equipment?: Equipment;
  contractId?: string | null;
  task?: string;
  address?: Address;
  serviceId?: string;
  service?: ServiceOption;
  from?: string;
  window?: Window;
  holdId?: string;
}

const params = new URLSearchParams(location.search);
const app = document.getElementById('app')!;
let locale: Locale = params.get('lang') === 'fr' || (!params.get('lang') && navigator.language.startsWith('fr')) ? 'fr' : 'en';
let me: Me | null = null;
let visit: Visit = {};
let redraw: () => void | Promise<void> = signIn;

const t = (): Texts => TEXTS[locale];
const names = (n: { en: string; fr: string }) => n[locale] || n.en;
const today = () => new Date().toISOString().slice(0, 10);

function screen(title: string, ...children: Child[]): void {
  document.documentElement.lang = locale;
  document.title = t().title;
  app.replaceChildren();
  const language = el('button', { type: 'button', class: 'secondary', id: 'language' }, t().language);
  language.addEventListener('click', () => { locale = locale === 'en' ? 'fr' : 'en'; void Promise.resolve(redraw()).catch(showError); });
  const out = me ? el('button', { type: 'button', class: 'secondary', id: 'sign-out' }, t().signOut) : null;
  out?.addEventListener('click', () => void api('POST', 'sign-out').then(() => { me = null; visit = {}; show(signIn); }));
  append(app, [
    el('header', {}, el('h1', {}, t().title), el('div', {}, language, out)),
    me ? el('p', {}, t().hello(me.customer.name)) : null,
    el('section', {}, el('h2', {}, title), ...children),
  ]);
}

function show(render: () => void | Promise<void>): void {
  redraw = render;
  void Promise.resolve(render()).catch(showError);
}

function button(label: string, onClick: () => void | Promise<void>, attributes: Record<string, string> = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attributes }, label);
  b.addEventListener('click', () => {
    b.disabled = true;
    Promise.resolve(onClick()).catch(showError).finally(() => { b.disabled = false; });
  });
  return b;
}

function showError(error: unknown): void {
  const message = error instanceof ApiError ? error.message : t().error;
  app.querySelector('.error')?.remove();
  app.querySelector('section')?.append(el('p', { class: 'error', role: 'alert' }, message));
}

// ---- sign in ---------------------------------------------------------------------------------

function signIn(): void {
  const email = el('input', { id: 'email', type: 'email', autocomplete: 'email', required: true });
  screen(t().title, el('p', {}, t().signInIntro), el('label', { for: 'email' }, t().email), email,
    button(t().sendCode, async () => {
      const { attemptId } = await api<{ attemptId: string }>('POST', 'sign-in', { email: email.value, locale });
      show(() => enterCode(email.value, attemptId));
    }, { id: 'send-code' }));
}

function enterCode(email: string, attemptId: string): void {
  const code = el('input', { id: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' });
  screen(t().title, el('p', {}, t().codeSent), el('label', { for: 'code' }, t().code), code,
    button(t().signIn, async () => {
      await api('POST', 'verify', { attemptId, email, code: code.value });
      await start();
    }, { id: 'sign-in' }),
    button(t().back, () => show(signIn), { class: 'secondary' }));
}

async function start(): Promise<void> {
  me = await api<Me>('GET', 'me');
  if (!params.get('lang')) locale = me.customer.locale;
  visit = {};
  const contractId = params.get('contract');
  if (contractId && me.contracts.some((c) => c.id === contractId)) return pickContract(contractId);
  show(choose);
}

// ---- appliance or contract -------------------------------------------------------------------

async function pickContract(contractId: string): Promise<void> {
  const p = await api<{ equipmentId: string; addressId: string; serviceId: string; task: string; contractId: string }>('GET', `contracts/${contractId}/prefill`);
  visit = {
    equipment: me!.equipment.find((e) => e.id === p.equipmentId)!, contractId: p.contractId, task: p.task, serviceId: p.serviceId,
    address: me!.addresses.find((a) => a.id === p.addressId)!,
  };
  show(addressStep);
}

function applianceLabel(e: Equipment): string {
  return [names(e.typeNames), e.make, e.model].filter(Boolean).join(' · ');
}

function choose(): void {
  const m = me!;
  const radio = (value: string, label: string, hint: string) => el('label', { class: 'choice' },
    el('input', { type: 'radio', name: 'pick', value }), el('span', {}, label, hint ? el('br') : null, hint ? el('small', {}, hint) : null));
  const contracts = m.contracts.map((c) => {
    const e = m.equipment.find((x) => x.id === c.equipmentId);
    return radio(`contract:${c.id}`, e ? applianceLabel(e) : c.task, t().contractDue(c.task, new Date(`${c.nextDueOn}T12:00:00Z`).toLocaleDateString(locale)));
  });
  const equipment = m.equipment.map((e) => radio(`equipment:${e.id}`, applianceLabel(e), e.serialNumber));
  screen(t().chooseIntro,
    contracts.length ? el('h3', {}, t().contracts) : null, ...contracts,
    el('h3', {}, t().equipment), ...(equipment.length ? equipment : [el('p', {}, t().noEquipment)]),
    button(t().next, async () => {
      const picked = app.querySelector<HTMLInputElement>('input[name=pick]:checked')?.value;
      if (!picked) return;
      const [kind, id] = picked.split(':') as [string, string];
      if (kind === 'contract') return pickContract(id);
      const e = m.equipment.find((x) => x.id === id)!;
      visit = { equipment: e, contractId: null, address: m.addresses.find((a) => a.id === e.addressId)! };
      show(addressStep);
    }, { id: 'choose-next' }),
    m.canRegisterEquipment ? registerForm() : null);
}

function registerForm(): HTMLElement {
  const m = me!;
  const type = el('select', { id: 'new-type' }, ...m.equipmentTypes.map((x) => el('option', { value: x.id }, names(x.names))));
  const address = el('select', { id: 'new-address' }, ...m.addresses.map((a) => el('option', { value: a.id }, `${a.addressLine}, ${a.city}`)));
  const field = (id: string, label: string, type = 'text') => {
    const input = el('input', { id, type });
    return { input, nodes: [el('label', { for: id }, label), input] };
  };
  const make = field('new-make', t().make);
  const model = field('new-model', t().model);
  const serial = field('new-serial', t().serial);
  const installed = field('new-installed', t().installedOn, 'date');
  return el('details', {}, el('summary', {}, t().registerTitle),
    el('label', { for: 'new-type' }, t().type), type, el('label', { for: 'new-address' }, t().address), address,
    ...make.nodes, ...model.nodes, ...serial.nodes, ...installed.nodes,
    button(t().register, async () => {
      await api('POST', 'equipment', {
        typeId: type.value, addressId: address.value, make: make.input.value, model: model.input.value,
        serialNumber: serial.input.value, installedOn: installed.input.value || null,
      });
      me = await api<Me>('GET', 'me');
      show(choose);
    }, { id: 'register' }));
}

// ---- address and pin -------------------------------------------------------------------------

function addressStep(): void {
  const a = visit.address!;
  const map = pinMap(t(), a, me!.tiles);
  const comment = el('textarea', { id: 'access-comment', rows: 2, maxlength: 500 }, a.accessComment);
  screen(t().addressTitle,
    el('p', {}, el('strong', {}, `${a.addressLine}, ${a.postcode} ${a.city}`)),
    el('p', {}, t().addressIntro), map.element,
    el('label', { for: 'access-comment' }, t().comment), comment,
    button(t().confirmAddress, async () => {
      const { address } = await api<{ address: Address }>('PUT', `addresses/${a.id}`, { ...map.value(), accessComment: comment.value });
      visit.address = address;
      show(serviceStep);
    }, { id: 'confirm-address' }),
    button(t().back, () => show(choose), { class: 'secondary' }));
}

// ---- service, date, windows ------------------------------------------------------------------

async function serviceStep(): Promise<void> {
  const { services } = await api<{ services: ServiceOption[] }>('GET', `equipment/${visit.equipment!.id}/services`);
  const select = el('select', { id: 'service', disabled: Boolean(visit.contractId) },
    ...services.map((s) => el('option', { value: s.id, selected: s.id === visit.serviceId }, names(s.names))));
  const from = el('input', { id: 'from', type: 'date', min: today(), value: visit.from ?? today() });
  screen(t().serviceTitle,
    el('label', { for: 'service' }, t().service), select,
    visit.task ? el('p', { id: 'task' }, `${t().task}: ${visit.task}`) : null,
    el('label', { for: 'from' }, t().from), from,
    button(t().showWindows, async () => {
      visit.service = services.find((s) => s.id === select.value)!;
      visit.serviceId = visit.service.id;
      visit.from = from.value || today();
      await windowsStep();
    }, { id: 'show-windows' }),
    button(t().back, () => show(addressStep), { class: 'secondary' }));
}

async function windowsStep(): Promise<void> {
  const q = new URLSearchParams({
    equipmentId: visit.equipment!.id, addressId: visit.address!.id, serviceId: visit.serviceId!, from: visit.from!,
    ...(visit.contractId ? { contractId: visit.contractId } : {}),
  });
  const { windows, timeZone } = await api<{ windows: Window[]; timeZone: string }>('GET', `windows?${q}`);
  const day = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', timeZone });
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone });
  const label = (w: Window) => `${day.format(new Date(w.start))}, ${time.format(new Date(w.start))}–${time.format(new Date(w.end))}`;
  const list = el('div', { class: 'windows' });
  let lastDay = '';
  for (const w of windows) {
    const d = day.format(new Date(w.start));
    if (d !== lastDay) list.append(el('div', { class: 'day' }, (lastDay = d)));
    list.append(button(`${time.format(new Date(w.start))}–${time.format(new Date(w.end))}`, async () => {
      const { hold } = await api<{ hold: { id: string } }>('POST', 'holds', {
        equipmentId: visit.equipment!.id, contractId: visit.contractId ?? null, addressId: visit.address!.id,
        serviceId: visit.serviceId, windowStart: w.start,
      });
      visit.window = w;
      visit.holdId = hold.id;
      show(() => summaryStep(label(w)));
    }, { 'data-start': w.start }));
  }
  const later = () => {
    const next = new Date(`${visit.from}T12:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 7);
    visit.from = next.toISOString().slice(0, 10);
    return windowsStep();
  };
  redraw = windowsStep;
  screen(t().windowsTitle, el('p', {}, t().windowsIntro(me!.arrivalWindowMinutes)),
    windows.length ? list : el('p', { id: 'no-windows' }, t().noWindows),
    button(t().later, later, { class: 'secondary' }),
    button(t().back, () => show(serviceStep), { class: 'secondary' }));
}

function summaryStep(windowLabel: string): void {
  const a = visit.address!;
  screen(t().summaryTitle,
    el('dl', {},
      el('dt', {}, t().appliance), el('dd', {}, applianceLabel(visit.equipment!)),
      el('dt', {}, t().service), el('dd', {}, names(visit.service!.names)),
      visit.task ? el('dt', {}, t().task) : null, visit.task ? el('dd', {}, visit.task) : null,
      el('dt', {}, t().address), el('dd', {}, `${a.addressLine}, ${a.postcode} ${a.city}`, a.accessComment ? ` (${a.accessComment})` : ''),
      el('dt', {}, t().window), el('dd', { id: 'summary-window' }, windowLabel)),
    button(t().validate, async () => {
      await api('POST', 'drafts', {
        holdId: visit.holdId, equipmentId: visit.equipment!.id, contractId: visit.contractId ?? null, addressId: a.id,
        serviceId: visit.serviceId, task: visit.task ?? '',
      });
      show(doneStep);
    }, { id: 'validate' }),
    button(t().back, () => windowsStep(), { class: 'secondary' }));
}

function doneStep(): void {
  screen(t().doneTitle, el('p', { id: 'done' }, t().done), button(t().another, () => start(), { class: 'secondary' }));
}

// A session cookie from earlier makes /me answer: skip the sign-in then.
api<Me>('GET', 'me').then(() => start(), () => show(signIn)).catch(showError);
