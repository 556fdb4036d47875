import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import * as accounts from '../../models/staff-accounts.repository.ts';
import { STAFF_ROLES, type StaffRole } from '../../models/staff-accounts.repository.ts';
import { AppError, errors, isUniqueViolation } from '../../models/errors.ts';
import { hashPassword, passwordProblem, PASSWORD_MAX_LENGTH } from '../../models/passwords.ts';
import { scopeOf, type ConsoleContext } from './console-context.ts';
import { hashToken, newToken } from '../../models/staff-sessions.ts';
import { staffOf } from './staff-auth.ts';

/** Staff accounts: list, invite, invite acceptance, disable and enable, role and store access. */

export const INVITE_TTL_MS = 72 * 3_600_000;

const uuid = z.uuid();
const idParam = z.object({ id: uuid });
const role = z.enum(STAFF_ROLES as [StaffRole, ...StaffRole[]]);

const inviteBody = z.object({
  name: z.string().trim().min(1).max(120),
  email: z.email().max(254).transform((e) => e.toLowerCase()),
  role,
  stores: z.array(uuid).max(100).default([]),
}).strict();

const acceptBody = z.object({
  token: z.string().min(20).max(100),
  password: z.string().max(PASSWORD_MAX_LENGTH * 4),
}).strict();

const accessBody = z.object({
  role: role.optional(),
  stores: z.array(uuid).max(100).optional(),
}).strict();

const invalidInvite = () =>
  new AppError('invite_invalid', 400, 'This invite link is invalid, used or expired. Ask an administrator for a new one.', { field: 'token' });

interface StaffListRow {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  active: boolean;
  home_store_id: string | null;
  stores: { id: string; name: string }[] | null;
}

export const inviteUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/+$/, '')}/console/#/invite/${token}`;

/** The brand's stores among these ids; 400 naming `stores` when one is not the brand's. */
async function checkStores(ctx: ConsoleContext, brandId: string, storeIds: string[]): Promise<string[]> {
  const unique = [...new Set(storeIds)];
  const rows = await ctx.db.query<{ id: string }>('SELECT id FROM stores WHERE brand_id = $1 AND id = ANY($2::uuid[])', [brandId, unique]);
  if (rows.length !== unique.length) throw errors.invalid('stores', 'stores: one of these is not a store of this brand.');
  return unique;
}

export function consoleStaffRoutes(ctx: ConsoleContext): Router {
  const { db, auth, now } = ctx;
  const router = Router();
  const admins = auth.requireStaff(['admin']);

  async function staffJson(brandId: string, onlyStoreIds: string[] | null) {
    const rows = await db.query<StaffListRow>(
      `SELECT s.id, s.name, s.email, s.phone, s.active, s.home_store_id,
              (SELECT json_agg(json_build_object('id', st.id, 'name', st.name) ORDER BY st.name) FROM stores st
                WHERE st.id IN (SELECT store_id FROM staff_hours WHERE staff_id = s.id
                                UNION SELECT store_id FROM staff_store_access WHERE staff_id = s.id)) AS stores
       FROM staff s WHERE s.brand_id = $1 ORDER BY s.name, s.id`,
      [brandId],
    );
    const summaries = new Map((await accounts.accountSummaries(db, brandId)).map((a) => [a.staffId, a]));
    const at = now();
    return rows
      .filter((r) => !onlyStoreIds || (r.stores ?? []).some((s) => onlyStoreIds.includes(s.id)) || (r.home_store_id !== null && onlyStoreIds.includes(r.home_store_id)))
      .map((r) => {
        const a = summaries.get(r.id);
        return {
          id: r.id,
          name: r.name,
          email: r.email,
          phone: r.phone,
          active: r.active,
          homeStoreId: r.home_store_id,
          stores: r.stores ?? [],
          account: a
            ? {
                email: a.email,
                role: a.role,
                status: a.disabledAt ? 'disabled' : a.hasPassword ? 'active' : 'invited',
                locked: a.lockedUntil !== null && a.lockedUntil > at,
                inviteExpiresAt: a.inviteExpiresAt?.toISOString() ?? null,
                lastSeenAt: a.lastSeenAt ? new Date(a.lastSeenAt).toISOString() : null,
              }
            : null,
        };
      });
  }

  async function oneStaffJson(brandId: string, id: string) {
    return (await staffJson(brandId, null)).find((s) => s.id === id)!;
  }

  router.get('/staff', auth.requireStaff(['admin', 'store_manager']), async (req, res) => {
    const scope = await scopeOf(db, req);
    res.json({ staff: await staffJson(scope.brandId, scope.allStores ? null : scope.storeIds) });
  });

  router.post('/staff/invite', admins, async (req, res) => {
    const body = inviteBody.parse(req.body);
    const { brandId } = staffOf(req);
    const stores = await checkStores(ctx, brandId, body.stores);
    if (body.role !== 'admin' && stores.length === 0) {
      throw errors.invalid('stores', 'stores: agents and store managers need at least one store.');
    }
    const token = newToken();
    const at = now();
    const expiresAt = new Date(at.getTime() + INVITE_TTL_MS);
    const staffId = await db.transaction(async (tx) => {
      if (await accounts.findAccountByEmail(tx, body.email)) {
        throw new AppError('conflict', 409, 'An account with this email exists already.', { field: 'email' });
      }
      // A staff member already on the books (an advisor with hours) gets the account; else a new one.
      const [existing] = await tx.query<{ id: string }>(
        `SELECT s.id FROM staff s WHERE s.brand_id = $1 AND lower(s.email) = $2
           AND NOT EXISTS (SELECT 1 FROM staff_accounts a WHERE a.staff_id = s.id) ORDER BY s.id LIMIT 1`,
        [brandId, body.email],
      );
      const id = existing?.id ?? (await tx.query<{ id: string }>(
        'INSERT INTO staff (brand_id, name, email, home_store_id) VALUES ($1,$2,$3,$4) RETURNING id',
        [brandId, body.name, body.email, stores[0] ?? null],
      ))[0]!.id;
      await accounts.insertAccount(tx, {
        staffId: id, email: body.email, role: body.role, passwordHash: null, inviteTokenHash: hashToken(token), inviteExpiresAt: expiresAt,
      }, at);
      await accounts.setStoreAccess(tx, id, stores);
      return id;
    }).catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new AppError('conflict', 409, 'An account with this email exists already.', { field: 'email' });
      throw error;
    });
    // Sending the invite by email is wired by the caller; the link is returned once, here.
    res.status(201).json({ staff: await oneStaffJson(brandId, staffId), inviteUrl: inviteUrl(ctx.publicUrl, token), inviteExpiresAt: expiresAt.toISOString() });
  });

  /** A fresh invite link: for an invite that expired, or to let someone choose a new password. */
  router.post('/staff/:id/reinvite', admins, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { brandId } = staffOf(req);
    const account = await accounts.findAccount(db, brandId, id);
    if (!account) throw errors.notFound('Account');
    if (account.disabledAt) throw errors.conflict('This account is disabled: enable it first.');
    const token = newToken();
    const expiresAt = new Date(now().getTime() + INVITE_TTL_MS);
    await accounts.setInvite(db, id, hashToken(token), expiresAt);
    res.json({ staff: await oneStaffJson(brandId, id), inviteUrl: inviteUrl(ctx.publicUrl, token), inviteExpiresAt: expiresAt.toISOString() });
  });

  router.post('/staff/:id/disable', admins, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const me = staffOf(req);
    if (id === me.id) throw errors.conflict('You cannot disable your own account.');
    const account = await accounts.findAccount(db, me.brandId, id);
    if (!account) throw errors.notFound('Account');
    await db.transaction(async (tx) => {
      await accounts.setDisabled(tx, id, now());
      await accounts.deleteSessionsOf(tx, id);
    });
    res.json({ staff: await oneStaffJson(me.brandId, id) });
  });

  router.post('/staff/:id/enable', admins, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { brandId } = staffOf(req);
    if (!(await accounts.findAccount(db, brandId, id))) throw errors.notFound('Account');
    await accounts.setDisabled(db, id, null);
    res.json({ staff: await oneStaffJson(brandId, id) });
  });

  router.patch('/staff/:id/access', admins, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = accessBody.parse(req.body);
    const me = staffOf(req);
    const account = await accounts.findAccount(db, me.brandId, id);
    if (!account) throw errors.notFound('Account');
    if (id === me.id && body.role && body.role !== me.role) throw errors.conflict('You cannot change your own role.');
    const stores = body.stores ? await checkStores(ctx, me.brandId, body.stores) : null;
    await db.transaction(async (tx) => {
      if (body.role) await accounts.setRole(tx, id, body.role);
      if (stores) await accounts.setStoreAccess(tx, id, stores);
    });
    res.json({ staff: await oneStaffJson(me.brandId, id) });
  });

  return router;
}

/** POST /invites/accept: no session, the token is the credential. */
export function acceptInviteHandler(ctx: ConsoleContext): RequestHandler {
  return async (req, res) => {
    const body = acceptBody.parse(req.body);
    const tokenHash = hashToken(body.token);
    const account = await accounts.findAccountByInvite(ctx.db, tokenHash, ctx.now());
    if (!account) throw invalidInvite();
    const problem = passwordProblem(body.password, [account.email, account.name]);
    if (problem) throw errors.invalid('password', `password: ${problem}`);
    const passwordHash = await hashPassword(body.password);
    const accepted = await ctx.db.transaction(async (tx) => {
      if (!(await accounts.acceptInvite(tx, account.staffId, tokenHash, passwordHash, ctx.now()))) return false;
      // A new password ends every session opened with the old one.
      await accounts.deleteSessionsOf(tx, account.staffId);
      return true;
    });
    if (!accepted) throw invalidInvite();
    res.json({ email: account.email, name: account.name });
  };
}
