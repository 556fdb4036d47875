import type { Activity } from 'botbuilder-core';
import type { Locale } from '../models/catalogue.repository.ts';
import type { ChoiceSpec } from './views.ts';

/** What the customer sent: typed (or clicked) text, and the widget's structured value if any. */
export interface Reply {
  text: string;
  value: Record<string, unknown> | null;
}

export function replyOf(activity: Partial<Activity>): Reply {
  const v: unknown = activity.value;
  return {
    text: typeof activity.text === 'string' ? activity.text.trim() : '',
    value: typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null,
  };
}

/** The widget's structured action ('slot', 'form', 'location', 'resend'…), if the reply has one. */
export const actionOf = (reply: Reply): string | null =>
  typeof reply.value?.['action'] === 'string' ? reply.value['action'] : null;

/** The position of a 'location' answer (a shared position, the map's confirmed pin), when it is one on Earth. */
export function locationOf(reply: Reply): { latitude: number; longitude: number } | null {
  const v = reply.value;
  const latitude = v?.['latitude'];
  const longitude = v?.['longitude'];
  return actionOf(reply) === 'location' && typeof latitude === 'number' && typeof longitude === 'number'
    && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 ? { latitude, longitude } : null;
}

/** Lowercase, no accents, no punctuation, single spaces: "Rendez-vous à 15h !" → "rendez vous a 15h". */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9@+]+/g, ' ')
    .trim();
}

/** Choice names normalised once: the same titles and synonyms are matched on every turn of every conversation. */
const normalizedNames = new Map<string, string>();
function normalizedName(name: string): string {
  let n = normalizedNames.get(name);
  if (n === undefined) {
    n = normalize(name);
    // Names come from code and from brands' catalogues: bounded all the same.
    if (normalizedNames.size >= 5_000) normalizedNames.clear();
    normalizedNames.set(name, n);
  }
  return n;
}

const words = (text: string) => normalize(text).split(' ').filter(Boolean);
const nameWords = (name: string) => normalizedName(name).split(' ').filter(Boolean);
/** "measurements" matches "measurement", "mesures" matches "mesure". */
const sameWord = (a: string, b: string) => a === b || a.replace(/[sx]$/, '') === b.replace(/[sx]$/, '');

/** Whether `phrase` occurs in `said` as whole words. */
function contains(said: string[], phrase: string[]): boolean {
  if (phrase.length === 0 || phrase.length > said.length) return false;
  for (let i = 0; i + phrase.length <= said.length; i++) {
    if (phrase.every((w, j) => sameWord(w, said[i + j] ?? ''))) return true;
  }
  return false;
}

const namesOf = (c: ChoiceSpec) => [c.title.en, c.title.fr, ...(c.synonyms ?? [])];

/**
 * The choice the customer means: a title (in either language) or synonym said exactly, else its
 * number in the list, else the choice whose name or synonym occurs in what was said (longest match
 * wins; a tie between two choices is no answer rather than a guess).
 */
export function matchChoice(text: string, choices: readonly ChoiceSpec[], exactOnly = false): ChoiceSpec | undefined {
  const said = normalize(text);
  if (!said) return undefined;
  const exact = choices.find((c) => namesOf(c).some((n) => normalizedName(n) === said));
  if (exact || exactOnly) return exact;
  if (/^\d{1,2}$/.test(said)) return choices[Number(said) - 1];
  const saidWords = said.split(' ');
  let best: { choice: ChoiceSpec; score: number } | undefined;
  let tie = false;
  for (const c of choices) {
    let score = 0;
    for (const name of namesOf(c)) {
      const named = nameWords(name);
      if (contains(saidWords, named)) score = Math.max(score, named.join(' ').length);
      // "showroom" for "Guided showroom visit": every word said belongs to the name.
      else if (said.length >= 4 && contains(named, saidWords)) score = Math.max(score, said.length);
    }
    if (score === 0) continue;
    if (!best || score > best.score) {
      best = { choice: c, score };
      tie = false;
    } else if (score === best.score && best.choice.key !== c.key) {
      tie = true;
    }
  }
  return tie ? undefined : best?.choice;
}

/**
 * Words only one of our languages uses, common in a first message ("I'd like to book…", "Je voudrais
 * un rendez-vous…"). Words both share ("a", "on", "me", "transport") count for neither.
 */
const MARKERS: Record<Locale, ReadonlySet<string>> = {
  en: new Set(('i would like want need the an to for in at with and my please hi hello hey good thanks thank you book booking ' +
    'appointment can could is are next this tomorrow today morning afternoon evening week weekend what when where how ' +
    'monday tuesday wednesday thursday friday saturday sunday').split(' ')),
  fr: new Set(('je j voudrais veux aimerais souhaite souhaiterais un une le la les des du de pour avec et est mon ma mes ' +
    'bonjour salut bonsoir merci rendez vous rdv prendre prochain prochaine cette demain aujourd hui matin apres midi soir semaine ' +
    'quel quelle quand ou comment plait svp lundi mardi mercredi jeudi vendredi samedi dimanche').split(' ')),
};

/**
 * The language a message is clearly written in, or null when it is not clear (numbers, names, a
 * mix): the first message of a phone conversation decides the language better than the number's
 * country. Clear = marker words of one language only, or at least twice as many and two or more.
 */
export function languageOf(text: string): Locale | null {
  const said = words(text);
  const en = said.filter((w) => MARKERS.en.has(w)).length;
  const fr = said.filter((w) => MARKERS.fr.has(w)).length;
  if (en > 0 && (fr === 0 || (en >= 2 && en >= 2 * fr))) return 'en';
  if (fr > 0 && (en === 0 || (fr >= 2 && fr >= 2 * en))) return 'fr';
  return null;
}

export type Interruption =
  | { kind: 'help' | 'cancel' | 'startOver' | 'person' }
  | { kind: 'language'; locale: Locale };

const LANGUAGE_LEAD = String.raw`(?:(?:en|in|parler|parlez|speak|switch to|continue in|passer en|on parle|lets speak|can we speak)\s+)?`;
const PLEASE = String.raw`(?:\s+(?:please|svp|stp|s il vous plait|s il te plait))?`;
const PATTERNS: [RegExp, Interruption][] = [
  [new RegExp(`^${LANGUAGE_LEAD}(?:francais|french)${PLEASE}$`), { kind: 'language', locale: 'fr' }],
  [new RegExp(`^${LANGUAGE_LEAD}(?:english|anglais)${PLEASE}$`), { kind: 'language', locale: 'en' }],
  [/^(?:help|help me|i need help|what can you do|aide|aidez moi|a l aide|au secours|j ai besoin d aide|que pouvez vous faire)$/, { kind: 'help' }],
  [new RegExp(`^(?:cancel|stop|quit|exit|abort|never mind|nevermind|forget it|annuler|annule|arreter|arrete|laisse tomber|laissez tomber)(?: (?:it|that|this|tout|ca))?${PLEASE}$`), { kind: 'cancel' }],
  [/^(?:start over|start again|restart|begin again|main menu|menu|back to menu|back to the menu|recommencer|recommence|on recommence|menu principal|retour au menu|reprendre depuis le debut)$/, { kind: 'startOver' }],
  [/^(?:agent|live agent|human|a human|humain|un humain|person|a person|une personne|advisor|an advisor|conseiller|conseillere|un conseiller|une conseillere|operator|operateur)$/, { kind: 'person' }],
  [/\b(?:talk|speak|chat|parler|discuter)\b.*\b(?:someone|somebody|person|human|agent|advisor|adviser|conseill\w*|quelqu un|personne|humain|operat\w*|representative)\b/, { kind: 'person' }],
];

/** A request that can come at any step: help, cancel, start over, a person, another language. */
export function detectInterruption(text: string): Interruption | null {
  if (text.trim() === '?') return { kind: 'help' };
  const said = normalize(text);
  if (!said || said.length > 80) return null;
  return PATTERNS.find(([re]) => re.test(said))?.[1] ?? null;
}
