import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a link lets its holder do; customer links and staff links never share an action. */
export type LinkAction = 'manage' | 'calendar' | 'join' | 'reschedule' | 'cancel' | 'staff-confirm' | 'staff-reschedule';

export interface LinkTarget {
  id: string;
  startAt: Date;
  /** appointments.version: every change makes the links of earlier versions stale. */
  version: number;
}

export interface LinkClaims {
  appointmentId: string;
  action: LinkAction;
  /** The appointment version the link was made for; acting needs it to still be current. */
  version: number;
  expiresAt: Date;
}

export interface SignedLinks {
  url(action: LinkAction, appointment: LinkTarget): string;
  /** The claims of a genuine, unexpired token, else null. The caller checks the version still matches. */
  verify(token: string): LinkClaims | null;
}

const DAY_MS = 86_400_000;

/**
 * Links carrying an HMAC-SHA256 token (256 bits) over appointment, action, version and expiry
 * (OWASP ASVS 3.5). Customer links live until 30 days after the appointment; staff links 14 days.
 *
 * The payload is the JSON object {id, action, version, expires}. Tokens minted before links were
 * bound to versions are arrays [id, action, start, expires]: they are read as version 1, so they
 * still act while the appointment never changed and are stale after its first change (whatever
 * version they were made for, they can only be older than the current one then).
 */
export function createSignedLinks(deps: { baseUrl: string; secret: string; now: () => Date }): SignedLinks {
  const sign = (payload: string) => createHmac('sha256', deps.secret).update(payload).digest('base64url');
  return {
    url(action, appointment) {
      const ttl = action.startsWith('staff-') ? 14 * DAY_MS : 30 * DAY_MS;
      const expires = Math.max(appointment.startAt.getTime(), deps.now().getTime()) + ttl;
      const claims = { id: appointment.id, action, version: appointment.version, expires };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return deps.baseUrl + linkPath(`${payload}.${sign(payload)}`, action);
    },
    verify(token) {
      const { payload, signature } = splitToken(token) ?? {};
      if (!payload || !signature) return null;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const claims = readClaims(payload);
      if (!claims || claims.expiresAt.getTime() <= deps.now().getTime()) return null;
      return claims;
    },
  };
}

/** The claims of a signed payload, in either format; null when malformed. */
function readClaims(payload: string): LinkClaims | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const fields = (Array.isArray(parsed) ? { id: parsed[0], action: parsed[1], version: 1, expires: parsed[3] } : parsed) as
    Record<string, unknown> | null;
  const { id, action, version, expires } = fields ?? {};
  if (typeof id !== 'string' || typeof action !== 'string' || !Number.isSafeInteger(version) || typeof expires !== 'number') return null;
  return { appointmentId: id, action: action as LinkAction, version: version as number, expiresAt: new Date(expires) };
}

/**
 * The expiry a token claims, without checking its signature: only to choose between "expired" and
 * "unknown" for a refused token (both pages say the same, so a forged token gains nothing).
 */
export function claimedExpiry(token: string): number | null {
  const payload = splitToken(token)?.payload;
  return payload ? readClaims(payload)?.expiresAt.getTime() ?? null : null;
}

/**
 * Links for template previews: the real URL shapes with a placeholder instead of a token. They
 * point nowhere useful on purpose: they are never signed, and nothing verifies.
 */
export function previewLinks(baseUrl: string): SignedLinks {
  return { url: (action) => baseUrl + linkPath('preview', action), verify: () => null };
}

/** The path a link opens: /a/<token>/<page>, the calendar link opening the invite file. */
function linkPath(token: string, action: LinkAction): string {
  return `/a/${token}/${action === 'calendar' ? 'invite.ics' : action}`;
}

/** A token is <payload>.<signature>, both base64url; anything longer than any we mint is refused unread. */
function splitToken(token: string): { payload: string; signature: string | undefined } | null {
  if (token.length > 600) return null;
  const [payload, signature] = token.split('.');
  return payload ? { payload, signature } : null;
}
