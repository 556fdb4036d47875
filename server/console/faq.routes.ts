import { Router } from 'express';
import { z } from 'zod';
import { listFaq } from '../../models/faq.repository.ts';
import { replaceBrandFaq } from '../../scheduling/brand-faq.ts';
import type { ConsoleContext } from './console-context.ts';
import { staffOf } from './staff-auth.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const inBothLanguages = (max: number) => z.object({ en: text(max).optional(), fr: text(max).optional() }).strict()
  .refine((v) => v.en !== undefined || v.fr !== undefined, { message: 'Give the answer in English or in French.' });

/** The whole FAQ as the console sends it: order matters (the first entry whose phrase is said wins ties). */
const faqBody = z.object({
  entries: z.array(z.object({
    keywords: z.array(text(80)).min(1, 'Give at least one phrase the question is recognised by.').max(30),
    questions: z.object({ en: text(200).optional(), fr: text(200).optional() }).strict().default({}),
    answers: inBothLanguages(1000),
  }).strict()).max(50),
}).strict();

/** The brand's FAQ, which the chat answers from at any step: everyone reads it, admins replace it. */
export function consoleFaqRoutes(ctx: ConsoleContext): Router {
  const { db, auth } = ctx;
  const router = Router();

  router.get('/settings/faq', async (req, res) => {
    res.json({ entries: await listFaq(db, staffOf(req).brandId) });
  });

  router.put('/settings/faq', auth.requireStaff(['admin']), async (req, res) => {
    const { entries } = faqBody.parse(req.body ?? {});
    const saved = await replaceBrandFaq(db, staffOf(req).brandId, entries.map((e) => ({
      keywords: e.keywords, questions: e.questions, answers: e.answers,
    })));
    res.json({ entries: saved });
  });

  return router;
}
