import type { FormContent } from '../../../../bot/web-protocol.ts';
import { button, el } from '../dom.ts';
import type { RenderContext } from './context.ts';
import { type FormField, formSummary, normalizeValue, validateField } from './form-validation.ts';

const INPUT_ATTRIBUTES: Record<FormField['type'], Record<string, string>> = {
  text: { type: 'text', autocomplete: 'on' },
  email: { type: 'email', inputmode: 'email', autocomplete: 'email', autocapitalize: 'off', spellcheck: 'false' },
  tel: { type: 'tel', inputmode: 'tel', autocomplete: 'tel' },
  code: { type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', autocapitalize: 'off', spellcheck: 'false', maxlength: '12' },
};

interface BoundField {
  field: FormField;
  input: HTMLInputElement;
  error: HTMLElement;
}

/** "(or mobile phone)" where the bot says what goes with the field, else "(optional)" for a field not required. */
function labelSuffix(field: FormField, optional: string): HTMLElement | false {
  const note = field.hint ?? (field.required ? undefined : optional);
  return note !== undefined && el('span', { class: 'rdv-optional' }, ` (${note})`);
}

/** A form the bot asks for (contact details, a one-time code…), validated inline before it is sent. */
export function renderFormCard(content: FormContent, ctx: RenderContext): HTMLElement {
  const { t } = ctx;
  const titleId = `${ctx.idPrefix}-title`;
  const form = el('form', { class: 'rdv-card rdv-form', novalidate: true, 'aria-labelledby': titleId },
    el('p', { class: 'rdv-card-title', id: titleId }, content.title));

  const bound = content.fields.map((field, index): BoundField => {
    const id = `${ctx.idPrefix}-${index}`;
    const error = el('p', { class: 'rdv-field-error', id: `${id}-error`, hidden: true });
    const input = el('input', {
      ...INPUT_ATTRIBUTES[field.type],
      ...(field.autocomplete ? { autocomplete: field.autocomplete } : {}),
      class: 'rdv-input', id, name: field.name, required: field.required, 'aria-describedby': error.id,
    });
    input.value = field.value ?? '';
    form.appendChild(el('div', { class: 'rdv-field' },
      el('label', { class: 'rdv-label', for: id }, field.label, labelSuffix(field, t.optional)),
      input, error));
    return { field, input, error };
  });

  const check = ({ field, input, error }: BoundField): boolean => {
    const message = validateField(field, input.value, t);
    error.textContent = message ?? '';
    error.hidden = message === null;
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    return message === null;
  };
  for (const b of bound) {
    // Judged on submit, then live while marked wrong. Not on blur: a message appearing then would shift
    // the submit button away from under the pointer between mousedown and click.
    b.input.addEventListener('input', () => { if (b.input.hasAttribute('aria-invalid')) check(b); });
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const invalid = bound.filter((b) => !check(b));
    if (invalid.length > 0) {
      invalid[0]!.input.focus();
      return;
    }
    const values = Object.fromEntries(bound.map(({ field, input }) => [field.name, normalizeValue(field, input.value)]));
    ctx.send({ text: formSummary(content, values), value: { action: 'form', form: content.form, values } });
    // A one-time code does not stay on screen once sent.
    for (const { field, input } of bound) if (field.type === 'code') input.value = '';
  });

  form.appendChild(el('button', { type: 'submit', class: 'rdv-primary' }, content.submitLabel));
  if (content.actions?.length) {
    form.appendChild(el('div', { class: 'rdv-form-actions' },
      ...content.actions.map((action) => button({ class: 'rdv-link-button' }, [action.title], () =>
        ctx.send({ text: action.title, value: { action: action.action } })))));
  }
  return form;
}
