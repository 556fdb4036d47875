import { z } from 'zod';

/** Every setting the process reads from its environment; documented in .env.example. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: z.string().url().optional(),
  /** Redis shared by several instances (socket fan-out, presence, rate limits); unset → one process keeps them in memory. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Prefix of every Redis key and stream, so several deployments (or test runs) can share one Redis. */
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,40}$/).default('rdv:'),
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Signs links and hashes one-time codes; unset outside production → generated once under DATA_DIR. */
  APP_SECRET: z.string().min(32).optional(),
  DEFAULT_BRAND: z.string().regex(/^[a-z0-9-]{2,40}$/).default('demo'),
  SEED_DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(1200),
  CHAT_MESSAGES_PER_10S: z.coerce.number().int().positive().default(20),
  CHAT_MESSAGES_PER_IP_PER_10S: z.coerce.number().int().positive().default(60),
  CHAT_CONVERSATIONS_PER_IP_PER_HOUR: z.coerce.number().int().positive().default(60),
  // Providers: unset → every message lands in the local outbox (dev outbox page).
  SENDGRID_API_KEY: z.string().min(10).optional(),
  SENDGRID_FROM: z.email().optional(),
  SENDGRID_FROM_NAME: z.string().max(100).optional(),
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().min(40).optional(),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/).optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16).optional(),
  TWILIO_SMS_FROM: z.string().regex(/^\+[1-9]\d{6,14}$/).optional(),
  TWILIO_WHATSAPP_FROM: z.string().regex(/^\+[1-9]\d{6,14}$/).optional(),
  /** Provider API origins: a region (https://api.eu.sendgrid.com), a proxy, or a local stand-in. */
  SENDGRID_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  TWILIO_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * How long a provider call may take; a send claimed twice as long ago belongs to a process that died mid-send.
   * At most 45: a call must end within its delivery job's 60 s expiry (notifications/delivery-queue.ts).
   */
  PROVIDER_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(45).default(15),
  /** The dev phone (simulated SMS/WhatsApp through the real webhook and transport): auto = outside production without Twilio keys. */
  DEV_PHONE: z.enum(['auto', 'true', 'false']).default('auto'),
  VIDEO_MEETING_BASE_URL: z.string().url().default('https://meet.jit.si'),
  HANDOFF_GRACE_SECONDS: z.coerce.number().int().min(5).max(900).default(60),
  /** With REDIS_URL: a console tab not refreshed for this long (its instance died) drops out of advisor presence. */
  PRESENCE_EXPIRY_SECONDS: z.coerce.number().int().min(3).max(300).default(30),
  PGBOSS_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,40}$/).default('pgboss'),
  HOLD_SWEEP_SECONDS: z.coerce.number().int().positive().default(60),
  /** How often each instance turns the reminders and follow-ups now due into jobs (how late one may be sent). */
  REMINDER_DISPATCH_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /** Bearer token for GET /metrics; unset → only scrapers on this host (direct loopback) may read them. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** SIGTERM: how long running turns and deliveries may take to finish before the process exits anyway. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(25),
  // The customer page's map: tiles ({z}/{x}/{y}) and the attribution their provider requires.
  MAP_TILE_URL: z.string().url().default('https://tile.openstreetmap.org/{z}/{x}/{y}.png'),
  MAP_TILE_ATTRIBUTION: z.string().max(300).default('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'),
});

export type Config = Omit<z.infer<typeof envSchema>, 'PUBLIC_URL'> & { PUBLIC_URL: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  if (c.SENDGRID_API_KEY && !c.SENDGRID_FROM) throw new Error('Invalid configuration: SENDGRID_FROM is required with SENDGRID_API_KEY.');
  if (c.TWILIO_ACCOUNT_SID && (!c.TWILIO_AUTH_TOKEN || !c.TWILIO_SMS_FROM)) {
    throw new Error('Invalid configuration: TWILIO_AUTH_TOKEN and TWILIO_SMS_FROM are required with TWILIO_ACCOUNT_SID.');
  }
  if (c.REDIS_URL && !c.DATABASE_URL) {
    throw new Error('Invalid configuration: REDIS_URL (several instances) needs DATABASE_URL: instances share one PostgreSQL, not embedded PGlite.');
  }
  if (c.NODE_ENV === 'production' && !c.APP_SECRET) throw new Error('Invalid configuration: APP_SECRET is required in production.');
  return { ...c, PUBLIC_URL: c.PUBLIC_URL ?? `http://localhost:${c.PORT}` };
}
