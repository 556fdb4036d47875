import type { Locale } from '../../models/catalogue.repository.ts';
import { linkPageTexts as en, type LinkPageTexts } from './link-pages.en.ts';
import { linkPageTexts as fr } from './link-pages.fr.ts';

export type { LinkPageTexts };

/** The words of the pages signed links open, by language (rendered by server/routes/appointment-pages/). */
export const LINK_PAGE_TEXTS: Record<Locale, LinkPageTexts> = { en, fr };
