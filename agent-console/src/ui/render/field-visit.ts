import { ApiError, errorMessage } from '../../api.ts';
import type { AppContext } from '../../context.ts';
import { formatRange } from '../../format.ts';
import { button, el, errorBlock, loading, replaceChildren, section, uid } from '../dom.ts';

/** An on-site visit (product document 002) as GET /field/visits/:id returns it. */
interface FieldVisit {
  appointmentId: string;
  equipmentType: { en: string; fr: string };
  make: string;
  model: string;
  serialNumber: string;
  task: string;
  windowStart: string;
  windowEnd: string;
  address: { line: string; postcode: string; city: string; latitude: number; longitude: number; correctedByCustomer: boolean; accessComment: string; mapUrl: string };
}

/** "HH:MM" of an instant in a zone, and the instant of "HH:MM" on the same local date as `day`. */
const hhmm = (iso: string, zone: string) => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(new Date(iso));
const localDate = (iso: string, zone: string) => new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone }).format(new Date(iso));
function atLocalTime(day: string, time: string, zone: string): string {
  const dayStart = new Date(day);
  const [h, m] = time.split(':').map(Number) as [number, number];
  const [dh, dm] = hhmm(day, zone).split(':').map(Number) as [number, number];
  return new Date(dayStart.getTime() + ((h - dh) * 60 + (m - dm)) * 60_000).toISOString();
}

/**
 * The visit's card on an appointment's file: appliance, task, arrival window, address with the
 * customer's pin and how to get in; on a draft, validate at an exact time inside the window,
 * move it to another window or reject it with a reason. Nothing is shown for an appointment that is not an on-site visit.
 */
export function fieldVisitSection(ctx: AppContext, appointmentId: string, isDraft: boolean, zone: string, changed: (ok: boolean) => void): HTMLElement {
  const holder = el('div', {}, loading());
  void ctx.api.get<{ visit: FieldVisit }>(`/field/visits/${encodeURIComponent(appointmentId)}`).then(({ visit }) => {
    const a = visit.address;
    const timeId = uid('arrival');
    const reasonId = uid('reason');
    const arrival = el('input', { id: timeId, type: 'time', value: hhmm(visit.windowStart, zone), min: hhmm(visit.windowStart, zone), max: hhmm(visit.windowEnd, zone) });
    const reason = el('input', { id: reasonId, type: 'text', maxlength: 500 });
    const moveDayId = uid('move-day');
    const moveDay = el('input', { id: moveDayId, type: 'date', value: localDate(visit.windowStart, zone) });
    const moveTime = el('input', { type: 'time', value: hhmm(visit.windowStart, zone), 'aria-label': 'New window start' });
    const act = (path: string, body: unknown, done: string) => ctx.api.post(path, body)
      .then(() => { ctx.toast('success', done); changed(true); })
      .catch((error: unknown) => ctx.toast('error', error instanceof ApiError ? error.message : errorMessage(error)));
    replaceChildren(holder, section('On-site visit', { class: 'card detail-field-visit' },
      el('dl', { class: 'facts' },
        el('dt', {}, 'Appliance'), el('dd', {}, [visit.equipmentType.en, visit.make, visit.model, visit.serialNumber].filter(Boolean).join(' · ')),
        visit.task ? el('dt', {}, 'Task') : null, visit.task ? el('dd', {}, visit.task) : null,
        el('dt', {}, 'Arrival window'), el('dd', {}, formatRange(visit.windowStart, visit.windowEnd, zone)),
        el('dt', {}, 'Address'), el('dd', {}, `${a.line}, ${a.postcode} ${a.city}`),
        el('dt', {}, 'Map'), el('dd', {},
          el('a', { href: a.mapUrl, target: '_blank', rel: 'noopener noreferrer' }, `${a.latitude.toFixed(5)}, ${a.longitude.toFixed(5)}`),
          a.correctedByCustomer ? el('span', { class: 'badge badge-muted' }, 'Pin moved by the customer') : null),
        a.accessComment ? el('dt', {}, 'Access') : null, a.accessComment ? el('dd', { class: 'pre' }, a.accessComment) : null),
      isDraft ? el('div', { class: 'toolbar', role: 'group', 'aria-label': 'Draft decision' },
        el('label', { for: timeId }, 'Exact arrival '), arrival,
        button({ class: 'btn btn-primary' }, 'Validate', () => void act(`/field/drafts/${appointmentId}/validate`,
          { arrivalAt: atLocalTime(visit.windowStart, arrival.value, zone) }, 'Visit validated; the customer gets the exact time.')),
        el('label', { for: reasonId }, 'Reason '), reason,
        button({ class: 'btn btn-danger-outline' }, 'Reject', () => void act(`/field/drafts/${appointmentId}/reject`,
          { reason: reason.value }, 'Draft rejected; the customer is told why.'))) : null,
      // Another window, on this technician or another free one (the server checks skills, sector and travel).
      isDraft ? el('div', { class: 'toolbar', role: 'group', 'aria-label': 'Move the draft' },
        el('label', { for: moveDayId }, 'Move to the window starting '), moveDay, moveTime,
        button({ class: 'btn' }, 'Move', () => void act(`/field/drafts/${appointmentId}/move`,
          { windowStart: atLocalTime(`${moveDay.value}T12:00:00Z`, moveTime.value, zone) }, 'Draft moved to the new window.'))) : null));
  }).catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 404) replaceChildren(holder);
    else replaceChildren(holder, errorBlock(errorMessage(error)));
  });
  return holder;
}
