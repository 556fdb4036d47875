import { findArrivalWindows, windowClaim, type DaySector, type OnsiteJob, type OnsiteRules, type TechnicianCalendar } from '../scheduling/onsite-slot-finder.ts';
import { straightLineTravel, type GeoPoint } from '../scheduling/travel-estimator.ts';

// Fixed clock. Monday 2026-03-02, Europe/Paris is UTC+1: 08:00 local = 07:00Z.
const NOW = new Date('2026-03-01T00:00:00Z');
const MON = '2026-03-02';
const z = (hhmm: string, day = MON) => new Date(`${day}T${hhmm}:00.000Z`);

// Paris: Opéra, and places about 5 km and 30 km away.
const OPERA: GeoPoint = { latitude: 48.8719, longitude: 2.3316 };
const BASTILLE: GeoPoint = { latitude: 48.8532, longitude: 2.3692 }; // ~3.4 km from Opéra
const VERSAILLES: GeoPoint = { latitude: 48.8049, longitude: 2.1204 }; // ~17 km from Opéra

// 30 km/h, circuity 1.3, buffer 10 min: Opéra→Bastille ≈ 19 min, Opéra→Versailles ≈ 54 min.
const travel = straightLineTravel({ circuityFactor: 1.3, averageSpeedKmh: 30, bufferMinutes: 10 });

const weekdaySector = (o: Partial<DaySector> = {}): DaySector => ({
  weekday: 1, localDate: null, postcodes: null, center: OPERA, radiusKm: 25, ...o,
});

function rules(o: Partial<OnsiteRules> = {}): OnsiteRules {
  return {
    from: z('00:00'), to: new Date('2026-03-03T00:00:00Z'), now: NOW,
    durationMinutes: 60, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, windowMinutes: 120,
    minNoticeMinutes: 0, maxHorizonDays: 30, requiredSkills: ['boiler'],
    site: { point: BASTILLE, postcode: '75011' }, ...o,
  };
}
function tech(o: Partial<TechnicianCalendar> = {}): TechnicianCalendar {
  return {
    staffId: 'tech-a', timeZone: 'Europe/Paris', start: OPERA, skills: ['boiler', 'heat-pump'],
    hours: [{ weekday: 1, starts: '08:00', ends: '18:00' }], sectors: [weekdaySector()], jobs: [], ...o,
  };
}
const job = (from: string, to: string, place: GeoPoint | null): OnsiteJob => ({ from: z(from), to: z(to), place });
const starts = (r: OnsiteRules, cals: TechnicianCalendar[]) =>
  findArrivalWindows(r, cals, travel).map((w) => w.start.toISOString().slice(11, 16));

describe('travel estimate', () => {
  test.each<[string, GeoPoint, GeoPoint, number, number]>([
    ['same place costs nothing', OPERA, OPERA, 0, 0],
    ['Opéra → Bastille (3.4 km) about 19 min', OPERA, BASTILLE, 18, 20],
    ['Opéra → Versailles (17 km) about 54 min', OPERA, VERSAILLES, 52, 56],
  ])('%s', (_n, a, b, min, max) => {
    const m = travel.minutes(a, b);
    expect(m).toBeGreaterThanOrEqual(min);
    expect(m).toBeLessThanOrEqual(max);
  });
});

describe('arrival windows of one technician (hours 08-18 local = 07-17Z, 2 h windows, 1 h visit)', () => {
  test.each<[string, Partial<TechnicianCalendar>, Partial<OnsiteRules>, string[]]>([
    // The day starts at Opéra at 08:00 local; Bastille is 19 min away, inside the first window.
    ['free day: every window whose visit fits', {}, {}, ['07:00', '09:00', '11:00', '13:00', '15:00']],
    ['skills filter: a technician without the skill offers nothing', { skills: ['heat-pump'] }, {}, []],
    ['several skills needed: all of them', {}, { requiredSkills: ['boiler', 'heat-pump'] }, ['07:00', '09:00', '11:00', '13:00', '15:00']],
    ['sector-less day offers nothing', { sectors: [] }, {}, []],
    ['sector of another weekday offers nothing', { sectors: [weekdaySector({ weekday: 2 })] }, {}, []],
    ['radius sector not reaching the address', { sectors: [weekdaySector({ center: VERSAILLES, radiusKm: 5 })] }, {}, []],
    ['postcode sector covering the address', { sectors: [weekdaySector({ postcodes: ['75011', '75012'], center: null, radiusKm: null })] }, {},
      ['07:00', '09:00', '11:00', '13:00', '15:00']],
    ['postcode sector not covering it', { sectors: [weekdaySector({ postcodes: ['69002'], center: null, radiusKm: null })] }, {}, []],
    ['a dated sector replaces the weekday one', { sectors: [weekdaySector(), weekdaySector({ weekday: null, localDate: MON, center: VERSAILLES, radiusKm: 5 })] }, {}, []],
    ['a dated sector opens a day', { sectors: [weekdaySector({ weekday: null, localDate: MON })] }, {}, ['07:00', '09:00', '11:00', '13:00', '15:00']],
    // Versailles start: 54 min to Bastille, then arrival 08:54 local is still inside 08-10.
    ['far start point still reaches the first window', { start: VERSAILLES }, {}, ['07:00', '09:00', '11:00', '13:00', '15:00']],
    // Versailles → Bastille takes 59 min: leaving at 07:00Z, the 07:00–07:30Z window is missed, 07:30–08:00Z is met.
    ['a 30-min window is missed from a far start point', { start: VERSAILLES }, { windowMinutes: 30, to: z('09:00') },
      ['07:30', '08:00', '08:30']],
    ['notice pushes the first window out', {}, { now: z('08:00'), minNoticeMinutes: 60 }, ['09:00', '11:00', '13:00', '15:00']],
  ])('%s', (_n, c, r, expected) => {
    expect(starts(rules(r), [tech(c)])).toEqual(expected);
  });
});

describe('travel from the previous job and on to the next', () => {
  // Windows (claim = window + 60 min visit): 07-10Z, 09-12Z, 11-14Z, 13-16Z, 15-18Z.
  test.each<[string, OnsiteJob[], string[]]>([
    ['a job before working hours does not count as the day\'s start',
      [job('06:00', '07:00', VERSAILLES)], ['07:00', '09:00', '11:00', '13:00', '15:00']],
    ['a job nearby ending at 08:00Z leaves room for 09:00Z on',
      [job('07:00', '08:00', OPERA)], ['09:00', '11:00', '13:00', '15:00']],
    // Job at Versailles ends 10:00Z, +59 min → arrival 10:59Z: the 09-11Z window overlaps it anyway; 11:00Z is met.
    ['a far job ending at 10:00Z: arrival 10:54Z fits the 11:00Z window',
      [job('09:30', '10:00', VERSAILLES)], ['11:00', '13:00', '15:00']],
    // Far job ending 12:10Z: +59 min → arrival 13:09Z inside 13-15Z; the 07:00Z visit reaches it after (08:19Z + 59 min).
    ['a far job ending just before a window: arrive late inside it',
      [job('11:30', '12:10', VERSAILLES)], ['07:00', '13:00', '15:00']],
    ['a far job ending at 10:00Z: the next window is reached',
      [job('08:00', '10:00', VERSAILLES)], ['11:00', '13:00', '15:00']],
    ['time off (no place) counts from the start point',
      [job('07:00', '11:00', null)], ['11:00', '13:00', '15:00']],
    ['a full day of jobs leaves nothing',
      [job('07:00', '17:00', OPERA)], []],
  ])('%s', (_n, jobs, expected) => {
    expect(starts(rules(), [tech({ jobs })])).toEqual(expected);
  });

  test('a window offered only when the next job is reachable after the visit', () => {
    // 30-min windows; next job at 09:00Z. Visit from 07:19Z (or 07:30Z) to 08:19Z (08:30Z), then 19 min
    // to Opéra is in time, 59 min to Versailles is not.
    const r = rules({ windowMinutes: 30, to: z('08:00') });
    expect(starts(r, [tech({ jobs: [job('09:00', '10:00', OPERA)] })])).toEqual(['07:00', '07:30']);
    expect(starts(r, [tech({ jobs: [job('09:00', '10:00', VERSAILLES)] })])).toEqual([]);
  });

  test('a window offered only when reachable: same gap, near vs far previous job', () => {
    // Previous job ends 08:30Z. From Opéra: arrival 08:49Z, inside the 09:00Z? no: before, so 09:00Z.
    const near = starts(rules({ windowMinutes: 30, to: z('10:00') }), [tech({ jobs: [job('08:00', '08:30', OPERA)] })]);
    const far = starts(rules({ windowMinutes: 30, to: z('10:00') }), [tech({ jobs: [job('08:00', '08:30', VERSAILLES)] })]);
    expect(near).toEqual(['08:30', '09:00', '09:30']);
    // From Versailles: arrival 09:24Z: the 08:30 window (arrive by 09:00) is missed; 09:00 (by 09:30) is reached.
    expect(far).toEqual(['09:00', '09:30']);
  });
});

describe('several technicians', () => {
  test('windows list who can come, sorted; the claim covers window and visit', () => {
    const a = tech({ staffId: 'tech-b' });
    const b = tech({ staffId: 'tech-a', jobs: [job('07:00', '10:00', OPERA)] });
    const windows = findArrivalWindows(rules({ to: z('12:00') }), [a, b], travel);
    expect(windows.map((w) => [w.start.toISOString().slice(11, 16), w.staffIds])).toEqual([
      ['07:00', ['tech-b']], ['09:00', ['tech-b']], ['11:00', ['tech-a', 'tech-b']],
    ]);
    const [from, to] = windowClaim({ durationMinutes: 60, bufferBeforeMinutes: 15, bufferAfterMinutes: 10 }, z('07:00'), z('09:00'));
    expect([from.toISOString(), to.toISOString()]).toEqual([z('06:45').toISOString(), z('10:10').toISOString()]);
  });

  test('bad rules are refused loudly', () => {
    expect(() => findArrivalWindows(rules({ windowMinutes: 0 }), [tech()], travel)).toThrow(RangeError);
  });
});
