import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Queryable } from '../../models/database.ts';
import { errors } from '../../models/errors.ts';
import * as accounts from '../../models/staff-accounts.repository.ts';
import type { StaffRole } from '../../models/staff-accounts.repository.ts';
import { verifyDummyPassword, verifyPassword } from '../../models/passwords.ts';
import { findStaffSession, hashToken, newToken, SESSION_IDLE_MS, type StaffPrincipal, type StaffSession } from '../../models/staff-sessions.ts';
import { consoleOrigins, SESSION_COOKIE, staffSessionFromCookies } from '../../bot/handoff/console-session.ts';

/**
 * Staff sign-in for the console (OWASP Authentication and Session Management cheat sheets):
 * generic login failures, lockout after repeated failures, server-side sessions behind an
 * HttpOnly SameSite=Strict cookie with absolute and idle timeouts, and a per-session CSRF token
 * plus an Origin check on every state-changing request.
 */

export const SESSION_ABSOLUTE_MS = 8 * 3_600_000;
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
export const CSRF_HEADER = 'x-csrf-token';

export const invalidCredentials = () => errors.invalidCredentials(MAX_FAILED_LOGINS, LOCKOUT_MS / 60_000);

const notSignedIn = () => errors.unauthorized('Please sign in to the console.');

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const sessions = new WeakMap<Request, StaffSession>();

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface StaffAuthDeps {
  db: Queryable;
  now: () => Date;
  publicUrl: string;
}

export type StaffAuth = ReturnType<typeof createStaffAuth>;

export function createStaffAuth(deps: StaffAuthDeps) {
  const { db, now } = deps;
  const secure = new URL(deps.publicUrl).protocol === 'https:';
  const origins = new Set(consoleOrigins(deps.publicUrl));

  const sessionForToken = (token: string) => findStaffSession(db, token, now());
  const sessionFromCookieHeader = (header: string | undefined) => staffSessionFromCookies(db, header, now());

  async function authenticate(req: Request): Promise<StaffSession | null> {
    const known = sessions.get(req);
    if (known) return known;
    const session = await sessionFromCookieHeader(req.get('cookie'));
    if (session) sessions.set(req, session);
    return session;
  }

  /** Browsers name the page's origin on state-changing requests: it must be the console's own. */
  function originProblem(req: Request): string | null {
    const origin = req.get('origin');
    if (origin !== undefined && !origins.has(origin)) return 'Requests from another site are not accepted.';
    const site = req.get('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'Requests from another site are not accepted.';
    return null;
  }

  /** Origin check for state changes made without a session (login, invite acceptance). */
  const checkOrigin: RequestHandler = (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const problem = originProblem(req);
    if (problem) throw errors.csrfFailed(problem);
    next();
  };

  /**
   * 401 without a live session; 403 on a state change without the session's CSRF token or from
   * another origin; 403 when the role is not among `roles` (any role when omitted).
   */
  function requireStaff(roles?: readonly StaffRole[]): RequestHandler {
    return async (req, _res, next) => {
      const session = await authenticate(req);
      if (!session) throw notSignedIn();
      if (!SAFE_METHODS.has(req.method)) {
        const problem = originProblem(req);
        if (problem) throw errors.csrfFailed(problem);
        const given = req.get(CSRF_HEADER);
        if (!given || !sameSecret(given, session.csrfToken)) {
          throw errors.csrfFailed('The request lacks a valid X-CSRF-Token header. Reload the console and try again.');
        }
      }
      if (roles && !roles.includes(session.staff.role)) {
        throw errors.forbidden('Your role does not allow this.');
      }
      next();
    };
  }

  /**
   * Checks the password and opens a session. Unknown emails cost a hash too (same timing, same
   * message); the 5th failure in a row locks the account for 15 minutes, during which even the
   * right password is refused.
   */
  async function login(email: string, password: string): Promise<{ session: StaffSession; token: string }> {
    const account = await accounts.findAccountByEmail(db, email.trim());
    if (!account?.passwordHash) {
      await verifyDummyPassword(password);
      throw invalidCredentials();
    }
    const matches = await verifyPassword(password, account.passwordHash);
    const at = now();
    if (account.lockedUntil && account.lockedUntil > at) throw invalidCredentials();
    if (!matches) {
      await accounts.recordLoginFailure(db, account.staffId, at, MAX_FAILED_LOGINS, new Date(at.getTime() + LOCKOUT_MS));
      throw invalidCredentials();
    }
    if (account.disabledAt || !account.staffActive) throw invalidCredentials();
    if (!(await accounts.recordLoginSuccess(db, account.staffId, at))) throw invalidCredentials();

    await accounts.deleteDeadSessions(db, at, new Date(at.getTime() - SESSION_IDLE_MS));
    const token = newToken();
    const csrfToken = newToken();
    const expiresAt = new Date(at.getTime() + SESSION_ABSOLUTE_MS);
    const tokenHash = hashToken(token);
    await accounts.insertSession(db, { tokenHash, staffId: account.staffId, csrfToken, createdAt: at, expiresAt });
    return {
      token,
      session: {
        staff: { id: account.staffId, brandId: account.brandId, name: account.name, email: account.email, role: account.role },
        tokenHash,
        csrfToken,
        expiresAt,
      },
    };
  }

  function setSessionCookie(res: Response, token: string): void {
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure,
      path: '/',
      maxAge: SESSION_ABSOLUTE_MS,
    });
  }

  function clearSessionCookie(res: Response): void {
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
  }

  async function logout(req: Request, res: Response): Promise<void> {
    const session = sessions.get(req) ?? (await authenticate(req));
    if (session) await accounts.deleteSession(db, session.tokenHash);
    sessions.delete(req);
    clearSessionCookie(res);
  }

  return {
    login, logout, requireStaff, checkOrigin, setSessionCookie, clearSessionCookie,
    sessionForToken, sessionFromCookieHeader,
  };
}

/** The session requireStaff found for this request. */
export function sessionOf(req: Request): StaffSession {
  const session = sessions.get(req);
  if (!session) throw notSignedIn();
  return session;
}

export const staffOf = (req: Request): StaffPrincipal => sessionOf(req).staff;
