import type { Queryable, Tx } from './database.ts';
import type { Locale } from './catalogue.repository.ts';
import { cachedRead } from './read-cache.ts';

/** One question of a brand's FAQ: the phrases that identify it and its answer in each language. */
export interface FaqEntry {
  id: string;
  keywords: string[];
  questions: Partial<Record<Locale, string>>;
  answers: Partial<Record<Locale, string>>;
}

export type NewFaqEntry = Omit<FaqEntry, 'id'>;

export function listFaq(db: Queryable, brandId: string): Promise<FaqEntry[]> {
  return cachedRead(db, ['brand_faq'], `faq:${brandId}`, () => db.query<FaqEntry>(
    'SELECT id, keywords, questions, answers FROM brand_faq WHERE brand_id = $1 ORDER BY position, id',
    [brandId],
  ));
}

/** Replaces the brand's whole FAQ with `entries`, in this order. */
export async function replaceFaq(tx: Tx, brandId: string, entries: readonly NewFaqEntry[]): Promise<FaqEntry[]> {
  await tx.query('DELETE FROM brand_faq WHERE brand_id = $1', [brandId]);
  for (const [position, e] of entries.entries()) {
    await tx.query(
      'INSERT INTO brand_faq (brand_id, position, keywords, questions, answers) VALUES ($1, $2, $3, $4, $5)',
      [brandId, position, e.keywords, JSON.stringify(e.questions), JSON.stringify(e.answers)],
    );
  }
  return listFaq(tx, brandId);
}
