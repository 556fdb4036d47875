import type { Database } from '../models/database.ts';
import { replaceFaq, type FaqEntry, type NewFaqEntry } from '../models/faq.repository.ts';

/**
 * Replaces the brand's whole FAQ (the chat answers from it at any step) in one transaction: the
 * chat never reads half of an old list and half of a new one. Entries keep their order.
 */
export async function replaceBrandFaq(db: Database, brandId: string, entries: readonly NewFaqEntry[]): Promise<FaqEntry[]> {
  return db.transaction((tx) => replaceFaq(tx, brandId, entries));
}
