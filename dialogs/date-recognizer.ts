import { Culture, DateTimeRecognizer, type IDateTimeModel } from '@microsoft/recognizers-text-date-time';
import type { Locale } from '../models/catalogue.repository.ts';

/**
 * Microsoft's date recognizers, built once per process, with one saving: within one reading, the
 * recognizer's sub-extractors ask its number extractors about the same words about 30 times (only
 * 3 or 4 distinct questions), and the French ones cost milliseconds each; most messages are button
 * titles, the same words in every conversation. Number extraction depends on the extractor and the
 * words alone, so each answer is kept (for the latest texts) and every caller gets its own copies.
 */

const CULTURES: Record<Locale, string> = { en: Culture.English, fr: Culture.French };
const models = new Map<Locale, IDateTimeModel>();

/** What the library's number extractors return (plain objects of plain values). */
type NumberFound = Record<string, unknown>;
type NumberExtract = (this: object, source: string) => NumberFound[];

/** Answers kept per extractor: enough for the buttons' titles and the messages of the moment. */
const KEPT_ANSWERS = 500;
const answers = new WeakMap<object, Map<string, NumberFound[]>>();
const patched = new WeakSet<object>();

/**
 * The prototype that defines the number extractors' `extract` (BaseNumberExtractor in 1.1.x),
 * found from the model; undefined if a later version is shaped otherwise (then nothing is saved).
 */
function numberExtractorPrototype(model: IDateTimeModel): { extract: NumberExtract } | undefined {
  const path = ['extractor', 'config', 'dateExtractor', 'config', 'integerExtractor'];
  let extractor: unknown = model;
  for (const key of path) extractor = (extractor as Record<string, unknown> | undefined)?.[key];
  let proto: unknown = extractor ? Object.getPrototypeOf(extractor) : undefined;
  while (proto && proto !== Object.prototype && !Object.prototype.hasOwnProperty.call(proto, 'extract')) proto = Object.getPrototypeOf(proto);
  const found = proto as { extract?: unknown } | undefined;
  return typeof found?.extract === 'function' && found !== Object.prototype ? (found as { extract: NumberExtract }) : undefined;
}

function answerOnce(proto: { extract: NumberExtract }): void {
  if (patched.has(proto)) return;
  patched.add(proto);
  const extract = proto.extract;
  proto.extract = function (this: object, source: string): NumberFound[] {
    let kept = answers.get(this);
    if (!kept) answers.set(this, (kept = new Map()));
    let found = kept.get(source);
    if (!found) {
      found = extract.call(this, source);
      // The oldest answer goes first (a Map keeps insertion order).
      if (kept.size >= KEPT_ANSWERS) kept.delete(kept.keys().next().value as string);
      kept.set(source, found);
    }
    return found.map((r) => ({ ...r }));
  };
}

/** Building a recognizer takes seconds, so each language's is built once per process. */
function model(locale: Locale): IDateTimeModel {
  let m = models.get(locale);
  if (!m) {
    m = new DateTimeRecognizer(CULTURES[locale]).getDateTimeModel();
    const proto = numberExtractorPrototype(m);
    if (proto) answerOnce(proto);
    models.set(locale, m);
  }
  return m;
}

/** The dates, times and periods the recognizer reads in `text`, relative to `reference` (may throw). */
export function recognizeDates(locale: Locale, text: string, reference: Date): ReturnType<IDateTimeModel['parse']> {
  return model(locale).parse(text, reference);
}
