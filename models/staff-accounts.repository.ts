import type { Queryable } from './database.ts';
import { errors, uniqueViolationAs } from './errors.ts';

/** Console accounts, sessions, store access and tasks (migration 007). */

export type StaffRole = 'agent' | 'store_manager' | 'admin';
export const STAFF_ROLES: readonly StaffRole[] = ['agent', 'store_manager', 'admin'];

export interface StaffAccount {
  staffId: string;
  brandId: string;
  name: string;
  email: string;
  role: StaffRole;
  passwordHash: string | null;
  disabledAt: Date | null;
  failedLogins: number;
  lockedUntil: Date | null;
  inviteExpiresAt: Date | null;
  createdAt: Date;
  /** staff.active: an inactive staff member cannot log in either. */
  staffActive: boolean;
}

const ACCOUNT_COLUMNS = `a.staff_id AS "staffId", s.brand_id AS "brandId", s.name, a.email, a.role,
  a.password_hash AS "passwordHash", a.disabled_at AS "disabledAt", a.failed_logins AS "failedLogins",
  a.locked_until AS "lockedUntil", a.invite_expires_at AS "inviteExpiresAt", a.created_at AS "createdAt",
  s.active AS "staffActive"`;
const ACCOUNT_FROM = 'staff_accounts a JOIN staff s ON s.id = a.staff_id';

export async function findAccountByEmail(db: Queryable, email: string): Promise<StaffAccount | null> {
  const [row] = await db.query<StaffAccount>(`SELECT ${ACCOUNT_COLUMNS} FROM ${ACCOUNT_FROM} WHERE lower(a.email) = lower($1)`, [email]);
  return row ?? null;
}

export async function findAccount(db: Queryable, brandId: string, staffId: string): Promise<StaffAccount | null> {
  const [row] = await db.query<StaffAccount>(
    `SELECT ${ACCOUNT_COLUMNS} FROM ${ACCOUNT_FROM} WHERE a.staff_id = $1 AND s.brand_id = $2`,
    [staffId, brandId],
  );
  return row ?? null;
}

export async function findAccountByInvite(db: Queryable, tokenHash: string, now: Date): Promise<StaffAccount | null> {
  const [row] = await db.query<StaffAccount>(
    `SELECT ${ACCOUNT_COLUMNS} FROM ${ACCOUNT_FROM}
     WHERE a.invite_token_hash = $1 AND a.invite_expires_at > $2 AND a.disabled_at IS NULL AND s.active`,
    [tokenHash, now],
  );
  return row ?? null;
}

/** One account per email (any case), across brands. */
export const accountExists = () => errors.conflict('An account with this email exists already.', 'email');

/** Refuses a second account for an email with `accountExists`, even when two invites race. */
export async function insertAccount(
  db: Queryable,
  a: { staffId: string; email: string; role: StaffRole; passwordHash: string | null; inviteTokenHash: string | null; inviteExpiresAt: Date | null },
  now: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO staff_accounts (staff_id, email, role, password_hash, invite_token_hash, invite_expires_at, created_at)
     VALUES ($1, lower($2), $3, $4, $5, $6, $7)`,
    [a.staffId, a.email, a.role, a.passwordHash, a.inviteTokenHash, a.inviteExpiresAt, now],
  ).catch(uniqueViolationAs(accountExists));
}

/**
 * Counts a failed login; the `maxFailures`-th in a row locks the account until `lockUntil` (and
 * restarts the count). While locked nothing changes: attempts cannot extend the lock.
 */
export async function recordLoginFailure(db: Queryable, staffId: string, now: Date, maxFailures: number, lockUntil: Date): Promise<void> {
  await db.query(
    `UPDATE staff_accounts SET
       failed_logins = CASE WHEN failed_logins + 1 >= $3 THEN 0 ELSE failed_logins + 1 END,
       locked_until = CASE WHEN failed_logins + 1 >= $3 THEN $4::timestamptz ELSE NULL END
     WHERE staff_id = $1 AND (locked_until IS NULL OR locked_until <= $2)`,
    [staffId, now, maxFailures, lockUntil],
  );
}

/**
 * Clears the failure count after a correct password, unless the account got locked or disabled
 * meanwhile (a concurrent guess): false then, and the login must fail.
 */
export async function recordLoginSuccess(db: Queryable, staffId: string, now: Date): Promise<boolean> {
  const rows = await db.query(
    `UPDATE staff_accounts SET failed_logins = 0, locked_until = NULL
     WHERE staff_id = $1 AND (locked_until IS NULL OR locked_until <= $2) AND disabled_at IS NULL AND password_hash IS NOT NULL
     RETURNING staff_id`,
    [staffId, now],
  );
  return rows.length > 0;
}

/** A new invite token for the account (also how an admin lets someone choose a new password). */
export async function setInvite(db: Queryable, staffId: string, tokenHash: string, expiresAt: Date): Promise<void> {
  await db.query('UPDATE staff_accounts SET invite_token_hash = $2, invite_expires_at = $3 WHERE staff_id = $1', [staffId, tokenHash, expiresAt]);
}

/** Sets the password chosen through an invite, once: the token is consumed by the same statement. */
export async function acceptInvite(db: Queryable, staffId: string, tokenHash: string, passwordHash: string, now: Date): Promise<boolean> {
  const rows = await db.query(
    `UPDATE staff_accounts SET password_hash = $3, invite_token_hash = NULL, invite_expires_at = NULL,
       failed_logins = 0, locked_until = NULL
     WHERE staff_id = $1 AND invite_token_hash = $2 AND invite_expires_at > $4 AND disabled_at IS NULL
     RETURNING staff_id`,
    [staffId, tokenHash, passwordHash, now],
  );
  return rows.length > 0;
}

export async function setDisabled(db: Queryable, staffId: string, at: Date | null): Promise<void> {
  await db.query(
    `UPDATE staff_accounts SET disabled_at = $2,
       failed_logins = CASE WHEN $2::timestamptz IS NULL THEN 0 ELSE failed_logins END,
       locked_until = CASE WHEN $2::timestamptz IS NULL THEN NULL ELSE locked_until END
     WHERE staff_id = $1`,
    [staffId, at],
  );
}

export async function setRole(db: Queryable, staffId: string, role: StaffRole): Promise<void> {
  await db.query('UPDATE staff_accounts SET role = $2 WHERE staff_id = $1', [staffId, role]);
}

export interface AccountSummary {
  staffId: string;
  email: string;
  role: StaffRole;
  disabledAt: Date | null;
  lockedUntil: Date | null;
  hasPassword: boolean;
  inviteExpiresAt: Date | null;
  lastSeenAt: Date | null;
}

export async function accountSummaries(db: Queryable, brandId: string): Promise<AccountSummary[]> {
  return db.query<AccountSummary>(
    `SELECT a.staff_id AS "staffId", a.email, a.role, a.disabled_at AS "disabledAt", a.locked_until AS "lockedUntil",
            a.password_hash IS NOT NULL AS "hasPassword", a.invite_expires_at AS "inviteExpiresAt",
            (SELECT max(x.last_seen_at) FROM staff_sessions x WHERE x.staff_id = a.staff_id) AS "lastSeenAt"
     FROM ${ACCOUNT_FROM} WHERE s.brand_id = $1`,
    [brandId],
  );
}

// ---- store access ------------------------------------------------------------------------------

/** Replaces the stores granted to a staff member beyond those they work at. */
export async function setStoreAccess(db: Queryable, staffId: string, storeIds: string[]): Promise<void> {
  await db.query('DELETE FROM staff_store_access WHERE staff_id = $1 AND NOT (store_id = ANY($2::uuid[]))', [staffId, storeIds]);
  await db.query(
    `INSERT INTO staff_store_access (staff_id, store_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`,
    [staffId, storeIds],
  );
}

/** The stores a staff member works at (staff_hours) or was granted (staff_store_access). */
export async function storesOfStaff(db: Queryable, staffId: string): Promise<string[]> {
  const rows = await db.query<{ store_id: string }>(
    `SELECT store_id FROM staff_hours WHERE staff_id = $1
     UNION SELECT store_id FROM staff_store_access WHERE staff_id = $1`,
    [staffId],
  );
  return rows.map((r) => r.store_id);
}

// ---- sessions ----------------------------------------------------------------------------------

export interface SessionRow {
  tokenHash: string;
  staffId: string;
  brandId: string;
  name: string;
  email: string;
  role: StaffRole;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export async function insertSession(
  db: Queryable,
  s: { tokenHash: string; staffId: string; csrfToken: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ($1,$2,$3,$4,$4,$5)`,
    [s.tokenHash, s.staffId, s.csrfToken, s.createdAt, s.expiresAt],
  );
}

/** A live session of an enabled account: not past its absolute expiry nor idle since `idleCutoff`. */
export async function findLiveSession(db: Queryable, tokenHash: string, now: Date, idleCutoff: Date): Promise<SessionRow | null> {
  const [row] = await db.query<SessionRow>(
    `SELECT x.token_hash AS "tokenHash", x.staff_id AS "staffId", s.brand_id AS "brandId", s.name, a.email, a.role,
            x.csrf_token AS "csrfToken", x.created_at AS "createdAt", x.last_seen_at AS "lastSeenAt", x.expires_at AS "expiresAt"
     FROM staff_sessions x JOIN staff_accounts a ON a.staff_id = x.staff_id JOIN staff s ON s.id = x.staff_id
     WHERE x.token_hash = $1 AND x.expires_at > $2 AND x.last_seen_at > $3 AND a.disabled_at IS NULL AND s.active`,
    [tokenHash, now, idleCutoff],
  );
  return row ?? null;
}

export async function touchSession(db: Queryable, tokenHash: string, now: Date): Promise<void> {
  await db.query('UPDATE staff_sessions SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at < $2', [tokenHash, now]);
}

export async function deleteSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.query('DELETE FROM staff_sessions WHERE token_hash = $1', [tokenHash]);
}

export async function deleteSessionsOf(db: Queryable, staffId: string): Promise<number> {
  return (await db.query('DELETE FROM staff_sessions WHERE staff_id = $1 RETURNING token_hash', [staffId])).length;
}

export async function deleteDeadSessions(db: Queryable, now: Date, idleCutoff: Date): Promise<void> {
  await db.query('DELETE FROM staff_sessions WHERE expires_at <= $1 OR last_seen_at <= $2', [now, idleCutoff]);
}

// ---- console tasks -----------------------------------------------------------------------------

export interface ConsoleTask {
  id: string;
  brandId: string;
  storeId: string | null;
  /** With no store: the advisor whose appointment it is about (null with neither: the whole brand's). */
  staffId: string | null;
  conversationId: string | null;
  customerName: string | null;
  contact: string | null;
  message: string;
  status: 'open' | 'done';
  createdAt: Date;
  doneBy: string | null;
  doneByName: string | null;
  doneAt: Date | null;
}

const TASK_COLUMNS = `t.id, t.brand_id AS "brandId", t.store_id AS "storeId", t.staff_id AS "staffId", t.conversation_id AS "conversationId",
  t.customer_name AS "customerName", t.contact, t.message, t.status, t.created_at AS "createdAt",
  t.done_by AS "doneBy", d.name AS "doneByName", t.done_at AS "doneAt"`;
const TASK_FROM = 'console_tasks t LEFT JOIN staff d ON d.id = t.done_by';

/** For the live-agent hand-off: a customer nobody could take, to call or write back. */
export async function insertConsoleTask(
  db: Queryable,
  t: {
    brandId: string; storeId?: string | null; staffId?: string | null; conversationId?: string | null;
    customerName?: string | null; contact?: string | null; message: string;
  },
  now: Date = new Date(),
): Promise<ConsoleTask> {
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO console_tasks (brand_id, store_id, staff_id, conversation_id, customer_name, contact, message, created_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`,
    [t.brandId, t.storeId ?? null, t.staffId ?? null, t.conversationId ?? null, t.customerName ?? null, t.contact ?? null, t.message, now],
  );
  return (await findConsoleTask(db, t.brandId, row!.id))!;
}

export async function findConsoleTask(db: Queryable, brandId: string, id: string): Promise<ConsoleTask | null> {
  const [row] = await db.query<ConsoleTask>(`SELECT ${TASK_COLUMNS} FROM ${TASK_FROM} WHERE t.brand_id = $1 AND t.id = $2`, [brandId, id]);
  return row ?? null;
}

/**
 * Tasks of the brand a staff member sees: brand-wide ones, those of the given stores (null → every
 * store), and those about their own appointments.
 */
export async function listConsoleTasks(
  db: Queryable,
  brandId: string,
  q: { status: 'open' | 'done' | null; storeIds: string[] | null; staffId: string; limit: number; offset: number },
): Promise<{ tasks: ConsoleTask[]; total: number }> {
  const where = `t.brand_id = $1 AND ($2::text IS NULL OR t.status = $2)
    AND ($3::uuid[] IS NULL OR t.store_id = ANY($3::uuid[]) OR t.staff_id = $4::uuid OR (t.store_id IS NULL AND t.staff_id IS NULL))`;
  const params = [brandId, q.status, q.storeIds, q.staffId];
  const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM console_tasks t WHERE ${where}`, params);
  const tasks = await db.query<ConsoleTask>(
    `SELECT ${TASK_COLUMNS} FROM ${TASK_FROM} WHERE ${where}
     ORDER BY (t.status = 'open') DESC, t.created_at, t.id LIMIT $5 OFFSET $6`,
    [...params, q.limit, q.offset],
  );
  return { tasks, total: count?.n ?? 0 };
}

/** Marks a task done (once: a task done already keeps who did it first). */
export async function markTaskDone(db: Queryable, id: string, staffId: string, now: Date): Promise<void> {
  await db.query(`UPDATE console_tasks SET status = 'done', done_by = $2, done_at = $3 WHERE id = $1 AND status = 'open'`, [id, staffId, now]);
}
