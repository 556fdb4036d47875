import type { Locale } from '../models/catalogue.repository.ts';
import { formatFull, formatNumber, formatTime, formatWhen } from './formatting.ts';
import { t, type Localized, type MessageId } from './messages.ts';

/**
 * A sentence to say, kept as message id + parameters rather than text: dialog state stores it, and
 * a re-prompt after a language switch renders it again in the new language.
 */
export interface Line {
  id: MessageId;
  params?: Record<string, Param>;
}

export type Unit = 'attempt' | 'second' | 'minute' | 'hour' | 'day';

export type Param =
  | string
  | number
  | Localized
  /** An instant, in `zone` or else the customer's zone: "Tue 2 Mar, 10:00", "10:00" or "Tuesday 2 March 2027, 10:00". */
  | { at: string; zone?: string; format?: 'when' | 'time' | 'full' }
  | { count: number; unit: Unit }
  /** A duration in its largest whole unit: "30 seconds", "2 minutes", "2 hours". */
  | { seconds: number }
  | { km: number }
  /** Alternatives joined by commas: "In store, Online (video call)". */
  | { list: Localized[] };

/** The language and zone a message is rendered in. */
export interface Audience {
  locale: Locale;
  timeZone: string;
}

export const line = (id: MessageId, params?: Record<string, Param>): Line => (params ? { id, params } : { id });

export function formatCount(count: number, unit: Unit, locale: Locale): string {
  return `${count} ${t(locale, `unit.${unit}.${count === 1 ? 'one' : 'other'}` as const)}`;
}

export function formatDuration(seconds: number, locale: Locale): string {
  if (seconds < 60) return formatCount(Math.max(1, Math.ceil(seconds)), 'second', locale);
  const minutes = Math.ceil(seconds / 60);
  if (minutes >= 60 && minutes % 60 === 0) return formatCount(minutes / 60, 'hour', locale);
  return formatCount(minutes, 'minute', locale);
}

function renderParam(p: Param, who: Audience): string {
  if (typeof p === 'string') return p;
  if (typeof p === 'number') return formatNumber(p, who.locale, 0);
  if ('at' in p) {
    const zone = p.zone ?? who.timeZone;
    if (p.format === 'time') return formatTime(p.at, zone);
    return p.format === 'full' ? formatFull(p.at, zone, who.locale) : formatWhen(p.at, zone, who.locale);
  }
  if ('count' in p) return formatCount(p.count, p.unit, who.locale);
  if ('seconds' in p) return formatDuration(p.seconds, who.locale);
  if ('km' in p) return formatNumber(p.km, who.locale, 1);
  if ('list' in p) return p.list.map((l) => l[who.locale]).join(', ');
  return p[who.locale];
}

export function renderLine(l: Line, who: Audience): string {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(l.params ?? {})) params[name] = renderParam(value, who);
  return t(who.locale, l.id, params);
}
