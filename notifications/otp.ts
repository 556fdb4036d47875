import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { generate } from 'otplib';
import type { Database } from '../models/database.ts';
import type { CodeRejection } from '../models/errors.ts';
import {
  consumeMatchingOtpCode, consumeOtpCode, countFailedOtpAttempt, latestOtpCode, otpCodeState, sendOtpCode, supersedeOtpCode,
  type RecentOtpSends,
} from '../models/otp-codes.repository.ts';
import { escapeHtml, type OutgoingMessage, type Transport } from './transport.ts';
import { frenchSpacing } from './french-typography.ts';
import { isUuid } from '../models/ids.ts';

/**
 * One-time codes sent by email or SMS to prove a customer owns a contact address
 * (NIST SP 800-63B §5.1.3 out-of-band authenticators, OWASP ASVS V2.7).
 *
 * A code is bound to the brand, the conversation, the channel and the address it was sent to;
 * it is stored only as HMAC-SHA256(secret, "<otpId>:<code>"), used once, valid ten minutes,
 * and dies after five wrong tries. Sends are limited per address: five in any ten minutes,
 * thirty seconds apart.
 */
export type OtpChannel = 'email' | 'sms';
/** `codeId`: the code sent, for a check in one statement (verify's `codeId`). */
export type OtpSendResult = { ok: true; expiresAt: Date; codeId: string } | { ok: false; reason: 'too_many' | 'cooldown'; retryAfterSeconds: number };
export type OtpVerifyResult = { ok: true } | { ok: false; reason: CodeRejection; attemptsLeft: number };

export interface OtpService {
  send(r: { brandId: string; brandName: string; conversationId: string; channel: OtpChannel; to: string; locale: 'en' | 'fr' }): Promise<OtpSendResult>;
  /**
   * `codeId`, when the caller kept the id `send` gave: the right code for that code, still in force,
   * is used in one statement; anything else is answered as without it.
   */
  verify(r: { brandId: string; conversationId: string; channel: OtpChannel; to: string; code: string; codeId?: string | undefined }): Promise<OtpVerifyResult>;
}

export const OTP_RULES = {
  digits: 6,
  validMinutes: 10,
  maxFailedAttempts: 5,
  maxSendsPerWindow: 5,
  sendWindowMinutes: 10,
  resendCooldownSeconds: 30,
} as const;

const MINUTE = 60_000;
const MIN_SECRET_LENGTH = 16;

/** The form an address is bound and rate-limited under: "Ada@Example.com " = "ada@example.com". */
function normaliseRecipient(channel: OtpChannel, to: string): string {
  const trimmed = to.trim();
  return channel === 'email' ? trimmed.toLowerCase() : trimmed.replace(/[\s().-]/g, '');
}

function secondsUntil(later: number, now: number): number {
  return Math.max(1, Math.ceil((later - now) / 1000));
}

/** 6 digits from HOTP over a fresh 160-bit secret that is thrown away at once. */
async function newCode(): Promise<string> {
  return generate({ strategy: 'hotp', secret: new Uint8Array(randomBytes(20)), counter: 0, digits: OTP_RULES.digits });
}

const TEXTS = {
  en: {
    subject: 'Your verification code',
    intro: (brand: string) => `Your ${brand} verification code is:`,
    validity: `It is valid for ${OTP_RULES.validMinutes} minutes and can be used once.`,
    warning: (brand: string) => `Never share this code with anyone, not even someone who says they work for ${brand}.`,
    ignore: 'If you did not ask for this code, you can ignore this message.',
    sms: (brand: string, code: string) => `${brand}: your code is ${code}. Valid ${OTP_RULES.validMinutes} minutes.`,
  },
  fr: {
    subject: 'Votre code de vérification',
    intro: (brand: string) => `Votre code de vérification ${brand} est :`,
    validity: `Il est valable ${OTP_RULES.validMinutes} minutes et ne peut servir qu’une fois.`,
    warning: (brand: string) => `Ne communiquez jamais ce code à personne, même à quelqu’un qui se présente comme travaillant pour ${brand}.`,
    ignore: 'Si vous n’avez pas demandé ce code, ignorez simplement ce message.',
    sms: (brand: string, code: string) => `${brand} : votre code est ${code}. Valable ${OTP_RULES.validMinutes} minutes.`,
  },
} as const;

function otpMessage(
  r: { brandId: string; brandName: string; channel: OtpChannel; locale: 'en' | 'fr' },
  to: string,
  code: string,
  otpId: string,
): OutgoingMessage {
  const t = TEXTS[r.locale];
  const base = { brandId: r.brandId, channel: r.channel, to, kind: 'otp', attachments: [], idempotencyKey: `otp:${otpId}` };
  if (r.channel === 'sms') return { ...base, subject: null, text: t.sms(r.brandName, code), html: null };
  const text = [`${t.intro(r.brandName)} ${code}`, '', t.validity, t.warning(r.brandName), '', t.ignore, '', `— ${r.brandName}`].join('\n');
  const brand = escapeHtml(r.brandName);
  const html = `<!doctype html>
<html lang="${r.locale}"><head><meta charset="utf-8"><title>${escapeHtml(t.subject)}</title></head>
<body style="margin:0;padding:24px;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2933;background:#f5f7fa">
<div style="max-width:480px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px">
<p style="margin:0 0 12px">${escapeHtml(t.intro(r.brandName))}</p>
<p style="margin:0 0 16px;font-size:32px;font-weight:700;letter-spacing:6px;font-family:ui-monospace,Menlo,Consolas,monospace">${escapeHtml(code)}</p>
<p style="margin:0 0 8px">${escapeHtml(t.validity)}</p>
<p style="margin:0 0 8px"><strong>${escapeHtml(t.warning(r.brandName))}</strong></p>
<p style="margin:16px 0 0;color:#616e7c;font-size:14px">${escapeHtml(t.ignore)}</p>
<p style="margin:16px 0 0;color:#616e7c;font-size:14px">— ${brand}</p>
</div></body></html>`;
  const typeset = (s: string) => (r.locale === 'fr' ? frenchSpacing(s) : s);
  return { ...base, subject: typeset(t.subject), text: typeset(text), html: typeset(html) };
}

export function createOtpService(deps: { db: Database; now: () => Date; transport: Transport; secret: string }): OtpService {
  const { db, now, transport, secret } = deps;
  if (secret.length < MIN_SECRET_LENGTH) throw new Error(`The OTP secret must be at least ${MIN_SECRET_LENGTH} characters long.`);

  const hashOf = (otpId: string, code: string) => createHmac('sha256', secret).update(`${otpId}:${code}`).digest('hex');

  function sameHash(expectedHex: string, actualHex: string): boolean {
    const expected = Buffer.from(expectedHex, 'hex');
    const actual = Buffer.from(actualHex, 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  /** Why the limits refuse a send, from the address's sends in the window before it: null when they allow it. */
  function refusal(recent: RecentOtpSends, at: Date): OtpSendResult | null {
    if (recent.sends === 0 || recent.latest === null || recent.oldest === null) return null;
    const nowMs = at.getTime();
    const cooldownEnds = new Date(recent.latest).getTime() + OTP_RULES.resendCooldownSeconds * 1000;
    if (recent.sends >= OTP_RULES.maxSendsPerWindow) {
      // Several sends can leave the window together only if they were made in the same instant; the
      // oldest leaving is what frees a place, since at most maxSendsPerWindow are ever in it.
      const windowFrees = new Date(recent.oldest).getTime() + OTP_RULES.sendWindowMinutes * MINUTE;
      return { ok: false, reason: 'too_many', retryAfterSeconds: secondsUntil(Math.max(windowFrees, cooldownEnds), nowMs) };
    }
    if (cooldownEnds > nowMs) return { ok: false, reason: 'cooldown', retryAfterSeconds: secondsUntil(cooldownEnds, nowMs) };
    return null;
  }

  return {
    async send(r) {
      const recipient = normaliseRecipient(r.channel, r.to);
      if (recipient === '') throw new Error('An OTP needs a recipient address.');
      const at = now();
      const expiresAt = new Date(at.getTime() + OTP_RULES.validMinutes * MINUTE);
      const otpId = randomUUID();
      const code = await newCode();

      // One round trip: the limits checked and the code recorded under the address's lock (the database applies
      // the same rules as `refusal`, which only says why).
      const binding = { brandId: r.brandId, conversationId: r.conversationId, channel: r.channel, recipient };
      const { sent, recent } = await sendOtpCode(db, binding, { id: otpId, hash: hashOf(otpId, code), expiresAt }, at, {
        windowStart: new Date(at.getTime() - OTP_RULES.sendWindowMinutes * MINUTE),
        maxSends: OTP_RULES.maxSendsPerWindow,
        cooldownSeconds: OTP_RULES.resendCooldownSeconds,
      });
      if (!sent) {
        const refused = refusal(recent, at);
        if (!refused) throw new Error('The OTP send was refused although the limits allow it.');
        return refused;
      }

      try {
        await transport.send(otpMessage(r, recipient, code, otpId));
      } catch (error) {
        // A code nobody may have received must not stay usable; the send still counts against the limits.
        await supersedeOtpCode(db, otpId, at);
        throw error;
      }
      return { ok: true, expiresAt, codeId: otpId };
    },

    async verify(r) {
      const recipient = normaliseRecipient(r.channel, r.to);
      const typed = r.code.replace(/\s+/g, '');
      const at = now();
      const binding = { brandId: r.brandId, conversationId: r.conversationId, channel: r.channel, recipient };
      // The code the caller was given, typed right and still in force: used in one statement. Anything else (a wrong
      // code, a code replaced, expired or locked) is answered below, where a wrong try is counted.
      if (r.codeId && isUuid(r.codeId) && /^\d+$/.test(typed)
        && (await consumeMatchingOtpCode(db, r.codeId, binding, hashOf(r.codeId, typed), at, OTP_RULES.maxFailedAttempts))) {
        return { ok: true };
      }
      // No transaction: the read decides which write to try, and each write re-checks, as it happens, what it relies
      // on (a parallel use, guess or send in between is counted as if it had come first).
      const otp = await latestOtpCode(db, binding);
      if (!otp || otp.consumed_at !== null) return { ok: false, reason: 'no_code', attemptsLeft: 0 };
      if (otp.failed_attempts >= OTP_RULES.maxFailedAttempts) return { ok: false, reason: 'locked', attemptsLeft: 0 };
      if (new Date(otp.expires_at).getTime() <= at.getTime()) return { ok: false, reason: 'expired', attemptsLeft: 0 };

      // Lost a race (a write below refused): locked by parallel wrong guesses, or used or replaced meanwhile.
      const raced = async (): Promise<OtpVerifyResult> => {
        const state = await otpCodeState(db, otp.id);
        return { ok: false, reason: state && state.failed_attempts >= OTP_RULES.maxFailedAttempts ? 'locked' : 'no_code', attemptsLeft: 0 };
      };
      // Malformed input is hashed all the same (it just never matches): one code path, one timing.
      if (sameHash(otp.code_hash, hashOf(otp.id, typed)) && /^\d+$/.test(typed)) {
        return (await consumeOtpCode(db, otp.id, at, OTP_RULES.maxFailedAttempts)) ? { ok: true } : raced();
      }
      const failed = await countFailedOtpAttempt(db, otp.id, OTP_RULES.maxFailedAttempts);
      if (failed === null) return raced();
      const attemptsLeft = Math.max(0, OTP_RULES.maxFailedAttempts - failed);
      return attemptsLeft === 0
        ? { ok: false, reason: 'locked', attemptsLeft: 0 }
        : { ok: false, reason: 'wrong_code', attemptsLeft };
    },
  };
}
