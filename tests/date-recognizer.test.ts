import { Culture, DateTimeRecognizer } from '@microsoft/recognizers-text-date-time';
import { recognizeDates } from '../dialogs/date-recognizer.ts';
import { EN_ROWS, FR_ROWS, HELD_OUT_EN_ROWS, HELD_OUT_FR_ROWS } from './support/understanding-rows.ts';

/** What customers type (the understanding table's rows) and phrases whose numbers lean on the reference day. */
const TEXTS = [...new Set([
  ...[...EN_ROWS, ...FR_ROWS, ...HELD_OUT_EN_ROWS, ...HELD_OUT_FR_ROWS].map(([text]) => text),
  'Book an appointment', 'Thursday the 21st', '20th of next month', 'the first of May at half past two',
  'le 21 mars à 15h', 'vingt et un mai', 'dans deux semaines', 'fin mars',
])];
const REFERENCES = [new Date(2027, 2, 1, 8, 0, 0), new Date(2027, 3, 30, 17, 0, 0)];

type Reading = (locale: 'en' | 'fr', text: string, reference: Date) => unknown;
const readAll = (read: Reading): string[] =>
  REFERENCES.flatMap((reference) => TEXTS.flatMap((text) => (['en', 'fr'] as const).map((locale) => {
    try {
      return JSON.stringify(read(locale, text, reference));
    } catch (error) {
      return `throws ${String(error)}`;
    }
  })));

test('keeping the number extractors\' answers changes no reading, first time or again', () => {
  // The library's own readings, taken before recognizeDates first builds its models (and keeps answers).
  const plain = { en: new DateTimeRecognizer(Culture.English).getDateTimeModel(), fr: new DateTimeRecognizer(Culture.French).getDateTimeModel() };
  const before = readAll((locale, text, reference) => plain[locale].parse(text, reference));
  expect(before.filter((r) => r !== '[]').length).toBeGreaterThan(100);
  expect(readAll(recognizeDates)).toEqual(before);
  expect(readAll(recognizeDates)).toEqual(before);
}, 300_000);
