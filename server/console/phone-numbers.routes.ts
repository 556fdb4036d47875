import { Router } from 'express';
import { z } from 'zod';
import { brandPhoneNumbers, setBrandPhoneNumbers } from '../../notifications/brand-phone-numbers.ts';
import { TWILIO_MESSAGES_PATH } from '../routes/twilio-messages.routes.ts';
import type { ConsoleContext } from './console-context.ts';
import { staffOf } from './staff-auth.ts';

/** "+33 7 00-00.00 00" → "+33700000000": people paste numbers as they read them. */
const e164 = z.string().transform((v) => v.replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'Write the number in international format, e.g. +33 7 00 00 00 00.'));

const numbersBody = z.object({
  numbers: z.array(z.object({ phone: e164, sms: z.boolean(), whatsapp: z.boolean() }).strict()
    .refine((n) => n.sms || n.whatsapp, { message: 'Choose SMS, WhatsApp or both for this number.', path: ['phone'] })).max(20)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((n, i) => {
        if (seen.has(n.phone)) ctx.addIssue({ code: 'custom', path: [i, 'phone'], message: 'This number is already in the list.' });
        seen.add(n.phone);
      });
    }),
}).strict();

/**
 * The brand's Twilio numbers (admins): inbound SMS and WhatsApp messages find their brand by the
 * number they were sent to, and the chat answers from it. The answer names the webhook to set at Twilio.
 */
export function consolePhoneNumberRoutes(ctx: ConsoleContext): Router {
  const { db, auth, publicUrl } = ctx;
  const router = Router();
  const answer = async (brandId: string) => ({
    numbers: await brandPhoneNumbers(db, brandId),
    webhookUrl: publicUrl.replace(/\/+$/, '') + TWILIO_MESSAGES_PATH,
  });

  router.get('/settings/phone-numbers', auth.requireStaff(['admin']), async (req, res) => {
    res.json(await answer(staffOf(req).brandId));
  });

  router.put('/settings/phone-numbers', auth.requireStaff(['admin']), async (req, res) => {
    const { numbers } = numbersBody.parse(req.body ?? {});
    await setBrandPhoneNumbers(db, staffOf(req).brandId, numbers);
    res.json(await answer(staffOf(req).brandId));
  });

  return router;
}
