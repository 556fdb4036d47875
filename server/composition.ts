import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { TurnContext } from 'botbuilder-core';
import type { Logger } from 'pino';
import type { Database } from '../models/database.ts';
import type { Config } from './config.ts';
import { createApp } from './app.ts';
import { attachWebChat, socketServerOptions } from '../bot/web-chat.socket.ts';
import { ConcurrencySafeConversationState, KnownStates, PostgresStorage } from '../bot/dialog-state.storage.ts';
import { RendezvousBot } from '../bot/rendezvous-bot.ts';
import { HandoffRouter, attachConsoleSocket } from '../bot/handoff/index.ts';
import { createOtpService } from '../notifications/otp.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import { createDeliveryQueue, type DeliveryQueue } from '../notifications/delivery-queue.ts';
import { createDeliveryWorkers } from '../notifications/delivery-worker.ts';
import { createNotificationSink } from '../notifications/notification-sink.ts';
import { createBookingOutbox, withOutbox, type BookingOutboxDispatcher } from '../notifications/booking-outbox.ts';
import { transportsFromConfig } from '../notifications/transports-from-config.ts';
import { queuedTransport } from '../notifications/queued.transport.ts';
import { siteRoutes } from './routes/site.routes.ts';
import { consoleRoutes } from './routes/console.routes.ts';
import { devOutboxRoutes } from './routes/dev-outbox.routes.ts';
import { appointmentPageRoutes } from './routes/appointment-pages.routes.ts';
import { providerWebhookRoutes } from './routes/provider-webhooks.routes.ts';
import { customerVisitRoutes } from './routes/customer-visits.routes.ts';
import { sendDueContractReminders } from '../notifications/contract-reminders.ts';
import { twilioMessageRoutes } from './routes/twilio-messages.routes.ts';
import { devPhoneEnabled, devPhoneRoutes, devPhoneSetup } from './dev-phone/dev-phone.routes.ts';
import { CustomerInbox } from '../bot/customer-inbox.ts';
import { createPhoneChannel } from '../bot/phone/phone-channel.ts';
import { createPhoneOutbound } from '../bot/phone/phone-outbound.ts';
import { operationsRoutes } from './routes/operations.routes.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { withLogContext } from './logger.ts';
import { openRedis, redisReachable } from '../models/redis.ts';
import { memoryRateLimit, redisRateLimits } from '../bot/rate-limit.ts';
import { redisHttpRateLimitStores } from './http-rate-limit-store.ts';
import { sharedRealtime } from './shared-realtime.ts';

export interface RendezvousDeps {
  db: Database;
  config: Config;
  logger: Logger;
  now: () => Date;
  secret: string;
  /** Run pg-boss workers and the reminder dispatcher (tests drive the queue themselves). */
  startWorkers?: boolean;
}

export interface Rendezvous {
  http: HttpServer;
  io: Server;
  queue: DeliveryQueue;
  /** Renders bookings' events into their confirmations after commit; sweeps what a crashed instance left. */
  outbox: BookingOutboxDispatcher;
  /** Live-agent hand-off: presence of console users, waiting customers (for operations and tests). */
  handoff: HandoffRouter;
  metrics: Metrics;
  /**
   * Graceful stop (not the database): unready at once, no new connections, sockets told to reconnect
   * (to another instance), running bot turns and deliveries finished.
   */
  close(): Promise<void>;
}

/** The server's origin; on a local machine localhost and 127.0.0.1 are the same server. */
export function ownOrigins(publicUrl: string): string[] {
  const url = new URL(publicUrl);
  const local = ['localhost', '127.0.0.1'];
  if (!local.includes(url.hostname)) return [url.origin];
  return local.map((host) => `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
}

/** A key for one purpose, derived from the app secret, so no two uses share a key. */
export const derivedKey = (secret: string, purpose: string) => createHmac('sha256', secret).update(purpose).digest('base64url');

/** The composition root: every service built once, wired, and handed to HTTP and sockets. */
export async function createRendezvous(deps: RendezvousDeps): Promise<Rendezvous> {
  const { db, logger, now, secret } = deps;
  // Without Twilio keys (outside production) the dev phone stands in for Twilio: same webhook, same transport.
  const devPhone = devPhoneEnabled(deps.config) ? devPhoneSetup(deps.config, derivedKey(secret, 'dev-phone')) : null;
  const config = devPhone?.config ?? deps.config;
  const links = createSignedLinks({ baseUrl: config.PUBLIC_URL, secret: derivedKey(secret, 'links'), now });

  const queue = await createDeliveryQueue({
    db, now, schema: config.PGBOSS_SCHEMA,
    // A claim older than twice a provider call's timeout is never a live send.
    claimTimeoutSeconds: 2 * config.PROVIDER_TIMEOUT_SECONDS,
    dispatchIntervalSeconds: config.REMINDER_DISPATCH_SECONDS,
    onError: (err, context) => logger.warn({ err, ...context }, 'notification job failed'),
  });
  const metrics = createMetrics({ db, now });
  let draining = false;
  // Several instances (REDIS_URL): rate-limit budgets are shared in Redis, and /readyz checks it.
  const limitsRedis = config.REDIS_URL ? openRedis(config.REDIS_URL, { name: 'rendezvous-limits' }) : null;
  const rateLimit = limitsRedis ? redisRateLimits(limitsRedis, config.REDIS_KEY_PREFIX, logger) : memoryRateLimit;
  const httpRateLimitStores = limitsRedis ? redisHttpRateLimitStores(limitsRedis, config.REDIS_KEY_PREFIX) : undefined;
  const workers = createDeliveryWorkers({ db, links, queue, now, transports: transportsFromConfig(config, db, now) });
  if (deps.startWorkers !== false) await queue.start(workers);
  // Maintenance contracts due soon: "book your service" emails, checked at start then hourly.
  const remindContracts = () => void sendDueContractReminders({ db, queue, now, publicUrl: config.PUBLIC_URL })
    .catch((err) => logger.warn({ err }, 'contract reminders failed'));
  const contractTimers = deps.startWorkers === false ? [] : [setTimeout(remindContracts, 5_000), setInterval(remindContracts, 3_600_000)];
  for (const timer of contractTimers) timer.unref();
  // Bookings commit alone (one statement) and are rendered into messages just after, by this
  // process at once or by any instance's sweep; other changes are rendered in their transaction.
  const notifications = createNotificationSink({ links, queue, now });
  const outbox = createBookingOutbox({
    db, render: notifications, now,
    onError: (err, context) => logger.warn({ err, ...context }, 'booking confirmation rendering failed'),
  });
  if (deps.startWorkers !== false) outbox.start();
  const events = metrics.countEvents(withOutbox(notifications, outbox));
  const otp = createOtpService({
    db, now, secret: derivedKey(secret, 'otp'),
    transport: queuedTransport({ db, queue, sender: workers.sender, now }),
  });

  const realtime = sharedRealtime(config, logger);
  const handoff = new HandoffRouter({
    db, logger, now, links, videoMeetingBaseUrl: config.VIDEO_MEETING_BASE_URL, graceMs: config.HANDOFF_GRACE_SECONDS * 1000,
    graceTimers: queue.timers('handoff-grace'), ...(realtime.presence ? { presence: realtime.presence } : {}),
  });
  if (deps.startWorkers !== false) await handoff.listenForGrace();
  const knownStates = new KnownStates();
  const inbox = new CustomerInbox({ db, logger, handoff, knownStates });
  const bot = new RendezvousBot({
    conversationState: new ConcurrencySafeConversationState(new PostgresStorage(db), knownStates),
    deps: { db, now, otp, links, events, person: handoff },
    logger,
  });
  /** One bot turn of any channel: logged with its ids, timed in the metrics. */
  const botTurn = (context: TurnContext) => withLogContext(
    { turnId: randomUUID(), conversationId: context.activity.conversation.id },
    () => metrics.timeTurn(() => bot.run(context)),
  );
  const phone = createPhoneChannel({
    db, logger, now, inbox, handoff, bot: botTurn,
    outbound: createPhoneOutbound({ db, queue, sender: workers.sender, now }),
  });
  const app = createApp({ db, config, logger, now, events, httpRateLimitStores }, [
    operationsRoutes({
      db, metrics, jobQueueSchema: config.PGBOSS_SCHEMA, metricsToken: config.METRICS_TOKEN, draining: () => draining,
      redisReachable: limitsRedis ? () => redisReachable(limitsRedis) : undefined,
    }),
    siteRoutes({ url: config.MAP_TILE_URL }),
    appointmentPageRoutes({
      db, now, links, events, formKey: derivedKey(secret, 'appointment-page-forms'), onChange: handoff.consoleNotifier.appointmentChanged,
    }),
    providerWebhookRoutes({
      db, now, publicUrl: config.PUBLIC_URL,
      ...(config.TWILIO_AUTH_TOKEN ? { twilioAuthToken: config.TWILIO_AUTH_TOKEN } : {}),
      ...(config.SENDGRID_WEBHOOK_PUBLIC_KEY ? { sendgridVerificationKey: config.SENDGRID_WEBHOOK_PUBLIC_KEY } : {}),
    }),
    twilioMessageRoutes({ db, now, publicUrl: config.PUBLIC_URL, twilioAuthToken: config.TWILIO_AUTH_TOKEN, onStored: phone.received }),
    consoleRoutes({ db, now, config, events, onChange: handoff.consoleNotifier.appointmentChanged, httpRateLimitStores }),
    customerVisitRoutes({
      db, now, events, otp, defaultBrand: config.DEFAULT_BRAND, ownOrigins: ownOrigins(config.PUBLIC_URL),
      secure: config.PUBLIC_URL.startsWith('https:'), tiles: { url: config.MAP_TILE_URL, attribution: config.MAP_TILE_ATTRIBUTION },
      httpRateLimitStores,
    }),
    // The dev outbox shows codes in clear: never in production.
    ...(config.NODE_ENV === 'production' ? [] : [devOutboxRoutes(db)]),
    ...(devPhone ? [devPhoneRoutes({ db, config, standIn: devPhone.standIn })] : []),
  ]);
  const http = createServer(app);
  const io = new Server(http, socketServerOptions);
  realtime.attach(io);
  metrics.watchSockets(io);

  attachConsoleSocket(io, { db, logger, now, publicUrl: config.PUBLIC_URL, handoff, rateLimit });
  const chat = attachWebChat(io, {
    db,
    logger,
    map: { tileUrl: config.MAP_TILE_URL, attribution: config.MAP_TILE_ATTRIBUTION },
    ownOrigins: ownOrigins(config.PUBLIC_URL),
    bot: botTurn,
    handoff,
    inbox,
    messagesPer10s: config.CHAT_MESSAGES_PER_10S,
    messagesPer10sPerIp: config.CHAT_MESSAGES_PER_IP_PER_10S,
    conversationsPerIpPerHour: config.CHAT_CONVERSATIONS_PER_IP_PER_HOUR,
    rateLimit,
  });
  phone.start();

  return {
    http,
    io,
    queue,
    outbox,
    handoff,
    metrics,
    async close() {
      for (const timer of contractTimers) clearTimeout(timer);
      draining = true;
      handoff.close();
      // Stops accepting (HTTP included) and drops every transport: clients see a transport close and reconnect,
      // to another instance behind the load balancer; what they had not seen acknowledged they send again,
      // and what was answered meanwhile reaches them by replay.
      await phone.stop();
      await io.close();
      await chat.drain();
      // Confirmations being rendered finish (their delivery jobs need the queue); the rest is the sweep's.
      await outbox.stop();
      await queue.stop();
      await realtime.close();
      limitsRedis?.disconnect();
    },
  };
}
