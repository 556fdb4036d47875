import { slotsContent } from '../dialogs/cards.ts';
import { normaliseEmail, normalisePhone, checkContact, contactFromText } from '../dialogs/contact-details.ts';
import { bareTime, quickPick, understandDate, warmUpDateUnderstanding, type DateContext } from '../dialogs/date-understanding.ts';
import { DateTime } from 'luxon';
import { formatDay, formatFull, formatTime, formatWhen, localDateAndTime } from '../dialogs/formatting.ts';
import { pageOf } from '../dialogs/slot-pages.ts';
import { detectInterruption, languageOf, matchChoice } from '../dialogs/understanding.ts';
import { choice } from '../dialogs/views.ts';

// Monday 1 March 2027, 08:00 in Paris.
const NOW = new Date('2027-03-01T07:00:00Z');
const paris = (locale: 'en' | 'fr'): DateContext => ({ locale, now: NOW, timeZone: 'Europe/Paris' });

beforeAll(() => warmUpDateUnderstanding(), 120_000);

describe('dates in the customer\'s words, read in their zone', () => {
  test.each([
    ['tomorrow afternoon', 'en', { kind: 'window', from: '2027-03-02T11:00:00.000Z', to: '2027-03-02T17:00:00.000Z' }],
    ['next Tuesday at 3pm', 'en', { kind: 'exact', at: '2027-03-09T14:00:00.000Z' }],
    ['Wednesday at 10:30', 'en', { kind: 'exact', at: '2027-03-03T09:30:00.000Z' }],
    ['tomorrow at 9', 'en', { kind: 'exact', at: '2027-03-02T08:00:00.000Z' }],
    ['friday morning', 'en', { kind: 'window', from: '2027-03-05T07:00:00.000Z', to: '2027-03-05T11:00:00.000Z' }],
    ['this week', 'en', { kind: 'window', from: '2027-03-01T07:00:00.000Z', to: '2027-03-07T23:00:00.000Z' }],
    ['next week', 'en', { kind: 'window', from: '2027-03-07T23:00:00.000Z', to: '2027-03-14T23:00:00.000Z' }],
    ['as soon as possible', 'en', { kind: 'soonest' }],
    ['mardi prochain à 15h', 'fr', { kind: 'exact', at: '2027-03-09T14:00:00.000Z' }],
    ['le 12 décembre', 'fr', { kind: 'window', from: '2027-12-11T23:00:00.000Z', to: '2027-12-12T23:00:00.000Z' }],
    ['demain après-midi', 'fr', { kind: 'window', from: '2027-03-02T11:00:00.000Z', to: '2027-03-02T17:00:00.000Z' }],
    ['jeudi', 'fr', { kind: 'window', from: '2027-03-03T23:00:00.000Z', to: '2027-03-04T23:00:00.000Z' }],
    ['la semaine prochaine', 'fr', { kind: 'window', from: '2027-03-07T23:00:00.000Z', to: '2027-03-14T23:00:00.000Z' }],
    ['au plus tôt', 'fr', { kind: 'soonest' }],
    // English typed to a French-speaking bot is still understood.
    ['tomorrow', 'fr', { kind: 'window', from: '2027-03-01T23:00:00.000Z', to: '2027-03-02T23:00:00.000Z' }],
    ['15h30', 'fr', { kind: 'time', hour: 15, minute: 30 }],
    ['3:30pm', 'en', { kind: 'time', hour: 15, minute: 30 }],
    ['10h', 'fr', { kind: 'time', hour: 10, minute: 0 }],
  ] as const)('"%s" (%s)', (text, locale, expected) => {
    expect(understandDate(text, paris(locale))).toEqual(expected);
  });

  test('a New York customer\'s "tomorrow at 9" is 9:00 in New York', () => {
    expect(understandDate('tomorrow at 9', { locale: 'en', now: NOW, timeZone: 'America/New_York' }))
      .toEqual({ kind: 'exact', at: '2027-03-02T14:00:00.000Z' });
  });

  test('nonsense is not a date', () => {
    expect(understandDate('whenever the moon is blue', paris('en'))).toBeNull();
    expect(understandDate('', paris('en'))).toBeNull();
  });

  test('quick picks and bare times', () => {
    expect(quickPick('tomorrow', paris('en'))).toEqual({ kind: 'window', from: '2027-03-01T23:00:00.000Z', to: '2027-03-02T23:00:00.000Z' });
    expect(bareTime('at 3 pm')).toEqual({ hour: 15, minute: 0 });
    expect(bareTime('12am')).toEqual({ hour: 0, minute: 0 });
    expect(bareTime('15')).toBeNull();
    expect(bareTime('25h')).toBeNull();
  });

  test('times are written in the customer\'s language and zone', () => {
    expect(formatWhen('2027-03-02T09:00:00Z', 'Europe/Paris', 'en')).toBe('Tue 2 Mar, 10:00');
    expect(formatWhen('2027-03-02T09:00:00Z', 'Europe/Paris', 'fr')).toBe('mar. 2 mars, 10:00');
  });
});

describe('slot pages', () => {
  const all = Array.from({ length: 20 }, (_, i) => new Date(Date.UTC(2027, 2, 1, 8, i * 30)).toISOString());
  test('from an instant, before one, and around one', () => {
    expect(pageOf(all, { from: all[0]! })).toEqual({ starts: all.slice(0, 8), earlier: false, later: true });
    expect(pageOf(all, { from: all[16]! })).toEqual({ starts: all.slice(12, 20), earlier: true, later: false });
    expect(pageOf(all, { before: all[10]! })).toEqual({ starts: all.slice(2, 10), earlier: true, later: true });
    expect(pageOf(all, { around: all[10]! }).starts).toEqual(all.slice(6, 14));
    expect(pageOf(all.slice(0, 3), { around: all[19]! })).toEqual({ starts: all.slice(0, 3), earlier: false, later: false });
  });

  test('the times card groups starts by the customer\'s local day and labels them in their zone, across a DST change', () => {
    // Paris moves to summer time at 01:00 UTC on Sunday 28 March 2027; New York, on summer time since 14 March, is 4 hours behind UTC.
    const starts = ['2027-03-27T22:30:00.000Z', '2027-03-28T00:30:00.000Z', '2027-03-28T01:30:00.000Z'];
    expect(slotsContent(starts, { locale: 'en', timeZone: 'Europe/Paris' }, { earlier: false, later: true })).toEqual({
      timeZone: 'Europe/Paris',
      days: [
        { date: '2027-03-27', label: 'Saturday 27 March', slots: [{ start: starts[0], label: '23:30' }] },
        { date: '2027-03-28', label: 'Sunday 28 March', slots: [{ start: starts[1], label: '01:30' }, { start: starts[2], label: '03:30' }] },
      ],
      earlier: false,
      later: true,
    });
    expect(slotsContent(starts, { locale: 'fr', timeZone: 'America/New_York' }, { earlier: true, later: false }).days).toEqual([
      { date: '2027-03-27', label: 'samedi 27 mars', slots: [{ start: starts[0], label: '18:30' }, { start: starts[1], label: '20:30' }, { start: starts[2], label: '21:30' }] },
    ]);
  });
});

describe('dates and times of an instant in a zone (offsets remembered per hour)', () => {
  // Around each zone's changes of offset in 2027, every 5 minutes, twice (the second pass reads remembered offsets):
  // Paris (whole hours), Lord Howe (a 30-minute change at 02:00 local), St John's (-03:30, changing at 02:00 local), Kathmandu (+05:45).
  const changes: [string, string][] = [
    ['Europe/Paris', '2027-03-28T01:00:00Z'], ['Europe/Paris', '2027-10-31T01:00:00Z'],
    ['Australia/Lord_Howe', '2027-04-03T15:00:00Z'], ['Australia/Lord_Howe', '2027-10-02T15:30:00Z'],
    ['America/St_Johns', '2027-03-14T05:30:00Z'], ['America/St_Johns', '2027-11-07T04:30:00Z'],
    ['Asia/Kathmandu', '2027-06-01T00:00:00Z'],
  ];
  test.each(changes)('%s around %s: what luxon says for every instant, in both languages', (zone, at) => {
    const centre = Date.parse(at);
    for (let pass = 0; pass < 2; pass++) {
      for (let ms = centre - 3 * 3_600_000; ms <= centre + 3 * 3_600_000; ms += 5 * 60_000) {
        const iso = new Date(ms).toISOString();
        const luxon = DateTime.fromISO(iso, { zone });
        expect(localDateAndTime(iso, zone)).toEqual({ date: luxon.toISODate(), time: luxon.toFormat('HH:mm') });
        expect(formatTime(iso, zone)).toBe(luxon.toFormat('HH:mm'));
        for (const [locale, tag] of [['en', 'en-GB'], ['fr', 'fr-FR']] as const) {
          const named = luxon.setLocale(tag);
          expect([formatWhen(iso, zone, locale), formatFull(iso, zone, locale), formatDay(iso, zone, locale)])
            .toEqual([named.toFormat('ccc d LLL, HH:mm'), named.toFormat('cccc d LLLL yyyy, HH:mm'), named.toFormat('cccc d LLLL')]);
        }
      }
    }
  });

  test('an offset other than Z, and a wall time without one (read in the zone), as luxon reads them', () => {
    expect(localDateAndTime('2027-03-02T09:00:00+05:00', 'Europe/Paris')).toEqual({ date: '2027-03-02', time: '05:00' });
    expect(localDateAndTime('2027-03-02T23:30', 'America/New_York')).toEqual({ date: '2027-03-02', time: '23:30' });
    expect(formatWhen('2027-03-02T23:30', 'America/New_York', 'fr')).toBe('mar. 2 mars, 23:30');
  });
});

describe('contact details', () => {
  test.each([
    ['+33 6 12 34 56 78', '+33612345678'],
    ['06 12 34 56 78', '+33612345678'],
    ['0033 (0)6 12 34 56 78', '+33612345678'],
    ['(212) 555-0199', '+12125550199'],
    ['1 212 555 0199', '+12125550199'],
    ['+44 20 7946 0958', '+442079460958'],
    ['12345', null],
    ['+33 6 12', null],
    ['06 12 34 56 78 90', null],
  ])('phone %s → %s', (typed, e164) => expect(normalisePhone(typed)).toBe(e164));

  test('emails', () => {
    expect(normaliseEmail(' ada@example.com ')).toBe('ada@example.com');
    expect(normaliseEmail('ada@example')).toBeNull();
    expect(normaliseEmail('ada example.com')).toBeNull();
  });

  test('at least one of email and phone; typed text is split into name, email, phone', () => {
    expect(checkContact({ name: 'Ada', email: '', phone: '' })).toMatchObject({ ok: false, problems: [{ id: 'contact.needOne' }] });
    expect(contactFromText('Ada Lovelace, ada@example.com, 06 12 34 56 78')).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com', phone: '06 12 34 56 78' });
  });
});

describe('choices and interruptions', () => {
  const modes = [choice('in_store', 'mode.in_store', ['magasin']), choice('online', 'mode.online', ['video', 'visio'])];
  test('titles in either language, synonyms, numbers, words inside a sentence', () => {
    expect(matchChoice('En ligne (visio)', modes)?.key).toBe('online');
    expect(matchChoice('2', modes)?.key).toBe('online');
    expect(matchChoice("I'd prefer a video call", modes)?.key).toBe('online');
    expect(matchChoice('en magasin svp', modes)?.key).toBe('in_store');
    expect(matchChoice('by pigeon', modes)).toBeUndefined();
  });

  test.each([
    ['help', { kind: 'help' }],
    ['?', { kind: 'help' }],
    ['aide', { kind: 'help' }],
    ['Cancel', { kind: 'cancel' }],
    ['annuler svp', { kind: 'cancel' }],
    ['start over', { kind: 'startOver' }],
    ['recommencer', { kind: 'startOver' }],
    ['I want to speak to someone', { kind: 'person' }],
    ['agent', { kind: 'person' }],
    ['je voudrais parler à un conseiller', { kind: 'person' }],
    ['Français', { kind: 'language', locale: 'fr' }],
    ['in English please', { kind: 'language', locale: 'en' }],
    ['cancel my appointment', null],
    ['book a showroom visit', null],
  ])('"%s"', (text, expected) => expect(detectInterruption(text)).toEqual(expected));
});

describe('the language a first message is written in', () => {
  test.each([
    ['Hi, I would like a kitchen design consultation in Paris next Tuesday afternoon', 'en'],
    ["I'd like to book an appointment", 'en'],
    ['Hello', 'en'],
    ['Je voudrais prendre rendez-vous', 'fr'],
    ["Bonjour, j'aimerais un rendez-vous mardi prochain à Lyon", 'fr'],
    ['Salut', 'fr'],
    ['rdv demain matin svp', 'fr'],
  ])('%s → %s', (text, locale) => {
    expect(languageOf(text)).toBe(locale);
  });

  test.each(['3', 'Ada Lovelace', 'ada@example.com', '15:30', '', 'Bonjour, hello'])('unclear: %s', (text) => {
    expect(languageOf(text)).toBeNull();
  });
});
