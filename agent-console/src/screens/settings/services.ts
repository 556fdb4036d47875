import { errorMessage } from '../../api.ts';
import { isAdmin, isManager, type AppContext } from '../../context.ts';
import { MODE_LABELS } from '../../format.ts';
import { routes } from '../../router.ts';
import type { Mode, Service } from '../../types.ts';
import { button, el, errorBlock, link, loading, replaceChildren } from '../../ui/dom.ts';
import { formDialog } from '../../ui/dialog.ts';
import { checkboxField, checked, fieldWrapper, radioGroup, textField, valueOf } from '../../ui/forms.ts';
import type { SectionView } from './index.ts';

const MODES: Mode[] = ['in_store', 'online', 'at_home'];

/** Services: admins edit them; store managers switch a workflow on or off; agents read. */
export function servicesSection(ctx: AppContext): SectionView {
  const role = ctx.session().staff.role;
  const admin = isAdmin(role);
  const body = el('div', {}, loading());
  const element = el('section', { class: 'card', 'aria-labelledby': 'services-title' },
    el('h2', { id: 'services-title', class: 'card-title' }, 'Services'),
    admin ? null : el('p', { class: 'muted' }, isManager(role) ? 'Only administrators edit services. You can switch on or off the status workflow of a service offered at your stores alone.' : 'Read-only.'),
    body);

  async function load() {
    replaceChildren(body, loading());
    try {
      const { services } = await ctx.api.get<{ services: Service[] }>('/services');
      replaceChildren(body, el('table', { class: 'data-table' },
        el('caption', { class: 'sr-only' }, 'Services'),
        el('thead', {}, el('tr', {}, ...['Service', 'Duration', 'Buffers', 'Modes', 'Booking', 'Status workflow', 'Actions'].map((c) =>
          el('th', { scope: 'col' }, c)))),
        el('tbody', {}, ...services.map((s) => el('tr', { 'data-id': s.id, class: s.active ? undefined : 'row-muted' },
          el('td', { 'data-label': 'Service' }, el('strong', {}, s.names.en ?? s.name), el('span', { class: 'cell-sub', lang: 'fr' }, s.names.fr ?? '—'),
            s.active ? null : el('span', { class: 'badge badge-muted' }, 'Inactive')),
          el('td', { 'data-label': 'Duration' }, `${s.durationMinutes} min`, s.slotStepMinutes ? el('span', { class: 'cell-sub' }, `every ${s.slotStepMinutes} min`) : null),
          el('td', { 'data-label': 'Buffers' }, `${s.bufferBeforeMinutes} / ${s.bufferAfterMinutes} min`, el('span', { class: 'cell-sub' }, 'before / after')),
          el('td', { 'data-label': 'Modes' }, s.modes.map((m) => MODE_LABELS[m]).join(', ')),
          el('td', { 'data-label': 'Booking' }, s.bookingMode === 'request' ? 'Request, confirmed by the store' : 'Direct'),
          el('td', { 'data-label': 'Status workflow' }, workflowSwitch(s)),
          el('td', { 'data-label': 'Actions', class: 'col-actions' },
            admin ? button({ class: 'btn btn-secondary btn-small', 'aria-label': `Edit ${s.name}` }, 'Edit', () => void edit(s)) : null,
            isManager(role) ? link(routes.settings('workflows', s.id), 'Statuses', { class: 'btn btn-link btn-small', 'aria-label': `Statuses of ${s.name}` }) : null))))));
    } catch (error) {
      replaceChildren(body, errorBlock(errorMessage(error), () => void load()));
    }
  }

  function workflowSwitch(s: Service): HTMLElement {
    if (!isManager(role)) return el('span', {}, s.statusWorkflow ? 'On' : 'Off');
    const field = checkboxField({ label: s.statusWorkflow ? 'On' : 'Off', name: `workflow-${s.id}`, role: 'switch', checked: s.statusWorkflow });
    const input = field.querySelector('input')!;
    input.setAttribute('aria-label', `Status workflow for ${s.name}`);
    input.addEventListener('change', async () => {
      input.disabled = true;
      try {
        await ctx.api.put(`/services/${s.id}/workflow`, { enabled: input.checked });
        ctx.catalog.invalidate();
        ctx.toast('success', `Status workflow ${input.checked ? 'on' : 'off'} for ${s.name}.`);
        field.querySelector('label')!.textContent = input.checked ? 'On' : 'Off';
      } catch (error) {
        input.checked = !input.checked;
        ctx.toast('error', errorMessage(error));
      } finally {
        input.disabled = false;
      }
    });
    return field;
  }

  async function edit(s: Service) {
    const number = (label: string, name: string, value: number | null, attrs: Record<string, number>, hint?: string) =>
      textField({ label, name, type: 'number', value, attrs: { ...attrs, inputmode: 'numeric' }, ...(hint ? { hint } : {}) });
    const modes = el('fieldset', { class: 'checkbox-group', 'data-field': 'modes', 'aria-describedby': 'modes-error', tabindex: -1 },
      el('legend', {}, 'Modes'),
      ...MODES.map((m) => checkboxField({ label: MODE_LABELS[m], name: `mode-${m}`, checked: s.modes.includes(m) })),
      el('p', { id: 'modes-error', class: 'field-error', hidden: true }));
    const ok = await formDialog({
      title: `Edit ${s.name}`,
      wide: true,
      submitLabel: 'Save service',
      fields: [
        el('div', { class: 'grid-2' },
          textField({ label: 'Name (English)', name: 'names.en', value: s.names.en ?? '', required: true, attrs: { maxlength: 120 } }),
          textField({ label: 'Name (French)', name: 'names.fr', value: s.names.fr ?? '', attrs: { maxlength: 120, lang: 'fr' } }),
          number('Duration (minutes)', 'durationMinutes', s.durationMinutes, { min: 5, max: 1440 }),
          number('Start times every (minutes)', 'slotStepMinutes', s.slotStepMinutes, { min: 5, max: 240 }, 'Empty: the duration.'),
          number('Buffer before (minutes)', 'bufferBeforeMinutes', s.bufferBeforeMinutes, { min: 0, max: 240 }),
          number('Buffer after (minutes)', 'bufferAfterMinutes', s.bufferAfterMinutes, { min: 0, max: 240 })),
        modes,
        radioGroup({
          legend: 'Booking mode', name: 'bookingMode', value: s.bookingMode, className: 'radio-group',
          options: [
            { value: 'direct', label: 'Direct booking', hint: 'Confirmed at once.' },
            { value: 'request', label: 'Request', hint: 'The store confirms or reschedules (the customer is told).' },
          ],
        }),
        checkboxField({ label: 'Status workflow', name: 'statusWorkflow', role: 'switch', checked: s.statusWorkflow, hint: 'Requests go through the service’s statuses (Settings › Status workflows).' }),
        checkboxField({ label: 'Active (offered to customers)', name: 'active', checked: s.active }),
        fieldWrapper({ label: 'Description (English)' }, descriptionArea('descriptions.en', s.descriptions.en ?? '')),
        fieldWrapper({ label: 'Description (French)' }, descriptionArea('descriptions.fr', s.descriptions.fr ?? '')),
      ],
      validate: (form) => {
        if (!valueOf(form, 'names.en').trim()) return { field: 'names.en', message: 'Give the service a name.' };
        if (!MODES.some((m) => checked(form, `mode-${m}`))) return { field: 'modes', message: 'Offer at least one mode.' };
        return null;
      },
      onSubmit: async (form) => {
        const int = (name: string) => Number.parseInt(valueOf(form, name), 10);
        const step = valueOf(form, 'slotStepMinutes').trim();
        const fr = valueOf(form, 'names.fr').trim();
        await ctx.api.patch(`/services/${s.id}`, {
          names: { en: valueOf(form, 'names.en').trim(), ...(fr ? { fr } : {}) },
          descriptions: { en: valueOf(form, 'descriptions.en').trim(), fr: valueOf(form, 'descriptions.fr').trim() },
          durationMinutes: int('durationMinutes'),
          bufferBeforeMinutes: int('bufferBeforeMinutes'),
          bufferAfterMinutes: int('bufferAfterMinutes'),
          slotStepMinutes: step ? Number.parseInt(step, 10) : null,
          modes: MODES.filter((m) => checked(form, `mode-${m}`)),
          bookingMode: valueOf(form, 'bookingMode'),
          active: checked(form, 'active'),
        });
        const workflow = checked(form, 'statusWorkflow');
        if (workflow !== s.statusWorkflow) await ctx.api.put(`/services/${s.id}/workflow`, { enabled: workflow });
        ctx.catalog.invalidate();
        ctx.toast('success', `Saved ${valueOf(form, 'names.en').trim()}.`);
      },
    });
    if (ok) void load();
  }

  void load();
  return { element };
}

function descriptionArea(name: string, value: string): HTMLTextAreaElement {
  const area = el('textarea', { name, rows: 2, maxlength: 1000 });
  area.value = value;
  return area;
}
