import { errorMessage } from '../../api.ts';
import type { AppContext } from '../../context.ts';
import { KIND_LABELS } from '../../format.ts';
import { routes } from '../../router.ts';
import type { Service, StatusKind, WorkflowStatus } from '../../types.ts';
import { button, el, empty, errorBlock, loading, replaceChildren } from '../../ui/dom.ts';
import { confirmDialog, formDialog } from '../../ui/dialog.ts';
import { checkboxField, fieldWrapper, selectControl, textArea, textField, valueOf } from '../../ui/forms.ts';
import { swatch } from '../../ui/render/status-chip.ts';
import type { SectionView } from './index.ts';

const KINDS: StatusKind[] = ['start', 'confirmation', 'cancellation'];
const PALETTE = ['#1e88e5', '#fb8c00', '#43a047', '#e53935', '#8e24aa', '#00897b', '#6d4c41', '#607d8b'];

/**
 * The status workflow of a service (product document 001): named statuses with a description, a
 * position (up/down), a kind (start, booking confirmation, cancellation) and a colour.
 */
export function workflowsSection(ctx: AppContext, serviceId: string | undefined): SectionView {
  const picker = el('div', {});
  const body = el('div', {}, loading());
  const element = el('section', { class: 'card', 'aria-labelledby': 'workflows-title' },
    el('h2', { id: 'workflows-title', class: 'card-title' }, 'Status workflows'),
    el('p', { class: 'muted' }, 'A request starts at the first status. Moving it to a “booking confirmation” status confirms it to the customer; a “cancellation” status cancels it (a reason is then required and sent).'),
    picker, body);
  let services: Service[] = [];
  let current: Service | null = null;
  let statuses: WorkflowStatus[] = [];
  /** Admins change any workflow; a store manager only one used at their stores alone. */
  let editable = false;

  async function init() {
    try {
      services = (await ctx.api.get<{ services: Service[] }>('/services')).services;
    } catch (error) {
      replaceChildren(body, errorBlock(errorMessage(error), () => void init()));
      return;
    }
    const chosen = services.find((s) => s.id === serviceId) ?? services.find((s) => s.statusWorkflow) ?? services[0];
    if (!chosen) {
      replaceChildren(body, empty('No services.'));
      return;
    }
    const select = selectControl('service', services.map((s) => ({ value: s.id, label: `${s.name}${s.statusWorkflow ? ' (workflow on)' : ''}` })), chosen.id);
    select.addEventListener('change', () => ctx.navigate(routes.settings('workflows', select.value), true));
    replaceChildren(picker, fieldWrapper({ label: 'Service' }, select, 'field field-inline'));
    await load(chosen.id);
  }

  async function load(id: string) {
    replaceChildren(body, loading());
    try {
      const reply = await ctx.api.get<{ service: Service; statuses: WorkflowStatus[]; editable: boolean }>(`/services/${id}/statuses`);
      current = reply.service;
      statuses = reply.statuses;
      editable = reply.editable;
      render();
    } catch (error) {
      replaceChildren(body, errorBlock(errorMessage(error), () => void load(id)));
    }
  }

  function render(focus?: { id: string; which: 'up' | 'down' | 'edit' }) {
    if (!current) return;
    const service = current;
    const toggle = checkboxField({ label: 'Use a status workflow for this service', name: 'enabled', role: 'switch', checked: service.statusWorkflow });
    const input = toggle.querySelector('input')!;
    input.disabled = !editable;
    input.addEventListener('change', async () => {
      input.disabled = true;
      try {
        const reply = await ctx.api.put<{ service: Service; statuses: WorkflowStatus[] }>(`/services/${service.id}/workflow`, { enabled: input.checked });
        current = reply.service;
        statuses = reply.statuses;
        ctx.catalog.invalidate();
        ctx.toast('success', `Status workflow ${input.checked ? 'on' : 'off'} for ${service.name}.`);
        render();
      } catch (error) {
        input.checked = !input.checked;
        input.disabled = false;
        ctx.toast('error', errorMessage(error));
      }
    });
    const rows = statuses.map((s, i) => el('li', { class: 'status-row', 'data-id': s.id },
      el('span', { class: 'status-position', 'aria-label': `Position ${s.position}` }, String(s.position)),
      swatch(s.color),
      el('div', { class: 'status-text' },
        el('p', { class: 'status-name' }, s.name, ' ', el('span', { class: `badge kind-${s.kind}` }, KIND_LABELS[s.kind])),
        s.description ? el('p', { class: 'cell-sub' }, s.description) : null,
        s.inUse ? el('p', { class: 'cell-sub' }, `${s.inUse} appointment${s.inUse === 1 ? ' is' : 's are'} at this status now.`) : null),
      !editable ? null : el('div', { class: 'status-actions' },
        button({ class: 'btn-icon', 'aria-label': `Move ${s.name} up`, disabled: i === 0, 'data-which': 'up' }, [el('span', { 'aria-hidden': 'true' }, '↑')], () => void move(i, -1)),
        button({ class: 'btn-icon', 'aria-label': `Move ${s.name} down`, disabled: i === statuses.length - 1, 'data-which': 'down' }, [el('span', { 'aria-hidden': 'true' }, '↓')], () => void move(i, 1)),
        button({ class: 'btn btn-secondary btn-small', 'aria-label': `Edit ${s.name}`, 'data-which': 'edit' }, 'Edit', () => void editStatus(s)),
        button({ class: 'btn btn-danger-outline btn-small', 'aria-label': `Delete ${s.name}` }, 'Delete', () => void remove(s)))));
    replaceChildren(body,
      editable ? null : el('p', { class: 'muted workflow-read-only' }, 'This workflow is used beyond your stores: only an administrator can change it.'),
      toggle,
      statuses.length ? el('ol', { class: 'status-list', 'aria-label': `Statuses of ${service.name}` }, ...rows) : empty('No statuses yet. Add a start, a booking confirmation and a cancellation status.'),
      editable ? el('div', { class: 'form-actions' }, button({ class: 'btn btn-primary' }, '+ Add status', () => void editStatus(null))) : null);
    if (focus) {
      const target = body.querySelector<HTMLButtonElement>(`li[data-id="${focus.id}"] [data-which="${focus.which}"]`);
      (target && !target.disabled ? target : body.querySelector<HTMLElement>(`li[data-id="${focus.id}"] [data-which="edit"]`))?.focus();
    }
  }

  async function move(index: number, by: -1 | 1) {
    if (!current) return;
    const ids = statuses.map((s) => s.id);
    const [moved] = ids.splice(index, 1);
    ids.splice(index + by, 0, moved!);
    try {
      const reply = await ctx.api.post<{ statuses: WorkflowStatus[] }>(`/services/${current.id}/statuses/reorder`, { ids });
      statuses = reply.statuses;
      render({ id: moved!, which: by < 0 ? 'up' : 'down' });
      ctx.announce(`${statuses.find((s) => s.id === moved)?.name} moved to position ${index + by + 1}.`);
    } catch (error) {
      ctx.toast('error', errorMessage(error));
    }
  }

  async function editStatus(s: WorkflowStatus | null) {
    if (!current) return;
    const service = current;
    const color = el('input', { type: 'color', name: 'color', value: s?.color ?? PALETTE[statuses.length % PALETTE.length] });
    const hex = el('output', { class: 'muted', for: '' }, color.value);
    color.addEventListener('input', () => { hex.textContent = color.value; });
    const presets = el('div', { class: 'palette', role: 'group', 'aria-label': 'Suggested colours' }, ...PALETTE.map((c) => {
      const b = button({ class: 'palette-swatch', 'aria-label': `Use colour ${c}` }, [], () => {
        color.value = c;
        hex.textContent = c;
      });
      b.style.setProperty('--chip-color', c);
      return b;
    }));
    const ok = await formDialog({
      title: s ? `Edit status “${s.name}”` : `New status for ${service.name}`,
      submitLabel: s ? 'Save status' : 'Add status',
      fields: [
        textField({ label: 'Name', name: 'name', required: true, value: s?.name ?? '', attrs: { maxlength: 60 } }),
        textArea({ label: 'Description', name: 'description', value: s?.description ?? '', attrs: { maxlength: 500 }, hint: 'For staff: what this step means.' }),
        fieldWrapper({ label: 'Kind', hint: 'Start: no message. Booking confirmation: the customer receives the confirmation. Cancellation: the customer is told, with the reason.' },
          selectControl('kind', KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] })), s?.kind ?? 'start')),
        s ? null : fieldWrapper({ label: 'Position', hint: `1 to ${statuses.length + 1}; empty: last.` }, el('input', { type: 'number', name: 'position', min: 1, max: statuses.length + 1, inputmode: 'numeric' })),
        el('div', { class: 'color-field' }, fieldWrapper({ label: 'Colour' }, color), hex, presets),
      ],
      validate: (form) => (valueOf(form, 'name').trim() ? null : { field: 'name', message: 'Give the status a name.' }),
      onSubmit: async (form) => {
        const body = {
          name: valueOf(form, 'name').trim(),
          description: valueOf(form, 'description').trim(),
          kind: valueOf(form, 'kind'),
          color: valueOf(form, 'color'),
        };
        const position = Number.parseInt(valueOf(form, 'position'), 10);
        const reply = s
          ? await ctx.api.patch<{ statuses: WorkflowStatus[] }>(`/statuses/${s.id}`, body)
          : await ctx.api.post<{ statuses: WorkflowStatus[] }>(`/services/${service.id}/statuses`, { ...body, ...(position > 0 ? { position } : {}) });
        statuses = reply.statuses;
        ctx.catalog.invalidate();
        ctx.toast('success', s ? `Saved “${body.name}”.` : `Added “${body.name}”.`);
      },
    });
    if (ok) render();
  }

  async function remove(s: WorkflowStatus) {
    const ok = await confirmDialog({ title: 'Delete status', message: `Delete “${s.name}” from this workflow?`, confirmLabel: 'Delete', danger: true });
    if (!ok) return;
    try {
      const reply = await ctx.api.delete<{ statuses: WorkflowStatus[] }>(`/statuses/${s.id}`);
      statuses = reply.statuses;
      ctx.catalog.invalidate();
      ctx.toast('success', `Deleted “${s.name}”.`);
      render();
    } catch (error) {
      ctx.toast('error', errorMessage(error));
    }
  }

  void init();
  return { element };
}
