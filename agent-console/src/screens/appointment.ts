import { ApiError, errorMessage } from '../api.ts';
import { debounce, type AppContext, type Screen } from '../context.ts';
import { CHANNEL_LABELS, MODE_LABELS, STATE_LABELS, formatDateTime, formatLongRange, formatUtc, zoneAbbreviation } from '../format.ts';
import { lastListHash, routes } from '../router.ts';
import type { AppointmentDetail } from '../types.ts';
import {
  cancelAppointment, confirmAppointment, rescheduleAppointment, showHistory, targetOf, updateStatus,
} from '../ui/appointment-actions.ts';
import { button, el, errorBlock, heading, link, loading, replaceChildren, section, type Child } from '../ui/dom.ts';
import { renderHistory } from '../ui/render/history.ts';
import { placeOf } from '../ui/render/appointment-table.ts';
import { statusChip, verifiedBadge } from '../ui/render/status-chip.ts';
import { fromEntry, renderTranscript } from '../ui/render/transcript.ts';
import { fieldVisitSection } from '../ui/render/field-visit.ts';

/**
 * One appointment's file: customer contact (verified or not), service, time (the store's, UTC in
 * the tooltip), place, advisor, status; the actions; the status history, newest first; the chat.
 */
export function appointmentScreen(ctx: AppContext, id: string): Screen {
  const title = heading('Appointment');
  const body = el('div', { class: 'detail' }, loading());
  const element = el('div', { class: 'screen screen-detail' },
    el('p', { class: 'breadcrumb' }, backLink()),
    el('header', { class: 'screen-header' }, el('div', {}, title)),
    body);
  let detail: AppointmentDetail | null = null;

  function backLink(): HTMLElement {
    const back = lastListHash();
    return link(back ?? routes.appointments('today'), back?.startsWith('#/requests') ? '← Back to requests' : '← Back to appointments');
  }

  async function load(quiet = false) {
    if (!quiet) replaceChildren(body, loading());
    try {
      detail = await ctx.api.get<AppointmentDetail>(`/appointments/${encodeURIComponent(id)}`);
      render();
    } catch (error) {
      const message = error instanceof ApiError && error.status === 403
        ? 'This appointment belongs to a store outside your access.'
        : error instanceof ApiError && (error.status === 404 || error.status === 400)
          ? 'This appointment does not exist.'
          : errorMessage(error);
      title.textContent = 'Appointment unavailable';
      ctx.setTitle('Appointment unavailable');
      replaceChildren(body, errorBlock(message, error instanceof ApiError && error.status >= 500 ? () => void load() : undefined));
    }
  }

  function changed(ok: boolean) {
    if (!ok) return;
    ctx.refreshCounts();
    void load(true);
  }

  function render() {
    if (!detail) return;
    const a = detail.appointment;
    const t = targetOf(a);
    const zone = a.timeZone;
    title.textContent = a.customer.name;
    ctx.setTitle(`${a.customer.name} · Appointment`);
    const open = a.state !== 'cancelled';

    const actions = el('div', { class: 'toolbar', role: 'group', 'aria-label': 'Appointment actions' },
      a.state === 'pending' ? button({ class: 'btn btn-primary' }, 'Confirm', () => void confirmAppointment(ctx, t).then(changed)) : null,
      open ? button({ class: 'btn btn-secondary' }, 'Update status', () => void updateStatus(ctx, a.id, detail!).then(changed)) : null,
      open ? button({ class: 'btn btn-secondary' }, 'Reschedule', () => void rescheduleAppointment(ctx, t).then(changed)) : null,
      button({ class: 'btn btn-secondary' }, 'History', () => void showHistory(ctx, a.id)),
      open ? button({ class: 'btn btn-danger-outline' }, 'Cancel appointment', () => void cancelAppointment(ctx, t).then(changed)) : null);

    const when = el('span', {},
      el('time', { datetime: a.start, title: `${formatUtc(a.start)} – ${formatUtc(a.end).slice(11)}` }, formatLongRange(a.start, a.end, zone)),
      ' ', el('span', { class: 'muted' }, `(${zoneAbbreviation(a.start, zone)}, store time)`));
    const customerZone = a.customerTimeZone && a.customerTimeZone !== zone
      ? el('span', { class: 'cell-sub' }, `Customer’s time: ${formatDateTime(a.start, a.customerTimeZone)} (${a.customerTimeZone})`)
      : null;

    const summary = section('Appointment', { class: 'card detail-appointment' },
      dl([
        ['Status', el('span', {}, statusChip(a), a.status?.name && a.status.name !== STATE_LABELS[a.state] ? el('span', { class: 'muted' }, ` ${STATE_LABELS[a.state]}`) : null)],
        ['Service', el('span', {}, a.service.name, a.service.bookingMode === 'request' ? el('span', { class: 'badge badge-muted' }, 'Request') : null)],
        ['When', el('span', { class: 'stack' }, when, customerZone)],
        ['Mode', MODE_LABELS[a.mode]],
        ['Place', placeOf(a)],
        ['Advisor', a.staff.name],
        ['Booked', el('span', {}, el('time', { datetime: a.createdAt, title: formatUtc(a.createdAt) }, formatDateTime(a.createdAt, zone)), ` via ${CHANNEL_LABELS[a.channel] ?? a.channel}`)],
        a.notes ? ['Notes', el('span', { class: 'pre' }, a.notes)] : null,
        a.cancellationReason ? ['Cancellation reason', el('span', { class: 'pre' }, a.cancellationReason)] : null,
      ]),
      actions);

    const c = a.customer;
    const customer = section('Customer', { class: 'card detail-customer' },
      dl([
        ['Name', c.name],
        ['Email', c.email ? el('span', {}, el('a', { href: `mailto:${c.email}` }, c.email), ' ', verifiedBadge(c.emailVerified)) : el('span', { class: 'muted' }, 'None given')],
        ['Phone', c.phone ? el('span', {}, el('a', { href: `tel:${c.phone}` }, c.phone), ' ', verifiedBadge(c.phoneVerified)) : el('span', { class: 'muted' }, 'None given')],
        ['Language', c.locale === 'fr' ? 'French' : 'English'],
        c.timeZone ? ['Time zone', c.timeZone] : null,
      ]));

    const historySection = section('Status history', { class: 'card detail-history' },
      el('p', { class: 'muted small' }, 'Newest first.'),
      renderHistory(detail.history, zone));

    const transcript = detail.transcript;
    const chat = section('Chat transcript', { class: 'card detail-transcript' },
      transcript
        ? renderTranscript(transcript.entries.map(fromEntry), { zone, emptyText: 'The conversation has no messages.' })
        : el('p', { class: 'empty' }, a.channel === 'console' ? 'Booked from the console: no chat.' : 'No chat conversation is linked to this appointment.'));

    replaceChildren(body, el('div', { class: 'detail-grid' },
      el('div', { class: 'detail-main' }, summary, fieldVisitSection(ctx, a.id, a.state === 'pending', zone, changed), historySection),
      el('div', { class: 'detail-side' }, customer, chat)));
  }

  const reloadSoon = debounce(() => {
    if (document.querySelector('dialog[open]')) {
      reloadSoon();
      return;
    }
    void load(true).then(() => ctx.announce('This appointment was just updated.'));
  }, 400);

  void load();
  return {
    element,
    title: 'Appointment',
    destroy: () => reloadSoon.cancel(),
    onAppointmentChanged(changedId) {
      if (changedId === id) reloadSoon();
    },
  };
}

function dl(rows: ([string, Child] | null)[]): HTMLElement {
  return el('dl', { class: 'facts' }, ...rows.filter((r): r is [string, Child] => r !== null).flatMap(([term, value]) => {
    const dd = el('dd', {});
    if (value instanceof Node) dd.append(value);
    else if (value) dd.append(String(value));
    return [el('dt', {}, term), dd];
  }));
}
