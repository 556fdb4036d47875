import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from './database.ts';
import { cachedRead } from './read-cache.ts';

/** Brand-wide booking rules; every field has a default so an empty settings object is valid. */
export const brandSettingsSchema = z.object({
  minNoticeMinutes: z.number().int().min(0).default(60),
  maxHorizonDays: z.number().int().min(1).max(730).default(90),
  holdMinutes: z.number().int().min(1).max(120).default(10),
  slotStepMinutes: z.number().int().min(5).max(240).default(30),
  /** Customers may cancel or reschedule up to this long before the start; staff may always. */
  customerChangeNoticeMinutes: z.number().int().min(0).default(120),
  /** WhatsApp outside the 24-hour window: the approved template (Content SID) per kind of message ('reminder', 'chat'…). */
  whatsappTemplates: z.record(z.string(), z.string().regex(/^HX[0-9a-fA-F]{32}$/)).default({}),
});
export type BrandSettings = z.infer<typeof brandSettingsSchema>;

export interface Brand {
  id: string;
  name: string;
  defaultLocale: 'en' | 'fr';
  timeZone: string;
  allowedOrigins: string[];
  settings: BrandSettings;
}

interface BrandRow {
  id: string;
  name: string;
  default_locale: 'en' | 'fr';
  time_zone: string;
  allowed_origins: string[];
  settings: unknown;
}

const toBrand = (r: BrandRow): Brand => ({
  id: r.id,
  name: r.name,
  defaultLocale: r.default_locale,
  timeZone: r.time_zone,
  allowedOrigins: r.allowed_origins,
  settings: brandSettingsSchema.parse(r.settings ?? {}),
});

export function findBrand(db: Queryable, id: string): Promise<Brand | null> {
  return cachedRead(db, ['brands'], `brand:${id}`, async () => {
    const [row] = await db.query<BrandRow>('SELECT * FROM brands WHERE id = $1', [id]);
    return row ? toBrand(row) : null;
  });
}

export async function insertBrand(db: Queryable, brand: Omit<Brand, 'settings'> & { settings: Partial<BrandSettings> }) {
  await db.query(
    `INSERT INTO brands (id, name, default_locale, time_zone, allowed_origins, settings) VALUES ($1,$2,$3,$4,$5,$6)`,
    [brand.id, brand.name, brand.defaultLocale, brand.timeZone, brand.allowedOrigins, JSON.stringify(brand.settings)],
  );
}

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export async function insertApiKey(db: Queryable, brandId: string, label: string, key: string) {
  await db.query('INSERT INTO api_keys (brand_id, label, key_hash) VALUES ($1, $2, $3)', [brandId, label, hashApiKey(key)]);
}

/** The brand and key label an API key belongs to, or null when unknown or revoked. */
export async function findApiKey(db: Queryable, key: string): Promise<{ brand: Brand; label: string } | null> {
  const [row] = await db.query<BrandRow & { label: string }>(
    `SELECT b.*, k.label FROM api_keys k JOIN brands b ON b.id = k.brand_id
     WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
    [hashApiKey(key)],
  );
  return row ? { brand: toBrand(row), label: row.label } : null;
}
