import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './database.ts';
import * as accounts from './staff-accounts.repository.ts';
import type { StaffRole } from './staff-accounts.repository.ts';

/**
 * Console sessions as the server keeps them: an opaque token (only its hash is stored), looked up
 * by the console's HTTP API (server/console/staff-auth.ts) and by its socket handshake
 * (bot/handoff/console-session.ts).
 */

export const SESSION_IDLE_MS = 3_600_000;
/** last_seen_at is written at most this often per session. */
const TOUCH_EVERY_MS = 30_000;

export interface StaffPrincipal {
  id: string;
  brandId: string;
  name: string;
  email: string;
  role: StaffRole;
}

export interface StaffSession {
  staff: StaffPrincipal;
  tokenHash: string;
  csrfToken: string;
  expiresAt: Date;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

/** The session a token opens, or null (unknown, expired, idle too long, account disabled). */
export async function findStaffSession(db: Queryable, token: string, at: Date): Promise<StaffSession | null> {
  if (!token || token.length > 100) return null;
  const row = await accounts.findLiveSession(db, hashToken(token), at, new Date(at.getTime() - SESSION_IDLE_MS));
  if (!row) return null;
  if (at.getTime() - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) await accounts.touchSession(db, row.tokenHash, at);
  return {
    staff: { id: row.staffId, brandId: row.brandId, name: row.name, email: row.email, role: row.role },
    tokenHash: row.tokenHash,
    csrfToken: row.csrfToken,
    expiresAt: row.expiresAt,
  };
}
