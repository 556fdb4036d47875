/**
 * SMS/WhatsApp turns: inbound webhook (signed POST) → the reply handed to the Twilio transport
 * (its request reaching a local stand-in for Twilio's API), with 200 phones texting at once, paced
 * like people; against the web chat's bot turn (message → first bot activity) over socket.io in
 * the same run, with as many customers saying the same things at the same pace. The queue and the
 * phone rendering must add little to a turn: target ≤ 1.5× at p50 and p99.
 *
 * Phones and web customers run in this process (the web bench's child process is not needed for a
 * ratio of two figures measured the same way); walks: "I would like to book", "Video advice",
 * "Tomorrow", "Later times", "Later times".
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import pino from 'pino';
import twilio from 'twilio';
import { io as connect, type Socket } from 'socket.io-client';
import { warmUpDateUnderstanding } from '../dialogs/date-understanding.ts';
import { DEMO_PHONE_NUMBER, seedDemo } from '../models/seed.ts';
import { loadConfig } from '../server/config.ts';
import { createRendezvous, type Rendezvous } from '../server/composition.ts';
import { twilioStandIn } from '../server/dev-phone/twilio-stand-in.ts';
import { TWILIO_MESSAGES_PATH } from '../server/routes/twilio-messages.routes.ts';
import { fmtTiming, judge, seededRandom, summarize, type Benchmark, type BenchContext, type ResultRow } from './harness.ts';

const PHONES = 200;
const WARMUP = 5;
const WALK = ['I would like to book', 'Video advice', 'Tomorrow', 'Later times', 'Later times'];
const PACING = { arrivalMs: 3_000, thinkMs: [1_000, 3_000] as const, seed: 20261206 };
const TARGET = 1.5;
const REPLY_TIMEOUT_MS = 60_000;
const NOW = new Date('2027-03-01T07:00:00Z');
const ACCOUNT_SID = `AC${'be'.repeat(16)}`;
const AUTH_TOKEN = 'bench-auth-token-0123456789abcdef';

async function listen(server: ReturnType<typeof createServer>, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Resolves the next time `key` is signalled (a reply reaching a phone, a bot activity). */
function signals() {
  const waiting = new Map<string, () => void>();
  return {
    next(key: string): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply for ${key}`)), REPLY_TIMEOUT_MS);
        waiting.set(key, () => { clearTimeout(timer); resolve(); });
      });
    },
    fire(key: string) {
      const w = waiting.get(key);
      waiting.delete(key);
      w?.();
    },
  };
}

/** Each customer arrives within arrivalMs and thinks 1–3 s before each message; seeded so runs compare. */
async function paced(count: number, walk: (i: number, think: () => Promise<void>) => Promise<void>): Promise<string[]> {
  const errors: string[] = [];
  await Promise.all(Array.from({ length: count }, async (_, i) => {
    const random = seededRandom(PACING.seed + i);
    await sleep(random() * PACING.arrivalMs);
    const think = () => sleep(PACING.thinkMs[0] + random() * (PACING.thinkMs[1] - PACING.thinkMs[0]));
    await walk(i, think).catch((e: unknown) => { errors.push(String(e)); });
  }));
  return errors;
}

async function run(ctx: BenchContext): Promise<ResultRow[]> {
  const db = await ctx.openDatabase({ poolSize: 20 });
  let app: Rendezvous | null = null;
  const standInServer = express();
  const replies = signals();
  // A reply is "handed to the transport" when its request reaches the stand-in for Twilio's API.
  const standIn = twilioStandIn({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }, { onMessage: (m) => replies.fire(`phone:${m.to}`) });
  standInServer.use(standIn.router);
  const twilioHttp = createServer(standInServer);
  const sockets: Socket[] = [];
  try {
    ctx.log(`database: ${db.label}`);
    const twilioPort = await listen(twilioHttp);
    const probe = createServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    await seedDemo(db, { allowedOrigins: [url] });
    const config = loadConfig({
      PUBLIC_URL: url, PORT: String(port), API_RATE_LIMIT_PER_MINUTE: '1000000',
      // 200 customers from one address: the per-IP budgets would refuse all but the first few.
      CHAT_MESSAGES_PER_IP_PER_10S: '1000000', CHAT_CONVERSATIONS_PER_IP_PER_HOUR: '1000000',
      TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_SMS_FROM: DEMO_PHONE_NUMBER,
      TWILIO_API_URL: `http://127.0.0.1:${twilioPort}`,
      ...(db.schema ? { PGBOSS_SCHEMA: `${db.schema}_boss` } : {}),
    });
    app = await createRendezvous({ db, config, logger: pino({ level: 'silent' }), now: () => new Date(NOW), secret: 's'.repeat(40), startWorkers: false });
    await new Promise<void>((resolve) => app!.http.listen(port, '127.0.0.1', resolve));
    warmUpDateUnderstanding();

    const webhook = url + TWILIO_MESSAGES_PATH;
    const phoneTurn = async (phone: string, text: string, n: number): Promise<number> => {
      const params = { MessageSid: `SM${n.toString(16).padStart(32, '0')}`, AccountSid: ACCOUNT_SID, From: phone, To: DEMO_PHONE_NUMBER, Body: text, NumMedia: '0' };
      const reply = replies.next(`phone:${phone}`);
      const t = performance.now();
      const res = await fetch(webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, webhook, params) },
        body: new URLSearchParams(params).toString(),
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      await res.text();
      await reply;
      return performance.now() - t;
    };
    let sid = 1;
    const phoneWalk = async (i: number, think: () => Promise<void>, samples: number[], prefix: string) => {
      const phone = `+1212${prefix}${String(i).padStart(5, '0')}`;
      for (const [k, text] of WALK.entries()) {
        if (k > 0) await think();
        samples.push(await phoneTurn(phone, text, sid++));
      }
    };
    const webWalk = async (i: number, think: () => Promise<void>, samples: number[]) => {
      const socket = connect(`${url}/chat`, { auth: { brand: 'demo', locale: 'en' }, extraHeaders: { origin: url }, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(socket);
      const key = `web:${i}:${Math.random()}`;
      socket.on('activity', (a: { from: string }) => { if (a.from === 'bot') replies.fire(key); });
      await replies.next(key); // the greeting
      for (const [k, text] of WALK.entries()) {
        if (k > 0) await think();
        await sleep(0);
        const reply = replies.next(key);
        const t = performance.now();
        socket.emit('message', { clientId: `bench-${i}-${k}-${Math.random().toString(36).slice(2)}`, text });
        await reply;
        samples.push(performance.now() - t);
      }
      socket.disconnect();
    };

    // Warm-up (JIT, pool, recognizers), untimed.
    await paced(WARMUP, (i, think) => webWalk(i, think, []));
    await paced(WARMUP, (i, think) => phoneWalk(i, think, [], '9'));

    // Information: one customer at a time, nothing else running: what a turn costs by itself.
    const aloneWeb: number[] = [];
    const alonePhone: number[] = [];
    for (let i = 0; i < 3; i++) {
      await webWalk(1000 + i, () => sleep(50), aloneWeb);
      await phoneWalk(1000 + i, () => sleep(50), alonePhone, '7');
    }
    ctx.log(`one customer at a time: web ${fmtTiming(summarize(aloneWeb))}; phone ${fmtTiming(summarize(alonePhone))} (information)`);

    const web: number[] = [];
    const webErrors = await paced(PHONES, (i, think) => webWalk(i, think, web));
    const webTiming = summarize(web);
    ctx.log(`web chat bot turn (floor)   ${fmtTiming(webTiming)}  (${web.length} turns of ${PHONES} paced customers${webErrors.length ? `; ${webErrors.length} errors: ${webErrors[0]}` : ''})`);
    const phone: number[] = [];
    const phoneErrors = await paced(PHONES, (i, think) => phoneWalk(i, think, phone, '5'));
    const phoneTiming = summarize(phone);
    ctx.log(`phone turn webhook → transport ${fmtTiming(phoneTiming)}  (${phone.length} turns of ${PHONES} paced phones${phoneErrors.length ? `; ${phoneErrors.length} errors: ${phoneErrors[0]}` : ''})`);

    const p50 = phoneTiming.median / webTiming.median;
    const p99 = phoneTiming.p99 / webTiming.p99;
    const v50 = judge(p50, '<=', TARGET);
    const v99 = judge(p99, '<=', TARGET);
    ctx.log(`ratio phone/web: median ${p50.toFixed(2)}× (${v50.verdict}), p99 ${p99.toFixed(2)}× (${v99.verdict}), target ≤ ${TARGET}×`);
    const database = db.kind === 'pglite' ? 'pglite' : 'postgres';
    return [
      { name: `phone turn median, ${PHONES} paced phones, vs web chat turn`, database, figure: `${phoneTiming.median.toFixed(1)} ms`, floor: `${webTiming.median.toFixed(1)} ms`, ratio: p50, ...v50 },
      { name: `phone turn p99, ${PHONES} paced phones, vs web chat turn`, database, figure: `${phoneTiming.p99.toFixed(1)} ms`, floor: `${webTiming.p99.toFixed(1)} ms`, ratio: p99, ...v99 },
    ];
  } finally {
    for (const s of sockets) s.disconnect();
    await app?.close();
    await new Promise<void>((resolve) => twilioHttp.close(() => resolve()));
    await db.close();
  }
}

export const phoneBenchmark: Benchmark = { name: 'phone', run };
