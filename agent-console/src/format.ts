import type { AppointmentState, Mode, Role, StatusKind } from './types.ts';

/** Display formats. Appointment times are read in the store's zone; the UTC instant is in a tooltip. */

const LOCALE = 'en-GB';
const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string | undefined, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${zone ?? ''}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(LOCALE, { ...options, ...(zone ? { timeZone: zone } : {}) });
    } catch {
      f = new Intl.DateTimeFormat(LOCALE, options); // an unknown zone: the browser's own
    }
    cache.set(key, f);
  }
  return f;
}

const at = (iso: string) => new Date(iso);

/** The parts joined by spaces: "Tue 2 Mar 2027" (en-GB puts a comma after the weekday). */
function spaced(f: Intl.DateTimeFormat, d: Date): string {
  return f.formatToParts(d).filter((p) => p.type !== 'literal').map((p) => p.value).join(' ');
}

/** "Tue 2 Mar 2027" */
export const formatDate = (iso: string, zone?: string) =>
  spaced(formatter(zone, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }), at(iso));

/** "10:00" */
export const formatTime = (iso: string, zone?: string) => formatter(zone, { hour: '2-digit', minute: '2-digit', hour12: false }).format(at(iso));

/** "Tue 2 Mar 2027, 10:00" */
export const formatDateTime = (iso: string, zone?: string) => `${formatDate(iso, zone)}, ${formatTime(iso, zone)}`;

/** "Tue 2 Mar, 10:00–11:00" */
export function formatRange(start: string, end: string, zone?: string): string {
  const day = spaced(formatter(zone, { weekday: 'short', day: 'numeric', month: 'short' }), at(start));
  return `${day}, ${formatTime(start, zone)}–${formatTime(end, zone)}`;
}

/** "Tue 2 Mar 2027, 10:00–11:00" */
export function formatLongRange(start: string, end: string, zone?: string): string {
  return `${formatDate(start, zone)}, ${formatTime(start, zone)}–${formatTime(end, zone)}`;
}

/** "2027-03-02 09:00 UTC": the tooltip of every local time. */
export function formatUtc(iso: string): string {
  const d = at(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The short name of a zone at an instant: "CET", "GMT-5". */
export function zoneAbbreviation(iso: string, zone: string): string {
  const part = formatter(zone, { timeZoneName: 'short' }).formatToParts(at(iso)).find((p) => p.type === 'timeZoneName');
  return part?.value ?? zone;
}

/** "Tuesday 2 March" for a calendar date (YYYY-MM-DD), whatever the browser's zone. */
export function formatDay(date: string, style: 'long' | 'short' = 'long'): string {
  return spaced(formatter('UTC', style === 'long'
    ? { weekday: 'long', day: 'numeric', month: 'long' }
    : { weekday: 'short', day: 'numeric', month: 'short' }), new Date(`${date}T12:00:00Z`));
}

/** "3 min", "1 h 05 min" since an instant, read against `now`. */
export function formatWaiting(sinceIso: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - at(sinceIso).getTime()) / 60_000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export const MODE_LABELS: Record<Mode, string> = { in_store: 'In store', online: 'Online', at_home: 'At home' };
export const STATE_LABELS: Record<AppointmentState, string> = { pending: 'Pending', confirmed: 'Confirmed', cancelled: 'Cancelled' };
export const KIND_LABELS: Record<StatusKind, string> = { start: 'Start', confirmation: 'Booking confirmation', cancellation: 'Cancellation' };
export const ROLE_LABELS: Record<Role, string> = { agent: 'Agent', store_manager: 'Store manager', admin: 'Administrator' };
export const STATE_COLORS: Record<AppointmentState, string> = { pending: '#f59e0b', confirmed: '#16a34a', cancelled: '#dc2626' };
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
export const CHANNEL_LABELS: Record<string, string> = {
  web: 'Web chat', console: 'Console (phone)', api: 'API', sms: 'SMS', whatsapp: 'WhatsApp',
};

/** "1 day", "2 h", "90 min" for an offset in minutes. */
export function formatOffset(minutes: number): string {
  if (minutes > 0 && minutes % 1440 === 0) return `${minutes / 1440} day${minutes === 1440 ? '' : 's'}`;
  if (minutes > 0 && minutes % 60 === 0) return `${minutes / 60} h`;
  return `${minutes} min`;
}

/** The event names of message templates, readable. */
export function eventLabel(event: string): string {
  const labels: Record<string, string> = {
    request_received: 'Request received (customer)', confirmed: 'Confirmed (customer)', rescheduled: 'Rescheduled (customer)',
    cancelled: 'Cancelled / rejected (customer)', reminder: 'Reminder (customer)', follow_up: 'Follow-up (customer)',
    staff_request: 'New request (staff)', staff_confirmed: 'Confirmed (staff)', staff_cancelled: 'Cancelled (staff)',
  };
  return labels[event] ?? event;
}

/** A valid #rrggbb colour or null. */
export const safeColor = (color: string | null | undefined): string | null => (color && /^#[0-9a-f]{6}$/i.test(color) ? color : null);

/** The wall-clock parts of an instant in a zone. */
function wallParts(ms: number, zone: string): { y: number; m: number; d: number; h: number; mi: number } {
  const parts = formatter(zone, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour') % 24, mi: get('minute') };
}

/** "2027-03-10T09:00" (a datetime-local value) read in `zone` → ISO instant. */
export function zonedToUtc(local: string, zone: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
  if (!match) return '';
  const [, y, m, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, m - 1, d, h, mi);
  const offset = (ms: number) => {
    const p = wallParts(ms, zone);
    return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi) - ms;
  };
  let ts = wall - offset(wall);
  ts = wall - offset(ts);
  return new Date(ts).toISOString();
}

/** An instant → "2027-03-10T09:00" in `zone` (for datetime-local inputs). */
export function utcToZonedInput(iso: string, zone: string): string {
  const p = wallParts(new Date(iso).getTime(), zone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.y}-${two(p.m)}-${two(p.d)}T${two(p.h)}:${two(p.mi)}`;
}
