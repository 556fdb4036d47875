import type { Queryable, Tx } from './database.ts';
import type { Store, StoreRow } from './catalogue.repository.ts';

/** Stores as the console's settings see them: inactive ones too, with opening hours and special days. */

export type StoreRecord = StoreRow & { active: boolean };

/** Weekly opening hours: local times as PostgreSQL writes them ("09:00:00"). */
export interface StoreHours { weekday: number; opens: string; closes: string }
/** A date with its own hours (opens and closes null: closed all day). */
export interface SpecialDay { date: string; opens: string | null; closes: string | null; label: string }

export async function findStoreRecord(db: Queryable, brandId: string, id: string): Promise<StoreRecord | null> {
  const [row] = await db.query<StoreRecord>('SELECT * FROM stores WHERE brand_id = $1 AND id = $2', [brandId, id]);
  return row ?? null;
}

/** The brand's stores among these ids, by name. */
export async function listStoreRecords(db: Queryable, brandId: string, ids: readonly string[]): Promise<StoreRecord[]> {
  return db.query<StoreRecord>('SELECT * FROM stores WHERE brand_id = $1 AND id = ANY($2::uuid[]) ORDER BY name', [brandId, ids]);
}

/** The first of these stores, active ones first (null: none). */
export async function firstStoreRecord(db: Queryable, brandId: string, ids: readonly string[]): Promise<StoreRecord | null> {
  const [row] = await db.query<StoreRecord>(
    'SELECT * FROM stores WHERE brand_id = $1 AND id = ANY($2::uuid[]) ORDER BY active DESC, name LIMIT 1',
    [brandId, ids],
  );
  return row ?? null;
}

/** The ids of every store of the brand. */
export async function brandStoreIds(db: Queryable, brandId: string): Promise<string[]> {
  return (await db.query<{ id: string }>('SELECT id FROM stores WHERE brand_id = $1', [brandId])).map((r) => r.id);
}

/** The ids among these that are stores of the brand. */
export async function brandStoresAmong(db: Queryable, brandId: string, ids: readonly string[]): Promise<string[]> {
  return (await db.query<{ id: string }>('SELECT id FROM stores WHERE brand_id = $1 AND id = ANY($2::uuid[])', [brandId, ids])).map((r) => r.id);
}

export type StoreSummary = Pick<Store, 'id' | 'slug' | 'name' | 'timeZone'>;

/** These stores' names and zones, by name. */
export async function storeSummaries(db: Queryable, ids: readonly string[]): Promise<StoreSummary[]> {
  return db.query<StoreSummary>(
    'SELECT id, slug, name, time_zone AS "timeZone" FROM stores WHERE id = ANY($1::uuid[]) ORDER BY name',
    [ids],
  );
}

export async function storeHours(db: Queryable, storeId: string): Promise<StoreHours[]> {
  return db.query<StoreHours>(
    'SELECT weekday, opens::text AS opens, closes::text AS closes FROM store_hours WHERE store_id = $1 ORDER BY weekday, opens',
    [storeId],
  );
}

export async function storeSpecialDays(db: Queryable, storeId: string): Promise<(SpecialDay & { id: string })[]> {
  return db.query<SpecialDay & { id: string }>(
    `SELECT id, local_date::text AS date, opens::text AS opens, closes::text AS closes, label
     FROM store_special_days WHERE store_id = $1 ORDER BY local_date, opens NULLS FIRST`,
    [storeId],
  );
}

export interface StoreChanges {
  name?: string | undefined;
  addressLine?: string | undefined;
  postcode?: string | undefined;
  city?: string | undefined;
  country?: string | undefined;
  latitude?: number | undefined;
  longitude?: number | undefined;
  timeZone?: string | undefined;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  notificationRouting?: Store['notificationRouting'] | undefined;
  active?: boolean | undefined;
}

const STORE_COLUMNS = {
  name: 'name', addressLine: 'address_line', postcode: 'postcode', city: 'city', country: 'country', latitude: 'latitude',
  longitude: 'longitude', timeZone: 'time_zone', email: 'email', phone: 'phone', notificationRouting: 'notification_routing',
  active: 'active',
} as const satisfies Record<keyof StoreChanges, string>;

/** Applies the given changes (nothing when none is given). */
export async function updateStoreRecord(tx: Tx, id: string, changes: StoreChanges): Promise<void> {
  const values: unknown[] = [id];
  const sets: string[] = [];
  for (const [key, column] of Object.entries(STORE_COLUMNS)) {
    const value = changes[key as keyof StoreChanges];
    if (value === undefined) continue;
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  }
  if (sets.length > 0) await tx.query(`UPDATE stores SET ${sets.join(', ')} WHERE id = $1`, values);
}

export async function replaceStoreHours(tx: Tx, storeId: string, hours: readonly StoreHours[]): Promise<void> {
  await tx.query('DELETE FROM store_hours WHERE store_id = $1', [storeId]);
  for (const h of hours) {
    await tx.query('INSERT INTO store_hours (store_id, weekday, opens, closes) VALUES ($1,$2,$3,$4)', [storeId, h.weekday, h.opens, h.closes]);
  }
}

export async function replaceStoreSpecialDays(tx: Tx, storeId: string, days: readonly SpecialDay[]): Promise<void> {
  await tx.query('DELETE FROM store_special_days WHERE store_id = $1', [storeId]);
  for (const d of days) {
    await tx.query(
      'INSERT INTO store_special_days (store_id, local_date, opens, closes, label) VALUES ($1,$2,$3,$4,$5)',
      [storeId, d.date, d.opens, d.closes, d.label],
    );
  }
}
