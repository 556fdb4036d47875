import type { Database, Queryable } from '../models/database.ts';
import { errors } from '../models/errors.ts';
import * as accounts from '../models/staff-accounts.repository.ts';
import type { AccountSummary, StaffRole } from '../models/staff-accounts.repository.ts';
import { hashPassword, passwordProblem } from '../models/passwords.ts';
import { hashToken, newToken } from '../models/staff-sessions.ts';
import { brandStoresAmong } from '../models/store-settings.repository.ts';
import { insertStaffMember, staffDirectory, staffWithoutAccount, type StaffDirectoryRow } from '../models/staff-profiles.repository.ts';

/**
 * Console accounts (admins): invite, new invite link, disable and enable, role and store access,
 * and the invite's acceptance. Each change is one transaction; invite tokens are returned once
 * and stored hashed.
 */

export const INVITE_TTL_MS = 72 * 3_600_000;

export interface StaffListing extends StaffDirectoryRow {
  account: AccountSummary | null;
}

/** A fresh invite: the token goes into the link, only its hash is kept. */
export interface Invite {
  token: string;
  expiresAt: Date;
}

const newInvite = (now: Date): Invite => ({ token: newToken(), expiresAt: new Date(now.getTime() + INVITE_TTL_MS) });

export interface InviteRequest {
  name: string;
  email: string;
  role: StaffRole;
  stores: string[];
}

/** The brand's staff with their console accounts; with `onlyStoreIds`, those working at or homed in one of them. */
export async function listStaff(db: Queryable, brandId: string, onlyStoreIds: readonly string[] | null): Promise<StaffListing[]> {
  const rows = await staffDirectory(db, brandId);
  const summaries = new Map((await accounts.accountSummaries(db, brandId)).map((a) => [a.staffId, a]));
  return rows
    .filter((r) => !onlyStoreIds || r.stores.some((s) => onlyStoreIds.includes(s.id)) || (r.homeStoreId !== null && onlyStoreIds.includes(r.homeStoreId)))
    .map((r) => ({ ...r, account: summaries.get(r.id) ?? null }));
}

export async function staffListing(db: Queryable, brandId: string, staffId: string): Promise<StaffListing> {
  return (await listStaff(db, brandId, null)).find((s) => s.id === staffId)!;
}

/** The brand's stores among these ids; 400 naming `stores` when one is not the brand's. */
async function checkStores(db: Queryable, brandId: string, storeIds: readonly string[]): Promise<string[]> {
  const unique = [...new Set(storeIds)];
  if ((await brandStoresAmong(db, brandId, unique)).length !== unique.length) {
    throw errors.invalid('stores', 'stores: one of these is not a store of this brand.');
  }
  return unique;
}

/** Opens an account by invite: for the staff member on the books with that email, else a new one. */
export async function inviteStaff(db: Database, brandId: string, r: InviteRequest, now: Date): Promise<{ staffId: string; invite: Invite }> {
  const stores = await checkStores(db, brandId, r.stores);
  if (r.role !== 'admin' && stores.length === 0) {
    throw errors.invalid('stores', 'stores: agents and store managers need at least one store.');
  }
  const invite = newInvite(now);
  const staffId = await db.transaction(async (tx) => {
    if (await accounts.findAccountByEmail(tx, r.email)) throw accounts.accountExists();
    const id = (await staffWithoutAccount(tx, brandId, r.email))
      ?? (await insertStaffMember(tx, { brandId, name: r.name, email: r.email, homeStoreId: stores[0] ?? null }));
    await accounts.insertAccount(tx, {
      staffId: id, email: r.email, role: r.role, passwordHash: null, inviteTokenHash: hashToken(invite.token), inviteExpiresAt: invite.expiresAt,
    }, now);
    await accounts.setStoreAccess(tx, id, stores);
    return id;
  });
  return { staffId, invite };
}

async function accountOf(db: Queryable, brandId: string, staffId: string): Promise<accounts.StaffAccount> {
  const account = await accounts.findAccount(db, brandId, staffId);
  if (!account) throw errors.notFound('Account');
  return account;
}

/** A fresh invite link: for an invite that expired, or to let someone choose a new password. */
export async function reinviteStaff(db: Queryable, brandId: string, staffId: string, now: Date): Promise<Invite> {
  const account = await accountOf(db, brandId, staffId);
  if (account.disabledAt) throw errors.conflict('This account is disabled: enable it first.');
  const invite = newInvite(now);
  await accounts.setInvite(db, staffId, hashToken(invite.token), invite.expiresAt);
  return invite;
}

/** Disables an account and ends its sessions. */
export async function disableStaff(db: Database, me: { id: string; brandId: string }, staffId: string, now: Date): Promise<void> {
  if (staffId === me.id) throw errors.conflict('You cannot disable your own account.');
  await accountOf(db, me.brandId, staffId);
  await db.transaction(async (tx) => {
    await accounts.setDisabled(tx, staffId, now);
    await accounts.deleteSessionsOf(tx, staffId);
  });
}

export async function enableStaff(db: Queryable, brandId: string, staffId: string): Promise<void> {
  await accountOf(db, brandId, staffId);
  await accounts.setDisabled(db, staffId, null);
}

export async function changeStaffAccess(
  db: Database,
  me: { id: string; brandId: string; role: StaffRole },
  staffId: string,
  change: { role?: StaffRole | undefined; stores?: string[] | undefined },
): Promise<void> {
  await accountOf(db, me.brandId, staffId);
  if (staffId === me.id && change.role && change.role !== me.role) throw errors.conflict('You cannot change your own role.');
  const stores = change.stores ? await checkStores(db, me.brandId, change.stores) : null;
  await db.transaction(async (tx) => {
    if (change.role) await accounts.setRole(tx, staffId, change.role);
    if (stores) await accounts.setStoreAccess(tx, staffId, stores);
  });
}

/** Sets the password of an invited account (the token is the credential); who it is. */
export async function acceptInvite(db: Database, token: string, password: string, now: () => Date): Promise<{ email: string; name: string }> {
  const tokenHash = hashToken(token);
  const account = await accounts.findAccountByInvite(db, tokenHash, now());
  if (!account) throw errors.inviteInvalid();
  const problem = passwordProblem(password, [account.email, account.name]);
  if (problem) throw errors.invalid('password', `password: ${problem}`);
  const passwordHash = await hashPassword(password);
  const accepted = await db.transaction(async (tx) => {
    if (!(await accounts.acceptInvite(tx, account.staffId, tokenHash, passwordHash, now()))) return false;
    // A new password ends every session opened with the old one.
    await accounts.deleteSessionsOf(tx, account.staffId);
    return true;
  });
  if (!accepted) throw errors.inviteInvalid();
  return { email: account.email, name: account.name };
}
