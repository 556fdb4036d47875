import { errorMessage } from '../../api.ts';
import type { AppContext } from '../../context.ts';
import { el, errorBlock, loading, replaceChildren } from '../../ui/dom.ts';
import { busy, checkboxField, clearErrors, formAlert, showError, textField } from '../../ui/forms.ts';
import { controlIn, rowList } from '../../ui/row-list.ts';
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
    const rows = rowList<PhoneNumber>({
      prefix: 'numbers', addLabel: '+ Add a number', removeLabel: 'Remove this number', max: MAX_NUMBERS,
      blank: () => ({ phone: '', sms: true, whatsapp: false }),
      controls: (n) => [
        textField({ label: 'Number', name: 'phone', value: n.phone, type: 'tel', hint: 'International format, e.g. +33 7 00 00 00 00', attrs: { 'data-field': 'phone', autocomplete: 'off' } }),
        checkboxField({ label: 'SMS', name: 'sms', checked: n.sms, attrs: { 'data-field': 'sms' } }),
        checkboxField({ label: 'WhatsApp', name: 'whatsapp', checked: n.whatsapp, attrs: { 'data-field': 'whatsapp' } }),
      ],
    });
    rows.show(numbers);
    const submit = el('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
    const form = el('form', { class: 'form', novalidate: true }, formAlert(), rows.list, rows.add, el('div', { class: 'form-actions' }, submit));

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearErrors(form);
      const payload = {
        numbers: rows.rows().map((li) => ({
          phone: controlIn(li, 'phone').value.trim(), sms: controlIn(li, 'sms').checked, whatsapp: controlIn(li, 'whatsapp').checked,
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
