import type { Request } from 'express';
import type { Database, Queryable } from '../../models/database.ts';
import { loadScope, type StaffScope } from '../../scheduling/staff-access.ts';
import { staffOf, type StaffAuth } from './staff-auth.ts';

const scopes = new WeakMap<Request, Promise<StaffScope>>();

/** The scope of the request's signed-in staff member, loaded once per request. */
export function scopeOf(db: Queryable, req: Request): Promise<StaffScope> {
  let scope = scopes.get(req);
  if (!scope) {
    scope = loadScope(db, staffOf(req));
    scopes.set(req, scope);
  }
  return scope;
}

/** What the console's routers share. */
export interface ConsoleContext {
  db: Database;
  now: () => Date;
  publicUrl: string;
  auth: StaffAuth;
}
