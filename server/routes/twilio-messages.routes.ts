import express, { Router } from 'express';
import { z } from 'zod';
import twilio from 'twilio';
import type { Queryable } from '../../models/database.ts';
import { errors } from '../../models/errors.ts';
import { brandOfNumber, parsePhoneAddress, storeInbound } from '../../models/phone-channels.repository.ts';

/**
 * Inbound SMS and WhatsApp messages from Twilio (the number's "A message comes in" webhook).
 * The signature is checked over the full URL and every posted parameter, the message is stored
 * (once per MessageSid, so Twilio's retries and duplicates are processed once), Twilio gets an
 * empty TwiML answer at once, and the turn runs from the stored queue (bot/phone/phone-channel.ts).
 */

export const TWILIO_MESSAGES_PATH = '/webhooks/twilio/messages';

export interface TwilioMessageDeps {
  db: Queryable;
  now: () => Date;
  /** The public origin Twilio calls: the signature covers the full URL. */
  publicUrl: string;
  /** Absent → 503 (nothing unauthenticated is accepted). */
  twilioAuthToken?: string | undefined;
  /** Told of each newly stored message: runs its turn after the earlier ones from the same phone. */
  onStored(toAddress: string, fromAddress: string): void;
}

const address = z.string().trim().max(40).refine((a) => parsePhoneAddress(a) !== null, 'not a phone address');
const inboundBody = z.looseObject({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/),
  From: address,
  To: address,
  Body: z.string().max(2000).optional(),
});

/** Twilio sends a text/plain answer to the customer and treats JSON as an error: TwiML it is. */
const EMPTY_TWIML = new twilio.twiml.MessagingResponse().toString();

export function twilioMessageRoutes(deps: TwilioMessageDeps): Router {
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  const router = Router();
  router.post(
    TWILIO_MESSAGES_PATH,
    express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }),
    async (req, res) => {
      if (!deps.twilioAuthToken) throw errors.webhookNotConfigured('TWILIO_AUTH_TOKEN');
      const params: unknown = req.body;
      if (!req.is('application/x-www-form-urlencoded') || typeof params !== 'object' || params === null) {
        throw errors.invalidBody('Expected an application/x-www-form-urlencoded body.');
      }
      const signature = req.get('X-Twilio-Signature')?.trim();
      if (!signature) throw errors.invalidSignature('The X-Twilio-Signature header is missing.');
      if (!twilio.validateRequest(deps.twilioAuthToken, signature, publicUrl + req.originalUrl, params as Record<string, unknown>)) {
        throw errors.invalidSignature('The X-Twilio-Signature header does not match this request.');
      }
      const parsed = inboundBody.safeParse(params);
      if (!parsed.success) throw errors.invalidBody('An inbound message needs MessageSid, From and To (E.164, or whatsapp:+E164).');
      const { MessageSid, From, To } = parsed.data;
      const to = parsePhoneAddress(To)!;
      if (parsePhoneAddress(From)!.channel !== to.channel) throw errors.invalidBody('From and To are not on the same channel.');
      const brandId = await brandOfNumber(deps.db, To);
      if (!brandId) throw errors.unknownNumber(To);
      const strings = Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string'));
      const stored = await storeInbound(deps.db, {
        messageSid: MessageSid, brandId, channel: to.channel, toAddress: To, fromAddress: From, params: strings,
      }, deps.now());
      if (stored) deps.onStored(To, From);
      res.status(200).type('text/xml').send(EMPTY_TWIML);
    },
  );
  return router;
}
