import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { STAFF_ROLES, type StaffRole } from '../../models/staff-accounts.repository.ts';
import { PASSWORD_MAX_LENGTH } from '../../models/passwords.ts';
import {
  acceptInvite, changeStaffAccess, disableStaff, enableStaff, inviteStaff, listStaff, reinviteStaff, staffListing,
  type Invite, type StaffListing,
} from '../../scheduling/staff-accounts.ts';
import { scopeOf, type ConsoleContext } from './console-context.ts';
import { staffOf } from './staff-auth.ts';

/** Staff accounts: list, invite, invite acceptance, disable and enable, role and store access. */

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

export const inviteUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/+$/, '')}/console/#/invite/${token}`;

function staffJson(s: StaffListing, at: Date) {
  const a = s.account;
  return {
    id: s.id,
    name: s.name,
    email: s.email,
    phone: s.phone,
    active: s.active,
    homeStoreId: s.homeStoreId,
    stores: s.stores,
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
}

export function consoleStaffRoutes(ctx: ConsoleContext): Router {
  const { db, auth, now } = ctx;
  const router = Router();
  const admins = auth.requireStaff(['admin']);

  const oneStaffJson = async (brandId: string, id: string) => staffJson(await staffListing(db, brandId, id), now());
  /** Sending the invite by email is wired by the caller; the link is returned once, here. */
  const inviteJson = (invite: Invite) => ({ inviteUrl: inviteUrl(ctx.publicUrl, invite.token), inviteExpiresAt: invite.expiresAt.toISOString() });

  router.get('/staff', auth.requireStaff(['admin', 'store_manager']), async (req, res) => {
    const scope = await scopeOf(db, req);
    const at = now();
    res.json({ staff: (await listStaff(db, scope.brandId, scope.allStores ? null : scope.storeIds)).map((s) => staffJson(s, at)) });
  });

  router.post('/staff/invite', admins, async (req, res) => {
    const body = inviteBody.parse(req.body);
    const { brandId } = staffOf(req);
    const { staffId, invite } = await inviteStaff(db, brandId, body, now());
    res.status(201).json({ staff: await oneStaffJson(brandId, staffId), ...inviteJson(invite) });
  });

  /** A fresh invite link: for an invite that expired, or to let someone choose a new password. */
  router.post('/staff/:id/reinvite', admins, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { brandId } = staffOf(req);
    const invite = await reinviteStaff(db, brandId, id, now());
    res.json({ staff: await oneStaffJson(brandId, id), ...inviteJson(invite) });
  });

  router.post('/staff/:id/disable', admins, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const me = staffOf(req);
    await disableStaff(db, me, id, now());
    res.json({ staff: await oneStaffJson(me.brandId, id) });
  });

  router.post('/staff/:id/enable', admins, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { brandId } = staffOf(req);
    await enableStaff(db, brandId, id);
    res.json({ staff: await oneStaffJson(brandId, id) });
  });

  router.patch('/staff/:id/access', admins, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = accessBody.parse(req.body);
    const me = staffOf(req);
    await changeStaffAccess(db, me, id, body);
    res.json({ staff: await oneStaffJson(me.brandId, id) });
  });

  return router;
}

/** POST /invites/accept: no session, the token is the credential. */
export function acceptInviteHandler(ctx: ConsoleContext): RequestHandler {
  return async (req, res) => {
    const body = acceptBody.parse(req.body);
    res.json(await acceptInvite(ctx.db, body.token, body.password, ctx.now));
  };
}
