import { DateTime } from 'luxon';
import type { Locale } from '../../../models/catalogue.repository.ts';
import { safeZone, whenParts, type AppointmentView } from '../../../notifications/appointment-view.ts';
import { LINK_PAGE_TEXTS } from '../../../notifications/templates/link-pages.ts';

/** Dates, times, zones and durations as the appointment pages say them, in the page's language. */

export type Lang = Locale;

/** "Paris time" / "heure de Paris" from an IANA zone. */
export function zoneLabel(zone: string, lang: Lang): string {
  const z = safeZone(zone);
  if (z === 'UTC') return 'UTC';
  const place = (z.split('/').pop() ?? z).replace(/_/g, ' ');
  return LINK_PAGE_TEXTS[lang].timeOf(place);
}

/** "2 hours" / "2 heures" / "90 minutes". */
export function noticeText(minutes: number, lang: Lang): string {
  if (minutes >= 60 && minutes % 60 === 0) {
    const h = minutes / 60;
    return lang === 'fr' ? `${h} heure${h > 1 ? 's' : ''}` : `${h} hour${h > 1 ? 's' : ''}`;
  }
  return `${minutes} minute${minutes > 1 ? 's' : ''}`;
}

export interface When {
  date: string;
  time: string;
  zone: string;
}

/** The appointment's date and times in a zone, in the page's language. */
export function whenOf(view: AppointmentView, lang: Lang, zone: string): When {
  const p = whenParts({ ...view, locale: lang }, zone);
  const time = p.endDate === p.date ? `${p.time}–${p.endTime}` : `${p.time} – ${p.endDate}, ${p.endTime}`;
  return { date: p.date, time, zone: zoneLabel(p.timeZone, lang) };
}

export const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "Tuesday 2 March 2027, 10:00 (Paris time)" / "mardi 2 mars 2027, 10:00 (…)": said inside a sentence, French names stay lowercase. */
export function instantLine(view: AppointmentView, lang: Lang, zone: string): string {
  const local = DateTime.fromJSDate(view.startAt, { zone }).setLocale(lang);
  return `${local.toFormat('cccc d LLLL yyyy, HH:mm')} (${zoneLabel(zone, lang)})`;
}
