import { errorMessage } from '../../api.ts';
import type { AppContext } from '../../context.ts';
import { button, el, errorBlock, loading, replaceChildren } from '../../ui/dom.ts';
import { busy, checkboxField, clearErrors, formAlert, showError, textField } from '../../ui/forms.ts';
import type { SectionView } from './index.ts';

interface PhoneNumber {
  phone: string;
  sms: boolean;
  whatsapp: boolean;
}

const MAX_NUMBERS = 20;

/** Admins: the brand's Twilio numbers customers text the chat on (SMS, WhatsApp), and where Twilio sends their messages. */
export function phoneNumbersSection(ctx: AppContext): SectionView {
  const body = el('div', {}, loading());
  const element = el('section', { class: 'card', 'aria-labelledby': 'phone-numbers-title' },
    el('h2', { id: 'phone-numbers-title', class: 'card-title' }, 'Phone numbers'),
    el('p', { class: 'muted' }, 'Customers can book by texting these numbers over SMS or WhatsApp; the chat answers from the number they wrote to.'),
    body);

  async function load() {
    try {
      render(await ctx.api.get<{ numbers: PhoneNumber[]; webhookUrl: string }>('/settings/phone-numbers'));
    } catch (error) {
      replaceChildren(body, errorBlock(errorMessage(error), () => void load()));
    }
  }

  function render({ numbers, webhookUrl }: { numbers: PhoneNumber[]; webhookUrl: string }) {
    const list = el('ol', { class: 'rows' });
    const add = button({ class: 'btn btn-link btn-small' }, '+ Add a number', () => {
      list.append(numberRow({ phone: '', sms: true, whatsapp: false }));
      renumber();
      list.querySelector<HTMLElement>('li:last-child input')?.focus();
    });
    // Names follow the API's fields (numbers.0.phone…), so a refusal lands on its row.
    const renumber = () => {
      [...list.children].forEach((li, i) => {
        for (const control of li.querySelectorAll<HTMLInputElement>('[data-field]')) control.name = `numbers.${i}.${control.dataset['field']}`;
      });
      add.hidden = list.children.length >= MAX_NUMBERS;
    };
    const numberRow = (n: PhoneNumber): HTMLElement => {
      const li = el('li', { class: 'row-item row-item-block' },
        textField({ label: 'Number', name: 'phone', value: n.phone, type: 'tel', hint: 'International format, e.g. +33 7 00 00 00 00', attrs: { 'data-field': 'phone', autocomplete: 'off' } }),
        checkboxField({ label: 'SMS', name: 'sms', checked: n.sms, attrs: { 'data-field': 'sms' } }),
        checkboxField({ label: 'WhatsApp', name: 'whatsapp', checked: n.whatsapp, attrs: { 'data-field': 'whatsapp' } }));
      li.append(button({ class: 'btn btn-link btn-small' }, 'Remove this number', () => { li.remove(); renumber(); }));
      return li;
    };
    for (const n of numbers) list.append(numberRow(n));
    const submit = el('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
    const form = el('form', { class: 'form', novalidate: true }, formAlert(), list, add, el('div', { class: 'form-actions' }, submit));
    renumber();

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors(form);
      const control = (li: Element, field: string) => li.querySelector<HTMLInputElement>(`[data-field="${field}"]`)!;
      const payload = {
        numbers: [...list.children].map((li) => ({
          phone: control(li, 'phone').value.trim(), sms: control(li, 'sms').checked, whatsapp: control(li, 'whatsapp').checked,
        })),
      };
      void busy(submit, 'Saving…', async () => {
        try {
          await ctx.api.put('/settings/phone-numbers', payload);
          ctx.toast('success', 'Phone numbers saved.');
        } catch (error) {
          showError(form, error);
        }
      });
    });
    replaceChildren(body, el('p', {}, 'At Twilio, set each number’s “A message comes in” webhook to ', el('code', {}, webhookUrl), ' (HTTP POST).'), form);
  }

  void load();
  return { element };
}
