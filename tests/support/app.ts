import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { chromium, type Browser } from 'playwright-core';
import type { Database } from '../../models/database.ts';
import { seedDemo } from '../../models/seed.ts';
import { seedDemoStaffAccounts, type DemoLogin } from '../../models/seed-staff.ts';
import { loadConfig } from '../../server/config.ts';
import { createRendezvous, type Rendezvous } from '../../server/composition.ts';
import { openTestDatabase } from './databases.ts';

export interface TestApp {
  url: string;
  db: Database;
  apiKey: string;
  /** The demo console accounts (admin, a manager per store, agents) with their passwords. */
  logins: DemoLogin[];
  rendezvous: Rendezvous;
  close(): Promise<void>;
}

/** Console passwords hashed with a cost tests can afford (the product's is ~1 s per hash). */
export const CHEAP_SCRYPT = { N: 2 ** 14, r: 8, p: 1 };

/** The whole product (HTTP, sockets, bot, notifications) on an ephemeral port over a seeded PGlite; `env` adds settings. */
export async function startApp(now: () => Date, env: Record<string, string> = {}): Promise<TestApp> {
  const db = await openTestDatabase('pglite');
  // The port is only known after listening, so the public URL (links, allowed origins) is fixed up after.
  const probe = (await import('node:net')).createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const { apiKey } = await seedDemo(db, { allowedOrigins: [url] });
  const logins = await seedDemoStaffAccounts(db, { passwordParams: CHEAP_SCRYPT });
  const config = loadConfig({ PUBLIC_URL: url, PORT: String(port), API_RATE_LIMIT_PER_MINUTE: '100000', ...env });
  const rendezvous = await createRendezvous({ db, config, logger: pino({ level: 'silent' }), now, secret: 's'.repeat(40) });
  await new Promise<void>((resolve) => rendezvous.http.listen(port, '127.0.0.1', resolve));
  return {
    url, db, apiKey: apiKey!, logins, rendezvous,
    async close() {
      await rendezvous.close();
      await db.close();
    },
  };
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Debian's Chromium, never a downloaded browser. */
export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
