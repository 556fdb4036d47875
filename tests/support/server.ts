import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { Database } from '../../models/database.ts';
import { seedDemo } from '../../models/seed.ts';
import { loadConfig } from '../../server/config.ts';
import { createApp } from '../../server/app.ts';

/** A controllable clock: tests set the time, the code under test reads it. */
export function testClock(iso: string) {
  let current = new Date(iso);
  return {
    now: () => new Date(current),
    set: (next: string | Date) => { current = new Date(next); },
    advanceMinutes: (m: number) => { current = new Date(current.getTime() + m * 60_000); },
  };
}

export interface TestServer {
  url: string;
  apiKey: string;
  server: Server;
  close(): Promise<void>;
}

/** The real HTTP app on an ephemeral port, over a seeded database. */
export async function startTestServer(db: Database, now: () => Date, env: Record<string, string> = {}): Promise<TestServer> {
  const { apiKey } = await seedDemo(db, { allowedOrigins: ['http://localhost'] });
  if (!apiKey) throw new Error('the test database was already seeded');
  const config = loadConfig({ API_RATE_LIMIT_PER_MINUTE: '100000', ...env });
  const app = createApp({ db, config, logger: pino({ level: 'silent' }), now });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** fetch with JSON in and out. */
export async function api(t: TestServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(t.url + path, {
    method,
    headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: any = null;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, body: json };
}
