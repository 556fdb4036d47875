import { EN_ROWS, FR_ROWS, HELD_OUT_EN_ROWS, HELD_OUT_FR_ROWS } from './understanding-rows.ts';
import { accuracy, type Row } from './understanding-table.ts';

/** `npm run accuracy`: how many rows of each understanding table are understood exactly, and the misses. */
const TABLES: [string, Row[], 'en' | 'fr'][] = [
  ['EN table', EN_ROWS, 'en'],
  ['FR table', FR_ROWS, 'fr'],
  ['EN held out', HELD_OUT_EN_ROWS, 'en'],
  ['FR held out', HELD_OUT_FR_ROWS, 'fr'],
];

for (const [name, rows, locale] of TABLES) {
  const { right, total, misses } = accuracy(rows, locale);
  console.log(`${name}: ${right}/${total} (${((100 * right) / total).toFixed(1)}%)`);
  for (const miss of misses) console.log(`  miss: ${miss}`);
}
