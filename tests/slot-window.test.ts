import { pageOf, type PageAt } from '../dialogs/slot-pages.ts';
import { SlotWindow, type SlotSource } from '../dialogs/slot-window.ts';
import { findSlots, type SlotRules, type StaffCalendar } from '../scheduling/slot-finder.ts';

// Sunday 1 March 2026, 10:17 UTC; a 90-day horizon (Europe/Paris changes to summer time on 29 March).
const NOW = new Date('2026-03-01T10:17:00Z');
const DAY = 86_400_000;
const END = new Date(NOW.getTime() + 90 * DAY);
const iso = (ms: number) => new Date(ms).toISOString();

/** A source over a known list of every free start, counting what it is asked to compute. */
function listSource(all: readonly string[]): SlotSource & { loads: [number, number][] } {
  const loads: [number, number][] = [];
  return {
    from: NOW, to: END, loads,
    load: (from, to) => {
      loads.push([from.getTime(), to.getTime()]);
      return Promise.resolve(all.filter((s) => s >= from.toISOString() && s < to.toISOString()));
    },
  };
}

/** Starts every `stepMin` minutes from `hour` for `count` slots on the given day offsets. */
function days(offsets: number[], hour = 9, count = 16, stepMin = 30): string[] {
  const day0 = Date.UTC(2026, 2, 1);
  return offsets.flatMap((d) => Array.from({ length: count }, (_, i) => iso(day0 + d * DAY + hour * 3_600_000 + i * stepMin * 60_000)))
    .filter((s) => s >= NOW.toISOString() && s < END.toISOString());
}
const range = (from: number, to: number, every = 1) => Array.from({ length: Math.ceil((to - from) / every) }, (_, i) => from + i * every);

const CALENDARS: [string, string[]][] = [
  ['dense: every day 09:00-17:00', days(range(0, 91))],
  ['sparse: one start every third day', days(range(0, 91, 3), 14, 1)],
  ['empty stretches: days 4-40 and 50-80 closed', days([...range(0, 4), ...range(40, 50), ...range(80, 91)])],
  ['only far ahead: the last five days', days(range(85, 91))],
  ['fewer than a page, far apart', [...days([2], 9, 3), ...days([70], 9, 2)]],
  ['a single start', days([45], 12, 1)],
  ['nothing at all', []],
  ['today only, less than a page', days([0], 15, 5)],
];

/** Points of interest: now, the bounds, every start, just after and well before each one, and odd points. */
function points(all: readonly string[]): string[] {
  const every = all.filter((_, i) => all.length < 200 || i % 23 === 0 || i < 20 || i > all.length - 20);
  const extra = [NOW.getTime() - DAY, NOW.getTime(), END.getTime() - 1, END.getTime(), END.getTime() + 5 * DAY, ...range(0, 90, 7).map((d) => NOW.getTime() + d * DAY + 3_600_000)];
  return [...new Set([...every, ...every.map((s) => iso(Date.parse(s) + 1)), ...every.map((s) => iso(Date.parse(s) - 36 * 3_600_000)), ...extra.map(iso)])];
}

describe('a windowed page is the page of every free start', () => {
  test.each(CALENDARS)('%s', async (_name, all) => {
    for (const p of points(all)) {
      for (const at of [{ from: p }, { before: p }, { around: p }] as PageAt[]) {
        const source = listSource(all);
        const page = await new SlotWindow(source).page(at);
        expect({ at, page }).toEqual({ at, page: pageOf(all, at) });
      }
      expect({ p, has: await new SlotWindow(listSource(all)).has(p) }).toEqual({ p, has: all.includes(p) });
      expect({ p, first: await new SlotWindow(listSource(all)).firstFrom(p) }).toEqual({ p, first: all.find((s) => s >= p) });
    }
  });

  test('one window answers several questions, loading each span once and staying one span', async () => {
    const all = CALENDARS[2]![1];
    const source = listSource(all);
    const slots = new SlotWindow(source);
    const at = all[30]!;
    expect(await slots.has(at)).toBe(true);
    expect(await slots.page({ around: at })).toEqual(pageOf(all, { around: at }));
    expect(await slots.firstFrom(iso(Date.parse(at) + 5 * DAY))).toBe(all.find((s) => s >= iso(Date.parse(at) + 5 * DAY)));
    expect(await slots.page({ before: at })).toEqual(pageOf(all, { before: at }));
    const spans = [...source.loads].sort((a, b) => a[0] - b[0]);
    spans.forEach(([from, to], i) => {
      expect(from).toBeLessThan(to);
      if (i > 0) expect(from).toBe(spans[i - 1]![1]);
    });
  });

  test('a dense calendar needs days, not the horizon', async () => {
    const all = CALENDARS[0]![1];
    for (const at of [{ from: NOW.toISOString() }, { from: all[600]! }, { before: all[600]! }, { around: all[600]! }] as PageAt[]) {
      const source = listSource(all);
      await new SlotWindow(source).page(at);
      const loaded = source.loads.reduce((t, [from, to]) => t + (to - from), 0);
      expect(loaded).toBeLessThanOrEqual(8 * DAY);
    }
  });
});

describe('windows of real calendars (findSlots) give the full horizon\'s pages', () => {
  const paris = (o: Partial<StaffCalendar>): StaffCalendar => ({
    staffId: 'a', timeZone: 'Europe/Paris', storeHours: [], specialDays: [], busy: [],
    hours: range(1, 7).map((weekday) => ({ weekday, starts: '09:00', ends: '18:00' })), ...o,
  });
  const rules = (from: Date, to: Date): SlotRules => ({
    from, to, now: NOW, durationMinutes: 45, bufferBeforeMinutes: 10, bufferAfterMinutes: 15, stepMinutes: 30,
    minNoticeMinutes: 120, maxHorizonDays: 90,
  });
  const busyDays = (from: number, to: number) => ({ from: new Date(NOW.getTime() + from * DAY), to: new Date(NOW.getTime() + to * DAY) });
  const closed = (offsets: number[]) => offsets.map((d) => ({ localDate: iso(Date.UTC(2026, 2, 1) + d * DAY).slice(0, 10), opens: null, closes: null }));
  const cases: [string, StaffCalendar[]][] = [
    ['two staff, busy blocks, across the change to summer time', [
      paris({ busy: range(0, 60, 3).map((d) => ({ from: new Date(NOW.getTime() + d * DAY + 2 * 3_600_000), to: new Date(NOW.getTime() + d * DAY + 20 * 3_600_000) })) }),
      paris({ staffId: 'b', timeZone: 'America/New_York', hours: [{ weekday: 2, starts: '10:00', ends: '12:00' }], busy: [busyDays(5, 9)] }),
    ]],
    ['booked solid for 60 days', [paris({ busy: [busyDays(0, 60)] })]],
    ['store closed for weeks', [paris({ specialDays: closed([...range(0, 30), ...range(35, 70)]) })]],
    ['never working', [paris({ hours: [] })]],
  ];

  test.each(cases)('%s', async (_name, calendars) => {
    const starts = (from: Date, to: Date) => findSlots(rules(from, to), calendars).map((s) => s.start.toISOString());
    const all = starts(NOW, END);
    const source = (): SlotSource => ({ from: NOW, to: END, load: (from, to) => Promise.resolve(starts(from, to)) });
    for (const p of points(all)) {
      for (const at of [{ from: p }, { before: p }, { around: p }] as PageAt[]) {
        expect({ at, page: await new SlotWindow(source()).page(at) }).toEqual({ at, page: pageOf(all, at) });
      }
      expect({ p, has: await new SlotWindow(source()).has(p) }).toEqual({ p, has: all.includes(p) });
    }
  });
});
