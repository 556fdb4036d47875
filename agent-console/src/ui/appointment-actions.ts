import { errorMessage } from '../api.ts';
import type { AppContext } from '../context.ts';
import { KIND_LABELS, STATE_LABELS, formatDateTime, formatRange, formatUtc, zoneAbbreviation } from '../format.ts';
import { routes } from '../router.ts';
import type { AppointmentDetail, AppointmentListItem, AppointmentState, SlotsReply, StatusRef, WorkflowStatus } from '../types.ts';
import { button, el, errorBlock, loading, replaceChildren } from './dom.ts';
import { formDialog, openDialog } from './dialog.ts';
import { radioGroup, textArea, valueOf } from './forms.ts';
import type { MenuItem } from './menu.ts';
import { renderHistory } from './render/history.ts';
import { renderSlotPicker } from './render/slot-picker.ts';
import { statusChip, swatch } from './render/status-chip.ts';

/**
 * What staff do to an appointment, from the list's "⋯" menu or the details page: confirm,
 * reschedule, cancel (a reason is required), move it through its workflow, read its history.
 * Each resolves true when the appointment changed.
 */

export interface ActionTarget {
  id: string;
  customerName: string;
  serviceName: string;
  state: AppointmentState;
  status: StatusRef | null;
  start: string;
  end: string;
  timeZone: string;
}

export const targetOf = (a: Pick<AppointmentListItem, 'id' | 'state' | 'status' | 'start' | 'end' | 'timeZone'> & { customer: { name: string }; service: { name: string } }): ActionTarget => ({
  id: a.id, customerName: a.customer.name, serviceName: a.service.name, state: a.state, status: a.status, start: a.start, end: a.end, timeZone: a.timeZone,
});

const summary = (t: ActionTarget) => `${t.customerName} · ${t.serviceName} · ${formatRange(t.start, t.end, t.timeZone)}`;
const REASON_MAX = 500;

export function confirmAppointment(ctx: AppContext, t: ActionTarget): Promise<boolean> {
  return formDialog({
    title: 'Confirm appointment',
    description: `${summary(t)}. The customer receives the confirmation.`,
    fields: [textArea({ label: 'Note (optional)', name: 'reason', hint: 'Kept in the history.', attrs: { maxlength: REASON_MAX } })],
    submitLabel: 'Confirm appointment',
    busyLabel: 'Confirming…',
    onSubmit: async (form) => {
      const reason = valueOf(form, 'reason').trim();
      await ctx.api.post(`/appointments/${t.id}/confirm`, reason ? { reason } : {});
      ctx.toast('success', `Confirmed: ${t.customerName}, ${formatRange(t.start, t.end, t.timeZone)}.`);
    },
  });
}

export function cancelAppointment(ctx: AppContext, t: ActionTarget): Promise<boolean> {
  return formDialog({
    title: 'Cancel appointment',
    description: `${summary(t)}. The time is freed and the customer is told why.`,
    fields: [textArea({
      label: 'Reason', name: 'reason', required: true, rows: 3,
      hint: 'Required. The customer receives it with the cancellation.', attrs: { maxlength: REASON_MAX },
    })],
    submitLabel: 'Cancel appointment',
    busyLabel: 'Cancelling…',
    danger: true,
    validate: (form) => (valueOf(form, 'reason').trim() ? null : { field: 'reason', message: 'Give a reason for the cancellation: the customer receives it.' }),
    onSubmit: async (form) => {
      await ctx.api.post(`/appointments/${t.id}/cancel`, { reason: valueOf(form, 'reason').trim() });
      ctx.toast('success', `Cancelled: ${t.customerName}.`);
    },
  });
}

/** The workflow's statuses (or, without a workflow, the plain states) to move an appointment to. */
export async function updateStatus(ctx: AppContext, id: string, known?: AppointmentDetail): Promise<boolean> {
  let detail = known;
  if (!detail) {
    try {
      detail = await ctx.api.get<AppointmentDetail>(`/appointments/${id}`);
    } catch (error) {
      ctx.toast('error', errorMessage(error));
      return false;
    }
  }
  const a = detail.appointment;
  const t = targetOf(a);
  if (a.state === 'cancelled') {
    ctx.toast('info', 'This appointment is cancelled: its status can no longer change.');
    return false;
  }
  const statuses: WorkflowStatus[] = a.statuses;
  const reasonField = textArea({
    label: 'Reason', name: 'reason', rows: 3, attrs: { maxlength: REASON_MAX },
    hint: 'Required for a cancellation status: the customer receives it. Optional otherwise (kept in the history).',
  });
  const kindOf = (value: string): string | undefined =>
    statuses.length ? statuses.find((s) => s.id === value)?.kind : value === 'cancelled' ? 'cancellation' : 'confirmation';

  const options = statuses.length
    ? statuses.map((s) => ({
      value: s.id,
      label: `${s.name}${s.id === a.status?.id ? ' (current)' : ''}`,
      hint: [KIND_LABELS[s.kind], s.description].filter(Boolean).join(' — '),
      extra: swatch(s.color),
    }))
    : (['confirmed', 'cancelled'] as const).filter((s) => s !== a.state).map((s) => ({
      value: s, label: STATE_LABELS[s], hint: s === 'confirmed' ? 'The customer receives the confirmation.' : 'The time is freed; the customer is told why.',
      extra: swatch(s === 'confirmed' ? '#16a34a' : '#dc2626'),
    }));
  const group = radioGroup({ legend: 'New status', name: 'statusId', options, required: true, className: 'radio-group status-options' });
  for (const input of group.querySelectorAll<HTMLInputElement>('input')) {
    if (input.value === a.status?.id) input.disabled = true;
    input.addEventListener('change', () => {
      const required = kindOf(input.value) === 'cancellation';
      const area = reasonField.querySelector('textarea')!;
      area.required = required;
      reasonField.querySelector('.req')?.remove();
      if (required) reasonField.querySelector('label')!.append(el('span', { class: 'req', 'aria-hidden': 'true' }, ' *'));
    });
  }

  return formDialog({
    title: 'Update status',
    description: `${summary(t)}. Current status: ${a.status?.name ?? STATE_LABELS[a.state]}.`,
    fields: [group, reasonField],
    submitLabel: 'Update status',
    busyLabel: 'Updating…',
    validate: (form) => {
      const value = valueOf(form, 'statusId');
      if (!value) return { field: 'statusId', message: 'Choose the new status.' };
      if (kindOf(value) === 'cancellation' && !valueOf(form, 'reason').trim()) {
        return { field: 'reason', message: 'A reason is required for this status: the customer receives it.' };
      }
      return null;
    },
    onSubmit: async (form) => {
      const value = valueOf(form, 'statusId');
      const reason = valueOf(form, 'reason').trim();
      if (statuses.length) {
        await ctx.api.post(`/appointments/${id}/status`, { statusId: value, ...(reason ? { reason } : {}) });
      } else if (value === 'cancelled') {
        await ctx.api.post(`/appointments/${id}/cancel`, { reason });
      } else {
        await ctx.api.post(`/appointments/${id}/confirm`, reason ? { reason } : {});
      }
      const name = statuses.find((s) => s.id === value)?.name ?? STATE_LABELS[value as AppointmentState];
      ctx.toast('success', `Status of ${t.customerName}'s appointment: ${name}.`);
    },
  });
}

/** A slot picker over the slots endpoint, a week at a time. */
export async function rescheduleAppointment(ctx: AppContext, t: ActionTarget): Promise<boolean> {
  const holder = el('div', { class: 'reschedule-slots' }, loading('Looking for free times…'));
  const pager = el('div', { class: 'pager' });
  let from: string | undefined;
  let history: (string | undefined)[] = [];
  let reply: SlotsReply | null = null;

  async function load() {
    replaceChildren(holder, loading('Looking for free times…'));
    try {
      reply = await ctx.api.get<SlotsReply>(`/appointments/${t.id}/slots`, { from, days: 7 });
      const zone = reply.timeZone;
      replaceChildren(holder,
        el('p', { class: 'muted' }, 'Now: ', el('time', { datetime: reply.current.start, title: formatUtc(reply.current.start) }, formatRange(reply.current.start, reply.current.end, zone))),
        renderSlotPicker(reply.days, { current: reply.current.start, zoneLabel: `${zone} (${zoneAbbreviation(reply.current.start, zone)})` }));
      const last = reply.days.at(-1)?.date;
      replaceChildren(pager,
        button({ class: 'btn btn-secondary btn-small', disabled: history.length === 0 }, '← Earlier', () => {
          from = history.pop();
          void load();
        }),
        button({ class: 'btn btn-secondary btn-small', disabled: !last }, 'Later →', () => {
          history = [...history, from];
          from = nextDay(last ?? undefined);
          void load();
        }));
    } catch (error) {
      replaceChildren(holder, errorBlock(errorMessage(error), () => void load()));
    }
  }
  void load();

  return formDialog({
    title: 'Reschedule appointment',
    description: `${summary(t)}. Pick the new time; the customer is told.`,
    fields: [holder, pager],
    wide: true,
    submitLabel: 'Move appointment',
    busyLabel: 'Moving…',
    validate: (form) => (valueOf(form, 'start') ? null : { field: 'start', message: 'Pick a new time.' }),
    onSubmit: async (form) => {
      const start = valueOf(form, 'start');
      await ctx.api.post(`/appointments/${t.id}/reschedule`, { start });
      ctx.toast('success', `Moved ${t.customerName}'s appointment to ${formatDateTime(start, reply?.timeZone ?? t.timeZone)}.`);
    },
  });
}

function nextDay(date: string | undefined): string | undefined {
  if (!date) return undefined;
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export async function showHistory(ctx: AppContext, id: string): Promise<void> {
  const body = el('div', {}, loading());
  openDialog({ title: 'Status history', description: 'Newest first.', body: [body], wide: true });
  try {
    const detail = await ctx.api.get<AppointmentDetail>(`/appointments/${id}`);
    const a = detail.appointment;
    replaceChildren(body,
      el('p', { class: 'history-subject' }, `${a.customer.name} · ${a.service.name} · `, statusChip(a)),
      renderHistory(detail.history, a.timeZone));
  } catch (error) {
    replaceChildren(body, errorBlock(errorMessage(error)));
  }
}

/** The "⋯" menu of an appointment in a list. */
export function appointmentMenuItems(ctx: AppContext, item: AppointmentListItem, changed: () => void): MenuItem[] {
  const t = targetOf(item);
  const after = (p: Promise<boolean>) => void p.then((ok) => ok && changed());
  const open = item.state !== 'cancelled';
  return [
    { label: 'View details', onSelect: () => ctx.navigate(routes.appointment(item.id)) },
    { label: 'Update status…', onSelect: () => after(updateStatus(ctx, item.id)), disabled: !open },
    { label: 'History', onSelect: () => void showHistory(ctx, item.id) },
    { label: 'Confirm…', onSelect: () => after(confirmAppointment(ctx, t)), disabled: item.state !== 'pending' },
    { label: 'Reschedule…', onSelect: () => after(rescheduleAppointment(ctx, t)), disabled: !open },
    { label: 'Cancel appointment…', onSelect: () => after(cancelAppointment(ctx, t)), danger: true, disabled: !open },
  ];
}
