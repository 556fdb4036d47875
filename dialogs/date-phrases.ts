import { DateTime } from 'luxon';

/**
 * The domain's own date rules, read on `dateText` (lowercase, no accents: "apres demain", "15:30"):
 * what people say when booking and the Microsoft recognizer misses or misreads (parts of day such as
 * "after lunch" or "en fin de journée", "in two weeks", "le mois prochain", "ce week-end", "fin mars",
 * weekdays said on a weekend). Explicit dates ("12 March", "le 12 décembre") are left to the recognizer.
 */

/** Lowercase, no accents, only letters, digits, ":" and "/": "Après-demain à 15:30 !" → "apres demain a 15:30". */
export function dateText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9:/]+/g, ' ')
    .trim();
}

/** Local minutes since midnight, [from, to). */
export type PartOfDay = readonly [from: number, to: number];

const H = 60;
/** Most specific first: "late afternoon" before "afternoon", "apres midi" before "midi". */
const PARTS: [RegExp, PartOfDay][] = [
  [/\b(?:first thing|early morning|early in the morning|tot le matin|a la premiere heure|premiere heure|(?:en )?debut de matinee)\b/, [8 * H, 10 * H]],
  [/\b(?:late morning|late in the morning|(?:en )?fin de matinee)\b/, [10 * H, 12 * H]],
  [/\b(?:after lunch|after lunchtime|early afternoon|apres (?:le )?dejeuner|apres manger|(?:en )?debut d apres midi)\b/, [13 * H + 30, 16 * H]],
  [/\b(?:late afternoon|end of the afternoon|(?:en )?fin d apres midi|(?:en )?fin de l apres midi)\b/, [16 * H, 18 * H]],
  [/\b(?:end of the day|end of day|late in the day|after work|(?:en )?fin de journee|apres le travail|apres le boulot)\b/, [16 * H, 19 * H]],
  [/\b(?:lunch|lunchtime|lunch time|heure du dejeuner|pause dejeuner)\b/, [12 * H, 14 * H]],
  [/\b(?:afternoon|apres midi|aprem|cet aprem)\b/, [12 * H, 18 * H]],
  [/\b(?:morning|matin|matinee)\b/, [8 * H, 12 * H]],
  [/\b(?:evening|tonight|soir|soiree)\b/, [17 * H, 21 * H]],
];

export function partOfDay(said: string): PartOfDay | null {
  return PARTS.find(([re]) => re.test(said))?.[1] ?? null;
}

/** The words that name the part of day ("end of the day"), which the recognizer must not read as a date. */
export function partOfDayWords(said: string): string | null {
  for (const [re] of PARTS) {
    const m = re.exec(said);
    if (m) return m[0];
  }
  return null;
}

/**
 * A time of day written out: "15h", "15h30", "10:30", "11am", "3 pm", "at 10", "a 10" (à 10),
 * "noon", "midi". A bare hour after "at"/"à" from 1 to 6 is an afternoon hour ("at 3" is 15:00).
 */
export function timeInText(said: string, part: PartOfDay | null = null): { hour: number; minute: number } | null {
  const valid = (hour: number, minute: number) => (hour < 24 && minute < 60 ? { hour, minute } : null);
  const ampm = /(?<![\d:])(\d{1,2})(?:[:h ](\d{2}))? ?(am|pm)\b/.exec(said);
  if (ampm) {
    let hour = Number(ampm[1]);
    if (ampm[3] === 'pm' && hour < 12) hour += 12;
    if (ampm[3] === 'am' && hour === 12) hour = 0;
    return valid(hour, Number(ampm[2] ?? 0));
  }
  const clock = /(?<![\d:])(\d{1,2}) ?(?:h|:) ?(\d{2})?(?![\d])/.exec(said);
  if (clock) return afternoon(valid(Number(clock[1]), Number(clock[2] ?? 0)), part);
  if (/\b(?:noon|midday|at 12)\b|(?<!apres )\bmidi\b/.test(said)) return { hour: 12, minute: 0 };
  const bare = BARE_HOUR.exec(said);
  if (bare) {
    let hour = Number(bare[1]);
    if (hour >= 1 && hour <= 6) hour += 12;
    if (hour < 7 || hour > 21) return null;
    return afternoon(valid(hour, Number(bare[2] ?? 0)), part);
  }
  return null;
}

const MONTHS: [string, number][] = [
  ['january|jan|janvier|janv', 1], ['february|feb|fevrier|fev', 2], ['march|mar|mars', 3], ['april|apr|avril|avr', 4],
  ['may|mai', 5], ['june|jun|juin', 6], ['july|jul|juillet|juil', 7], ['august|aug|aout', 8],
  ['september|sept|sep|septembre', 9], ['october|oct|octobre', 10], ['november|nov|novembre', 11], ['december|dec|decembre', 12],
];

const MONTH_NAMES = MONTHS.map(([names]) => names).join('|');
/** "12 March", "March 12th", "le 12", "the 12th", "12/03": a day of the month, the recognizer's job. */
const EXPLICIT_DATE = new RegExp(
  `\\b\\d{1,2}(?:st|nd|rd|th|er)? (?:of )?(?:${MONTH_NAMES})\\b|\\b(?:${MONTH_NAMES}) \\d{1,2}(?:st|nd|rd|th)?\\b(?! ?(?:h|:|am|pm))|\\b(?:le|the) \\d{1,2}(?:st|nd|rd|th|er)?\\b(?! ?(?:h|:|am|pm))|\\b\\d{1,2}/\\d{1,2}\\b|\\b\\d{4} \\d{2} \\d{2}\\b`,
);

/** "at 10", "à 10": not "to 12 March", "in 3 days", "the 15th". */
const BARE_HOUR = new RegExp(String.raw`\b(?:at|a|vers|around|about|to|pour|for)\s(\d{1,2})(?: (\d{2}))?\b(?! ?(?:days?|weeks?|months?|jours?|semaines?|mois|ans?|years?|minutes?|min|people|personnes|[a-z]*(?:st|nd|rd|th|er)\b|(?:${MONTH_NAMES})\b))`);

/** "3 in the afternoon", "8 du soir": a morning-looking hour said with a later part of day. */
function afternoon(time: { hour: number; minute: number } | null, part: PartOfDay | null) {
  if (time && part && part[0] >= 12 * H && time.hour < 12) return { ...time, hour: time.hour + 12 };
  return time;
}

/** A span of local days, [from, to) at midnight in the customer's zone. */
export interface DaySpan {
  from: DateTime;
  to: DateTime;
}

const WEEKDAYS: [RegExp, number][] = [
  [/\b(?:monday|lundi)\b/, 1],
  [/\b(?:tuesday|tue|tues|mardi)\b/, 2],
  [/\b(?:wednesday|wed|mercredi)\b/, 3],
  [/\b(?:thursday|thu|thurs|jeudi)\b/, 4],
  [/\b(?:friday|fri|vendredi)\b/, 5],
  [/\b(?:saturday|samedi)\b/, 6],
  [/\b(?:sunday|dimanche)\b/, 7],
];

const COUNTS: Record<string, number> = {
  a: 1, an: 1, one: 1, un: 1, une: 1, two: 2, deux: 2, three: 3, trois: 3, four: 4, quatre: 4, five: 5, cinq: 5, six: 6,
};
const count = (word: string) => COUNTS[word] ?? (/^\d{1,2}$/.test(word) ? Number(word) : undefined);

const days = (from: DateTime, n: number): DaySpan => ({ from, to: from.plus({ days: n }) });

/** The coming day with this ISO weekday (today counts). */
const coming = (today: DateTime, weekday: number) => today.plus({ days: (weekday - today.weekday + 7) % 7 });

/** Which part of a month "early", "mid", "late" name: days [first, last]. */
function monthPart(said: string, month: string): [number, number] | null {
  if (new RegExp(`\\b(?:first week of|(?:la )?premiere semaine d(?:e )?) ?(?:${month})\\b`).test(said)) return [1, 7];
  if (new RegExp(`\\b(?:early|beginning of|start of|debut|debut de|au debut de|debut du mois de) (?:${month})\\b`).test(said)) return [1, 10];
  if (new RegExp(`\\b(?:mid|middle of|mi|milieu|mi ?mois de|a la mi) (?:${month})\\b`).test(said)) return [11, 20];
  if (new RegExp(`\\b(?:late|end of|the end of|fin|fin de|a la fin de|fin du mois de) (?:${month})\\b`).test(said)) return [21, 31];
  return null;
}

/** "March" (or a part of it) as a span of the coming such month; null when a day number goes with it. */
function monthSpan(said: string, today: DateTime): DaySpan | null {
  for (const [names, month] of MONTHS) {
    // A month alone must be qualified ("in May", "fin mars"): "may" and "mar" are everyday words too.
    if (!new RegExp(`\\b(?:${names})\\b`).test(said)) continue;
    const part = monthPart(said, names);
    const bare = new RegExp(`\\b(?:in|en|for|pour|during|courant|au mois de|the month of|le mois de) (?:${names})\\b`).test(said);
    if (!part && !bare) continue;
    const [first, last] = part ?? [1, 31];
    const within = (start: DateTime): DaySpan => ({
      from: start.set({ day: first }),
      to: last >= 31 ? start.plus({ months: 1 }) : start.set({ day: last + 1 }),
    });
    // This year's, unless it is over: then next year's.
    let span = within(today.set({ month, day: 1 }));
    if (span.to <= today) span = within(today.set({ month, day: 1 }).plus({ years: 1 }));
    return { from: span.from < today ? today : span.from, to: span.to };
  }
  return null;
}

/** The days a phrase names, relative to `now` (in the customer's zone), or null to let the recognizer try. */
export function daySpan(said: string, now: DateTime): DaySpan | null {
  const today = now.startOf('day');
  if (EXPLICIT_DATE.test(said)) {
    const date = dayOfMonth(said, today);
    return date ? days(date, 1) : null;
  }
  if (/\b(?:day after tomorrow|apres demain)\b/.test(said)) return days(today.plus({ days: 2 }), 1);
  if (/\b(?:today|tonight|aujourd hui|this (?:morning|afternoon|evening)|ce (?:matin|soir)|cet (?:apres midi|aprem))\b/.test(said)) return days(today, 1);
  if (/\b(?:tomorrow|tmrw|demain)\b/.test(said)) return days(today.plus({ days: 1 }), 1);

  const inSome = /\b(?:in|dans|d ici) (a|an|one|two|three|four|five|six|un|une|deux|trois|quatre|cinq|six|quinze|huit|\d{1,2}) (days?|weeks?|jours?|semaines?|fortnight)\b/.exec(said);
  if (inSome || /\b(?:in a fortnight|dans quinze jours|dans 15 jours)\b/.test(said)) {
    const [, n = 'quinze', unit = 'jours'] = inSome ?? [];
    const total = n === 'quinze' ? 14 : n === 'huit' ? 7 : (count(n) ?? 0) * (/^(?:weeks?|semaines?)$/.test(unit) ? 7 : unit === 'fortnight' ? 14 : 1);
    // A week or more away: that whole week's worth of days, so the customer sees a choice.
    return total >= 7 ? days(today.plus({ days: total }), 7) : days(today.plus({ days: total }), 1);
  }
  if (/\b(?:the week after next|dans deux semaines)\b/.test(said)) return days(today.startOf('week').plus({ weeks: 2 }), 7);

  const startOfMonth = today.startOf('month');
  if (/\b(?:next month|le mois prochain|mois prochain|the following month)\b/.test(said)) return { from: startOfMonth.plus({ months: 1 }), to: startOfMonth.plus({ months: 2 }) };
  if (/\b(?:end of the month|end of this month|later this month|fin du mois|fin de mois|fin de ce mois|en fin de mois)\b/.test(said)) {
    const from = startOfMonth.set({ day: 21 });
    return { from: from < today ? today : from, to: startOfMonth.plus({ months: 1 }) };
  }
  if (/\b(?:this month|ce mois ci|ce mois)\b/.test(said)) return { from: today, to: startOfMonth.plus({ months: 1 }) };

  if (/\bweek ?ends?\b/.test(said)) {
    // Saturday and Sunday: on a Sunday "the weekend" is today; "next weekend" is the following one.
    const saturday = today.weekday === 7 ? today.minus({ days: 1 }) : coming(today, 6);
    const from = /\b(?:next|prochain|following)\b/.test(said) ? saturday.plus({ weeks: 1 }) : saturday;
    return { from: from < today ? today : from, to: from.plus({ days: 2 }) };
  }

  const month = monthSpan(said, today);
  if (month) return month;

  const weekday = WEEKDAYS.find(([re]) => re.test(said))?.[1];
  // "Wednesday week", "mercredi en huit": a week after the coming Wednesday; "en quinze": two.
  const later = /\b(?:[a-z]*day|dimanche|lundi|mardi|mercredi|jeudi|vendredi|samedi) (week|en huit|en quinze)\b/.exec(said)?.[1];
  if (weekday !== undefined && later) return days(coming(today, weekday).plus({ weeks: later === 'en quinze' ? 2 : 1 }), 1);
  if (weekday !== undefined) {
    // "next Tuesday" / "mardi prochain": that day of next week; a weekday alone: the coming one.
    const next = new RegExp(`\\b(?:next|prochain|prochaine)\\b`).test(said) && !/\bnext week\b/.test(said);
    return days(next ? today.startOf('week').plus({ weeks: 1, days: weekday - 1 }) : coming(today, weekday), 1);
  }
  return null;
}

const monthNumber = (name: string) => MONTHS.find(([names]) => new RegExp(`^(?:${names})$`).test(name))?.[1];
const DAY_MONTH = new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th|er)? (?:of )?(${MONTH_NAMES})\b(?: (\d{4}))?`);
const MONTH_DAY = new RegExp(String.raw`\b(${MONTH_NAMES}) (\d{1,2})(?:st|nd|rd|th)?\b(?! ?(?:h|:|am|pm))(?: (\d{4}))?`);
const THE_DAY = /\b(?:le|the) (\d{1,2})(?:st|nd|rd|th|er)?\b(?! ?(?:h|:|am|pm))/;

/**
 * "12 March", "March 15th", "le 1er avril", "the 9th", "le 9": the coming such day (next year's, or
 * next month's when no month is said, once it is past); null for a day the month does not have.
 */
export function dayOfMonth(said: string, today: DateTime): DateTime | null {
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  const dm = DAY_MONTH.exec(said);
  const md = dm ? null : MONTH_DAY.exec(said);
  const the = dm || md ? null : THE_DAY.exec(said);
  if (dm) [day, month, year] = [Number(dm[1]), monthNumber(dm[2] ?? ''), dm[3] ? Number(dm[3]) : undefined];
  else if (md) [day, month, year] = [Number(md[2]), monthNumber(md[1] ?? ''), md[3] ? Number(md[3]) : undefined];
  else if (the) day = Number(the[1]);
  if (day === undefined || day < 1) return null;
  const at = (y: number, m: number) => {
    const d = DateTime.fromObject({ year: y, month: m, day }, { zone: today.zone });
    return d.isValid ? d : null;
  };
  if (month !== undefined) {
    if (year !== undefined) return at(year, month);
    const thisYear = at(today.year, month);
    return thisYear && thisYear >= today ? thisYear : at(today.year + 1, month);
  }
  const thisMonth = at(today.year, today.month);
  if (thisMonth && thisMonth >= today) return thisMonth;
  const next = today.plus({ months: 1 });
  return at(next.year, next.month);
}
