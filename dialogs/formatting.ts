import { DateTime } from 'luxon';
import type { Locale } from '../models/catalogue.repository.ts';

/** How the bot writes instants, days and numbers: always in a named zone and the customer's language. */

const LUXON_LOCALE: Record<Locale, string> = { en: 'en-GB', fr: 'fr-FR' };

const local = (iso: string, zone: string, locale: Locale) =>
  DateTime.fromISO(iso, { zone }).setLocale(LUXON_LOCALE[locale]);

/** "Tue 2 Mar, 10:00" / "mar. 2 mars, 10:00". */
export const formatWhen = (iso: string, zone: string, locale: Locale): string =>
  local(iso, zone, locale).toFormat('ccc d LLL, HH:mm');

/** With the year, for a time that may be far off: "Tuesday 2 March 2027, 10:00" / "mardi 2 mars 2027, 10:00". */
export const formatFull = (iso: string, zone: string, locale: Locale): string =>
  local(iso, zone, locale).toFormat('cccc d LLLL yyyy, HH:mm');

/** "10:00", the label of a slot under its day. */
export const formatTime = (iso: string, zone: string): string => DateTime.fromISO(iso, { zone }).toFormat('HH:mm');

/** "Tuesday 2 March" / "mardi 2 mars". */
export const formatDay = (iso: string, zone: string, locale: Locale): string =>
  local(iso, zone, locale).toFormat('cccc d LLLL');

/** The local calendar date and the "10:00" of an instant: a slot under its day, its zone's offset worked out once. */
export function localDateAndTime(iso: string, zone: string): { date: string; time: string } {
  const at = DateTime.fromISO(iso, { zone });
  return { date: at.toISODate() ?? iso.slice(0, 10), time: at.toFormat('HH:mm') };
}


export const formatNumber = (n: number, locale: Locale, fractionDigits = 1): string =>
  new Intl.NumberFormat(LUXON_LOCALE[locale], { maximumFractionDigits: fractionDigits }).format(n);
