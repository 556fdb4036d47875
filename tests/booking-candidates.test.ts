/**
 * A booking by slot checks its start in the database (booking_candidates, migration 019), while the
 * times shown come from the slot finder. The two must agree on every start: who is free then, and
 * so whether the start is bookable at all. Compared here start by start across DST changes, lunch
 * breaks, store hours narrower than staff hours, a closure, special hours, time off, bookings, a
 * live hold and an expired one (its claim not yet swept), at-home reach and the step grid.
 */
import { findBrand, type Brand } from '../models/brands.repository.ts';
import { findService, findStore, type Mode, type Store } from '../models/catalogue.repository.ts';
import type { Database } from '../models/database.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import { findAvailability, slotRulesOf, staffStores } from '../scheduling/availability.ts';
import { holdSlot } from '../scheduling/booking.ts';
import { localMs } from '../scheduling/slot-finder.ts';
import { bookAsCustomer } from './support/booking.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';

const NOW = new Date('2027-03-10T07:00:00Z');
const HOUR = 3_600_000;
const QUARTER = 15 * 60_000;
const HOME_PARIS = { address: '3 rue de Rivoli, 75004 Paris', latitude: 48.856, longitude: 2.353 };

interface Case {
  service: string;
  mode: Mode;
  store: string | null;
  home?: typeof HOME_PARIS;
  /** [from, to) scanned every quarter hour, 06:00–21:00 UTC each day. */
  from: string;
  to: string;
}

const CASES: Case[] = [
  // Paris changes to summer time on Sunday 28 March; New York on Sunday 14 March.
  { service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', from: '2027-03-25', to: '2027-04-02' },
  { service: 'design-consultation', mode: 'in_store', store: 'lyon-bellecour', from: '2027-03-25', to: '2027-04-02' },
  { service: 'showroom-visit', mode: 'in_store', store: 'new-york-soho', from: '2027-03-11', to: '2027-03-17' },
  { service: 'video-advice', mode: 'online', store: null, from: '2027-03-25', to: '2027-03-31' },
  { service: 'home-measurement', mode: 'at_home', store: null, home: HOME_PARIS, from: '2027-03-25', to: '2027-04-02' },
];

describe.each(DATABASE_KINDS)('booking candidates agree with the slot finder on %s', (kind) => {
  let db: Database;
  let brand: Brand;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db, { allowedOrigins: [] });
    brand = (await findBrand(db, DEMO_BRAND_ID))!;
    const store = async (slug: string) => (await findStore(db, brand.id, slug))!.id;
    const [camille] = await db.query<{ id: string }>(`SELECT id FROM staff WHERE name = 'Camille Martin'`);
    // Store hours narrower than the staff's on Wednesdays (the grid then starts at 11:00), special
    // hours on Tuesday 30 March, Lyon closed on Monday 29 March, Camille off on Wednesday afternoon.
    await db.query(`UPDATE store_hours SET opens = '11:00' WHERE store_id = $1 AND weekday = 3`, [await store('paris-opera')]);
    await db.query(`INSERT INTO store_special_days (store_id, local_date, opens, closes) VALUES ($1, '2027-03-30', '10:10', '15:00')`, [await store('paris-opera')]);
    await db.query(`INSERT INTO store_special_days (store_id, local_date) VALUES ($1, '2027-03-29')`, [await store('lyon-bellecour')]);
    await db.query(`INSERT INTO staff_time_off (staff_id, starts_at, ends_at) VALUES ($1, '2027-03-31T12:20:00Z', '2027-03-31T15:00:00Z')`, [camille!.id]);
    // Some bookings, buffers included, so busy time splits the days.
    for (const [service, store, start] of [
      ['showroom-visit', 'paris-opera', '2027-03-26T09:00:00Z'], ['showroom-visit', 'paris-opera', '2027-03-26T09:00:00Z'],
      ['design-consultation', 'lyon-bellecour', '2027-03-30T08:00:00Z'], ['showroom-visit', 'new-york-soho', '2027-03-15T14:00:00Z'],
    ] as const) {
      await bookAsCustomer({ db, now: () => NOW }, brand, { service, store, start, customer: { name: 'Busy', email: `busy-${start}@example.com` } });
    }
    await bookAsCustomer({ db, now: () => NOW }, brand, {
      service: 'home-measurement', store: null, mode: 'at_home', home: HOME_PARIS, start: '2027-03-26T13:30:00Z', customer: { name: 'Home', email: 'home@example.com' },
    });
    // A hold still live blocks its advisor's time; one that expired before NOW keeps its claim until
    // swept, and that claim no longer counts.
    const showroom = (await findService(db, brand.id, 'showroom-visit'))!;
    const opera = (await findStore(db, brand.id, 'paris-opera'))!;
    const hold = (at: Date, start: string) =>
      holdSlot({ db, now: () => at }, { brand, service: showroom, mode: 'in_store', store: opera, home: null, start: new Date(start) });
    await hold(NOW, '2027-03-26T14:00:00Z');
    const expired = await hold(new Date(NOW.getTime() - (brand.settings.holdMinutes + 5) * 60_000), '2027-03-26T15:30:00Z');
    expect(expired.expiresAt.getTime()).toBeLessThan(NOW.getTime());
  });
  afterAll(async () => {
    await db.close();
  });

  test('wall times become the instants the slot finder uses, in DST gaps and overlaps too', async () => {
    const walls: [string, string, string][] = [
      ['2027-03-28', '02:30', 'Europe/Paris'], ['2027-10-31', '02:30', 'Europe/Paris'], ['2027-10-31', '10:00', 'Europe/Paris'],
      ['2027-03-14', '02:30', 'America/New_York'], ['2027-11-07', '01:30', 'America/New_York'], ['2027-06-01', '09:00', 'Asia/Kolkata'],
    ];
    for (const [date, time, zone] of walls) {
      const [row] = await db.query<{ at: Date }>('SELECT local_instant($1, $2, $3) AS at', [date, time, zone]);
      expect([date, time, zone, row!.at.toISOString()]).toEqual([date, time, zone, new Date(localMs(date, time, zone)).toISOString()]);
    }
  });

  test.each(CASES)('$service $mode $store from $from', async (c) => {
    const service = (await findService(db, brand.id, c.service))!;
    const store: Store | null = c.store ? await findStore(db, brand.id, c.store) : null;
    const [from, to] = [new Date(`${c.from}T00:00:00Z`), new Date(`${c.to}T00:00:00Z`)];
    const slots = await findAvailability(db, { brand, service, mode: c.mode, store, home: c.home ?? null, from, to, now: NOW });
    const offered = new Map(slots.map((s) => [s.start.getTime(), [...s.staffIds].sort()]));
    expect(offered.size).toBeGreaterThan(20);
    const rules = slotRulesOf(brand, service);
    const mismatches: string[] = [];
    let checked = 0;
    for (let day = from.getTime(); day < to.getTime(); day += 24 * HOUR) {
      for (let t = day + 6 * HOUR; t < day + 21 * HOUR; t += QUARTER) {
        const rows = await db.query<{ staff_id: string }>(
          'SELECT staff_id FROM booking_candidates($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)',
          [service.id, c.mode, staffStores({ mode: c.mode, store, advisorStores: null }), c.home?.latitude ?? null, c.home?.longitude ?? null,
            new Date(t), rules.durationMinutes, rules.bufferBeforeMinutes, rules.bufferAfterMinutes, rules.stepMinutes,
            rules.minNoticeMinutes, rules.maxHorizonDays, NOW],
        );
        const inDatabase = rows.map((r) => r.staff_id).sort();
        const inFinder = offered.get(t) ?? [];
        checked++;
        if (inDatabase.join() !== inFinder.join()) {
          mismatches.push(`${new Date(t).toISOString()}: finder [${inFinder.join(', ')}], database [${inDatabase.join(', ')}]`);
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
    expect(mismatches).toEqual([]);
  });
});
