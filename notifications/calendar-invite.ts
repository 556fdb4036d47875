import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { isValidTimeZone } from '../scheduling/time-zones.ts';
import { formatWhen, safeZone, type AppointmentView } from './appointment-view.ts';

/**
 * iCalendar invitations (RFC 5545 / iTIP RFC 5546) for one appointment. The UID never changes for an
 * appointment and SEQUENCE is its version, so calendars update the same event on a reschedule and
 * remove it on a cancellation. Times carry the store's zone (else the customer's) with its VTIMEZONE.
 */
export interface CalendarInvite {
  filename: string;
  contentType: string;
  content: string;
}

export interface InviteOptions {
  /** ORGANIZER address when the store has no email. */
  noReplyAddress?: string;
  /** DTSTAMP; defaults to the current time. */
  now?: Date;
}

export const DEFAULT_NO_REPLY_ADDRESS = 'no-reply@rendezvous.invalid';

const TEXTS = {
  en: {
    pending: 'Request awaiting confirmation by an advisor.',
    cancelled: 'This appointment has been cancelled.',
    reason: 'Reason',
    with: 'With',
    where: 'Where',
    online: 'Online',
    join: 'Join',
    manage: 'Manage your appointment (reschedule or cancel)',
  },
  fr: {
    pending: 'Demande en attente de confirmation par un conseiller.',
    cancelled: 'Ce rendez-vous a été annulé.',
    reason: 'Motif',
    with: 'Avec',
    where: 'Lieu',
    online: 'En ligne',
    join: 'Rejoindre',
    manage: 'Gérer votre rendez-vous (reprogrammer ou annuler)',
  },
} as const;

/** The zone the invite's times are written in: the store's when there is one, else the customer's. */
export function inviteTimeZone(view: AppointmentView): string {
  return safeZone(view.store ? view.storeTimeZone ?? view.customerTimeZone : view.customerTimeZone);
}

function location(view: AppointmentView): string {
  if (view.mode === 'at_home' && view.homeAddress) return view.homeAddress;
  if (view.mode === 'online') return view.links.join;
  if (view.store) return `${view.store.name}, ${view.store.address}`;
  return view.homeAddress ?? view.links.join;
}

function description(view: AppointmentView, zone: string, cancelling: boolean): string {
  const t = TEXTS[view.locale];
  const lines = [`${view.serviceName} — ${view.brandName}`, formatWhen(view, zone)];
  if (view.mode !== 'online') lines.push(`${t.where}: ${location(view)}`);
  else lines.push(`${t.where}: ${t.online}`);
  lines.push(`${t.with}: ${view.staff.name}`);
  if (cancelling || view.state === 'cancelled') {
    lines.push('', t.cancelled);
    if (view.cancellationReason) lines.push(`${t.reason}: ${view.cancellationReason}`);
  } else {
    if (view.state === 'pending') lines.push('', t.pending);
    lines.push('', `${t.join}: ${view.links.join}`, `${t.manage}: ${view.links.manage}`);
  }
  return lines.join('\n');
}

export function buildInvite(view: AppointmentView, method: 'REQUEST' | 'CANCEL', options: InviteOptions = {}): CalendarInvite {
  const zone = inviteTimeZone(view);
  const cancelling = method === 'CANCEL';
  const status = cancelling || view.state === 'cancelled'
    ? ICalEventStatus.CANCELLED
    : view.state === 'pending' ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED;

  const calendar = ical({
    prodId: { company: 'Rendezvous', product: 'Appointments', language: view.locale.toUpperCase() },
    method: cancelling ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    // No calendar-wide zone (it would also be applied to DTSTAMP, which must stay UTC, and add
    // X-WR-TIMEZONE): the event names its zone, and its VTIMEZONE is put in below.
    timezone: { name: null, generator: () => null },
  });
  const event = calendar.createEvent({
    id: `${view.id}@rendezvous`,
    sequence: view.sequence,
    stamp: options.now ?? new Date(),
    // luxon values: ical-generator writes them in the zone given (plain Dates would use the process's zone).
    start: DateTime.fromJSDate(view.startAt, { zone }),
    end: DateTime.fromJSDate(view.endAt, { zone }),
    timezone: zone,
    summary: `${view.serviceName} — ${view.brandName}`,
    location: location(view),
    description: description(view, zone, cancelling),
    url: view.mode === 'online' ? view.links.join : view.links.manage,
    organizer: { name: view.brandName, email: view.store?.email ?? options.noReplyAddress ?? DEFAULT_NO_REPLY_ADDRESS },
    status,
  });
  if (view.customer.email) {
    event.createAttendee({
      email: view.customer.email,
      name: view.customer.name,
      rsvp: !cancelling,
      role: ICalAttendeeRole.REQ,
      status: ICalAttendeeStatus.NEEDSACTION,
    });
  }
  return {
    filename: cancelling ? 'cancel.ics' : 'invite.ics',
    contentType: `text/calendar; charset=utf-8; method=${method}`,
    content: withTimezone(calendar.toString(), vtimezone(zone, view.startAt, view.endAt)),
  };
}

/**
 * The VTIMEZONE goes in before the event, where the generator would put it. Not through the
 * generator: it folds its whole output a character at a time (a TextEncoder each), and the zone's
 * cached text, whose lines are all short, was most of an invite's rendering time.
 */
function withTimezone(ics: string, timezone: string | null): string {
  const at = ics.indexOf('BEGIN:VEVENT');
  return timezone && at >= 0 ? `${ics.slice(0, at)}${timezone}\r\n${ics.slice(at)}` : ics;
}

// ---- VTIMEZONE from the IANA database (through luxon) -----------------------------------------

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

const offsetAt = (zone: string, ms: number) => DateTime.fromMillis(ms, { zone }).offset;

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** A UTC instant written as the wall-clock time at the given offset: 20270328T020000. */
function localStamp(ms: number, offsetMinutes: number): string {
  return DateTime.fromMillis(ms + offsetMinutes * MINUTE_MS, { zone: 'UTC' }).toFormat("yyyyLLdd'T'HHmmss");
}

function observance(zone: string, at: number, from: number, to: number): string[] {
  const dt = DateTime.fromMillis(at, { zone });
  const kind = dt.isInDST ? 'DAYLIGHT' : 'STANDARD';
  const name = dt.setLocale('en-US').offsetNameShort;
  return [
    `BEGIN:${kind}`,
    `DTSTART:${localStamp(at, from)}`,
    `TZOFFSETFROM:${formatOffset(from)}`,
    `TZOFFSETTO:${formatOffset(to)}`,
    ...(name && /^[A-Za-z0-9+:-]{1,12}$/.test(name) ? [`TZNAME:${name}`] : []),
    `END:${kind}`,
  ];
}

/**
 * The zone's offsets from a year before the appointment to a year after it, as explicit
 * observances (no RRULE): exact for whatever the IANA rules say, including past rule changes.
 */
export function vtimezone(zone: string, start: Date, end: Date): string | null {
  if (zone === 'UTC') return null;
  const from = Date.UTC(new Date(start).getUTCFullYear() - 1, 0, 1);
  const until = Date.UTC(new Date(end).getUTCFullYear() + 2, 0, 1);
  // Only the zone and the years count: the same text for every invite of those (~3 years of days
  // scanned through Intl costs milliseconds, a booking's biggest CPU cost otherwise).
  const key = `${zone}|${from}|${until}`;
  const known = vtimezones.get(key);
  if (known !== undefined) return known;
  if (!isValidTimeZone(zone)) return null;
  const built = buildVtimezone(zone, from, until);
  if (vtimezones.size >= 500) vtimezones.clear();
  vtimezones.set(key, built);
  return built;
}

const vtimezones = new Map<string, string>();

function buildVtimezone(zone: string, from: number, until: number): string {
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  // The offset in force when the range opens, stated from 1970 on (as most generators do) so no
  // time before the first listed change falls outside every observance.
  const initial = offsetAt(zone, from);
  lines.push(...observance(zone, from, initial, initial).map((l) => (l.startsWith('DTSTART:') ? 'DTSTART:19700101T000000' : l)));
  let previous = initial;
  for (let day = from; day < until; day += DAY_MS) {
    const next = offsetAt(zone, day + DAY_MS);
    if (next === previous) continue;
    // The first minute with the new offset, by bisection within the day.
    let lo = day;
    let hi = day + DAY_MS;
    while (hi - lo > MINUTE_MS) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
      if (offsetAt(zone, mid) === previous) lo = mid;
      else hi = mid;
    }
    lines.push(...observance(zone, hi, previous, next));
    previous = next;
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}
