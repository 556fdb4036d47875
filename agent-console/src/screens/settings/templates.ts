import { ApiError, errorMessage } from '../../api.ts';
import { debounce, type AppContext } from '../../context.ts';
import { eventLabel } from '../../format.ts';
import type { MessageTemplate, TemplateChannel, TemplatePreview, TemplatesReply } from '../../types.ts';
import { button, el, errorBlock, loading, replaceChildren, uid } from '../../ui/dom.ts';
import { confirmDialog } from '../../ui/dialog.ts';
import { busy, clearErrors, fieldWrapper, formAlert, selectControl, showError } from '../../ui/forms.ts';
import type { SectionView } from './index.ts';

const CHANNEL_LABELS: Record<TemplateChannel, string> = { email: 'Email', sms: 'SMS', whatsapp: 'WhatsApp' };

/**
 * Message templates per event, language and channel (Mustache), with a live preview rendered by the
 * server on a sample appointment. An email preview is shown in a sandboxed frame (no scripts, no
 * access to the console): the server escaped the data in it.
 */
export function templatesSection(ctx: AppContext): SectionView {
  const body = el('div', {}, loading());
  const element = el('section', { class: 'card', 'aria-labelledby': 'templates-title' },
    el('h2', { id: 'templates-title', class: 'card-title' }, 'Message templates'),
    el('p', { class: 'muted' }, 'Every message customers and staff receive. Change one, and the preview shows it with a sample appointment; “Back to default” restores ours.'),
    body);
  let data: TemplatesReply | null = null;
  let previewNo = 0;

  async function load() {
    try {
      data = await ctx.api.get<TemplatesReply>('/templates');
      render();
    } catch (error) {
      replaceChildren(body, errorBlock(errorMessage(error), () => void load()));
    }
  }

  function render() {
    if (!data) return;
    const d = data;
    const eventSelect = selectControl('event', d.events.map((e) => ({ value: e, label: eventLabel(e) })), d.events[0]);
    const localeSelect = selectControl('locale', [{ value: 'en', label: 'English' }, { value: 'fr', label: 'French' }], 'en');
    const channelSelect = selectControl('channel', d.channels.map((c) => ({ value: c, label: CHANNEL_LABELS[c] })), 'email');
    const pickers = el('div', { class: 'filter-fields' },
      fieldWrapper({ label: 'Message' }, eventSelect, 'field field-inline'),
      fieldWrapper({ label: 'Language' }, localeSelect, 'field field-inline'),
      fieldWrapper({ label: 'Channel' }, channelSelect, 'field field-inline'));

    const state = el('p', { class: 'template-state' });
    const subject = el('input', { type: 'text', name: 'subject', maxlength: 300 });
    const subjectField = fieldWrapper({ label: 'Subject', hint: 'Empty: the default subject.' }, subject);
    const text = el('textarea', { name: 'body', rows: 16, class: 'code', spellcheck: 'false', maxlength: 50000 });
    const bodyField = fieldWrapper({ label: 'Body', hint: 'Mustache: {{variable}}, {{#isOnline}}…{{/isOnline}} for a condition, {{> partial}} to include a block. An empty body sends nothing.' }, text);
    const insertId = uid('vars');
    const variables = el('div', { class: 'variables', role: 'group', 'aria-labelledby': insertId },
      el('p', { id: insertId, class: 'field-label' }, 'Insert a variable'),
      el('div', { class: 'variable-list' }, ...d.variables.filter((v) => !v.endsWith('*')).map((v) =>
        button({ class: 'chip-button', 'aria-label': `Insert ${v}` }, `{{${v}}}`, () => insert(`{{${v}}}`)))),
      d.partials.length ? el('p', { class: 'field-hint' }, `Blocks: ${d.partials.map((p) => `{{> ${p}}}`).join(', ')}`) : null);
    const save = el('button', { type: 'submit', class: 'btn btn-primary' }, 'Save template');
    const reset = button({ class: 'btn btn-secondary' }, 'Back to default', () => void restore());
    const form = el('form', { class: 'form template-form', novalidate: true }, formAlert(), state, subjectField, bodyField, variables,
      el('div', { class: 'form-actions' }, reset, save));

    const previewStatus = el('p', { class: 'muted small', role: 'status' });
    const previewSubject = el('p', { class: 'preview-subject' });
    const frame = el('iframe', { class: 'preview-frame', title: 'Email preview', sandbox: '', referrerpolicy: 'no-referrer' });
    const previewText = el('pre', { class: 'preview-text' });
    const preview = el('section', { class: 'template-preview', 'aria-labelledby': 'preview-title' },
      el('h3', { id: 'preview-title', class: 'subhead' }, 'Preview'), previewStatus, previewSubject, frame, previewText);

    const current = (): MessageTemplate | undefined =>
      d.templates.find((t) => t.event === eventSelect.value && t.locale === localeSelect.value && t.channel === channelSelect.value);

    function show() {
      const t = current();
      if (!t) return;
      clearErrors(form);
      subject.value = t.subject ?? '';
      subjectField.hidden = t.channel !== 'email';
      text.value = t.body;
      state.replaceChildren(el('span', { class: `badge ${t.custom ? 'badge-ok' : 'badge-muted'}` }, t.custom ? 'Customised' : 'Default'),
        t.updatedAt ? el('span', { class: 'muted small' }, ` Changed ${new Date(t.updatedAt).toLocaleString('en-GB')}`) : '');
      reset.disabled = !t.custom;
      void runPreview();
    }

    function insert(snippet: string) {
      const start = text.selectionStart ?? text.value.length;
      const end = text.selectionEnd ?? start;
      text.setRangeText(snippet, start, end, 'end');
      text.focus();
      previewSoon();
    }

    async function runPreview() {
      const t = current();
      if (!t) return;
      const no = ++previewNo;
      previewStatus.textContent = 'Updating the preview…';
      try {
        const reply = await ctx.api.post<{ preview: TemplatePreview }>('/templates/preview', {
          event: t.event, locale: t.locale, channel: t.channel,
          subject: t.channel === 'email' && subject.value.trim() ? subject.value : null,
          body: text.value,
        });
        if (no !== previewNo) return;
        const p = reply.preview;
        previewStatus.textContent = text.value.trim() ? 'With a sample appointment.' : 'An empty body: this message is not sent.';
        previewSubject.hidden = !p.subject;
        previewSubject.textContent = p.subject ? `Subject: ${p.subject}` : '';
        frame.hidden = !p.html;
        previewText.hidden = Boolean(p.html);
        // srcdoc, not innerHTML: the message is its own sandboxed document.
        frame.srcdoc = p.html ?? '';
        previewText.textContent = p.html ? '' : p.text;
      } catch (error) {
        if (no !== previewNo) return;
        previewStatus.textContent = error instanceof ApiError && error.field === 'body'
          ? `The template cannot be read: ${error.message.replace(/^body: /, '')}`
          : errorMessage(error);
      }
    }
    const previewSoon = debounce(() => void runPreview(), 400);
    text.addEventListener('input', previewSoon);
    subject.addEventListener('input', previewSoon);
    for (const s of [eventSelect, localeSelect, channelSelect]) s.addEventListener('change', show);

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const t = current();
      if (!t) return;
      clearErrors(form);
      void busy(save, 'Saving…', async () => {
        try {
          const reply = await ctx.api.put<{ template: Partial<MessageTemplate> }>(`/templates/${t.event}/${t.locale}/${t.channel}`, {
            subject: t.channel === 'email' && subject.value.trim() ? subject.value : null,
            body: text.value,
          });
          Object.assign(t, { custom: true, subject: reply.template.subject ?? null, body: reply.template.body ?? text.value, updatedAt: reply.template.updatedAt ?? null });
          ctx.toast('success', `Saved: ${eventLabel(t.event)}, ${t.locale.toUpperCase()}, ${CHANNEL_LABELS[t.channel]}.`);
          show();
        } catch (error) {
          showError(form, error);
        }
      });
    });

    async function restore() {
      const t = current();
      if (!t) return;
      if (!(await confirmDialog({ title: 'Back to default', message: 'Replace this template with the default text? Your version is deleted.', confirmLabel: 'Use the default', danger: true }))) return;
      try {
        await ctx.api.delete(`/templates/${t.event}/${t.locale}/${t.channel}`);
        Object.assign(t, { custom: false, subject: t.default.subject, body: t.default.body, updatedAt: null });
        ctx.toast('success', 'Back to the default text.');
        show();
      } catch (error) {
        ctx.toast('error', errorMessage(error));
      }
    }

    replaceChildren(body, pickers, el('div', { class: 'template-grid' }, form, preview));
    show();
  }

  void load();
  return { element, destroy: () => { previewNo++; } };
}
