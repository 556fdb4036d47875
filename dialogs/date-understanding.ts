import { DateTime } from 'luxon';
import type { Locale } from '../models/catalogue.repository.ts';
import { dateText, daySpan, partOfDay, partOfDayWords, timeInText } from './date-phrases.ts';
import { recognizeDates } from './date-recognizer.ts';
import { normalize } from './understanding.ts';

/** When the customer wants to come, as they said it; instants are ISO strings (dialog state is JSON). */
export type DateAsk =
  | { kind: 'soonest' }
  | { kind: 'window'; from: string; to: string }
  | { kind: 'exact'; at: string }
  | { kind: 'time'; hour: number; minute: number };

export type QuickPick = 'soonest' | 'tomorrow' | 'thisWeek' | 'nextWeek';

/** "Now" and the customer's zone and language: every relative date is read from there. */
export interface DateContext {
  locale: Locale;
  now: Date;
  timeZone: string;
}

/** The first recognition compiles many expressions; a server can pay that at start-up instead. */
export function warmUpDateUnderstanding(): void {
  for (const locale of ['en', 'fr'] as const) recognizeDates(locale, 'tomorrow 10:00', new Date());
}

const SOONEST = /\b(?:soonest|asap|as soon as possible|earliest|first available|au plus tot|des que possible|le plus tot possible|premier disponible)\b/;

interface Resolved {
  type?: string;
  value?: string;
  start?: string;
  end?: string;
}

const startOfDay = (d: DateTime) => d.startOf('day');
const iso = (d: DateTime) => d.toUTC().toISO() ?? '';
const span = (from: DateTime, to: DateTime): DateAsk => ({ kind: 'window', from: iso(from), to: iso(to) });

export function quickPick(pick: QuickPick, c: DateContext): DateAsk {
  const now = DateTime.fromJSDate(c.now, { zone: c.timeZone });
  const nextMonday = now.startOf('week').plus({ weeks: 1 });
  switch (pick) {
    case 'soonest': return { kind: 'soonest' };
    case 'tomorrow': return span(startOfDay(now).plus({ days: 1 }), startOfDay(now).plus({ days: 2 }));
    case 'thisWeek': return span(now, nextMonday);
    case 'nextWeek': return span(nextMonday, nextMonday.plus({ weeks: 1 }));
  }
}

/** "15h30", "10h", "3:30pm", "at 3pm", "15:30": a time on its own (the French "10h" reads as a duration otherwise). */
export function bareTime(text: string): { hour: number; minute: number } | null {
  const said = text.trim().toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/\./g, '');
  const m = /^(?:(?:at|a|vers|around|for)\s+)?(\d{1,2})(?:\s*(h|:)\s*(\d{2})?)?\s*(am|pm)?$/.exec(said);
  if (!m || (!m[2] && !m[4])) return null;
  let hour = Number(m[1]);
  const minute = Number(m[3] ?? 0);
  if (m[4] === 'pm' && hour < 12) hour += 12;
  if (m[4] === 'am' && hour === 12) hour = 0;
  return hour < 24 && minute < 60 ? { hour, minute } : null;
}

/** The instant of a local time on the customer's day of `dayIso`. */
export function atTimeOn(dayIso: string, time: { hour: number; minute: number }, zone: string): string {
  return iso(DateTime.fromISO(dayIso, { zone }).set({ hour: time.hour, minute: time.minute, second: 0, millisecond: 0 }));
}

/** Among ambiguous readings ("Tuesday": last week's or this week's, 10:00 or 22:00) the coming one in business hours. */
function choose(values: Resolved[], today: DateTime, zone: string): Resolved | undefined {
  const when = (v: Resolved) => v.value ?? v.start ?? '';
  const dated = (v: Resolved) => /^\d{4}-\d{2}-\d{2}/.test(when(v));
  const upcoming = values.filter((v) => !dated(v) || DateTime.fromSQL(when(v), { zone }) >= today);
  const hourOf = (v: Resolved) => /(\d{2}):\d{2}:\d{2}$/.exec(when(v))?.[1];
  const daytime = (v: Resolved) => { const h = hourOf(v); return h === undefined || (Number(h) >= 7 && Number(h) < 21); };
  return upcoming.find(daytime) ?? upcoming[0] ?? values[values.length - 1];
}

function timeOf(value: string | undefined): { hour: number; minute: number } | undefined {
  const m = /(\d{2}):(\d{2}):\d{2}$/.exec(value ?? '');
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

/** What the recognizer reads in the text: a day, a span of days, a moment or a time; nothing when it fails. */
interface Recognized {
  day?: DateTime;
  range?: [DateTime, DateTime];
  exact?: DateTime;
  time?: { hour: number; minute: number };
}

function recognize(text: string, locale: Locale, c: DateContext): Recognized {
  const zone = c.timeZone;
  const now = DateTime.fromJSDate(c.now, { zone });
  // The recognizer reads the reference date's fields in the process zone: give it the customer's wall clock.
  const reference = new Date(now.year, now.month - 1, now.day, now.hour, now.minute, now.second);
  const at = (s: string | undefined) => DateTime.fromSQL(s ?? '', { zone });
  let results;
  try {
    // Postcodes are not years; and some phrases make the recognizer throw ("fin mars": a TypeError).
    results = recognizeDates(locale, text.replace(/\b\d{5}\b/g, ' '), reference);
  } catch {
    return {};
  }
  const found: Recognized = {};
  // The part of day is the rules' ("end of the day" is no 23:59, "après le déjeuner" no date at all).
  const part = partOfDayWords(dateText(text));
  for (const result of results) {
    if (part && part.includes(dateText(result.text))) continue;
    const values: unknown = result.resolution?.['values'];
    const v = choose(Array.isArray(values) ? (values as Resolved[]) : [], startOfDay(now), zone);
    if (!v) continue;
    if (v.type === 'date') found.day = at(v.value);
    else if ((v.type === 'daterange' || v.type === 'datetimerange') && v.end) found.range = [at(v.start), at(v.end)];
    else if (v.type === 'datetime') found.exact = at(v.value);
    // "un rendez-vous", "option 2" or a code "12 34 56" are no times: a time is written as one.
    else if (v.type === 'time' && /\d ?(?:h|:|am\b|pm\b|heure|o ?clock)/i.test(result.text)) found.time = timeOf(v.value);
  }
  if (found.day && !found.day.isValid) delete found.day;
  if (found.exact && !found.exact.isValid) delete found.exact;
  if (found.range && !(found.range[0].isValid && found.range[1].isValid && found.range[0] < found.range[1])) delete found.range;
  return found;
}

/**
 * A day, a period or a moment in the customer's words (English or French, accents or not), or null.
 * The domain's rules (`date-phrases.ts`) read days, parts of day and times; what they leave
 * (explicit dates such as "12 March") goes to the Microsoft recognizer, which may never throw out.
 */
export function understandDate(text: string, c: DateContext): DateAsk | null {
  if (!text.trim() || text.length > 200) return null;
  const time = bareTime(text);
  if (time) return { kind: 'time', ...time };
  const said = dateText(text);
  if (SOONEST.test(normalize(text))) return { kind: 'soonest' };
  const now = DateTime.fromJSDate(c.now, { zone: c.timeZone });
  const part = partOfDay(said);
  const week: QuickPick | null = /\b(?:this week|cette semaine)\b/.test(said) ? 'thisWeek' : /\b(?:next week|semaine prochaine)\b/.test(said) ? 'nextWeek' : null;
  const at = timeInText(said, part);
  const rule = daySpan(said, now);
  const onDay = (day: DateTime, to: DateTime): DateAsk => {
    if (at) return { kind: 'exact', at: iso(day.set({ hour: at.hour, minute: at.minute })) };
    if (part) return span(day.plus({ minutes: part[0] }), (to.diff(day, 'days').days > 1 ? to.minus({ days: 1 }) : day).plus({ minutes: part[1] }));
    return span(day, to);
  };
  if (week) {
    // "next week in the evening": the evenings of that week.
    const w = quickPick(week, c);
    return part && w.kind === 'window' ? onDay(DateTime.fromISO(w.from, { zone: c.timeZone }).startOf('day'), DateTime.fromISO(w.to, { zone: c.timeZone })) : w;
  }
  if (rule) return onDay(rule.from, rule.to);
  const other: Locale = c.locale === 'fr' ? 'en' : 'fr';
  let found = recognize(text, c.locale, c);
  if (!found.day && !found.range && !found.exact) {
    const otherFound = recognize(text, other, c);
    if (otherFound.day || otherFound.range || otherFound.exact) found = otherFound;
  }
  if (found.exact) return at || part ? onDay(startOfDay(found.exact), startOfDay(found.exact).plus({ days: 1 })) : { kind: 'exact', at: iso(found.exact) };
  if (found.day) {
    const time = at ?? found.time;
    return time ? { kind: 'exact', at: iso(found.day.set({ hour: time.hour, minute: time.minute })) } : onDay(found.day, found.day.plus({ days: 1 }));
  }
  if (found.range) return span(found.range[0], found.range[1]);
  if (part) {
    // "this afternoon" once the afternoon is over means tomorrow's.
    const today = startOfDay(now);
    return onDay(now.hour * 60 + now.minute >= part[1] ? today.plus({ days: 1 }) : today, today.plus({ days: 1 }));
  }
  if (at) return { kind: 'time', ...at };
  return found.time ? { kind: 'time', ...found.time } : null;
}
