import type { Queryable, Tx } from './database.ts';

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

/** Serialises sends to one address until the transaction ends, so two parallel requests cannot both pass the limits. */
export async function lockOtpSends(tx: Tx, brandId: string, recipient: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [OTP_SEND_LOCK_CLASS, `${brandId}\n${recipient}`]);
}

/** Codes sent to the address since `since`: how many, the first and the last time. */
export async function recentOtpSends(
  tx: Tx, brandId: string, recipient: string, since: Date,
): Promise<{ sends: number; oldest: Date | string | null; latest: Date | string | null } | null> {
  const [recent] = await tx.query<{ sends: number; oldest: Date | string | null; latest: Date | string | null }>(
    `SELECT count(*)::int AS sends, min(created_at) AS oldest, max(created_at) AS latest
       FROM otp_codes WHERE brand_id = $1 AND recipient = $2 AND created_at > $3`,
    [brandId, recipient, since],
  );
  return recent ?? null;
}

/** Records a new code and supersedes the unused ones it replaces (only the latest code counts). */
export async function insertOtpCode(
  tx: Tx, b: OtpBinding, code: { id: string; hash: string; expiresAt: Date }, at: Date,
): Promise<void> {
  await tx.query(
    `UPDATE otp_codes SET superseded_at = $5
      WHERE brand_id = $1 AND conversation_id = $2 AND channel = $3 AND recipient = $4
        AND consumed_at IS NULL AND superseded_at IS NULL`,
    [b.brandId, b.conversationId, b.channel, b.recipient, at],
  );
  await tx.query(
    `INSERT INTO otp_codes (id, brand_id, conversation_id, channel, recipient, code_hash, expires_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [code.id, b.brandId, b.conversationId, b.channel, b.recipient, code.hash, code.expiresAt, at],
  );
}

export async function supersedeOtpCode(db: Queryable, id: string, at: Date): Promise<void> {
  await db.query('UPDATE otp_codes SET superseded_at = $2 WHERE id = $1 AND superseded_at IS NULL', [id, at]);
}

/** The latest code still in force for the binding, locked: parallel guesses count one after the other. */
export async function lockLatestOtpCode(tx: Tx, b: OtpBinding): Promise<OtpCodeRow | null> {
  const [otp] = await tx.query<OtpCodeRow>(
    `SELECT id, code_hash, expires_at, failed_attempts, consumed_at FROM otp_codes
      WHERE brand_id = $1 AND conversation_id = $2 AND channel = $3 AND recipient = $4 AND superseded_at IS NULL
      ORDER BY created_at DESC LIMIT 1
      FOR UPDATE`,
    [b.brandId, b.conversationId, b.channel, b.recipient],
  );
  return otp ?? null;
}

export async function consumeOtpCode(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.query('UPDATE otp_codes SET consumed_at = $2 WHERE id = $1', [id, at]);
}

/** Counts a wrong guess; the failed attempts so far, null when the code is gone. */
export async function countFailedOtpAttempt(tx: Tx, id: string): Promise<number | null> {
  const [counted] = await tx.query<{ failed_attempts: number }>(
    'UPDATE otp_codes SET failed_attempts = failed_attempts + 1 WHERE id = $1 RETURNING failed_attempts',
    [id],
  );
  return counted?.failed_attempts ?? null;
}
