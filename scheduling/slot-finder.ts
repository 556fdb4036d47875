/**
 * Pure free-slot computation. No I/O and no clock: `rules.now` is the only notion of "now".
 *
 * Wall-clock hours are turned into UTC instants once per interval boundary (luxon, per date),
 * then candidates are stepped in real elapsed milliseconds, so DST days get the right number
 * of slots (an interval spanning spring-forward is an hour shorter, fall-back an hour longer).
 */
import { DateTime } from 'luxon';

export interface WeeklyInterval { weekday: number /* ISO 1=Mon..7=Sun */; starts: string /* 'HH:MM' or 'HH:MM:SS' local */; ends: string }
export interface SpecialDay { localDate: string /* 'YYYY-MM-DD' in the store zone */; opens: string | null; closes: string | null } // opens null => closed all day; else these hours replace the store's weekly hours that date
export interface BusyInterval { from: Date; to: Date } // already includes buffers of existing appointments/holds; also time off
export interface StaffCalendar {
  staffId: string;
  timeZone: string;              // IANA zone of the store the hours are in
  hours: WeeklyInterval[];       // staff working hours (local time of timeZone)
  storeHours: WeeklyInterval[];  // store opening hours; EMPTY array => no store restriction (e.g. online)
  specialDays: SpecialDay[];     // store closures / special hours
  busy: BusyInterval[];          // unsorted
}
export interface SlotRules {
  from: Date; to: Date;          // search window [from, to) in UTC; a slot must START inside it
  now: Date;
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  stepMinutes: number;           // slot grid step, aligned to the start of each working interval
  minNoticeMinutes: number;      // earliest start = now + notice
  maxHorizonDays: number;        // latest start < now + horizon days (24h days)
}
export interface Slot { start: Date; end: Date; staffIds: string[] } // staffIds sorted, = who is free; count = length

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Half-open [start, end) in epoch ms. */
type Span = [number, number];

export function findSlots(rules: SlotRules, calendars: StaffCalendar[]): Slot[] {
  const { durationMinutes, stepMinutes, bufferBeforeMinutes, bufferAfterMinutes } = rules;
  // A non-positive step would loop forever; reject bad input loudly rather than return nothing.
  if (!(stepMinutes > 0) || !(durationMinutes > 0) || !(bufferBeforeMinutes >= 0) || !(bufferAfterMinutes >= 0)) {
    throw new RangeError('findSlots: duration and step must be > 0, buffers >= 0');
  }
  const now = rules.now.getTime();
  // Every bound on the start folded into one window [lo, hi).
  const lo = Math.max(rules.from.getTime(), now + rules.minNoticeMinutes * MINUTE);
  const hi = Math.min(rules.to.getTime(), now + rules.maxHorizonDays * DAY);
  if (!(lo < hi)) return []; // also catches NaN from invalid Dates

  const ctx: Ctx = {
    lo, hi,
    dur: durationMinutes * MINUTE,
    step: stepMinutes * MINUTE,
    before: bufferBeforeMinutes * MINUTE,
    after: bufferAfterMinutes * MINUTE,
    days: new Map(),
  };
  const byStart = new Map<number, Set<string>>();
  // Staff in id order, so that each start's set is already sorted (sorting every start's set was about 4% of
  // what a chat benchmark turn allocated).
  for (const cal of [...calendars].sort((a, b) => (a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0))) {
    for (const t of freeStarts(ctx, cal)) {
      let who = byStart.get(t);
      if (!who) byStart.set(t, (who = new Set()));
      who.add(cal.staffId);
    }
  }
  return [...byStart.keys()]
    .sort((a, b) => a - b)
    .map((t) => ({ start: new Date(t), end: new Date(t + ctx.dur), staffIds: [...byStart.get(t)!] }));
}

interface Ctx {
  lo: number; hi: number; dur: number; step: number; before: number; after: number;
  days: Map<string, LocalDay[]>; // per-call cache of local dates per zone
}
interface LocalDay { date: string; weekday: number }

/** Start instants (epoch ms, ascending per interval) at which one staff member can take the appointment. */
function freeStarts(ctx: Ctx, cal: StaffCalendar): number[] {
  const zone = cal.timeZone;
  const busy = mergeBusy(cal.busy);
  const special = new Map(cal.specialDays.map((d) => [d.localDate, d] as const));
  const out: number[] = [];

  for (const { date, weekday } of localDays(ctx, zone, cal.staffId)) {
    const toMs = (time: string): number => localMs(date, time, zone);
    const staff = union(cal.hours.filter((h) => h.weekday === weekday).map((h) => span(toMs, h.starts, h.ends)));
    if (staff.length === 0) continue;
    let work = staff;
    const sd = special.get(date);
    if (sd) {
      // A special day overrides weekly store hours, even for stores with no weekly hours.
      work = sd.opens === null || sd.closes === null ? [] : intersect(staff, [span(toMs, sd.opens, sd.closes)]);
    } else if (cal.storeHours.length > 0) {
      work = intersect(staff, union(cal.storeHours.filter((h) => h.weekday === weekday).map((h) => span(toMs, h.starts, h.ends))));
    }
    for (const w of work) scanInterval(ctx, w, busy, out);
  }
  return out;
}

/**
 * Local dates (with ISO weekday) touching [lo, hi) in `zone`, cached per zone. Working intervals
 * never cross local midnight, so no other date can hold a start. Dates advance as plain UTC
 * calendar days: no DST arithmetic on the iterator and no luxon object per day.
 */
function localDays(ctx: Ctx, zone: string, staffId: string): LocalDay[] {
  let days = ctx.days.get(zone);
  if (days) return days;
  const first = DateTime.fromMillis(ctx.lo, { zone });
  if (!first.isValid) throw new RangeError(`findSlots: invalid timeZone '${zone}' for staff ${staffId}`);
  const last = DateTime.fromMillis(ctx.hi - 1, { zone }).toISODate()!;
  days = [];
  for (let d = Date.UTC(first.year, first.month - 1, first.day); ; d += DAY) {
    const date = new Date(d).toISOString().slice(0, 10);
    if (date > last) break;
    days.push({ date, weekday: new Date(d).getUTCDay() || 7 });
  }
  ctx.days.set(zone, days);
  return days;
}

/** Grid-step through one working interval, skipping past busy blocks instead of testing each step. */
function scanInterval(ctx: Ctx, [s, e]: Span, busy: Span[], out: number[]): void {
  const { lo, hi, dur, step, before, after } = ctx;
  let t = s < lo ? s + Math.ceil((lo - s) / step) * step : s; // first grid point >= lo
  let i = firstEndingAfter(busy, t - before);
  while (t < hi && t + dur <= e) {
    const a = t - before;
    const b = t + dur + after;
    while (i < busy.length && busy[i]![1] <= a) i++; // busy is disjoint+sorted, so pointer only moves forward
    const blk = busy[i];
    if (blk && blk[0] < b) {
      // Conflict: jump to the first grid point whose buffered start clears this block.
      const need = blk[1] + before;
      t = s + Math.ceil((need - s) / step) * step;
      continue;
    }
    out.push(t);
    t += step;
  }
}

/** Index of the first busy span with end > x (binary search; spans are disjoint and sorted). */
function firstEndingAfter(busy: Span[], x: number): number {
  let l = 0;
  let r = busy.length;
  while (l < r) {
    const m = (l + r) >> 1;
    if (busy[m]![1] <= x) l = m + 1;
    else r = m;
  }
  return l;
}

/** Sort once and coalesce overlapping/touching busy blocks so the sweep can use a single pointer. */
function mergeBusy(list: BusyInterval[]): Span[] {
  const spans: Span[] = [];
  for (const b of list) {
    const f = b.from.getTime();
    const t = b.to.getTime();
    if (f < t) spans.push([f, t]); // drops empty/inverted/NaN entries
  }
  return union(spans);
}

/**
 * Wall time -> epoch ms, memoised across calls: the mapping only depends on its arguments, and
 * luxon's zone arithmetic would otherwise be most of findSlots' time (every booking checks the same
 * few opening times). Bounded; the oldest entries go first.
 */
const WALL_CACHE_LIMIT = 20_000;
const wallCache = new Map<string, number>();

export function localMs(date: string, time: string, zone: string): number {
  const key = `${zone}|${date}T${time}`;
  let ms = wallCache.get(key);
  if (ms === undefined) {
    ms = wallToMs(date, time, zone);
    if (wallCache.size >= WALL_CACHE_LIMIT) wallCache.delete(wallCache.keys().next().value!);
    wallCache.set(key, ms);
  }
  return ms;
}

/**
 * Disambiguated like Temporal 'compatible' / java.time: a time in the spring-forward gap is pushed
 * forward by the gap (luxon does this), and an ambiguous fall-back time takes its EARLIER
 * occurrence (luxon picks the later one), so e.g. 01:00-04:00 on America/New_York's fall-back day
 * is the full 4 real hours. Both rules keep the mapping monotone. NaN when invalid.
 */
function wallToMs(date: string, time: string, zone: string): number {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!dt.isValid) return NaN;
  const ms = dt.toMillis();
  const before = dt.zone.offset(ms - DAY); // offset in force before any nearby transition
  if (before > dt.offset) {
    const earlier = ms - (before - dt.offset) * MINUTE; // same wall time under the old offset
    if (dt.zone.offset(earlier) === before) return earlier;
  }
  return ms;
}

/** Boundaries as a span; malformed times yield NaN and are dropped by `union`/`intersect`. */
function span(toMs: (t: string) => number, starts: string, ends: string): Span {
  return [toMs(starts), toMs(ends)];
}

/** Sorted, non-empty, non-overlapping union (touching spans merge: 09-12 + 12-17 = 09-17). */
function union(spans: Span[]): Span[] {
  const sorted = spans.filter(([s, e]) => s < e).sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const [s, e] of sorted) {
    const prev = out[out.length - 1];
    if (prev && s <= prev[1]) prev[1] = Math.max(prev[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Intersection of two sorted disjoint span lists. */
function intersect(a: Span[], b: Span[]): Span[] {
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [as, ae] = a[i]!;
    const [bs, be] = b[j]!;
    const s = Math.max(as, bs);
    const e = Math.min(ae, be);
    if (s < e) out.push([s, e]);
    if (ae < be) i++;
    else j++;
  }
  return out;
}
