import type { Queryable } from '../../models/database.ts';
import { findStaffSession, type StaffSession } from '../../models/staff-sessions.ts';

/**
 * The console session's cookie and the console's origins: what both the console's HTTP API
 * (server/console/staff-auth.ts) and its socket handshake (console.socket.ts) check.
 */

export const SESSION_COOKIE = 'rdv_session';

/** Cookie header → name/value pairs (first occurrence wins, values URI-decoded when possible). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      cookies.set(name, value);
    }
  }
  return cookies;
}

/** The origins the console is served from; on a local machine localhost and 127.0.0.1 are one. */
export function consoleOrigins(publicUrl: string): string[] {
  const url = new URL(publicUrl);
  if (!['localhost', '127.0.0.1'].includes(url.hostname)) return [url.origin];
  return ['localhost', '127.0.0.1'].map((host) => `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`);
}

/** The session of a request's cookie (also for socket handshakes: pass their Cookie header). */
export async function staffSessionFromCookies(db: Queryable, header: string | undefined, at: Date): Promise<StaffSession | null> {
  const token = parseCookies(header).get(SESSION_COOKIE);
  return token ? findStaffSession(db, token, at) : null;
}
