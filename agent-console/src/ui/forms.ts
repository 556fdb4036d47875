import { ApiError, errorMessage } from '../api.ts';
import { el, uid, type Child } from './dom.ts';

/**
 * Labelled form controls. Every control has a <label>, its hint and its error are wired with
 * aria-describedby, and its `name` is the API's field name so a 400 from the server lands on it.
 */

type Attrs = Record<string, string | number | boolean | null | undefined>;

export interface FieldOptions {
  label: string;
  name: string;
  hint?: string;
  required?: boolean;
  /** Extra attributes for the control. */
  attrs?: Attrs;
  /** Hide the label visually (still read by screen readers). */
  hiddenLabel?: boolean;
}

/** Wraps a control with its label, hint and (empty) error line. */
export function fieldWrapper(o: Pick<FieldOptions, 'label' | 'hint' | 'required' | 'hiddenLabel'>, control: HTMLElement, className = 'field'): HTMLElement {
  const id = control.id || uid('f');
  control.id = id;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  control.setAttribute('aria-describedby', [o.hint ? hintId : null, errorId].filter(Boolean).join(' '));
  return el('div', { class: className },
    el('label', { for: id, class: o.hiddenLabel ? 'sr-only' : 'field-label' }, o.label,
      o.required ? el('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    o.hint ? el('p', { id: hintId, class: 'field-hint' }, o.hint) : null,
    control,
    el('p', { id: errorId, class: 'field-error', hidden: true }));
}

export function textField(o: FieldOptions & { type?: string; value?: string | number | null }): HTMLElement {
  const input = el('input', {
    type: o.type ?? 'text', name: o.name, required: o.required, ...(o.attrs ?? {}),
  });
  if (o.value !== undefined && o.value !== null) input.value = String(o.value);
  return fieldWrapper(o, input);
}

export function textArea(o: FieldOptions & { value?: string; rows?: number }): HTMLElement {
  const area = el('textarea', { name: o.name, rows: o.rows ?? 3, required: o.required, ...(o.attrs ?? {}) });
  if (o.value) area.value = o.value;
  return fieldWrapper(o, area);
}

export interface Option {
  value: string;
  label: string;
}

export function selectControl(name: string, options: (Option | { group: string; options: Option[] })[], value?: string, attrs: Attrs = {}): HTMLSelectElement {
  const select = el('select', { name, ...attrs });
  for (const option of options) {
    if ('group' in option) {
      const group = el('optgroup', { label: option.group });
      for (const o of option.options) group.append(el('option', { value: o.value }, o.label));
      select.append(group);
    } else {
      select.append(el('option', { value: option.value }, option.label));
    }
  }
  if (value !== undefined) select.value = value;
  return select;
}

export function selectField(o: FieldOptions & { options: (Option | { group: string; options: Option[] })[]; value?: string }): HTMLElement {
  return fieldWrapper(o, selectControl(o.name, o.options, o.value, { required: o.required, ...(o.attrs ?? {}) }));
}

/** A checkbox with its label after it. */
export function checkboxField(o: FieldOptions & { checked?: boolean; role?: 'switch' }): HTMLElement {
  const id = uid('cb');
  const input = el('input', { type: 'checkbox', id, name: o.name, role: o.role, ...(o.attrs ?? {}) });
  input.checked = Boolean(o.checked);
  const hintId = `${id}-hint`;
  if (o.hint) input.setAttribute('aria-describedby', hintId);
  return el('div', { class: `field-check${o.role === 'switch' ? ' switch' : ''}` },
    input, el('label', { for: id }, o.label),
    o.hint ? el('p', { id: hintId, class: 'field-hint' }, o.hint) : null);
}

/** A group of radio buttons in a fieldset. */
export function radioGroup(o: { legend: string; name: string; options: (Option & { hint?: string; extra?: Child })[]; value?: string; required?: boolean; className?: string }): HTMLFieldSetElement {
  const errorId = `${uid('rg')}-error`;
  return el('fieldset', { class: o.className ?? 'radio-group', 'aria-describedby': errorId },
    el('legend', {}, o.legend, o.required ? el('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    ...o.options.map((option) => {
      const id = uid('r');
      const input = el('input', { type: 'radio', id, name: o.name, value: option.value, required: o.required });
      input.checked = option.value === o.value;
      return el('div', { class: 'radio' }, input,
        el('label', { for: id }, option.extra ?? null, el('span', { class: 'radio-label' }, option.label),
          option.hint ? el('span', { class: 'radio-hint' }, option.hint) : null));
    }),
    el('p', { id: errorId, class: 'field-error', hidden: true }));
}

/** The form-level error line: put it at the top of a form. */
export function formAlert(): HTMLElement {
  return el('div', { class: 'form-alert', role: 'alert', hidden: true });
}

export function clearErrors(form: HTMLElement): void {
  for (const e of form.querySelectorAll<HTMLElement>('.field-error')) {
    e.hidden = true;
    e.textContent = '';
  }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  const alert = form.querySelector<HTMLElement>('.form-alert');
  if (alert) {
    alert.hidden = true;
    alert.textContent = '';
  }
}

/** The control named `name` in a form (or the fieldset holding radios of that name). */
function controlNamed(form: HTMLElement, name: string): HTMLElement | null {
  const escaped = name.replace(/["\\]/g, '\\$&');
  return form.querySelector<HTMLElement>(`[data-field="${escaped}"]`) ?? form.querySelector<HTMLElement>(`[name="${escaped}"]`);
}

/** Shows an error on the field it names (focused), else at the top of the form. */
export function showFieldError(form: HTMLElement, field: string | undefined, message: string): void {
  const control = field ? controlNamed(form, field) : null;
  if (control) {
    const holder = control instanceof HTMLInputElement && control.type === 'radio' ? control.closest('fieldset') : control;
    const errorId = holder?.getAttribute('aria-describedby')?.split(' ').find((id) => id.endsWith('-error'));
    const errorLine = errorId ? document.getElementById(errorId) : null;
    if (errorLine) {
      control.setAttribute('aria-invalid', 'true');
      errorLine.textContent = message;
      errorLine.hidden = false;
      control.focus();
      // Corrected: the message goes (radios and slot lists report through their container).
      const target = holder ?? control;
      const fixed = () => {
        control.removeAttribute('aria-invalid');
        errorLine.hidden = true;
        errorLine.textContent = '';
        target.removeEventListener('input', fixed);
        target.removeEventListener('change', fixed);
      };
      target.addEventListener('input', fixed);
      target.addEventListener('change', fixed);
      return;
    }
  }
  const alert = form.querySelector<HTMLElement>('.form-alert');
  if (alert) {
    alert.textContent = message;
    alert.hidden = false;
    if (!alert.hasAttribute('tabindex')) alert.setAttribute('tabindex', '-1');
    alert.focus();
  }
}

/** An API error on the form: on its field when the server names one we show. */
export function showError(form: HTMLElement, error: unknown): void {
  const field = error instanceof ApiError ? error.field : undefined;
  let message = errorMessage(error);
  // "customer.email: Invalid email" → "Invalid email" next to the field it names.
  if (field && message.startsWith(`${field}: `) && controlNamed(form, field)) message = message.slice(field.length + 2);
  showFieldError(form, field, capitalize(message));
}

const capitalize = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/** Disables a submit button while work runs; restores it after. */
export async function busy<T>(buttonEl: HTMLButtonElement, busyText: string, work: () => Promise<T>): Promise<T> {
  const text = buttonEl.textContent ?? '';
  buttonEl.disabled = true;
  buttonEl.setAttribute('aria-busy', 'true');
  buttonEl.textContent = busyText;
  try {
    return await work();
  } finally {
    buttonEl.disabled = false;
    buttonEl.removeAttribute('aria-busy');
    buttonEl.textContent = text;
  }
}

/** The string value of a named control ('' when absent). */
export function valueOf(form: HTMLElement, name: string): string {
  const found = form.querySelector(`[name="${name.replace(/["\\]/g, '\\$&')}"]`);
  const control = found as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null;
  if (!control) return '';
  if (control instanceof HTMLInputElement && control.type === 'radio') {
    return form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? '';
  }
  if (control instanceof HTMLInputElement && control.type === 'checkbox') return control.checked ? 'on' : '';
  return control.value;
}

export function checked(form: HTMLElement, name: string): boolean {
  return form.querySelector<HTMLInputElement>(`input[name="${name}"]`)?.checked ?? false;
}
