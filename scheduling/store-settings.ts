import type { Database, Queryable } from '../models/database.ts';
import { errors } from '../models/errors.ts';
import * as stores from '../models/store-settings.repository.ts';
import type { SpecialDay, StoreChanges, StoreHours, StoreRecord } from '../models/store-settings.repository.ts';
import { requireStoreInScope, type StaffScope } from './staff-access.ts';

/** Stores' details, opening hours and special days: admins change everything, store managers the hours of their stores. */

export interface StoreSettings {
  store: StoreRecord;
  hours: StoreHours[];
  specialDays: (SpecialDay & { id: string })[];
}

export interface StoreUpdate extends StoreChanges {
  /** Replaces every weekly period. */
  hours?: StoreHours[] | undefined;
  /** Replaces every special day. */
  specialDays?: SpecialDay[] | undefined;
}

/** What a store manager may change at their own stores. */
const MANAGER_STORE_FIELDS = new Set(['hours', 'specialDays']);

async function withHours(db: Queryable, store: StoreRecord): Promise<StoreSettings> {
  return { store, hours: await stores.storeHours(db, store.id), specialDays: await stores.storeSpecialDays(db, store.id) };
}

async function storeOfBrand(db: Queryable, brandId: string, id: string): Promise<StoreRecord> {
  const store = await stores.findStoreRecord(db, brandId, id);
  if (!store) throw errors.notFound('Store');
  return store;
}

export async function storesInScope(db: Queryable, scope: StaffScope): Promise<StoreSettings[]> {
  const rows = await stores.listStoreRecords(db, scope.brandId, scope.storeIds);
  return Promise.all(rows.map((s) => withHours(db, s)));
}

export async function storeInScopeSettings(db: Queryable, scope: StaffScope, id: string): Promise<StoreSettings> {
  const store = await storeOfBrand(db, scope.brandId, id);
  requireStoreInScope(scope, store.id);
  return withHours(db, store);
}

/** Applies a change to a store in scope, all of it or nothing; the store as it is now. */
export async function changeStore(db: Database, scope: StaffScope, id: string, update: StoreUpdate): Promise<StoreSettings> {
  await storeOfBrand(db, scope.brandId, id);
  requireStoreInScope(scope, id);
  if (scope.role !== 'admin') {
    const other = Object.keys(update).find((k) => !MANAGER_STORE_FIELDS.has(k));
    if (other) throw errors.forbidden(`Store managers can change opening hours and special days only (not "${other}").`);
  }
  const { hours, specialDays, ...changes } = update;
  const store = await db.transaction(async (tx) => {
    await stores.updateStoreRecord(tx, id, changes);
    if (hours) await stores.replaceStoreHours(tx, id, hours);
    if (specialDays) await stores.replaceStoreSpecialDays(tx, id, specialDays);
    return storeOfBrand(tx, scope.brandId, id);
  });
  return withHours(db, store);
}
