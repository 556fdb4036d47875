/**
 * Slot computation for 60 days × 20 staff (pure findSlots) against the floor of reading its inputs
 * from the database with the one statement availability makes (serviceSchedule, same arguments).
 */
import { calendarsOf, findAvailability, scheduleQuery, type AvailabilityQuery } from '../scheduling/availability.ts';
import { findSlots, type SlotRules } from '../scheduling/slot-finder.ts';
import { serviceSchedule } from '../models/staff.repository.ts';
import type { Database } from '../models/database.ts';
import { addHolidays, addTimeOff, analyze, seedAppointments, seedCatalogue, type Fixture } from './fixtures.ts';
import { fmtMs, fmtTiming, judge, measure, type Benchmark, type ResultRow } from './harness.ts';

const DAYS = 60;
const STAFF = 20;
const NOW = new Date('2027-03-01T07:00:00Z');
const FROM = NOW;
const TO = new Date(NOW.getTime() + DAYS * 86_400_000);
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
/** cal.com's slot build, for scale (their own figure, typical). */
const CALCOM_TYPICAL_MS = 220;

async function seed(db: Database): Promise<{ fixture: Fixture; appointments: number }> {
  const fixture = await seedCatalogue(db, { brandId: 'bench-slots', stores: 1, staffPerStore: STAFF });
  const store = fixture.stores[0]!;
  const staff = fixture.staffIds;
  await addHolidays(db, store.id, [
    { date: '2027-03-29', label: 'Lundi de Pâques' },
    { date: '2027-04-15', label: 'Inventaire' },
  ]);
  await addTimeOff(db, [
    { staffId: staff[2]!, from: '2027-03-15 00:00', to: '2027-03-21 00:00', reason: 'Holiday' },
    { staffId: staff[5]!, from: '2027-04-05 00:00', to: '2027-04-10 00:00', reason: 'Holiday' },
    { staffId: staff[9]!, from: '2027-03-10 13:00', to: '2027-03-10 19:00', reason: 'Dentist' },
    { staffId: staff[14]!, from: '2027-04-22 00:00', to: '2027-04-24 00:00', reason: 'Training' },
    { staffId: staff[17]!, from: '2027-03-24 09:00', to: '2027-03-24 13:00', reason: 'Appointment' },
  ]);
  // Three per shift, two shifts: six a working day for each staff member.
  const appointments = await seedAppointments(db, fixture, {
    storeIds: [store.id], fromDate: isoDate(FROM), toDate: isoDate(TO), perShift: 3,
  });
  await analyze(db);
  return { fixture, appointments };
}

export const slotsBenchmark: Benchmark = {
  name: 'slots',
  async run(ctx) {
    const db = await ctx.openDatabase({ poolSize: 10 });
    try {
      ctx.log(`database: ${db.label}`);
      let t = process.hrtime.bigint();
      const { fixture: f, appointments } = await seed(db);
      ctx.log(`setup: 1 store (${f.stores[0]!.timeZone}), ${STAFF} staff, ${appointments} appointments + claims, ` +
        `2 holidays, 5 time-off entries (${fmtMs(Number(process.hrtime.bigint() - t) / 1e6)})`);

      const query: AvailabilityQuery = {
        brand: f.brand, service: f.service, mode: 'in_store', store: f.stores[0]!, home: null, from: FROM, to: TO, now: NOW,
      };
      const read = () => serviceSchedule(db, scheduleQuery(query, false));
      const schedule = await read();
      const calendars = calendarsOf(query, schedule, schedule.hours, schedule.busy);
      const settings = f.brand.settings;
      const rules: SlotRules = {
        from: FROM, to: TO, now: NOW,
        durationMinutes: f.service.durationMinutes,
        bufferBeforeMinutes: f.service.bufferBeforeMinutes,
        bufferAfterMinutes: f.service.bufferAfterMinutes,
        stepMinutes: f.service.slotStepMinutes ?? settings.slotStepMinutes,
        minNoticeMinutes: settings.minNoticeMinutes,
        maxHorizonDays: settings.maxHorizonDays,
      };
      const slots = findSlots(rules, calendars);
      const offers = slots.reduce((n, s) => n + s.staffIds.length, 0);
      ctx.log(`inputs: ${schedule.hours.length} staff-hour rows, ${schedule.busy.length} busy rows; ` +
        `output: ${slots.length} slot starts, ${offers} (start, staff) offers over ${DAYS} days`);

      // Figure: pure compute on loaded inputs.
      const compute = await measure(() => findSlots(rules, calendars), { warmup: 30, iterations: 300, budgetMs: 6_000 });
      // Floor: the read itself.
      const reads = await measure(read, { warmup: 20, iterations: 300, budgetMs: 6_000 });
      // Information: load + compute through the service.
      const e2eSlots = await findAvailability(db, query);
      if (e2eSlots.length !== slots.length) throw new Error(`findAvailability found ${e2eSlots.length} slots, findSlots ${slots.length}`);
      const e2e = await measure(() => findAvailability(db, query), { warmup: 10, iterations: 150, budgetMs: 6_000 });

      t = process.hrtime.bigint();
      const medianRatio = compute.median / reads.median;
      const p99Ratio = compute.p99 / reads.p99;
      const verdict = judge(medianRatio, '<=', 2);
      ctx.log(`findSlots (compute)         ${fmtTiming(compute)}  (${compute.iterations} runs)`);
      ctx.log(`serviceSchedule read (floor) ${fmtTiming(reads)}  (${reads.iterations} runs)`);
      ctx.log(`findAvailability (load+compute) ${fmtTiming(e2e)}  (${e2e.iterations} runs, information)`);
      ctx.log(`ratio compute/read: median ${medianRatio.toFixed(2)}×, p99 ${p99Ratio.toFixed(2)}× — target ≤ 2× (median): ${verdict.verdict}`);
      ctx.log(`for scale: cal.com's slot build takes ~${CALCOM_TYPICAL_MS} ms typical; findSlots median is ` +
        `${(CALCOM_TYPICAL_MS / compute.median).toFixed(0)}× below that, findAvailability ${(CALCOM_TYPICAL_MS / e2e.median).toFixed(0)}×.`);

      const kind = db.kind;
      const rows: ResultRow[] = [
        {
          name: `findSlots ${DAYS}d×${STAFF} staff vs DB read`,
          database: `none vs ${kind}`,
          figure: fmtTiming(compute),
          floor: fmtTiming(reads),
          ratio: medianRatio,
          ...verdict,
          note: `p99 ratio ${p99Ratio.toFixed(2)}×; cal.com ~${CALCOM_TYPICAL_MS} ms typical`,
        },
        {
          name: `findAvailability ${DAYS}d×${STAFF} (load+compute)`,
          database: kind,
          figure: fmtTiming(e2e),
          floor: '',
          ratio: null,
          target: '',
          verdict: 'INFO',
        },
      ];
      return rows;
    } finally {
      await db.close();
    }
  },
};
