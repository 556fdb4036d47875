import { createHash } from 'node:crypto';
import type { Queryable } from './database.ts';
import { readBrandSettings, type BrandSettings } from './brand-settings.ts';
import { cachedRead } from './read-cache.ts';

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
  settings: readBrandSettings(r.settings),
});

export function findBrand(db: Queryable, id: string): Promise<Brand | null> {
  return cachedRead(db, ['brands'], `brand:${id}`, async () => {
    const [row] = await db.query<BrandRow>('SELECT * FROM brands WHERE id = $1', [id]);
    return row ? toBrand(row) : null;
  });
}

/** The brand's language for staff messages; null when there is no such brand. */
export async function brandDefaultLocale(db: Queryable, id: string): Promise<'en' | 'fr' | null> {
  return cachedRead(db, ['brands'], `brand-locale:${id}`, async () => {
    const [row] = await db.query<{ default_locale: 'en' | 'fr' }>('SELECT default_locale FROM brands WHERE id = $1', [id]);
    return row?.default_locale ?? null;
  });
}

/** A brand's settings alone (all defaults when there is no such brand). */
export async function findBrandSettings(db: Queryable, id: string): Promise<BrandSettings> {
  return (await findBrand(db, id))?.settings ?? readBrandSettings(undefined);
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
