import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import twilio from 'twilio';
import type { Database } from '../../models/database.ts';
import { DEMO_PHONE_NUMBER, seedDemo } from '../../models/seed.ts';
import { loadConfig } from '../../server/config.ts';
import { createRendezvous, type Rendezvous } from '../../server/composition.ts';
import { twilioStandIn, type TwilioStandIn } from '../../server/dev-phone/twilio-stand-in.ts';
import { TWILIO_MESSAGES_PATH } from '../../server/routes/twilio-messages.routes.ts';
import { openTestDatabase } from './databases.ts';
import { freePort } from './server-process.ts';
import { until } from './wait.ts';

export const ACCOUNT_SID = `AC${'ab'.repeat(16)}`;
export const AUTH_TOKEN = 'phone-test-auth-token-0123456789';
export const BRAND_NUMBER = DEMO_PHONE_NUMBER;

/** A local HTTP server standing in for Twilio's APIs, recording every request it gets. */
export async function startTwilioStandIn(): Promise<TwilioStandIn & { url: string; close(): Promise<void> }> {
  const standIn = twilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  const app = express();
  app.use(standIn.router);
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    ...standIn,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The whole product with Twilio configured against the stand-in, on a seeded database. */
export async function startPhoneApp(db: Database, now: () => Date, twilioApi: string, port?: number): Promise<{ url: string; rendezvous: Rendezvous }> {
  const listenOn = port ?? await freePort();
  const url = `http://127.0.0.1:${listenOn}`;
  const config = loadConfig({
    PUBLIC_URL: url, PORT: String(listenOn), API_RATE_LIMIT_PER_MINUTE: '100000',
    TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_SMS_FROM: BRAND_NUMBER, TWILIO_WHATSAPP_FROM: BRAND_NUMBER,
    TWILIO_API_URL: twilioApi,
  });
  const rendezvous = await createRendezvous({ db, config, logger: pino({ level: 'silent' }), now, secret: 's'.repeat(40) });
  await new Promise<void>((resolve) => rendezvous.http.listen(listenOn, '127.0.0.1', resolve));
  return { url, rendezvous };
}

export const newMessageSid = () => `SM${randomBytes(16).toString('hex')}`;

/** Posts Twilio's inbound-message webhook, signed as Twilio signs it (unless a signature is given). */
export async function postInbound(url: string, params: Record<string, string>, signature?: string | null): Promise<{ status: number; contentType: string | null; body: string }> {
  const target = url + TWILIO_MESSAGES_PATH;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const signed = signature === undefined ? twilio.getExpectedTwilioSignature(AUTH_TOKEN, target, params) : signature;
  if (signed !== null) headers['x-twilio-signature'] = signed;
  const res = await fetch(target, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() };
}

/** A customer's phone: sends as Twilio would post, reads what the stand-in was asked to deliver to it. */
export function customerPhone(app: { url: string }, standIn: TwilioStandIn, channel: 'sms' | 'whatsapp', phone: string, brandNumber = BRAND_NUMBER) {
  const prefix = channel === 'whatsapp' ? 'whatsapp:' : '';
  const address = prefix + phone;
  const received = () => standIn.messages.filter((m) => m.to === address);
  return {
    address,
    received,
    /** Sends a message and waits until `replies` more messages reached the phone; returns them. */
    async send(body: string, extra: Record<string, string> = {}, replies = 1) {
      const before = received().length;
      const params = { MessageSid: newMessageSid(), AccountSid: ACCOUNT_SID, From: address, To: prefix + brandNumber, Body: body, NumMedia: '0', ...extra };
      const answer = await postInbound(app.url, params);
      if (answer.status !== 200) throw new Error(`webhook answered ${answer.status}: ${answer.body}`);
      await until(() => received().length >= before + replies, 60_000);
      return received().slice(before);
    },
    /** The first message to the phone whose text matches (the bot's reply and a notification race). */
    async waitFor(pattern: RegExp) {
      await until(() => received().some((m) => pattern.test(m.body ?? '')), 60_000);
      return received().find((m) => pattern.test(m.body ?? ''))!;
    },
  };
}

export interface PhoneTest {
  db: Database;
  standIn: Awaited<ReturnType<typeof startTwilioStandIn>>;
  app: { url: string; rendezvous: Rendezvous };
}

/** A test file's setup: one seeded PGlite, the Twilio stand-in, and the product configured against it. */
export async function openPhoneTest(now: () => Date): Promise<PhoneTest> {
  const db = await openTestDatabase('pglite');
  await seedDemo(db, { allowedOrigins: [] });
  const standIn = await startTwilioStandIn();
  return { db, standIn, app: await startPhoneApp(db, now, standIn.url) };
}

export async function closePhoneTest(t: PhoneTest): Promise<void> {
  await t.app.rendezvous.close();
  await t.standIn.close();
  await t.db.close();
}
