/**
 * Pure arrival-window computation for on-site visits. No I/O and no clock, like `findSlots`.
 *
 * A window [start, end) promises the customer the technician arrives in it. Booking it claims the
 * technician from `start − buffer before` to `end + duration + buffer after` (see `windowClaim`),
 * so whatever exact arrival staff later choose inside it, the visit fits. A window is offered by a
 * technician who has every skill the service needs, whose sector that day covers the address,
 * whose claim would overlap nothing, who can get there in time from the previous job (or from
 * their start point) and can still reach the next job after the visit.
 */
import { DateTime } from 'luxon';
import { distanceKm } from './geo-distance.ts';
import { localMs, type WeeklyInterval } from './slot-finder.ts';
import type { GeoPoint, TravelEstimator } from './travel-estimator.ts';

/** Busy time of a technician (claims with their buffers, time off); `place` null when it is nowhere in particular. */
export interface OnsiteJob { from: Date; to: Date; place: GeoPoint | null }

/** Where a technician works on a day: postcodes, or a radius around a point. */
export interface DaySector {
  weekday: number | null;        // ISO 1=Mon..7=Sun, for every such day…
  localDate: string | null;      // …or one date, which replaces that weekday's sectors
  postcodes: string[] | null;
  center: GeoPoint | null;
  radiusKm: number | null;
}

export interface TechnicianCalendar {
  staffId: string;
  timeZone: string;
  /** Where the day starts. */
  start: GeoPoint;
  skills: string[];
  hours: WeeklyInterval[];
  sectors: DaySector[];
  jobs: OnsiteJob[];             // unsorted
}

export interface OnsiteSite { point: GeoPoint; postcode: string }

export interface OnsiteRules {
  from: Date; to: Date;          // a window must START inside [from, to)
  now: Date;
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  windowMinutes: number;
  minNoticeMinutes: number;
  maxHorizonDays: number;
  requiredSkills: string[];
  site: OnsiteSite;
}

export interface ArrivalWindow { start: Date; end: Date; staffIds: string[] } // staffIds sorted

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type Claimed = Pick<OnsiteRules, 'durationMinutes' | 'bufferBeforeMinutes' | 'bufferAfterMinutes'>;

/** What a window keeps its technician from doing: the latest arrival plus the visit, with buffers. */
export function windowClaim(r: Claimed, start: Date, end: Date): [Date, Date] {
  return [
    new Date(start.getTime() - r.bufferBeforeMinutes * MINUTE),
    new Date(end.getTime() + (r.durationMinutes + r.bufferAfterMinutes) * MINUTE),
  ];
}

/** Whether one of the day's sectors covers the site. */
export function sectorCovers(sector: DaySector, site: OnsiteSite): boolean {
  if (sector.postcodes) return sector.postcodes.includes(site.postcode.replace(/\s+/g, '').toUpperCase());
  return sector.center !== null && sector.radiusKm !== null && distanceKm(sector.center, site.point) <= sector.radiusKm;
}

/** The sectors of a local date: its dated ones when there are any, else its weekday's. */
export function sectorsOn(sectors: DaySector[], date: string, weekday: number): DaySector[] {
  const dated = sectors.filter((s) => s.localDate === date);
  return dated.length > 0 ? dated : sectors.filter((s) => s.localDate === null && s.weekday === weekday);
}

export function findArrivalWindows(rules: OnsiteRules, calendars: TechnicianCalendar[], travel: TravelEstimator): ArrivalWindow[] {
  const { durationMinutes, windowMinutes, bufferBeforeMinutes, bufferAfterMinutes } = rules;
  if (!(windowMinutes > 0) || !(durationMinutes > 0) || !(bufferBeforeMinutes >= 0) || !(bufferAfterMinutes >= 0)) {
    throw new RangeError('findArrivalWindows: window and duration must be > 0, buffers >= 0');
  }
  const now = rules.now.getTime();
  const lo = Math.max(rules.from.getTime(), now + rules.minNoticeMinutes * MINUTE);
  const hi = Math.min(rules.to.getTime(), now + rules.maxHorizonDays * DAY);
  if (!(lo < hi)) return [];

  const byStart = new Map<number, Set<string>>();
  // Local dates per zone, worked out once: luxon's zone arithmetic costs more than a technician's day.
  const days = new Map<string, LocalDay[]>();
  for (const cal of calendars) {
    if (!rules.requiredSkills.every((s) => cal.skills.includes(s))) continue;
    let zoneDays = days.get(cal.timeZone);
    if (!zoneDays) days.set(cal.timeZone, (zoneDays = localDays(cal.timeZone, lo, hi)));
    for (const t of technicianWindows(rules, cal, travel, zoneDays, lo, hi)) {
      let who = byStart.get(t);
      if (!who) byStart.set(t, (who = new Set()));
      who.add(cal.staffId);
    }
  }
  const width = windowMinutes * MINUTE;
  return [...byStart.keys()].sort((a, b) => a - b)
    .map((t) => ({ start: new Date(t), end: new Date(t + width), staffIds: [...byStart.get(t)!].sort() }));
}

interface Job { from: number; to: number; place: GeoPoint | null }
interface LocalDay { date: string; weekday: number }

/** Window starts (epoch ms) one technician can take. */
function technicianWindows(
  rules: OnsiteRules, cal: TechnicianCalendar, travel: TravelEstimator, days: LocalDay[], lo: number, hi: number,
): number[] {
  const width = rules.windowMinutes * MINUTE;
  const dur = rules.durationMinutes * MINUTE;
  const before = rules.bufferBeforeMinutes * MINUTE;
  const after = rules.bufferAfterMinutes * MINUTE;
  const site = rules.site.point;
  const jobs: Job[] = cal.jobs
    .map((j) => ({ from: j.from.getTime(), to: j.to.getTime(), place: j.place }))
    .filter((j) => j.from < j.to)
    .sort((a, b) => a.from - b.from);
  const toSite = (from: GeoPoint | null) => travel.minutes(from ?? cal.start, site) * MINUTE;
  const fromSite = (to: GeoPoint | null) => travel.minutes(site, to ?? cal.start) * MINUTE;
  const out: number[] = [];

  for (const { date, weekday } of days) {
    if (!sectorsOn(cal.sectors, date, weekday).some((s) => sectorCovers(s, rules.site))) continue;
    const spans = cal.hours.filter((h) => h.weekday === weekday)
      .map((h) => [localMs(date, h.starts, cal.timeZone), localMs(date, h.ends, cal.timeZone)] as const)
      .filter(([s, e]) => s < e)
      .sort((a, b) => a[0] - b[0]);
    const dayStart = spans[0]?.[0];
    if (dayStart === undefined) continue;
    for (const [s, e] of spans) {
      for (let ws = s; ws + dur <= e; ws += width) {
        if (ws < lo || ws >= hi) continue;
        const we = ws + width;
        const claimFrom = ws - before;
        const claimTo = we + dur + after;
        const i = firstEndingAfter(jobs, claimFrom);
        const next = jobs[i];
        if (next && next.from < claimTo) continue; // overlaps another claim
        // Leave the previous job of the day, or the start point when the day begins.
        const prev = i > 0 && jobs[i - 1]!.to > dayStart ? jobs[i - 1]! : null;
        const arrival = Math.max(ws, prev ? prev.to + toSite(prev.place) : dayStart + toSite(null));
        if (arrival > we || arrival + dur > e) continue;
        if (next && next.from < dayStart + DAY && arrival + dur + after + fromSite(next.place) > next.from) continue;
        out.push(ws);
      }
    }
  }
  return out;
}

/** Index of the first job with end > x; jobs are sorted by start and never overlap (claims cannot). */
function firstEndingAfter(jobs: Job[], x: number): number {
  let l = 0;
  let r = jobs.length;
  while (l < r) {
    const m = (l + r) >> 1;
    if (jobs[m]!.to <= x) l = m + 1;
    else r = m;
  }
  return l;
}

/** Local dates (with ISO weekday) of `zone` touching [lo, hi). */
function localDays(zone: string, lo: number, hi: number): LocalDay[] {
  const first = DateTime.fromMillis(lo, { zone });
  if (!first.isValid) throw new RangeError(`findArrivalWindows: invalid timeZone '${zone}'`);
  const last = DateTime.fromMillis(hi - 1, { zone }).toISODate()!;
  const days: LocalDay[] = [];
  for (let d = Date.UTC(first.year, first.month - 1, first.day); ; d += DAY) {
    const date = new Date(d).toISOString().slice(0, 10);
    if (date > last) break;
    days.push({ date, weekday: new Date(d).getUTCDay() || 7 });
  }
  return days;
}
