import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Router, json, type Response } from 'express';
import { z } from 'zod';
import twilio from 'twilio';
import type { Queryable } from '../../models/database.ts';
import { DEMO_PHONE_NUMBER } from '../../models/seed.ts';
import { errors } from '../../models/errors.ts';
import type { Config } from '../config.ts';
import { TWILIO_MESSAGES_PATH } from '../routes/twilio-messages.routes.ts';
import { twilioStandIn, type TwilioStandIn } from './twilio-stand-in.ts';

/**
 * The dev phone: type as a customer on SMS or WhatsApp and see the bot's replies as the phone
 * would. It goes the production way: a message is posted, signed, to the real inbound webhook,
 * and replies leave through the real Twilio transport, here pointed at a local stand-in for
 * Twilio's API (mounted under /dev/phone/twilio). Development only; never mounted in production.
 */

export const DEV_PHONE_PATH = '/dev/phone';
const DEV_ACCOUNT_SID = `AC${'0'.repeat(31)}1`;

export const devPhoneEnabled = (config: Config) =>
  config.NODE_ENV !== 'production' && (config.DEV_PHONE === 'true' || (config.DEV_PHONE === 'auto' && !config.TWILIO_ACCOUNT_SID));

/** The configuration the server runs with in dev-phone mode: Twilio settings that point at the local stand-in. */
export function devPhoneSetup(config: Config, authToken: string): { config: Config; standIn: TwilioStandIn } {
  return {
    config: {
      ...config,
      TWILIO_ACCOUNT_SID: DEV_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_SMS_FROM: DEMO_PHONE_NUMBER,
      TWILIO_WHATSAPP_FROM: DEMO_PHONE_NUMBER,
      TWILIO_API_URL: `${config.PUBLIC_URL}${DEV_PHONE_PATH}/twilio`,
    },
    standIn: twilioStandIn({ accountSid: DEV_ACCOUNT_SID, authToken }),
  };
}

const sendBody = z.object({
  channel: z.enum(['sms', 'whatsapp']),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'phone must be E.164, like +33612345678'),
  body: z.string().max(1600).default(''),
  buttonPayload: z.string().max(64).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
});
const threadQuery = z.object({ channel: z.enum(['sms', 'whatsapp']), phone: z.string().regex(/^\+[1-9]\d{6,14}$/) });

const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
const asset = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');

function noStore(res: Response): void {
  res.set({ 'Cache-Control': 'no-store', 'Content-Security-Policy': PAGE_CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
}

interface DevPhoneDeps {
  db: Queryable;
  config: Config;
  standIn: TwilioStandIn;
}

export function devPhoneRoutes(deps: DevPhoneDeps): Router {
  const { config, standIn } = deps;
  const router = Router();
  const files = { html: asset('dev-phone.html'), js: asset('dev-phone.js'), css: asset('dev-phone.css') };
  const brandNumber = config.TWILIO_SMS_FROM ?? DEMO_PHONE_NUMBER;
  const sent: { channel: string; phone: string; text: string; at: Date }[] = [];

  router.use(`${DEV_PHONE_PATH}/twilio`, standIn.router);
  router.get(DEV_PHONE_PATH, (_req, res) => { noStore(res); res.type('html').send(files.html); });
  router.get(`${DEV_PHONE_PATH}/dev-phone.js`, (_req, res) => { noStore(res); res.type('js').send(files.js); });
  router.get(`${DEV_PHONE_PATH}/dev-phone.css`, (_req, res) => { noStore(res); res.type('css').send(files.css); });

  /** The customer's message, as Twilio would post it to the webhook: signed with the account's token. */
  router.post(`${DEV_PHONE_PATH}/send`, json({ limit: '16kb' }), async (req, res) => {
    const parsed = sendBody.safeParse(req.body);
    if (!parsed.success) throw errors.invalidBody(parsed.error.issues[0]?.message ?? 'Invalid message.');
    const m = parsed.data;
    const prefix = m.channel === 'whatsapp' ? 'whatsapp:' : '';
    const params: Record<string, string> = {
      MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: config.TWILIO_ACCOUNT_SID ?? '', MessagingServiceSid: '',
      From: `${prefix}${m.phone}`, To: `${prefix}${brandNumber}`, Body: m.body, NumMedia: '0', NumSegments: '1', ApiVersion: '2010-04-01',
      ...(m.buttonPayload ? { ButtonPayload: m.buttonPayload, ButtonText: m.body, MessageType: 'button' } : {}),
      ...(m.latitude !== undefined && m.longitude !== undefined ? { Latitude: String(m.latitude), Longitude: String(m.longitude), MessageType: 'location' } : {}),
    };
    const url = `${config.PUBLIC_URL}${TWILIO_MESSAGES_PATH}`;
    const signature = twilio.getExpectedTwilioSignature(config.TWILIO_AUTH_TOKEN ?? '', url, params);
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });
    sent.push({ channel: m.channel, phone: m.phone, text: m.body, at: new Date() });
    res.status(answer.ok ? 200 : 502).json({ status: answer.status, contentType: answer.headers.get('content-type'), twiml: await answer.text() });
  });

  /** The thread of one phone: what it sent, and what Twilio (the stand-in) was asked to deliver to it. */
  router.get(`${DEV_PHONE_PATH}/thread`, (req, res) => {
    const q = threadQuery.safeParse(req.query);
    if (!q.success) throw errors.invalidQuery('thread needs channel (sms or whatsapp) and phone (E.164).');
    const address = q.data.channel === 'whatsapp' ? `whatsapp:${q.data.phone}` : q.data.phone;
    const mine = sent.filter((s) => s.channel === q.data.channel && s.phone === q.data.phone)
      .map((s) => ({ from: 'me' as const, text: s.text, at: s.at.toISOString() }));
    const theirs = standIn.messages.filter((m) => m.to === address).map((m) => ({
      from: 'brand' as const, text: m.body ?? contentBody(m.content) ?? m.contentVariables ?? '', content: m.content, at: m.at.toISOString(),
    }));
    noStore(res);
    res.json({ brandNumber, messages: [...mine, ...theirs].sort((a, b) => a.at.localeCompare(b.at)) });
  });

  return router;
}

const contentBody = (content: Record<string, unknown> | null): string | null => {
  for (const value of Object.values(content ?? {})) {
    const body = (value as { body?: unknown } | null)?.body;
    if (typeof body === 'string') return body;
  }
  return null;
};
