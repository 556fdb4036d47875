import { DateTime } from 'luxon';
import type { Locale } from '../models/catalogue.repository.ts';
import { zonedDateTime, zoneOffsetAt } from '../scheduling/time-zones.ts';

/** How the bot writes instants, days and numbers: always in a named zone and the customer's language. */

const LUXON_LOCALE: Record<Locale, string> = { en: 'en-GB', fr: 'fr-FR' };

const MINUTE = 60_000;
/** An instant written with its offset ("…Z", "…+01:00"): its epoch is the same in any zone. */
const WITH_OFFSET = /^\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)$/;
/** The epoch of an ISO text written with its offset; NaN for anything else. */
const epochOf = (iso: string): number => (WITH_OFFSET.test(iso) ? Date.parse(iso) : NaN);

/** The instant of an ISO text written with its offset, and its zone's offset then (minutes); null for anything else. */
function instantIn(iso: string, zone: string): { ms: number; offset: number } | null {
  const ms = epochOf(iso);
  const offset = Number.isFinite(ms) ? zoneOffsetAt(zone, ms) : null;
  return offset === null ? null : { ms, offset };
}

/** The instant in the zone and language: at the zone's offset then (the same wall clock, names and numbers), else as luxon reads it. */
function local(iso: string, zone: string, locale: Locale): DateTime {
  const ms = epochOf(iso);
  return Number.isFinite(ms) ? zonedDateTime(ms, zone, LUXON_LOCALE[locale]) : DateTime.fromISO(iso, { zone }).setLocale(LUXON_LOCALE[locale]);
}

/** "Tue 2 Mar, 10:00" / "mar. 2 mars, 10:00". */
export const formatWhen = (iso: string, zone: string, locale: Locale): string =>
  local(iso, zone, locale).toFormat('ccc d LLL, HH:mm');

/** With the year, for a time that may be far off: "Tuesday 2 March 2027, 10:00" / "mardi 2 mars 2027, 10:00". */
export const formatFull = (iso: string, zone: string, locale: Locale): string =>
  local(iso, zone, locale).toFormat('cccc d LLLL yyyy, HH:mm');

/** "10:00", the label of a slot under its day. */
export const formatTime = (iso: string, zone: string): string => localDateAndTime(iso, zone).time;

/** "Tuesday 2 March" / "mardi 2 mars". */
export const formatDay = (iso: string, zone: string, locale: Locale): string =>
  local(iso, zone, locale).toFormat('cccc d LLLL');

/** The local calendar date and the "10:00" of an instant: a slot under its day. */
export function localDateAndTime(iso: string, zone: string): { date: string; time: string } {
  const at = instantIn(iso, zone);
  if (at) {
    // The wall clock as a UTC date: its ISO text is "YYYY-MM-DDTHH:mm…".
    const wall = new Date(at.ms + at.offset * MINUTE).toISOString();
    if (wall.length === 24) return { date: wall.slice(0, 10), time: wall.slice(11, 16) };
  }
  const read = DateTime.fromISO(iso, { zone });
  return { date: read.toISODate() ?? iso.slice(0, 10), time: read.toFormat('HH:mm') };
}


export const formatNumber = (n: number, locale: Locale, fractionDigits = 1): string =>
  new Intl.NumberFormat(LUXON_LOCALE[locale], { maximumFractionDigits: fractionDigits }).format(n);
