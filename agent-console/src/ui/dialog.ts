import { button, el, uid, type Child } from './dom.ts';
import { busy, clearErrors, formAlert, showError, showFieldError } from './forms.ts';

/**
 * Modal dialogs on the native <dialog>: focus moves in and is trapped by the browser, Escape closes,
 * and focus returns to what opened it.
 */

export interface DialogHandle {
  dialog: HTMLDialogElement;
  close(): void;
  /** Resolves when the dialog has closed. */
  closed: Promise<void>;
}

export interface DialogOptions {
  title: string;
  description?: string;
  body: Child[];
  /** Footer buttons; a "Close" is added when none. */
  footer?: Child[];
  wide?: boolean;
  className?: string;
}

export function openDialog(o: DialogOptions): DialogHandle {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = uid('dlg-title');
  const descriptionId = o.description ? uid('dlg-desc') : undefined;
  const dialog = el('dialog', {
    class: `dialog${o.wide ? ' dialog-wide' : ''}${o.className ? ` ${o.className}` : ''}`,
    'aria-labelledby': titleId, 'aria-describedby': descriptionId,
  });
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => { resolveClosed = resolve; });
  const close = () => {
    if (dialog.open) dialog.close();
  };
  dialog.append(
    el('header', { class: 'dialog-header' },
      el('h2', { id: titleId }, o.title),
      button({ class: 'btn-icon', 'aria-label': 'Close dialog' }, [el('span', { 'aria-hidden': 'true' }, '×')], close)),
    o.description ? el('p', { id: descriptionId, class: 'dialog-description' }, o.description) : '',
    el('div', { class: 'dialog-body' }, ...o.body),
    el('footer', { class: 'dialog-footer' }, ...(o.footer ?? [button({ class: 'btn btn-secondary' }, 'Close', close)])),
  );
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
    resolveClosed();
  });
  // A click on the backdrop (the dialog element itself, outside its box) closes it.
  dialog.addEventListener('click', (event) => {
    if (event.target !== dialog) return;
    const r = dialog.getBoundingClientRect();
    const inside = event.clientX >= r.left && event.clientX <= r.right && event.clientY >= r.top && event.clientY <= r.bottom;
    if (!inside) close();
  });
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, close, closed };
}

export interface FormDialogOptions {
  title: string;
  description?: string;
  fields: Child[];
  submitLabel: string;
  busyLabel?: string;
  danger?: boolean;
  wide?: boolean;
  /** Check before sending: return a field name and message to refuse. */
  validate?: (form: HTMLFormElement) => { field?: string; message: string } | null;
  /** Throw (an ApiError) to show the error in the form. */
  onSubmit: (form: HTMLFormElement) => Promise<void>;
}

/** A dialog holding one form; closes after a successful submit. Resolves true when submitted. */
export function formDialog(o: FormDialogOptions): Promise<boolean> {
  const formId = uid('form');
  const submit = el('button', { type: 'submit', class: `btn ${o.danger ? 'btn-danger' : 'btn-primary'}`, form: formId }, o.submitLabel);
  const form = el('form', { id: formId, class: 'form', novalidate: true }, formAlert(), ...o.fields);
  let done = false;
  const handle = openDialog({
    title: o.title,
    ...(o.description ? { description: o.description } : {}),
    body: [form],
    wide: o.wide ?? false,
    footer: [button({ class: 'btn btn-secondary' }, 'Cancel', () => handle.close()), submit],
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearErrors(form);
    const problem = o.validate?.(form);
    if (problem) {
      showFieldError(form, problem.field, problem.message);
      return;
    }
    void busy(submit, o.busyLabel ?? 'Saving…', async () => {
      try {
        await o.onSubmit(form);
        done = true;
        handle.close();
      } catch (error) {
        showError(form, error);
      }
    });
  });
  return handle.closed.then(() => done);
}

/** "Are you sure?": resolves true when confirmed. */
export function confirmDialog(o: { title: string; message: string; confirmLabel: string; danger?: boolean }): Promise<boolean> {
  let confirmed = false;
  const handle = openDialog({
    title: o.title,
    body: [el('p', {}, o.message)],
    footer: [
      button({ class: 'btn btn-secondary', autofocus: true }, 'Cancel', () => handle.close()),
      button({ class: `btn ${o.danger ? 'btn-danger' : 'btn-primary'}` }, o.confirmLabel, () => {
        confirmed = true;
        handle.close();
      }),
    ],
  });
  return handle.closed.then(() => confirmed);
}
