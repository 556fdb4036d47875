/**
 * On-site arrival windows for 50 technicians over 30 days with 20 appointments each (pure
 * findArrivalWindows: skills, daily sectors, travel from the previous job and on to the next)
 * against the same search without travel and sectors (findSlots on the same hours and busy time,
 * stepping by the window and blocking window + visit), in the same run. Inputs are generated with
 * a seeded generator around Paris, so every run computes the same thing.
 */
import { findArrivalWindows, type OnsiteJob, type OnsiteRules, type TechnicianCalendar } from '../scheduling/onsite-slot-finder.ts';
import { findSlots, type SlotRules, type StaffCalendar } from '../scheduling/slot-finder.ts';
import { straightLineTravel, type GeoPoint } from '../scheduling/travel-estimator.ts';
import { fmtTiming, judge, measure, type Benchmark, type ResultRow } from './harness.ts';

const TECHNICIANS = 50;
const DAYS = 30;
const APPOINTMENTS_EACH = 20;
const NOW = new Date('2027-03-01T06:00:00Z');
const FROM = NOW;
const TO = new Date(NOW.getTime() + DAYS * 86_400_000);
const PARIS: GeoPoint = { latitude: 48.8566, longitude: 2.3522 };
const WINDOW = 120;
const VISIT = 60;
/** Salesforce Field Service's slot search may take up to its 10 s limit; cal.com ~15 s for 50 round-robin hosts. */
const ANCHORS = 'Salesforce FS up to 10 s, cal.com ~15 s for 50 round-robin hosts';

/** A small deterministic generator (numerical recipes' LCG), so runs are comparable. */
function generator(seed: number) {
  let state = seed;
  return () => ((state = (state * 1_664_525 + 1_013_904_223) % 2 ** 32) / 2 ** 32);
}

const near = (random: () => number, center: GeoPoint, km: number): GeoPoint => ({
  latitude: center.latitude + ((random() - 0.5) * 2 * km) / 111,
  longitude: center.longitude + ((random() - 0.5) * 2 * km) / 73,
});

/** Technicians around Paris: weekday hours 08–12 and 13–17, half with radius sectors, half with postcodes (half of those elsewhere); 20 visits each. */
function technicians(): TechnicianCalendar[] {
  const random = generator(13);
  const hours = [1, 2, 3, 4, 5].flatMap((weekday) => [{ weekday, starts: '08:00', ends: '12:00' }, { weekday, starts: '13:00', ends: '17:00' }]);
  const workingDays: Date[] = [];
  for (let d = 0; d < DAYS; d++) {
    const day = new Date(Date.UTC(2027, 2, 1 + d));
    if (day.getUTCDay() >= 1 && day.getUTCDay() <= 5) workingDays.push(day);
  }
  return Array.from({ length: TECHNICIANS }, (_, i) => {
    const start = near(random, PARIS, 10);
    const jobs: OnsiteJob[] = [];
    const taken = new Set<string>();
    while (jobs.length < APPOINTMENTS_EACH) {
      const day = workingDays[Math.floor(random() * workingDays.length)]!;
      // Claimed windows at 07:00, 09:00, 12:00 or 14:00 UTC (08:00, 10:00, 13:00, 15:00 in Paris), 3 h each.
      const hour = [7, 9, 12, 14][Math.floor(random() * 4)]!;
      const key = `${day.toISOString()}${hour}`;
      if (taken.has(key) || taken.has(`${day.toISOString()}${hour - 2}`) || taken.has(`${day.toISOString()}${hour + 2}`)) continue;
      taken.add(key);
      const from = new Date(day.getTime() + hour * 3_600_000);
      jobs.push({ from, to: new Date(from.getTime() + (WINDOW + VISIT) * 60_000), place: near(random, start, 12) });
    }
    const sectors = [1, 2, 3, 4, 5].map((weekday) => (i % 2 === 0
      ? { weekday, localDate: null, postcodes: null, center: start, radiusKm: 20 }
      // Every other postcode technician works another part of town: the sector rule has something to refuse.
      : { weekday, localDate: null, postcodes: i % 4 === 1 ? ['75011', '75012', '75020'] : ['75015', '75016', '92100'], center: null, radiusKm: null }));
    return { staffId: `tech-${String(i).padStart(2, '0')}`, timeZone: 'Europe/Paris', start, skills: ['boiler'], hours, sectors, jobs };
  });
}

export const onsiteSlotsBenchmark: Benchmark = {
  name: 'onsite-slots',
  async run(ctx) {
    const calendars = technicians();
    const travel = straightLineTravel({ circuityFactor: 1.3, averageSpeedKmh: 30, bufferMinutes: 10 });
    const rules: OnsiteRules = {
      from: FROM, to: TO, now: NOW, durationMinutes: VISIT, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, windowMinutes: WINDOW,
      minNoticeMinutes: 60, maxHorizonDays: 90, requiredSkills: ['boiler'], site: { point: { latitude: 48.8549, longitude: 2.3733 }, postcode: '75011' },
    };
    // The same search without travel and sectors: the window's whole claim on the same hours and busy time.
    const plain: StaffCalendar[] = calendars.map((c) => ({
      staffId: c.staffId, timeZone: c.timeZone, hours: c.hours, storeHours: [], specialDays: [], busy: c.jobs.map(({ from, to }) => ({ from, to })),
    }));
    const plainRules: SlotRules = {
      // The visit must fit at the window's start; the claim runs to the window's end plus the visit.
      from: FROM, to: TO, now: NOW, durationMinutes: VISIT, bufferBeforeMinutes: 0, bufferAfterMinutes: WINDOW,
      stepMinutes: WINDOW, minNoticeMinutes: 60, maxHorizonDays: 90,
    };
    const windows = findArrivalWindows(rules, calendars, travel);
    const slots = findSlots(plainRules, plain);
    const offers = (xs: { staffIds: string[] }[]) => xs.reduce((n, x) => n + x.staffIds.length, 0);
    ctx.log(`inputs: ${TECHNICIANS} technicians, ${DAYS} days, ${TECHNICIANS * APPOINTMENTS_EACH} appointments; ` +
      `output: ${windows.length} windows / ${offers(windows)} offers (plain search: ${slots.length} / ${offers(slots)})`);

    const onsite = await measure(() => findArrivalWindows(rules, calendars, travel), { warmup: 20, iterations: 300, budgetMs: 6_000 });
    const floor = await measure(() => findSlots(plainRules, plain), { warmup: 20, iterations: 300, budgetMs: 6_000 });
    const ratio = onsite.median / floor.median;
    const verdict = judge(ratio, '<=', 2);
    ctx.log(`findArrivalWindows (travel + sectors) ${fmtTiming(onsite)}  (${onsite.iterations} runs)`);
    ctx.log(`findSlots, same search without travel and sectors (floor) ${fmtTiming(floor)}  (${floor.iterations} runs)`);
    ctx.log(`ratio: median ${ratio.toFixed(2)}× — target ≤ 2×: ${verdict.verdict}; for scale: ${ANCHORS}`);
    const row: ResultRow = {
      name: `on-site windows ${TECHNICIANS} techs×${DAYS} d×${APPOINTMENTS_EACH} appts vs without travel/sectors`,
      database: 'none',
      figure: fmtTiming(onsite),
      floor: fmtTiming(floor),
      ratio,
      ...verdict,
      note: `p99 ratio ${(onsite.p99 / floor.p99).toFixed(2)}×; ${ANCHORS}`,
    };
    return [row];
  },
};
