import { errorMessage } from '../../api.ts';
import type { AppContext } from '../../context.ts';
import type { NotificationSettings } from '../../types.ts';
import { button, el, errorBlock, loading, replaceChildren, uid } from '../../ui/dom.ts';
import { busy, checkboxField, clearErrors, formAlert, selectControl, showError } from '../../ui/forms.ts';
import type { SectionView } from './index.ts';

const UNITS: [string, number][] = [['minutes', 1], ['hours', 60], ['days', 1440]];
const MAX_REMINDERS = 3;
const MAX_FOLLOW_UPS = 6;

/** An offset in minutes as a number and a unit (the largest that divides it). */
function offsetInput(label: string, minutes: number, name: string): HTMLElement {
  const [unit, size] = UNITS.slice().reverse().find(([, n]) => minutes % n === 0 && minutes >= n) ?? UNITS[0]!;
  const id = uid('off');
  const errorId = `${id}-error`;
  const number = el('input', { type: 'number', id, min: 0, value: minutes / size, class: 'input-narrow', 'data-role': 'amount', name, 'aria-describedby': errorId, inputmode: 'numeric' });
  const select = selectControl('', UNITS.map(([u]) => ({ value: u, label: u })), unit, { 'data-role': 'unit', 'aria-label': `${label}: unit` });
  return el('span', { class: 'offset' }, el('label', { for: id, class: 'sr-only' }, label), number, select, el('p', { id: errorId, class: 'field-error', hidden: true }));
}

function readOffset(row: HTMLElement): number {
  const amount = Number(row.querySelector<HTMLInputElement>('[data-role="amount"]')!.value);
  const unit = row.querySelector<HTMLSelectElement>('[data-role="unit"]')!.value;
  return Math.round(amount * (UNITS.find(([u]) => u === unit)?.[1] ?? 1));
}

/** Reminders (up to 3 emails + 1 SMS/WhatsApp) and follow-ups (up to 6), per product document 003. */
export function notificationsSection(ctx: AppContext): SectionView {
  const body = el('div', {}, loading());
  const element = el('section', { class: 'card', 'aria-labelledby': 'notifications-title' },
    el('h2', { id: 'notifications-title', class: 'card-title' }, 'Reminders and follow-ups'),
    el('p', { class: 'muted' }, 'What customers receive around their appointment. The texts are in Message templates.'),
    body);

  async function load() {
    try {
      const reply = await ctx.api.get<{ notifications: NotificationSettings; defaults: NotificationSettings }>('/settings/notifications');
      render(reply.notifications, reply.defaults);
    } catch (error) {
      replaceChildren(body, errorBlock(errorMessage(error), () => void load()));
    }
  }

  function render(settings: NotificationSettings, defaults: NotificationSettings) {
    const reminders = el('ol', { class: 'rows' });
    const followUps = el('ol', { class: 'rows' });
    const addReminder = button({ class: 'btn btn-link btn-small' }, '+ Add a reminder', () => {
      reminders.append(reminderRow({ offsetMinutes: 120, channel: 'email', enabled: true }));
      refresh();
      reminders.querySelector<HTMLElement>('li:last-child input')?.focus();
    });
    const addFollowUp = button({ class: 'btn btn-link btn-small' }, '+ Add a follow-up', () => {
      followUps.append(followUpRow({ offsetMinutes: 10080, enabled: true, onlyIfNotRebooked: true }));
      refresh();
      followUps.querySelector<HTMLElement>('li:last-child input')?.focus();
    });
    const refresh = () => {
      const r = reminders.children.length;
      const f = followUps.children.length;
      addReminder.hidden = r >= MAX_REMINDERS;
      addFollowUp.hidden = f >= MAX_FOLLOW_UPS;
      [...reminders.children].forEach((li, i) => { (li.querySelector('.row-title') as HTMLElement).textContent = `Reminder ${i + 1}`; });
      [...followUps.children].forEach((li, i) => { (li.querySelector('.row-title') as HTMLElement).textContent = `Follow-up ${i + 1}`; });
    };
    const removeButton = (li: HTMLElement, what: string) => button({ class: 'btn-icon', 'aria-label': `Remove this ${what}` }, [el('span', { 'aria-hidden': 'true' }, '×')], () => {
      li.remove();
      refresh();
    });
    function reminderRow(r: NotificationSettings['reminders'][number]): HTMLElement {
      const li = el('li', { class: 'row-item' });
      li.append(el('span', { class: 'row-title' }), offsetInput('Time before the appointment', r.offsetMinutes, ''), el('span', { class: 'muted' }, 'before, by email'),
        checkboxField({ label: 'On', name: '', checked: r.enabled, attrs: { 'data-role': 'enabled' } }), removeButton(li, 'reminder'));
      return li;
    }
    function followUpRow(f: NotificationSettings['followUps'][number]): HTMLElement {
      const li = el('li', { class: 'row-item' });
      li.append(el('span', { class: 'row-title' }), offsetInput('Time after the appointment', f.offsetMinutes, ''), el('span', { class: 'muted' }, 'after'),
        checkboxField({ label: 'On', name: '', checked: f.enabled, attrs: { 'data-role': 'enabled' } }),
        checkboxField({ label: 'Only if they have not booked again', name: '', checked: f.onlyIfNotRebooked, attrs: { 'data-role': 'rebooked' } }),
        removeButton(li, 'follow-up'));
      return li;
    }
    for (const r of settings.reminders) reminders.append(reminderRow(r));
    for (const f of settings.followUps) followUps.append(followUpRow(f));

    const sms = settings.smsReminder;
    const smsRow = el('div', { class: 'row-item' },
      checkboxField({ label: 'Send a text reminder', name: 'sms.enabled', checked: sms.enabled, role: 'switch' }),
      selectControl('sms.channel', [{ value: 'sms', label: 'by SMS' }, { value: 'whatsapp', label: 'by WhatsApp' }], sms.channel, { 'aria-label': 'Text reminder channel' }),
      offsetInput('Time before the appointment (text reminder)', sms.offsetMinutes, 'smsReminder.offsetMinutes'),
      el('span', { class: 'muted' }, 'before'));
    const channels = el('fieldset', { class: 'checkbox-group inline' }, el('legend', {}, 'Confirmations and updates are sent by'),
      checkboxField({ label: 'Email', name: 'confirm.email', checked: settings.confirmationChannels.email }),
      checkboxField({ label: 'SMS', name: 'confirm.sms', checked: settings.confirmationChannels.sms }),
      checkboxField({ label: 'WhatsApp', name: 'confirm.whatsapp', checked: settings.confirmationChannels.whatsapp }));

    const submit = el('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
    const form = el('form', { class: 'form', novalidate: true }, formAlert(),
      el('h3', { class: 'subhead' }, 'Reminder emails (up to 3)'), reminders, addReminder,
      el('h3', { class: 'subhead' }, 'Text reminder'), smsRow,
      el('h3', { class: 'subhead' }, 'Follow-up emails (up to 6)'), followUps, addFollowUp,
      el('h3', { class: 'subhead' }, 'Channels'), channels,
      el('div', { class: 'form-actions' },
        button({ class: 'btn btn-secondary' }, 'Back to defaults', () => render(defaults, defaults)),
        submit));
    refresh();

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors(form);
      const rows = (list: HTMLElement) => [...list.children] as HTMLElement[];
      const on = (row: HTMLElement, role: string) => row.querySelector<HTMLInputElement>(`[data-role="${role}"]`)!.checked;
      rows(reminders).forEach((row, i) => { row.querySelector<HTMLInputElement>('[data-role="amount"]')!.name = `reminders.${i}.offsetMinutes`; });
      rows(followUps).forEach((row, i) => { row.querySelector<HTMLInputElement>('[data-role="amount"]')!.name = `followUps.${i}.offsetMinutes`; });
      const checkedOf = (name: string) => form.querySelector<HTMLInputElement>(`[name="${name}"]`)!.checked;
      const payload: NotificationSettings = {
        reminders: rows(reminders).map((row) => ({ offsetMinutes: readOffset(row), channel: 'email', enabled: on(row, 'enabled') })),
        smsReminder: {
          enabled: checkedOf('sms.enabled'),
          channel: (form.querySelector<HTMLSelectElement>('[name="sms.channel"]')!.value as 'sms' | 'whatsapp'),
          offsetMinutes: readOffset(smsRow),
        },
        followUps: rows(followUps).map((row) => ({ offsetMinutes: readOffset(row), enabled: on(row, 'enabled'), onlyIfNotRebooked: on(row, 'rebooked') })),
        confirmationChannels: { email: checkedOf('confirm.email'), sms: checkedOf('confirm.sms'), whatsapp: checkedOf('confirm.whatsapp') },
      };
      void busy(submit, 'Saving…', async () => {
        try {
          await ctx.api.put('/settings/notifications', payload);
          ctx.toast('success', 'Reminders and follow-ups saved.');
        } catch (error) {
          showError(form, error);
        }
      });
    });
    replaceChildren(body, form);
  }

  void load();
  return { element };
}
