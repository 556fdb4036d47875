import type { Queryable } from './database.ts';
import { composableWrite } from './statement-gate.ts';

/**
 * `otp_codes`: one row per code sent (notifications/otp.ts), bound to a brand, a conversation,
 * a channel and a normalised address; stored as a hash only.
 */

/** Advisory-lock class of OTP sends (the two-int key space never meets migrate's one-bigint lock). */
const OTP_SEND_LOCK_CLASS = 727_002;

/** What a code is bound to. */
export interface OtpBinding {
  brandId: string;
  conversationId: string;
  channel: 'email' | 'sms';
  recipient: string;
}

export interface OtpCodeRow {
  id: string;
  code_hash: string;
  expires_at: Date | string;
  failed_attempts: number;
  consumed_at: Date | string | null;
}

/** The address's sends in the window before this one: how many, the first and the last time. */
export interface RecentOtpSends {
  sends: number;
  oldest: Date | string | null;
  latest: Date | string | null;
}

// A bot turn's first write: it may carry the customer's message (models/statement-gate.ts).
const OTP_SEND = composableWrite(
  `SELECT sent, sends, oldest, latest FROM otp_send(p_lock_class => $1, p_brand => $2, p_conversation => $3, p_channel => $4,
     p_recipient => $5, p_id => $6, p_hash => $7, p_expires => $8, p_at => $9, p_window_start => $10, p_max_sends => $11,
     p_cooldown_seconds => $12)`,
);

/**
 * Records a new code if the address's send limits allow it, superseding the unused codes it
 * replaces (only the latest code counts), in one round trip (migration 025's otp_send): sends to
 * one address are serialised, so parallel requests cannot both pass the limits. `sent` false:
 * refused, nothing written; `recent` says why.
 */
export async function sendOtpCode(
  db: Queryable, b: OtpBinding, code: { id: string; hash: string; expiresAt: Date }, at: Date,
  limits: { windowStart: Date; maxSends: number; cooldownSeconds: number },
): Promise<{ sent: boolean; recent: RecentOtpSends }> {
  const [row] = await db.query<{ sent: boolean } & RecentOtpSends>(OTP_SEND,
    [OTP_SEND_LOCK_CLASS, b.brandId, b.conversationId, b.channel, b.recipient, code.id, code.hash, code.expiresAt, at,
      limits.windowStart, limits.maxSends, limits.cooldownSeconds],
  );
  const { sent, ...recent } = row!;
  return { sent, recent };
}

export async function supersedeOtpCode(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('UPDATE otp_codes SET superseded_at = $2 WHERE id = $1 AND superseded_at IS NULL', [id, at]);
}

/** The latest code still in force for the binding (a read: the writes below re-check what they rely on). */
export async function latestOtpCode(db: Queryable, b: OtpBinding): Promise<OtpCodeRow | null> {
  const [otp] = await db.query<OtpCodeRow>(
    `SELECT id, code_hash, expires_at, failed_attempts, consumed_at FROM otp_codes
      WHERE brand_id = $1 AND conversation_id = $2 AND channel = $3 AND recipient = $4 AND superseded_at IS NULL
      ORDER BY created_at DESC LIMIT 1`,
    [b.brandId, b.conversationId, b.channel, b.recipient],
  );
  return otp ?? null;
}

/**
 * Uses the code, once: only while it is unused, not superseded, unexpired and under `maxFailed`
 * wrong tries, as of the moment it is written (a parallel use, guess or send waits, then counts).
 * False when any of that no longer holds.
 */
export async function consumeOtpCode(db: Queryable, id: string, at: Date, maxFailed: number): Promise<boolean> {
  const rows = await db.query(
    `UPDATE otp_codes SET consumed_at = $2
      WHERE id = $1 AND consumed_at IS NULL AND superseded_at IS NULL AND expires_at > $2 AND failed_attempts < $3
      RETURNING id`,
    [id, at, maxFailed],
  );
  return rows.length > 0;
}

// Migration 029's otp_consume_matching; as a bot turn's first write, it may carry the customer's message.
const OTP_CONSUME_MATCHING = composableWrite('SELECT consumed FROM otp_consume_matching($1, $2, $3, $4, $5, $6, $7, $8) AS consumed');

/**
 * Uses the code `id` if `hash` is its hash and it is the binding's, unused, not superseded, unexpired and
 * under `maxFailed` wrong tries, in one statement; false otherwise (nothing is counted).
 */
export async function consumeMatchingOtpCode(
  db: Queryable, id: string, b: OtpBinding, hash: string, at: Date, maxFailed: number,
): Promise<boolean> {
  const rows = await db.query(OTP_CONSUME_MATCHING,
    [id, b.brandId, b.conversationId, b.channel, b.recipient, hash, at, maxFailed],
  );
  return rows.length > 0;
}

/**
 * Counts a wrong guess at a code still in use and under `maxFailed` wrong tries as it is written (parallel
 * guesses count one after the other); the failed attempts so far, null when it was locked, used or replaced meanwhile.
 */
export async function countFailedOtpAttempt(db: Queryable, id: string, maxFailed: number): Promise<number | null> {
  const [counted] = await db.query<{ failed_attempts: number }>(
    `UPDATE otp_codes SET failed_attempts = failed_attempts + 1
      WHERE id = $1 AND consumed_at IS NULL AND superseded_at IS NULL AND failed_attempts < $2 RETURNING failed_attempts`,
    [id, maxFailed],
  );
  return counted?.failed_attempts ?? null;
}

/** A code's state as it is now (after a write that lost a race: why). */
export async function otpCodeState(db: Queryable, id: string): Promise<{ failed_attempts: number } | null> {
  const [row] = await db.query<{ failed_attempts: number }>('SELECT failed_attempts FROM otp_codes WHERE id = $1', [id]);
  return row ?? null;
}
