import { DateTime } from 'luxon';
import { serviceChoices } from '../../dialogs/catalogue-choices.ts';
import type { DateAsk } from '../../dialogs/date-understanding.ts';
import { understandMessage, type CatalogueView, type Understanding } from '../../dialogs/message-understanding.ts';
import type { Mode, Service } from '../../models/catalogue.repository.ts';
import { DEMO_FAQ } from '../../models/seed.ts';

/**
 * The understanding table's world: the demo catalogue (ids are slugs), its FAQ, and fixed clocks in
 * Paris. A row's expectation is written "key=value; key=value" with every entity the message holds:
 * service, mode, store (slug), near (place label), when, contact, question, correction.
 */

const ZONE = 'Europe/Paris';
export const CLOCKS = {
  /** Monday 1 March 2027, 08:00. */
  mon: '2027-03-01T08:00',
  /** Saturday 6 March 2027, 10:00: weekday names mean the coming week. */
  sat: '2027-03-06T10:00',
  /** Sunday 7 March 2027, 10:00. */
  sun: '2027-03-07T10:00',
  /** Friday 30 April 2027, 17:00: the last day of a month, late in the day. */
  monthEnd: '2027-04-30T17:00',
} as const;
export type Clock = keyof typeof CLOCKS;

const service = (slug: string, en: string, fr: string, modes: Mode[]): Service => ({
  id: slug, brandId: 'demo', slug, names: { en, fr }, descriptions: {}, durationMinutes: 30, bufferBeforeMinutes: 0,
  bufferAfterMinutes: 0, modes, bookingMode: 'direct', statusWorkflow: false, slotStepMinutes: null,
});

export const TABLE_CATALOGUE: CatalogueView = {
  services: serviceChoices([
    service('design-consultation', 'Kitchen design consultation', 'Conseil en conception de cuisine', ['in_store', 'online', 'at_home']),
    service('showroom-visit', 'Guided showroom visit', 'Visite guidée du showroom', ['in_store']),
    service('video-advice', 'Video advice', 'Conseil en visio', ['online']),
    service('home-measurement', 'Home measurement visit', 'Prise de mesures à domicile', ['at_home']),
  ]),
  stores: [
    { id: 'paris-opera', name: 'Paris Opéra', slug: 'paris-opera', city: 'Paris', latitude: 48.8719, longitude: 2.3316 },
    { id: 'lyon-bellecour', name: 'Lyon Bellecour', slug: 'lyon-bellecour', city: 'Lyon', latitude: 45.7578, longitude: 4.832 },
    { id: 'new-york-soho', name: 'New York SoHo', slug: 'new-york-soho', city: 'New York', latitude: 40.7251, longitude: -73.9988 },
  ],
  faq: DEMO_FAQ.map((f, i) => ({ id: ['free', 'parking', 'bring'][i] ?? String(i), keywords: f.keywords })),
};

/** "2027-03-10 11:00" (exact), "2027-03-04 08:00-12:00" (part of a day), "2027-03-06..2027-03-07" (whole days), "at 15:30", "soonest". */
export function describeAsk(ask: DateAsk): string {
  const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE });
  switch (ask.kind) {
    case 'soonest': return 'soonest';
    case 'time': return `at ${String(ask.hour).padStart(2, '0')}:${String(ask.minute).padStart(2, '0')}`;
    case 'exact': return local(ask.at).toFormat('yyyy-MM-dd HH:mm');
    case 'window': {
      const from = local(ask.from);
      const to = local(ask.to);
      const midnight = (d: DateTime) => d.hour === 0 && d.minute === 0;
      if (midnight(from) && midnight(to)) {
        const last = to.minus({ days: 1 });
        return last.hasSame(from, 'day') ? from.toFormat('yyyy-MM-dd') : `${from.toFormat('yyyy-MM-dd')}..${last.toFormat('yyyy-MM-dd')}`;
      }
      if (from.hasSame(to, 'day')) return `${from.toFormat('yyyy-MM-dd HH:mm')}-${to.toFormat('HH:mm')}`;
      return `${from.toFormat('yyyy-MM-dd HH:mm')}..${to.toFormat('yyyy-MM-dd HH:mm')}`;
    }
  }
}

/** An understanding written the way the table writes expectations (keys in a fixed order). */
export function describeUnderstanding(u: Understanding): string {
  const parts: string[] = [];
  if (u.serviceId) parts.push(`service=${u.serviceId}`);
  if (u.mode) parts.push(`mode=${u.mode}`);
  if (u.place && 'storeId' in u.place) parts.push(`store=${u.place.storeId}`);
  if (u.place && 'near' in u.place) parts.push(`near=${u.place.near.label ?? ''}`);
  if (u.when) parts.push(`when=${describeAsk(u.when)}`);
  if (u.contact) parts.push(`contact=${[u.contact.email, u.contact.phone].filter(Boolean).join(',')}`);
  if (u.question) parts.push(`question=${u.question.kind === 'faq' ? `faq:${u.question.id}` : u.question.kind}`);
  if (u.correction) parts.push('correction');
  return parts.join('; ');
}

const ORDER = ['service', 'mode', 'store', 'near', 'when', 'contact', 'question', 'correction'];
/** An expectation in the same fixed order, whatever order the row wrote it in. */
export function canonical(spec: string): string {
  return spec.split(';').map((p) => p.trim()).filter(Boolean)
    .sort((a, b) => ORDER.indexOf(a.split('=')[0] ?? '') - ORDER.indexOf(b.split('=')[0] ?? ''))
    .join('; ');
}

export type Row = [text: string, expected: string, clock?: Clock];

export function understandRow(row: Row, locale: 'en' | 'fr'): string {
  const [text, , clock = 'mon'] = row;
  const now = DateTime.fromISO(CLOCKS[clock], { zone: ZONE }).toJSDate();
  return describeUnderstanding(understandMessage(text, TABLE_CATALOGUE, { locale, now, timeZone: ZONE }));
}

/** How many rows of a table are understood exactly (every entity, nothing more). */
export function accuracy(rows: readonly Row[], locale: 'en' | 'fr'): { right: number; total: number; misses: string[] } {
  const misses = rows.filter((row) => understandRow(row, locale) !== canonical(row[1]))
    .map((row) => `${row[0]} → ${understandRow(row, locale)} (expected ${canonical(row[1])})`);
  return { right: rows.length - misses.length, total: rows.length, misses };
}
