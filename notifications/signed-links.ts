import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a link lets its holder do; customer links and staff links never share an action. */
export type LinkAction = 'manage' | 'calendar' | 'join' | 'reschedule' | 'cancel' | 'staff-confirm' | 'staff-reschedule';

export interface LinkTarget {
  id: string;
  startAt: Date;
}

export interface LinkClaims {
  appointmentId: string;
  action: LinkAction;
  /** The start the link was made for: a reschedule or a new time makes older links stale. */
  startAt: Date;
  expiresAt: Date;
}

export interface SignedLinks {
  url(action: LinkAction, appointment: LinkTarget): string;
  /** The claims of a genuine, unexpired token, else null. The caller checks startAt still matches. */
  verify(token: string): LinkClaims | null;
}

const DAY_MS = 86_400_000;

/**
 * Links carrying an HMAC-SHA256 token (256 bits) over appointment, action, start and expiry
 * (OWASP ASVS 3.5). Customer links live until 30 days after the appointment; staff links 14 days.
 */
export function createSignedLinks(deps: { baseUrl: string; secret: string; now: () => Date }): SignedLinks {
  const sign = (payload: string) => createHmac('sha256', deps.secret).update(payload).digest('base64url');
  return {
    url(action, appointment) {
      const ttl = action.startsWith('staff-') ? 14 * DAY_MS : 30 * DAY_MS;
      const expires = Math.max(appointment.startAt.getTime(), deps.now().getTime()) + ttl;
      const payload = Buffer.from(JSON.stringify([appointment.id, action, appointment.startAt.getTime(), expires])).toString('base64url');
      const path = action === 'calendar' ? `/a/${payload}.${sign(payload)}/invite.ics` : `/a/${payload}.${sign(payload)}/${action}`;
      return deps.baseUrl + path;
    },
    verify(token) {
      const [payload, signature] = token.split('.');
      if (!payload || !signature || token.length > 600) return null;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      try {
        const [appointmentId, action, start, expires] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, LinkAction, number, number];
        if (expires <= deps.now().getTime()) return null;
        return { appointmentId, action, startAt: new Date(start), expiresAt: new Date(expires) };
      } catch {
        return null;
      }
    },
  };
}
