import type { Queryable } from './database.ts';
import { cachedRead } from './read-cache.ts';
import { isUuid } from './ids.ts';

export type Mode = 'in_store' | 'online' | 'at_home';
export const MODES: readonly Mode[] = ['in_store', 'online', 'at_home'];
export type Locale = 'en' | 'fr';

export interface Service {
  id: string;
  brandId: string;
  slug: string;
  names: Record<Locale, string>;
  descriptions: Partial<Record<Locale, string>>;
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  modes: Mode[];
  bookingMode: 'direct' | 'request';
  statusWorkflow: boolean;
  slotStepMinutes: number | null;
}

export interface Store {
  id: string;
  brandId: string;
  slug: string;
  name: string;
  addressLine: string;
  postcode: string;
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  timeZone: string;
  email: string | null;
  phone: string | null;
  notificationRouting: 'headquarters' | 'store' | 'salesman';
}

/** A row of `services`, as `SELECT *` returns it (with more columns than these). */
export interface ServiceRow {
  id: string;
  brand_id: string;
  slug: string;
  names: Record<Locale, string>;
  descriptions: Partial<Record<Locale, string>>;
  duration_minutes: number;
  buffer_before_minutes: number;
  buffer_after_minutes: number;
  modes: Mode[];
  booking_mode: 'direct' | 'request';
  status_workflow: boolean;
  slot_step_minutes: number | null;
}

export const toService = (r: ServiceRow): Service => ({
  id: r.id,
  brandId: r.brand_id,
  slug: r.slug,
  names: r.names,
  descriptions: r.descriptions,
  durationMinutes: r.duration_minutes,
  bufferBeforeMinutes: r.buffer_before_minutes,
  bufferAfterMinutes: r.buffer_after_minutes,
  modes: r.modes,
  bookingMode: r.booking_mode,
  statusWorkflow: r.status_workflow,
  slotStepMinutes: r.slot_step_minutes,
});

/** A row of `stores`, as `SELECT *` returns it (with more columns than these). */
export interface StoreRow {
  id: string;
  brand_id: string;
  slug: string;
  name: string;
  address_line: string;
  postcode: string;
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  time_zone: string;
  email: string | null;
  phone: string | null;
  notification_routing: Store['notificationRouting'];
}

export const toStore = (r: StoreRow): Store => ({
  id: r.id,
  brandId: r.brand_id,
  slug: r.slug,
  name: r.name,
  addressLine: r.address_line,
  postcode: r.postcode,
  city: r.city,
  country: r.country,
  latitude: r.latitude,
  longitude: r.longitude,
  timeZone: r.time_zone,
  email: r.email,
  phone: r.phone,
  notificationRouting: r.notification_routing,
});


/** Services and stores are addressed by id or by slug, whichever the caller has. */
const byIdOrSlug = (ref: string) => (isUuid(ref) ? 'id = $2::uuid' : 'slug = $2');

/** Services booked in the chat's general flow and the public list; on-site equipment services have their own flow. */
export function listServices(db: Queryable, brandId: string): Promise<Service[]> {
  return cachedRead(db, ['services', 'equipment_type_services'], `services:${brandId}`, async () => {
    const rows = await db.query<ServiceRow>(
      `SELECT * FROM services WHERE brand_id = $1 AND active
         AND NOT EXISTS (SELECT 1 FROM equipment_type_services e WHERE e.service_id = services.id)
       ORDER BY position, slug`,
      [brandId],
    );
    return rows.map(toService);
  });
}

export function findService(db: Queryable, brandId: string, ref: string): Promise<Service | null> {
  return cachedRead(db, ['services'], `service:${brandId}:${ref}`, async () => {
    const [row] = await db.query<ServiceRow>(
      `SELECT * FROM services WHERE brand_id = $1 AND active AND ${byIdOrSlug(ref)}`,
      [brandId, ref],
    );
    return row ? toService(row) : null;
  });
}

export function listStores(db: Queryable, brandId: string): Promise<Store[]> {
  return cachedRead(db, ['stores'], `stores:${brandId}`, async () => {
    const rows = await db.query<StoreRow>('SELECT * FROM stores WHERE brand_id = $1 AND active ORDER BY name', [brandId]);
    return rows.map(toStore);
  });
}

export function findStore(db: Queryable, brandId: string, ref: string): Promise<Store | null> {
  return cachedRead(db, ['stores'], `store:${brandId}:${ref}`, async () => {
    const [row] = await db.query<StoreRow>(
      `SELECT * FROM stores WHERE brand_id = $1 AND active AND ${byIdOrSlug(ref)}`,
      [brandId, ref],
    );
    return row ? toStore(row) : null;
  });
}

/** Stores where at least one active staff member offering the service works. */
export async function storesOfferingService(db: Queryable, serviceId: string): Promise<Set<string>> {
  const rows = await db.query<{ store_id: string }>(
    `SELECT DISTINCT h.store_id FROM staff_hours h
     JOIN staff_services ss ON ss.staff_id = h.staff_id JOIN staff s ON s.id = h.staff_id
     WHERE ss.service_id = $1 AND s.active`,
    [serviceId],
  );
  return new Set(rows.map((r) => r.store_id));
}

/** A store's regular opening hours, local times "09:00", by ISO weekday (1 = Monday). */
export async function storeOpeningHours(db: Queryable, storeId: string): Promise<{ weekday: number; opens: string; closes: string }[]> {
  return db.query(
    `SELECT weekday, to_char(opens, 'HH24:MI') AS opens, to_char(closes, 'HH24:MI') AS closes
     FROM store_hours WHERE store_id = $1 ORDER BY weekday, opens`,
    [storeId],
  );
}

/** A service's name in the locale, else in English, else its slug. */
export const serviceName = (names: Record<string, string> | null | undefined, slug: string, locale = 'en') =>
  names?.[locale] || names?.en || slug;
