import { z } from 'zod';

/** Every setting the process reads from its environment; documented in .env.example. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Signs links and hashes one-time codes; unset outside production → generated once under DATA_DIR. */
  APP_SECRET: z.string().min(32).optional(),
  DEFAULT_BRAND: z.string().regex(/^[a-z0-9-]{2,40}$/).default('demo'),
  SEED_DEMO: z.enum(['auto', 'true', 'false']).default('auto'),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(1200),
  HOLD_SWEEP_SECONDS: z.coerce.number().int().positive().default(60),
});

export type Config = Omit<z.infer<typeof envSchema>, 'PUBLIC_URL'> & { PUBLIC_URL: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  if (c.NODE_ENV === 'production' && !c.APP_SECRET) throw new Error('Invalid configuration: APP_SECRET is required in production.');
  return { ...c, PUBLIC_URL: c.PUBLIC_URL ?? `http://localhost:${c.PORT}` };
}
