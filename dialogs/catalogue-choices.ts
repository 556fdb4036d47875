import type { Mode, Service, Store } from '../models/catalogue.repository.ts';
import { normalize } from './understanding.ts';
import { choice, type ChoiceSpec } from './views.ts';

/**
 * Services as quick replies. Besides their names, each answers to the words of its names that no
 * other service uses ("video", "showroom", "cuisine"), so brand data needs no synonym list.
 */
export function serviceChoices(services: readonly Service[]): ChoiceSpec[] {
  const wordsOf = (s: Service) => new Set(
    [s.names.en, s.names.fr, s.slug.replace(/-/g, ' ')].flatMap((n) => normalize(n).split(' ')).filter((w) => w.length >= 4),
  );
  const all = services.map(wordsOf);
  const uses = new Map<string, number>();
  for (const set of all) for (const w of set) uses.set(w, (uses.get(w) ?? 0) + 1);
  return services.map((s, i) => ({
    key: s.id,
    title: s.names,
    synonyms: [s.slug, ...[...(all[i] ?? [])].filter((w) => uses.get(w) === 1)],
  }));
}

export const MODE_SYNONYMS: Record<Mode, string[]> = {
  in_store: ['in store', 'store', 'shop', 'in person', 'showroom', 'magasin', 'en magasin', 'boutique', 'sur place'],
  online: ['online', 'video', 'video call', 'remote', 'remotely', 'call', 'visio', 'en ligne', 'a distance', 'appel'],
  at_home: ['at home', 'home', 'my home', 'my place', 'my house', 'domicile', 'a domicile', 'chez moi', 'maison'],
};

export const modeChoice = (mode: Mode): ChoiceSpec => choice(mode, `mode.${mode}`, MODE_SYNONYMS[mode]);

/** Stores answer to their name and slug, and to their city when no other store is in it. */
export function storeChoices(stores: readonly Pick<Store, 'id' | 'name' | 'slug' | 'city'>[]): ChoiceSpec[] {
  const cities = new Map<string, number>();
  for (const s of stores) cities.set(normalize(s.city), (cities.get(normalize(s.city)) ?? 0) + 1);
  return stores.map((s) => ({
    key: s.id,
    title: { en: s.name, fr: s.name },
    synonyms: [s.slug, ...(cities.get(normalize(s.city)) === 1 ? [s.city] : [])],
  }));
}
