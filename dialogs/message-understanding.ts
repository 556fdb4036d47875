import type { Mode } from '../models/catalogue.repository.ts';
import { geocode } from '../scheduling/geocoder.ts';
import { MODE_SYNONYMS, modeChoice, storeChoices } from './catalogue-choices.ts';
import { normaliseEmail, normalisePhone } from './contact-details.ts';
import { understandDate, type DateAsk, type DateContext } from './date-understanding.ts';
import { matchChoice, normalize } from './understanding.ts';
import type { ChoiceSpec } from './views.ts';

/**
 * The understanding step in front of every turn: what one message says about the booking, whatever
 * was asked (service, way to meet, place, date and time, contact), whether it is a question about the
 * brand, and whether it sounds like a change of mind. Pure: the catalogue and the clock come in.
 */

export interface StoreRef {
  id: string;
  name: string;
  slug: string;
  city: string;
  latitude: number;
  longitude: number;
}

export interface FaqRef {
  id: string;
  /** Phrases that identify the question, in any language ("is it free", "gratuit"). */
  keywords: readonly string[];
}

/** What a message is read against: the brand's services (as choices), stores and FAQ. */
export interface CatalogueView {
  services: readonly ChoiceSpec[];
  stores: readonly StoreRef[];
  faq: readonly FaqRef[];
}

export interface Point {
  latitude: number;
  longitude: number;
  label: string | null;
}

export type Place = { storeId: string } | { near: Point };

export type AboutKind = 'hours' | 'address' | 'service';
export type Question = { kind: AboutKind } | { kind: 'faq'; id: string };

export interface Understanding {
  serviceId?: string;
  /** The service was named only by a word that also names a way to meet ("visio", "showroom"). */
  serviceFromMode?: boolean;
  mode?: Mode;
  place?: Place;
  when?: DateAsk;
  contact?: { email?: string; phone?: string };
  question?: Question;
  /** Worded as a change of mind ("actually", "instead", "finalement", "non, …"). */
  correction: boolean;
}

const MODES: readonly Mode[] = ['in_store', 'online', 'at_home'];
const MODE_CHOICES = MODES.map(modeChoice);

const CORRECTION = /^(?:no|non|nope|oh|ah|sorry|pardon|oups|oops)\b|\b(?:actually|instead|rather|make it|change (?:it|the|that|to)|switch (?:to|it)|i meant|i mean|en fait|finalement|plutot|au lieu|changer|change|modifier|je voulais dire|on change|mettez|mets)\b/;

const QUESTIONS: [RegExp, AboutKind][] = [
  [/\b(?:opening hours|opening times|business hours|what time (?:do|does) [\w ]{0,30}(?:open|close)|when (?:are|is) (?:you|the store|the shop|it) open|are you open|is (?:the|your) (?:store|shop|showroom) open|open on|open at|open until|open today|open tomorrow|closed on|closing time|when do you close|horaires? d ouverture|heures? d ouverture|vous etes ouverts?|etes vous ouverts?|est (?:il|elle) ouvert|ouvert le|ouverts? le|ouvre|ouvrez|fermez|ferme a quelle heure|a quelle heure (?:ouvr|ferm))\w*\b/, 'hours'],
  [/\b(?:(?:your|the|store s|shop s|its|what s the|what is the) address|address of|where is|where are you|where s the|where are|how (?:do|can) i get (?:there|to)|how to get (?:there|to)|directions|getting there|(?:l|votre|quelle est l) adresse|adresse du|ou se trouve|ou etes vous|ou est le magasin|ou est la boutique|ou est le showroom|comment (?:y )?(?:aller|venir|se rendre|acceder)|comment vous trouver|itineraire|acces au magasin)\b/, 'address'],
  [/\b(?:what does (?:it|the|this|a|that)[\w ]{0,40} include|what s included|what is included|what do you do|what happens|how long (?:does|is|will)|how long|duration|en quoi consiste|qu est ce (?:que|qu) (?:comprend|inclut|c est)|ca comprend quoi|que comprend|combien de temps|duree|ca dure|dure combien|ca se passe comment|comment se passe)\b/, 'service'],
];

/** "instead of Tuesday, Friday": the day given up is not the day asked for. */
const INSTEAD_OF = /\b(?:instead of|rather than|au lieu de|au lieu du|plutot que)\s[^,;.]+[,;.]/i;
const STREET = /\b\d{1,4}(?: ?(?:bis|ter))? (?:rue|avenue|av|boulevard|bd|place|chemin|allee|impasse|quai|route|cours|street|st|road|rd|lane|ln|drive|dr|way)\b/;
const EMAIL = /[^\s@,;<>()]+@[^\s@,;<>()]+\.[a-z]{2,}/i;
const PHONE = /\+?\d[\d .\-()]{7,}\d/;

/** "in Lyon", "à Lyon", "près de Bordeaux": the words after a preposition of place may name a place. */
const PLACE_LEAD = /^(?:in|near|around|close to|next to|a|au|aux|pres de|vers|du cote de|sur)$/;
/** Words after a preposition that start a date or a way to meet, not a place. */
const NOT_A_PLACE = /^(?:the|a|an|my|your|our|home|store|shop|person|two|three|four|one|next|this|that|la|le|les|l|un|une|ma|mon|votre|vos|domicile|distance|quelle|quel|partir|peu|midi|demain|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|noon|lunch|lunchtime|morning|afternoon|evening|week|month|weekend|video|visio|store|boutique|magasin|ligne|minute|minutes|hours?|days?|weeks?|months?|jours?|semaines?|mois|quinze|huit|deux|trois|fin|debut|mi|late|early|end|first|le|du|plus|moins)$/;

/** A store named (by name or by a city with one store), else a postcode or a city near which to look. */
function placeIn(text: string, said: string, stores: readonly StoreRef[], hint: 'FR' | undefined): Place | undefined {
  const store = /^\d+$/.test(said) ? undefined : matchChoice(text, storeChoices(stores));
  if (store) return { storeId: store.key };
  const postcode = /(?<![\d+])\d{5}(?!\d)/.exec(text)?.[0];
  const options = hint ? { countryHint: hint } : {};
  const near = (p: ReturnType<typeof geocode>): Place | undefined =>
    p ? { near: { latitude: p.latitude, longitude: p.longitude, label: p.label } } : undefined;
  if (postcode) return near(geocode(postcode, options));
  const words = said.split(' ');
  for (let i = 0; i < words.length; i++) {
    // A lead of one to three words ("in", "pres de", "du cote de"), then up to four words of place.
    const lead = [1, 2, 3].find((n) => PLACE_LEAD.test(words.slice(i, i + n).join(' ')));
    if (lead === undefined) continue;
    const after = words.slice(i + lead, i + lead + 4);
    if (NOT_A_PLACE.test(after[0] ?? '')) continue;
    for (let n = after.length; n >= 1; n--) {
      if (NOT_A_PLACE.test(after[n - 1] ?? '')) continue;
      const found = near(geocode(after.slice(0, n).join(' '), options));
      if (found) return found;
    }
  }
  return undefined;
}

function questionIn(said: string, faq: readonly FaqRef[]): Question | undefined {
  let best: { id: string; length: number } | undefined;
  for (const entry of faq) {
    for (const keyword of entry.keywords) {
      const k = normalize(keyword);
      if (k && new RegExp(`\\b${k}\\b`).test(said) && (!best || k.length > best.length)) best = { id: entry.id, length: k.length };
    }
  }
  if (best) return { kind: 'faq', id: best.id };
  const kind = QUESTIONS.find(([re]) => re.test(said))?.[1];
  return kind ? { kind } : undefined;
}

/** Everything one message says; an empty `Understanding` (correction false) when it says nothing of use. */
export function understandMessage(text: string, catalogue: CatalogueView, c: DateContext): Understanding {
  const said = normalize(text);
  const found: Understanding = { correction: CORRECTION.test(said) };
  if (!said || text.length > 300) return found;
  const numeric = /^\d+$/.test(said);
  const email = EMAIL.exec(text)?.[0];
  const phone = PHONE.exec(text.replace(EMAIL, ' '))?.[0];
  const contact = { ...(email && normaliseEmail(email) ? { email: normaliseEmail(email) ?? '' } : {}), ...(phone && normalisePhone(phone) ? { phone: normalisePhone(phone) ?? '' } : {}) };
  if (contact.email || contact.phone) {
    // Contact details are all the message is about ("Paris Hilton, paris@example.com" names no store).
    found.contact = contact;
    return found;
  }
  const service = numeric ? undefined : matchChoice(text, catalogue.services);
  const place = placeIn(text, said, catalogue.stores, c.locale === 'fr' ? 'FR' : undefined);
  const question = questionIn(said, catalogue.faq);
  if (service) found.serviceId = service.key;
  if (place) found.place = place;
  if (question) {
    // A question names what it is about; the rest is not a booking detail.
    found.question = question;
    return found;
  }
  const mode = numeric ? undefined : matchChoice(text, MODE_CHOICES)?.key;
  if (mode === 'in_store' || mode === 'online' || mode === 'at_home') {
    found.mode = mode;
    if (service) {
      // "showroom visit" names the service ("visit" is in its name); "en visio" alone names a way to meet.
      const rest = MODE_SYNONYMS[mode].reduce((r, w) => r.replace(new RegExp(`\\b${normalize(w)}\\b`, 'g'), ' '), said).split(' ');
      const own = normalize(`${service.title.en} ${service.title.fr}`).split(' ').filter((w) => w.length >= 4);
      if (!own.some((w) => rest.includes(w))) found.serviceFromMode = true;
    }
  }
  // Numbers are options in a list, not dates ("2"); postcodes are places; "10 rue de Rivoli" is an address.
  const when = numeric || STREET.test(said) ? null : understandDate(text.replace(/(?<![\d+])\d{5}(?!\d)/g, ' ').replace(INSTEAD_OF, ' '), c);
  if (when) found.when = when;
  return found;
}

/** Whether the message says anything about the booking (or asks something). */
export const saysSomething = (u: Understanding): boolean =>
  Boolean(u.serviceId || u.mode || u.place || u.when || u.contact || u.question);
