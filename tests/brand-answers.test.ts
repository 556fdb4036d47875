import { describeWhen, openingHoursText } from '../dialogs/brand-answers.ts';

describe('opening hours as the chat says them', () => {
  test('consecutive days with the same hours are grouped; a lunch break and a closed day show', () => {
    const hours = [
      ...[1, 2, 3, 4].flatMap((weekday) => [{ weekday, opens: '09:00', closes: '12:30' }, { weekday, opens: '13:30', closes: '19:00' }]),
      { weekday: 6, opens: '10:00', closes: '16:00' },
    ];
    expect(openingHoursText(hours, 'en')).toBe('Mon–Thu 09:00–12:30, 13:30–19:00; Sat 10:00–16:00');
    expect(openingHoursText(hours, 'fr')).toBe('lun.–jeu. 09:00–12:30, 13:30–19:00 ; sam. 10:00–16:00');
  });

  test('every day alike, and one day alone', () => {
    expect(openingHoursText([1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opens: '08:00', closes: '20:00' })), 'en')).toBe('Mon–Sun 08:00–20:00');
    expect(openingHoursText([{ weekday: 3, opens: '09:00', closes: '17:00' }], 'en')).toBe('Wed 09:00–17:00');
  });
});

describe('what was understood, said back', () => {
  const zone = 'Europe/Paris';
  test.each([
    [{ kind: 'exact', at: '2027-03-10T10:00:00.000Z' }, 'Wed 10 Mar, 11:00', 'mer. 10 mars, 11:00'],
    [{ kind: 'window', from: '2027-03-04T07:00:00.000Z', to: '2027-03-04T11:00:00.000Z' }, 'Thursday 4 March, 08:00–12:00', 'jeudi 4 mars, 08:00–12:00'],
    [{ kind: 'window', from: '2027-03-01T23:00:00.000Z', to: '2027-03-02T23:00:00.000Z' }, 'Tuesday 2 March', 'mardi 2 mars'],
    [{ kind: 'window', from: '2027-03-05T23:00:00.000Z', to: '2027-03-07T23:00:00.000Z' }, 'Saturday 6 March to Sunday 7 March', 'du samedi 6 mars au dimanche 7 mars'],
    [{ kind: 'time', hour: 9, minute: 5 }, 'at 09:05', 'à 09:05'],
    [{ kind: 'soonest' }, 'as soon as possible', 'au plus tôt'],
  ] as const)('%j', (ask, en, fr) => {
    expect(describeWhen(ask, zone)).toEqual({ en, fr });
  });
});
