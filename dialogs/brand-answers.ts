import { DateTime, Info } from 'luxon';
import { findService, findStore, listServices, listStores, storeOpeningHours, type Locale, type Store } from '../models/catalogue.repository.ts';
import type { Queryable } from '../models/database.ts';
import { listFaq } from '../models/faq.repository.ts';
import { formatDay, formatTime, formatWhen } from './formatting.ts';
import { line, type Line } from './lines.ts';
import type { DateAsk } from './date-understanding.ts';
import type { Point, Question } from './message-understanding.ts';
import { both, type Localized } from './messages.ts';

/** What a question is about when it does not say: the service and store of the booking under way. */
export interface QuestionFocus {
  serviceId?: string | undefined;
  storeId?: string | undefined;
}

const LUXON_LOCALE: Record<Locale, string> = { en: 'en-GB', fr: 'fr-FR' };

/** "Mon–Sat 09:00–19:00" / "lun.–sam. 09:00–19:00": consecutive days with the same hours grouped. */
export function openingHoursText(hours: readonly { weekday: number; opens: string; closes: string }[], locale: Locale): string {
  const byDay = new Map<number, string>();
  for (const h of hours) byDay.set(h.weekday, [byDay.get(h.weekday), `${h.opens}–${h.closes}`].filter(Boolean).join(', '));
  const names = Info.weekdays('short', { locale: LUXON_LOCALE[locale] });
  const groups: string[] = [];
  let first = 0;
  for (let d = 1; d <= 8; d++) {
    const same = d <= 7 && first > 0 && byDay.get(d) === byDay.get(first);
    if (same) continue;
    if (first > 0 && byDay.has(first)) {
      const last = d - 1;
      const days = last === first ? names[first - 1] : `${names[first - 1]}–${names[last - 1]}`;
      groups.push(`${days} ${byDay.get(first)}`);
    }
    first = d;
  }
  return groups.join(locale === 'fr' ? ' ; ' : '; ');
}

const mapUrl = (s: Store) => `https://www.openstreetmap.org/?mlat=${s.latitude}&mlon=${s.longitude}#map=17/${s.latitude}/${s.longitude}`;

/** The stores a question is about: the one named or under way, else all of them. */
async function storesFor(db: Queryable, brandId: string, focus: QuestionFocus): Promise<Store[]> {
  const one = focus.storeId ? await findStore(db, brandId, focus.storeId) : null;
  return one ? [one] : listStores(db, brandId);
}

/** The answer to a question about the brand, from its own data (stores, services, FAQ). */
export async function answerQuestion(db: Queryable, brandId: string, question: Question, focus: QuestionFocus): Promise<Line[]> {
  switch (question.kind) {
    case 'hours': {
      const lines: Line[] = [];
      for (const store of await storesFor(db, brandId, focus)) {
        const hours = await storeOpeningHours(db, store.id);
        lines.push(hours.length === 0
          ? line('answer.closed', { store: store.name })
          : line('answer.hours', { store: store.name, hours: { en: openingHoursText(hours, 'en'), fr: openingHoursText(hours, 'fr') } }));
      }
      return lines;
    }
    case 'address':
      return (await storesFor(db, brandId, focus)).map((s) =>
        line('answer.address', { store: s.name, address: `${s.addressLine}, ${s.postcode} ${s.city}`, map: mapUrl(s) }));
    case 'service': {
      const one = focus.serviceId ? await findService(db, brandId, focus.serviceId) : null;
      return (one ? [one] : await listServices(db, brandId)).map((s) => line('answer.service', {
        service: s.names, minutes: String(s.durationMinutes),
        description: { en: s.descriptions.en ?? s.descriptions.fr ?? '', fr: s.descriptions.fr ?? s.descriptions.en ?? '' },
      }));
    }
    case 'faq': {
      const entry = (await listFaq(db, brandId)).find((f) => f.id === question.id);
      if (!entry) return [];
      return [line('answer.faq', { answer: { en: entry.answers.en ?? entry.answers.fr ?? '', fr: entry.answers.fr ?? entry.answers.en ?? '' } })];
    }
  }
}

/** A date as understood, in both languages: "Wed 10 Mar, 11:00", "Thursday 11 March, 08:00–12:00". */
export function describeWhen(ask: DateAsk, zone: string): Localized {
  const each = (f: (locale: Locale) => string): Localized => ({ en: f('en'), fr: f('fr') });
  switch (ask.kind) {
    case 'soonest': return both('understood.soonest');
    case 'exact': return each((l) => formatWhen(ask.at, zone, l));
    case 'time': {
      return both('understood.at', { time: DateTime.fromObject({ hour: ask.hour, minute: ask.minute }).toFormat('HH:mm') });
    }
    case 'window': {
      const from = DateTime.fromISO(ask.from, { zone });
      const to = DateTime.fromISO(ask.to, { zone });
      const lastDay = to.minus({ milliseconds: 1 });
      if (from.hasSame(lastDay, 'day')) {
        const hours = from.hour === 0 && from.minute === 0 && to.hour === 0 ? '' : `, ${formatTime(ask.from, zone)}–${formatTime(ask.to, zone)}`;
        return each((l) => `${formatDay(ask.from, zone, l)}${hours}`);
      }
      const last = lastDay.toUTC().toISO() ?? ask.to;
      return each((l) => both('understood.span', { from: formatDay(ask.from, zone, l), to: formatDay(last, zone, l) })[l]);
    }
  }
}

/** A place as understood: the store's name, or "near Paris 75009". */
export const describeNear = (near: Point): Localized => both('understood.near', { place: near.label ?? '' });
