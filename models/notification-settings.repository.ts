import type { Queryable } from './database.ts';
import { readBrandSettings } from './brand-settings.ts';
import { cachedRead } from './read-cache.ts';

/** The brand's notification schedule as stored (brands.settings.notifications; validated by the caller). */
export async function storedNotificationSettings(db: Queryable, brandId: string): Promise<unknown> {
  const [row] = await db.query<{ settings: unknown }>('SELECT settings FROM brands WHERE id = $1', [brandId]);
  return readBrandSettings(row?.settings).notifications;
}

export async function storeNotificationSettings(db: Queryable, brandId: string, settings: unknown): Promise<void> {
  await db.query(
    `UPDATE brands SET settings = jsonb_set(settings, '{notifications}', $2::jsonb, true) WHERE id = $1`,
    [brandId, JSON.stringify(settings)],
  );
}

/** The brand's schedule and the service's overrides of it, as stored (null: no such service); the read cache serves it. */
export async function storedServiceNotificationSettings(db: Queryable, serviceId: string): Promise<{ brand: unknown; service: unknown } | null> {
  return cachedRead(db, ['services', 'brands'], `notification-settings:${serviceId}`, async () => {
    const [row] = await db.query<{ brand: unknown; service: unknown }>(
      `SELECT b.settings AS brand, s.notification_settings AS service
         FROM services s JOIN brands b ON b.id = s.brand_id
        WHERE s.id = $1`,
      [serviceId],
    );
    return row ? { brand: readBrandSettings(row.brand).notifications, service: row.service } : null;
  });
}
