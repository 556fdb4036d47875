import type { Queryable } from './database.ts';

/** The brand's notification schedule as stored (brands.settings.notifications; validated by the caller). */
export async function storedNotificationSettings(db: Queryable, brandId: string): Promise<unknown> {
  const [row] = await db.query<{ n: unknown }>(`SELECT settings -> 'notifications' AS n FROM brands WHERE id = $1`, [brandId]);
  return row?.n;
}

export async function storeNotificationSettings(db: Queryable, brandId: string, settings: unknown): Promise<void> {
  await db.query(
    `UPDATE brands SET settings = jsonb_set(settings, '{notifications}', $2::jsonb, true) WHERE id = $1`,
    [brandId, JSON.stringify(settings)],
  );
}
