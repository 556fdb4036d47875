import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import type { Page } from 'playwright-core';
import type { Database } from '../../models/database.ts';
import { errorHandler } from '../../server/http-errors.ts';
import { consoleApiRoutes, type ConsoleApiDeps } from '../../server/routes/console-api.routes.ts';

/** The console API alone on an ephemeral port, as the real app mounts it. */
export interface ConsoleServer {
  url: string;
  close(): Promise<void>;
}

export async function startConsoleServer(
  db: Database,
  now: () => Date,
  options: Partial<Pick<ConsoleApiDeps, 'onChange' | 'loginRateLimitPerMinute' | 'events'>> & { publicUrl?: string } = {},
): Promise<ConsoleServer> {
  const app = express();
  app.use(express.json());
  app.use('/console/api', consoleApiRoutes({
    db, now, config: { PUBLIC_URL: options.publicUrl ?? 'http://localhost:3000' },
    onChange: options.onChange, events: options.events, loginRateLimitPerMinute: options.loginRateLimitPerMinute ?? 100_000,
  }));
  app.use(errorHandler(pino({ level: 'silent' })));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/console/api`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Reply {
  status: number;
  body: any;
  setCookies: string[];
}

/** A browser in miniature: keeps the session cookie and sends the CSRF token on state changes. */
export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  csrfToken: string | null = null;

  constructor(private readonly server: ConsoleServer) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.cookies.size > 0) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method !== 'GET' && this.csrfToken && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrfToken;
    const res = await fetch(this.server.url + path, {
      method,
      headers: h,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && new Date(a.slice(8)).getTime() < Date.now()));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let json: any = null;
    try { json = JSON.parse(text); } catch { json = text; }
    return { status: res.status, body: json, setCookies };
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, undefined, headers);
  post = (path: string, body: unknown = {}, headers?: Record<string, string>) => this.request('POST', path, body, headers);
  put = (path: string, body: unknown, headers?: Record<string, string>) => this.request('PUT', path, body, headers);
  patch = (path: string, body: unknown, headers?: Record<string, string>) => this.request('PATCH', path, body, headers);
  delete = (path: string, headers?: Record<string, string>) => this.request('DELETE', path, undefined, headers);

  async login(email: string, password: string): Promise<Reply> {
    const reply = await this.post('/session', { email, password });
    if (reply.status === 201) this.csrfToken = reply.body.csrfToken;
    return reply;
  }
}

/** A signed-in client; throws when the login fails. */
export async function signIn(server: ConsoleServer, email: string, password: string): Promise<ConsoleClient> {
  const client = new ConsoleClient(server);
  const reply = await client.login(email, password);
  if (reply.status !== 201) throw new Error(`login of ${email} failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return client;
}

/** Signs in through the console's own form in a browser page, and waits for the first screen. */
export async function signInWithForm(page: Page, siteUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${siteUrl}/console/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Appointments' }).waitFor({ timeout: 30_000 });
}
