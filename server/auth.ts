import type { RequestHandler, Request } from 'express';
import type { Queryable } from '../models/database.ts';
import { findApiKey, findBrand, type Brand } from '../models/brands.repository.ts';
import { errors } from '../models/errors.ts';
import type { Actor } from '../scheduling/booking.ts';

export interface ApiCaller {
  brand: Brand;
  keyLabel: string;
}

const callers = new WeakMap<Request, ApiCaller>();

/** Write endpoints: the bot and integrations authenticate with a brand API key. */
export function requireApiKey(db: Queryable): RequestHandler {
  return async (req, _res, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    if (!match) throw errors.unauthorized();
    const found = await findApiKey(db, match[1]!);
    if (!found) throw errors.unauthorized('The API key is unknown or revoked.');
    callers.set(req, { brand: found.brand, keyLabel: found.label });
    next();
  };
}

export function callerOf(req: Request): ApiCaller {
  const caller = callers.get(req);
  if (!caller) throw errors.unauthorized();
  return caller;
}

export const actorFor = (caller: ApiCaller, onBehalfOf: 'customer' | 'staff'): Actor =>
  onBehalfOf === 'customer' ? { kind: 'customer' } : { kind: 'api', label: caller.keyLabel };

/** Public reads name their brand, or get the default one. */
export async function publicBrand(db: Queryable, requested: string | undefined, fallback: string): Promise<Brand> {
  const brand = await findBrand(db, requested ?? fallback);
  if (!brand) throw errors.notFound('Brand');
  return brand;
}
