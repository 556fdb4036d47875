import { DateTime } from 'luxon';
import { findSlots } from '../scheduling/slot-finder.ts';
import type { BusyInterval, SlotRules, StaffCalendar, WeeklyInterval } from '../scheduling/slot-finder.ts';

// Fixed clock: nothing here depends on the real date.
const NOW = new Date('2026-03-01T00:00:00Z');
const MON = '2026-03-02'; // Monday; Europe/Paris is UTC+1 (no DST until 2026-03-29)

const z = (iso: string): Date => new Date(iso);
const at = (hhmm: string, day = MON): string => `${day}T${hhmm}:00.000Z`;
const mon = (starts: string, ends: string): WeeklyInterval => ({ weekday: 1, starts, ends });
const busy = (from: string, to: string): BusyInterval => ({ from: z(from), to: z(to) });

function rules(o: Partial<SlotRules> = {}): SlotRules {
  return {
    from: z(`${MON}T00:00:00Z`), to: z('2026-03-03T00:00:00Z'), now: NOW,
    durationMinutes: 60, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, stepMinutes: 60,
    minNoticeMinutes: 0, maxHorizonDays: 30, ...o,
  };
}
function cal(o: Partial<StaffCalendar> = {}): StaffCalendar {
  return { staffId: 'staff-a', timeZone: 'Europe/Paris', hours: [mon('09:00', '12:00')], storeHours: [], specialDays: [], busy: [], ...o };
}
const starts = (r: SlotRules, cals: StaffCalendar[]): string[] => findSlots(r, cals).map((s) => s.start.toISOString());

describe('single staff, Europe/Paris winter (UTC+1)', () => {
  test.each<[string, Partial<StaffCalendar>, Partial<SlotRules>, string[]]>([
    ['plain hours 09-12', {}, {}, [at('08:00'), at('09:00'), at('10:00')]],
    ['HH:MM:SS format', { hours: [mon('09:00:00', '11:00:00')] }, {}, [at('08:00'), at('09:00')]],
    ['lunch break 09-12 + 13-15', { hours: [mon('09:00', '12:00'), mon('13:00', '15:00')] }, {},
      [at('08:00'), at('09:00'), at('10:00'), at('12:00'), at('13:00')]],
    ['appointment must end inside the interval', { hours: [mon('09:00', '10:30')] }, { stepMinutes: 30 }, [at('08:00'), at('08:30')]],
    ['no hours on that weekday', { hours: [{ weekday: 2, starts: '09:00', ends: '12:00' }] }, {}, []],
    ['step 15', { hours: [mon('09:00', '10:00')] }, { durationMinutes: 30, stepMinutes: 15 }, [at('08:00'), at('08:15'), at('08:30')]],
    ['step 30', { hours: [mon('09:00', '10:00')] }, { durationMinutes: 30, stepMinutes: 30 }, [at('08:00'), at('08:30')]],
    ['duration 45 on a 30 grid', { hours: [mon('09:00', '11:00')] }, { durationMinutes: 45, stepMinutes: 30 },
      [at('08:00'), at('08:30'), at('09:00')]],
    ['grid aligned to the interval start (09:10)', { hours: [mon('09:10', '10:40')] }, { durationMinutes: 30, stepMinutes: 30 },
      [at('08:10'), at('08:40'), at('09:10')]],
  ])('%s', (_name, c, r, expected) => {
    expect(starts(rules(r), [cal(c)])).toEqual(expected);
  });
});

describe('busy intervals and buffers (hours 09-13 local = 08-12Z, busy 09:00-10:00Z)', () => {
  const c = cal({ hours: [mon('09:00', '13:00')], busy: [busy(at('09:00'), at('10:00'))] });
  test.each<[string, number, number, string[]]>([
    ['no buffers: touching the busy block is fine', 0, 0, [at('08:00'), at('10:00'), at('10:30'), at('11:00')]],
    ['buffer before 30', 30, 0, [at('08:00'), at('10:30'), at('11:00')]],
    ['buffer after 30 (may extend past closing)', 0, 30, [at('10:00'), at('10:30'), at('11:00')]],
    ['buffers 15/15', 15, 15, [at('10:30'), at('11:00')]],
  ])('%s', (_name, before, after, expected) => {
    const r = rules({ stepMinutes: 30, bufferBeforeMinutes: before, bufferAfterMinutes: after });
    expect(starts(r, [c])).toEqual(expected);
  });

  test.each<[string, BusyInterval[], string[]]>([
    ['time off all day removes every slot', [busy(`${MON}T00:00:00Z`, '2026-03-03T00:00:00Z')], []],
    ['unsorted, overlapping busy blocks',
      [busy(at('10:00'), at('10:30')), busy(at('08:30'), at('09:15')), busy(at('09:00'), at('09:45'))],
      [at('08:00'), at('10:30'), at('11:00'), at('11:30')]],
    ['empty / inverted busy entries are ignored', [busy(at('09:00'), at('09:00')), busy(at('10:00'), at('09:00'))],
      [at('08:00'), at('08:30'), at('09:00'), at('09:30'), at('10:00'), at('10:30'), at('11:00'), at('11:30')]],
  ])('%s', (_name, b, expected) => {
    const r = rules({ durationMinutes: 30, stepMinutes: 30 });
    expect(starts(r, [cal({ hours: [mon('09:00', '13:00')], busy: b })])).toEqual(expected);
  });
});

describe('notice, horizon and search window', () => {
  test.each<[string, Partial<SlotRules>, string[]]>([
    ['min notice 120 from 07:00Z', { now: z(at('07:00')), minNoticeMinutes: 120 }, [at('09:00'), at('10:00')]],
    ['min notice edge is inclusive', { now: z(at('07:00')), minNoticeMinutes: 60 }, [at('08:00'), at('09:00'), at('10:00')]],
    ['min notice off-grid keeps the grid', { now: z(at('07:00')), minNoticeMinutes: 90 }, [at('09:00'), at('10:00')]],
    ['max horizon edge is exclusive', { now: z('2026-03-01T09:00:00Z'), maxHorizonDays: 1 }, [at('08:00')]],
    ['max horizon 1 day from 09:30Z', { now: z('2026-03-01T09:30:00Z'), maxHorizonDays: 1 }, [at('08:00'), at('09:00')]],
    ['horizon 0 => nothing', { maxHorizonDays: 0 }, []],
    ['window start mid-interval snaps to grid', { from: z(at('08:10')), stepMinutes: 30 }, [at('08:30'), at('09:00'), at('09:30'), at('10:00')]],
    ['window end is exclusive', { to: z(at('10:00')) }, [at('08:00'), at('09:00')]],
    ['empty window', { from: z(at('10:00')), to: z(at('10:00')) }, []],
  ])('%s', (_name, r, expected) => {
    expect(starts(rules(r), [cal()])).toEqual(expected);
  });

  test.each<[string, Partial<StaffCalendar>, Partial<SlotRules>, string[]]>([
    ['Paris Mon+Tue, window 09:00Z..09:00Z next day',
      { hours: [mon('09:00', '11:00'), { weekday: 2, starts: '09:00', ends: '11:00' }] },
      { from: z(at('09:00')), to: z('2026-03-03T09:00:00Z') }, [at('09:00'), at('08:00', '2026-03-03')]],
    ['Los Angeles: local Monday evening is Tuesday UTC',
      { timeZone: 'America/Los_Angeles', hours: [mon('22:00', '23:00'), { weekday: 2, starts: '08:00', ends: '09:00' }] },
      { from: z('2026-03-03T00:00:00Z'), to: z('2026-03-04T00:00:00Z') }, [at('06:00', '2026-03-03'), at('16:00', '2026-03-03')]],
    ['Auckland: local Tuesday morning is Monday UTC',
      { timeZone: 'Pacific/Auckland', hours: [{ weekday: 2, starts: '07:00', ends: '08:00' }] }, {}, [at('18:00')]],
  ])('%s', (_name, c, r, expected) => {
    expect(starts(rules(r), [cal(c)])).toEqual(expected);
  });
});

describe('store hours and special days (staff 09-12 local)', () => {
  test.each<[string, Partial<StaffCalendar>, string[]]>([
    ['store wider than staff', { storeHours: [mon('08:00', '20:00')] }, [at('08:00'), at('09:00'), at('10:00')]],
    ['store narrower than staff', { hours: [mon('08:00', '18:00')], storeHours: [mon('10:00', '12:00')] }, [at('09:00'), at('10:00')]],
    ['store lunch break clips staff', { hours: [mon('11:00', '15:00')], storeHours: [mon('09:00', '12:00'), mon('14:00', '18:00')] },
      [at('10:00'), at('13:00')]],
    ['store closed that weekday', { storeHours: [{ weekday: 2, starts: '08:00', ends: '20:00' }] }, []],
    ['special day closed', { storeHours: [mon('08:00', '20:00')], specialDays: [{ localDate: MON, opens: null, closes: null }] }, []],
    ['special day closed, online store (no weekly store hours)', { specialDays: [{ localDate: MON, opens: null, closes: null }] }, []],
    ['special shortened hours 10:00-11:30', { storeHours: [mon('08:00', '20:00')], specialDays: [{ localDate: MON, opens: '10:00', closes: '11:30' }] },
      [at('09:00')]],
    ['special hours replace weekly store hours', { storeHours: [mon('11:00', '12:00')], specialDays: [{ localDate: MON, opens: '07:00', closes: '22:00' }] },
      [at('08:00'), at('09:00'), at('10:00')]],
    ['special day on another date does not apply', { specialDays: [{ localDate: '2026-03-03', opens: null, closes: null }] },
      [at('08:00'), at('09:00'), at('10:00')]],
  ])('%s', (_name, c, expected) => {
    expect(starts(rules(), [cal(c)])).toEqual(expected);
  });

  test('special shortened hours on a 30 grid aligned to the special opening', () => {
    const c = cal({ specialDays: [{ localDate: MON, opens: '10:00', closes: '11:30' }] });
    expect(starts(rules({ stepMinutes: 30 }), [c])).toEqual([at('09:00'), at('09:30')]);
  });
});

describe('several staff', () => {
  test('merged by start, staffIds sorted, end = start + duration', () => {
    const b = cal({ staffId: 'staff-b', hours: [mon('10:00', '13:00')], busy: [busy(at('10:00'), at('11:00'))] });
    const slots = findSlots(rules(), [b, cal()]);
    expect(slots.map((s) => [s.start.toISOString(), s.end.toISOString(), s.staffIds])).toEqual([
      [at('08:00'), at('09:00'), ['staff-a']],
      [at('09:00'), at('10:00'), ['staff-a', 'staff-b']],
      [at('10:00'), at('11:00'), ['staff-a']],
      [at('11:00'), at('12:00'), ['staff-b']],
    ]);
    expect(slots.map((s) => s.staffIds.length)).toEqual([1, 2, 1, 1]);
  });

  test('overlapping hour entries for one staff do not duplicate the staff id', () => {
    const c = cal({ hours: [mon('09:00', '11:00'), mon('10:00', '11:00'), mon('09:00', '11:00')] });
    expect(findSlots(rules(), [c]).map((s) => s.staffIds)).toEqual([['staff-a'], ['staff-a']]);
  });

  test('no calendars => no slots', () => {
    expect(findSlots(rules(), [])).toEqual([]);
  });
});

describe('DST (hours built per local date, stepping in real time)', () => {
  test.each<[string, string, string, string, string, number, string[]]>([
    // name, zone, local date, starts, ends, slot count, [first, last] UTC start (window = that local day)
    ['Paris day before spring-forward 09-17', 'Europe/Paris', '2026-03-28', '09:00', '17:00', 8, ['2026-03-28T08:00:00.000Z', '2026-03-28T15:00:00.000Z']],
    ['Paris spring-forward 09-17', 'Europe/Paris', '2026-03-29', '09:00', '17:00', 8, ['2026-03-29T07:00:00.000Z', '2026-03-29T14:00:00.000Z']],
    ['Paris spring-forward 01-04 = 2h', 'Europe/Paris', '2026-03-29', '01:00', '04:00', 2, ['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z']],
    ['Paris fall-back 09-17', 'Europe/Paris', '2026-10-25', '09:00', '17:00', 8, ['2026-10-25T08:00:00.000Z', '2026-10-25T15:00:00.000Z']],
    ['Paris fall-back 01-04 = 4h', 'Europe/Paris', '2026-10-25', '01:00', '04:00', 4, ['2026-10-24T23:00:00.000Z', '2026-10-25T02:00:00.000Z']],
    ['Paris fall-back 02:00 is its first occurrence', 'Europe/Paris', '2026-10-25', '02:00', '03:00', 2, ['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z']],
    ['New York spring-forward 09-17', 'America/New_York', '2026-03-08', '09:00', '17:00', 8, ['2026-03-08T13:00:00.000Z', '2026-03-08T20:00:00.000Z']],
    ['New York spring-forward 01-04 = 2h', 'America/New_York', '2026-03-08', '01:00', '04:00', 2, ['2026-03-08T06:00:00.000Z', '2026-03-08T07:00:00.000Z']],
    ['New York fall-back 09-17', 'America/New_York', '2026-11-01', '09:00', '17:00', 8, ['2026-11-01T14:00:00.000Z', '2026-11-01T21:00:00.000Z']],
    ['New York fall-back 01-04 = 4h', 'America/New_York', '2026-11-01', '01:00', '04:00', 4, ['2026-11-01T05:00:00.000Z', '2026-11-01T08:00:00.000Z']],
    ['New York fall-back 01-02 = 2h', 'America/New_York', '2026-11-01', '01:00', '02:00', 2, ['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z']],
  ])('%s', (_name, zone, date, s, e, count, [first, last]) => {
    const c = cal({ timeZone: zone, hours: [{ weekday: DateTime.fromISO(date).weekday, starts: s, ends: e }] });
    const from = DateTime.fromISO(date, { zone }).toUTC(); // local midnight, whatever UTC date that is
    const r = rules({ from: from.toJSDate(), to: from.plus({ hours: 24 }).toJSDate(), now: z('2026-01-01T00:00:00Z'), maxHorizonDays: 400 });
    const got = starts(r, [c]);
    expect(got).toHaveLength(count);
    expect([got[0], got[got.length - 1]]).toEqual([first, last]);
    // consecutive slots are exactly one real hour apart, even across the transition
    got.slice(1).forEach((t, i) => expect(Date.parse(t) - Date.parse(got[i]!)).toBe(3_600_000));
  });

  test.each<[string, string, string, string, string, string[]]>([
    ['Paris gap start 02:30 is pushed to 03:30', 'Europe/Paris', '2026-03-29', '02:30', '05:00',
      ['2026-03-29T01:30:00.000Z', '2026-03-29T02:00:00.000Z', '2026-03-29T02:30:00.000Z']],
    ['New York gap start 02:30 is pushed to 03:30', 'America/New_York', '2026-03-08', '02:30', '04:00', ['2026-03-08T07:30:00.000Z']],
    ['interval inside the gap moves forward with it (03:00-03:45)', 'Europe/Paris', '2026-03-29', '02:00', '02:45', ['2026-03-29T01:00:00.000Z']],
  ])('%s', (_name, zone, date, s, e, expected) => {
    const c = cal({ timeZone: zone, hours: [{ weekday: 7, starts: s, ends: e }] });
    const r = rules({ from: z(`${date}T00:00:00Z`), to: z(`${date}T23:59:59Z`), durationMinutes: 30, stepMinutes: 30, maxHorizonDays: 400 });
    expect(starts(r, [c])).toEqual(expected);
  });

  test('a week across Paris spring-forward: 09:00 local every day', () => {
    const days = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, starts: '09:00', ends: '10:00' }));
    const r = rules({ from: z('2026-03-26T00:00:00Z'), to: z('2026-04-01T00:00:00Z'), maxHorizonDays: 60 });
    const got = findSlots(r, [cal({ hours: days })]).map((s) => DateTime.fromJSDate(s.start, { zone: 'Europe/Paris' }).toFormat('yyyy-MM-dd HH:mm'));
    expect(got).toEqual(['2026-03-26', '2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31'].map((d) => `${d} 09:00`));
  });
});

describe('customer side: store in Paris, customer elsewhere', () => {
  test.each<[string, string, string, string]>([
    // US is already on DST, Europe not yet: the gap is 5 h, not 6
    ['between the two DST switches', '2026-03-16', 'America/New_York', '2026-03-16 10:00'],
    ['both on summer time', '2026-03-30', 'America/New_York', '2026-03-30 09:00'],
    ['both on winter time', '2026-03-02', 'America/New_York', '2026-03-02 09:00'],
    ['customer ahead of the store (Tokyo)', '2026-03-02', 'Asia/Tokyo', '2026-03-02 23:00'],
  ])('%s', (_name, date, customerZone, expected) => {
    const r = rules({ from: z(`${date}T00:00:00Z`), to: z(`${date}T23:59:59Z`) });
    const [slot] = findSlots(r, [cal({ hours: [mon('15:00', '16:00')] })]);
    expect(slot).toBeDefined();
    expect(DateTime.fromJSDate(slot!.start, { zone: 'Europe/Paris' }).toFormat('yyyy-MM-dd HH:mm')).toBe(`${date} 15:00`);
    expect(DateTime.fromJSDate(slot!.start, { zone: customerZone }).toFormat('yyyy-MM-dd HH:mm')).toBe(expected);
  });
});

describe('input handling', () => {
  test.each<[string, Partial<SlotRules>]>([
    ['step 0', { stepMinutes: 0 }],
    ['negative duration', { durationMinutes: -30 }],
    ['negative buffer', { bufferBeforeMinutes: -5 }],
  ])('rejects %s', (_name, r) => {
    expect(() => findSlots(rules(r), [cal()])).toThrow(RangeError);
  });

  test('rejects an unknown time zone', () => {
    expect(() => findSlots(rules(), [cal({ timeZone: 'Mars/Olympus' })])).toThrow(/Mars\/Olympus/);
  });

  test('does not mutate its inputs', () => {
    const b = [busy(at('10:00'), at('11:00')), busy(at('08:00'), at('08:30'))];
    const c = cal({ busy: b });
    const snapshot = JSON.stringify(c);
    findSlots(rules(), [c]);
    expect(JSON.stringify(c)).toBe(snapshot);
  });
});

describe('60 days x 20 staff (speed is measured by npm run bench, not here)', () => {
  // Deterministic pseudo-random busy blocks; the pointer sweep must equal a naive scan.
  let seed = 42;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const week = [1, 2, 3, 4, 5, 6].flatMap((weekday) => [{ weekday, starts: '08:00', ends: '12:30' }, { weekday, starts: '13:30', ends: '19:00' }]);
  const start = Date.parse('2026-03-01T00:00:00Z');
  const calendars: StaffCalendar[] = Array.from({ length: 20 }, (_, i) => ({
    staffId: `s${String(i).padStart(2, '0')}`, timeZone: 'Europe/Paris', hours: week,
    storeHours: week.map((h) => ({ ...h, starts: '09:00' })), specialDays: [{ localDate: '2026-04-06', opens: null, closes: null }],
    busy: Array.from({ length: 300 }, () => {
      const f = start + Math.floor(rnd() * 60 * 96) * 15 * 60_000;
      return { from: new Date(f), to: new Date(f + (1 + Math.floor(rnd() * 8)) * 15 * 60_000) };
    }),
  }));
  const r = rules({ from: new Date(start), to: new Date(start + 60 * 86_400_000), now: NOW, maxHorizonDays: 90,
    durationMinutes: 45, stepMinutes: 15, bufferBeforeMinutes: 10, bufferAfterMinutes: 5 });

  test('matches a naive busy filter', () => {
    const slots = findSlots(r, calendars);
    expect(slots.length).toBeGreaterThan(1000);

    const free = calendars.map((c) => findSlots(r, [{ ...c, busy: [] }]));
    const expected = new Map<number, string[]>();
    calendars.forEach((c, i) => {
      for (const s of free[i]!) {
        const a = s.start.getTime() - 10 * 60_000;
        const b = s.end.getTime() + 5 * 60_000;
        if (c.busy.some((x) => x.from.getTime() < b && x.to.getTime() > a)) continue;
        expected.set(s.start.getTime(), [...(expected.get(s.start.getTime()) ?? []), c.staffId]);
      }
    });
    const exp = [...expected].sort((x, y) => x[0] - y[0]).map(([t, ids]) => [new Date(t).toISOString(), ids.sort()]);
    expect(slots.map((s) => [s.start.toISOString(), s.staffIds])).toEqual(exp);
  });
});
