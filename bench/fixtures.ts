/**
 * Bulk data for the benchmarks: a brand with stores, one service and staff, then weeks of
 * appointments inserted set-wise (generate_series), never one round trip per row.
 */
import type { Database } from '../models/database.ts';
import { findBrand, insertBrand, type Brand } from '../models/brands.repository.ts';
import type { BrandSettings } from '../models/brand-settings.ts';
import { findService, findStore, type Service, type Store } from '../models/catalogue.repository.ts';

export const ZONE = 'Europe/Paris';

/** The benchmark service: 45 minutes, 10 minutes before, 5 after, a 15-minute grid. */
export const SERVICE = { slug: 'fitting', duration: 45, before: 10, after: 5, step: 15 } as const;

/**
 * Two staff rotas, alternating between staff members: two shifts a day, Mon–Sat. Each shift is
 * 3h30 or longer so three 60-minute blocks (45 + buffers) fit with a 75-minute spacing.
 */
const ROTAS = [
  [['09:00', '12:30'], ['13:30', '18:00']],
  [['10:00', '13:30'], ['14:30', '19:00']],
] as const;
const WORKDAYS = [1, 2, 3, 4, 5, 6];
const STORE_HOURS = { opens: '09:00', closes: '19:00' };

export interface Fixture {
  brand: Brand;
  service: Service;
  stores: Store[];
  /** Staff ids per store id, in creation order. */
  staffByStore: Map<string, string[]>;
  staffIds: string[];
}

export interface FixtureOptions {
  brandId: string;
  stores: number;
  staffPerStore: number;
  settings?: Partial<BrandSettings>;
  /** Customers to draw appointment owners from. */
  customers?: number;
}

export async function seedCatalogue(db: Database, o: FixtureOptions): Promise<Fixture> {
  await insertBrand(db, {
    id: o.brandId, name: `Bench ${o.brandId}`, defaultLocale: 'fr', timeZone: ZONE, allowedOrigins: [], settings: o.settings ?? {},
  });
  const [svc] = await db.query<{ id: string }>(
    `INSERT INTO services (brand_id, slug, names, duration_minutes, buffer_before_minutes, buffer_after_minutes,
       modes, booking_mode, slot_step_minutes)
     VALUES ($1, $2, $3, $4, $5, $6, ARRAY['in_store'], 'direct', $7) RETURNING id`,
    [o.brandId, SERVICE.slug, JSON.stringify({ en: 'Fitting', fr: 'Essayage' }), SERVICE.duration, SERVICE.before, SERVICE.after, SERVICE.step],
  );
  const stores = await db.query<{ id: string }>(
    `INSERT INTO stores (brand_id, slug, name, address_line, postcode, city, country, latitude, longitude, time_zone)
     SELECT $1, 'store-' || n, 'Store ' || n, n || ' rue de Rivoli', '75001', 'Paris', 'FR', 48.86, 2.34, $2
     FROM generate_series(1, $3::int) n ORDER BY n RETURNING id`,
    [o.brandId, ZONE, o.stores],
  );
  const storeIds = stores.map((s) => s.id);
  await db.query(
    `INSERT INTO store_hours (store_id, weekday, opens, closes)
     SELECT s, d, $2::time, $3::time FROM unnest($1::uuid[]) s CROSS JOIN unnest($4::int[]) d`,
    [storeIds, STORE_HOURS.opens, STORE_HOURS.closes, WORKDAYS],
  );
  const staffByStore = new Map<string, string[]>();
  const staffIds: string[] = [];
  for (const [si, storeId] of storeIds.entries()) {
    const rows = await db.query<{ id: string }>(
      `INSERT INTO staff (brand_id, name, email, home_store_id)
       SELECT $1, 'Advisor ' || $3 || '-' || n, 'advisor-' || $3 || '-' || n || '@bench.example', $2
       FROM generate_series(1, $4::int) n ORDER BY n RETURNING id`,
      [o.brandId, storeId, si + 1, o.staffPerStore],
    );
    const ids = rows.map((r) => r.id);
    staffByStore.set(storeId, ids);
    staffIds.push(...ids);
    // Staff i follows rota i mod 2.
    const hours = ids.flatMap((id, i) => ROTAS[i % ROTAS.length]!.flatMap(([starts, ends]) => WORKDAYS.map((d) => [id, d, starts, ends] as const)));
    await db.query(
      `INSERT INTO staff_hours (staff_id, store_id, weekday, starts, ends)
       SELECT staff, $1, d, s::time, e::time FROM unnest($2::uuid[], $3::int[], $4::text[], $5::text[]) AS h(staff, d, s, e)`,
      [storeId, hours.map((h) => h[0]), hours.map((h) => h[1]), hours.map((h) => h[2]), hours.map((h) => h[3])],
    );
  }
  await db.query(
    'INSERT INTO staff_services (staff_id, service_id) SELECT s, $2 FROM unnest($1::uuid[]) s',
    [staffIds, svc!.id],
  );
  await db.query(
    `INSERT INTO customers (brand_id, name, email, locale)
     SELECT $1, 'Customer ' || n, 'customer-' || n || '@bench.example', 'fr' FROM generate_series(1, $2::int) n`,
    [o.brandId, o.customers ?? 500],
  );
  const brand = await findBrand(db, o.brandId);
  const service = await findService(db, o.brandId, svc!.id);
  const storeRows = await Promise.all(storeIds.map((id) => findStore(db, o.brandId, id)));
  if (!brand || !service || storeRows.some((s) => !s)) throw new Error('fixture: seeded rows not found');
  return { brand, service, stores: storeRows as Store[], staffByStore, staffIds };
}

/** Store closures (no hours) on local dates. */
export async function addHolidays(db: Database, storeId: string, days: { date: string; label: string }[]): Promise<void> {
  await db.query(
    `INSERT INTO store_special_days (store_id, local_date, label)
     SELECT $1, d::date, l FROM unnest($2::text[], $3::text[]) AS x(d, l)`,
    [storeId, days.map((d) => d.date), days.map((d) => d.label)],
  );
}

/** Time off in local wall time of the fixture zone, e.g. ('2027-03-15 00:00', '2027-03-21 00:00'). */
export async function addTimeOff(db: Database, entries: { staffId: string; from: string; to: string; reason: string }[]): Promise<void> {
  await db.query(
    `INSERT INTO staff_time_off (staff_id, starts_at, ends_at, reason)
     SELECT s, f::timestamp AT TIME ZONE $5, t::timestamp AT TIME ZONE $5, r
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS x(s, f, t, r)`,
    [entries.map((e) => e.staffId), entries.map((e) => e.from), entries.map((e) => e.to), entries.map((e) => e.reason), ZONE],
  );
}

/**
 * Confirmed appointments with their slot claims, in one statement: on every working day in
 * [fromDate, toDate] (local), `perShift` appointments in each shift of each staff member of the
 * stores, 75 minutes apart from the shift start (+0 or +15 minutes, varying by staff and day), so
 * claims (45 minutes + 10 before + 5 after = 60) never overlap. Store closures and time off are
 * left free. Returns how many were inserted.
 */
export async function seedAppointments(
  db: Database,
  f: Fixture,
  o: { storeIds: string[]; fromDate: string; toDate: string; perShift: 1 | 2 | 3 },
): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `WITH cust AS (SELECT array_agg(id ORDER BY id) AS ids FROM customers WHERE brand_id = $1),
     planned AS (
       SELECT h.staff_id, h.store_id, st.time_zone,
              (d::date + h.starts + make_interval(mins => 15 * (hashtext(h.staff_id::text || d::date::text) & 1) + 75 * k))
                AT TIME ZONE st.time_zone AS start_at
       FROM generate_series($3::date, $4::date, interval '1 day') d
       JOIN staff_hours h ON h.weekday = extract(isodow FROM d)::int AND h.store_id = ANY($2::uuid[])
       JOIN stores st ON st.id = h.store_id
       CROSS JOIN generate_series(0, $5::int - 1) k
       WHERE NOT EXISTS (SELECT 1 FROM store_special_days sd
                         WHERE sd.store_id = h.store_id AND sd.local_date = d::date AND sd.opens IS NULL)
     ),
     kept AS (
       SELECT p.*, row_number() OVER (ORDER BY p.start_at, p.staff_id) AS n FROM planned p
       WHERE NOT EXISTS (SELECT 1 FROM staff_time_off o WHERE o.staff_id = p.staff_id
                         AND o.starts_at < p.start_at + make_interval(mins => $8::int + $9::int)
                         AND o.ends_at > p.start_at - make_interval(mins => $7::int))
     ),
     ins AS (
       INSERT INTO appointments (brand_id, service_id, mode, store_id, staff_id, customer_id, start_at, end_at,
                                 customer_time_zone, state, channel, created_at, updated_at)
       SELECT $1, $6, 'in_store', k.store_id, k.staff_id, c.ids[1 + (k.n % cardinality(c.ids))::int],
              k.start_at, k.start_at + make_interval(mins => $8::int), k.time_zone, 'confirmed', 'bench',
              k.start_at - interval '7 days', k.start_at - interval '7 days'
       FROM kept k CROSS JOIN cust c
       RETURNING id, staff_id, start_at, end_at
     ),
     claims AS (
       INSERT INTO slot_claims (staff_id, blocked_from, blocked_to, appointment_id)
       SELECT staff_id, start_at - make_interval(mins => $7::int), end_at + make_interval(mins => $9::int), id FROM ins
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM claims`,
    [f.brand.id, o.storeIds, o.fromDate, o.toDate, o.perShift, f.service.id,
      f.service.bufferBeforeMinutes, f.service.durationMinutes, f.service.bufferAfterMinutes],
  );
  return row?.n ?? 0;
}

/** Planner statistics after bulk loading (autovacuum may not have run yet). */
export async function analyze(db: Database): Promise<void> {
  // Only this schema's tables (unqualified names follow the search path), not the whole server.
  await db.query('ANALYZE appointments, slot_claims, holds, staff_time_off, staff_hours, staff, staff_services, store_hours, store_special_days, customers');
}
