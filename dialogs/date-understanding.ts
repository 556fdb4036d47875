import { Culture, DateTimeRecognizer, type IDateTimeModel } from '@microsoft/recognizers-text-date-time';
import { DateTime } from 'luxon';
import type { Locale } from '../models/catalogue.repository.ts';
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

const CULTURES: Record<Locale, string> = { en: Culture.English, fr: Culture.French };
const models = new Map<string, IDateTimeModel>();

/** Building a recognizer takes seconds, so each language's is built once per process. */
function model(locale: Locale): IDateTimeModel {
  let m = models.get(locale);
  if (!m) models.set(locale, (m = new DateTimeRecognizer(CULTURES[locale]).getDateTimeModel()));
  return m;
}

/** The first recognition compiles many expressions; a server can pay that at start-up instead. */
export function warmUpDateUnderstanding(): void {
  for (const locale of ['en', 'fr'] as const) model(locale).parse('tomorrow 10:00', new Date());
}

const PARTS_OF_DAY: [RegExp, number, number][] = [
  [/\b(?:morning|matin|matinee)\b/, 8, 12],
  [/\b(?:afternoon|apres midi|aprem)\b/, 12, 18],
  [/\b(?:evening|tonight|soir|soiree)\b/, 17, 21],
];
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

function fromRecognizer(text: string, locale: Locale, c: DateContext): DateAsk | null {
  const zone = c.timeZone;
  const now = DateTime.fromJSDate(c.now, { zone });
  // The recognizer reads the reference date's fields in the process zone: give it the customer's wall clock.
  const reference = new Date(now.year, now.month - 1, now.day, now.hour, now.minute, now.second);
  const said = normalize(text);
  const part = PARTS_OF_DAY.find(([re]) => re.test(said));
  const at = (s: string | undefined) => DateTime.fromSQL(s ?? '', { zone });

  let day: DateTime | undefined;
  let range: [DateTime, DateTime] | undefined;
  let exact: DateTime | undefined;
  let time: { hour: number; minute: number } | undefined;
  for (const result of model(locale).parse(text, reference)) {
    const values: unknown = result.resolution?.['values'];
    const v = choose(Array.isArray(values) ? (values as Resolved[]) : [], startOfDay(now), zone);
    if (!v) continue;
    if (v.type === 'date') day = at(v.value);
    else if (v.type === 'daterange' || v.type === 'datetimerange') range = [at(v.start), at(v.end)];
    else if (v.type === 'datetime') exact = at(v.value);
    else if (v.type === 'time') time = timeOf(v.value);
  }
  const partOf = (d: DateTime) => (part ? span(d.set({ hour: part[1] }), d.set({ hour: part[2] })) : null);
  if (exact?.isValid) return partOf(startOfDay(exact)) ?? { kind: 'exact', at: iso(exact) };
  if (day?.isValid && time) return { kind: 'exact', at: iso(day.set({ hour: time.hour, minute: time.minute })) };
  if (day?.isValid) return partOf(day) ?? span(day, day.plus({ days: 1 }));
  if (range && range[0].isValid && range[1].isValid) return span(range[0], range[1]);
  if (part) {
    // "this afternoon" once the afternoon is over means tomorrow's.
    const today = startOfDay(now);
    return partOf(now.hour >= part[2] ? today.plus({ days: 1 }) : today);
  }
  return time ? { kind: 'time', ...time } : null;
}

/** A day, a period or a moment in the customer's words (English or French), or null. */
export function understandDate(text: string, c: DateContext): DateAsk | null {
  if (!text.trim() || text.length > 120) return null;
  const time = bareTime(text);
  if (time) return { kind: 'time', ...time };
  const said = normalize(text);
  if (SOONEST.test(said)) return { kind: 'soonest' };
  if (/\b(?:this week|cette semaine)\b/.test(said)) return quickPick('thisWeek', c);
  if (/\b(?:next week|semaine prochaine)\b/.test(said)) return quickPick('nextWeek', c);
  const other: Locale = c.locale === 'fr' ? 'en' : 'fr';
  return fromRecognizer(text, c.locale, c) ?? fromRecognizer(text, other, c);
}
