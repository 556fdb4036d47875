import { formatWhen } from '../dialogs/formatting.ts';
import { bookDirectly, botSuite, latestCode, showroomToCode, showroomToSummary, transcript } from './support/bot-chat.ts';

// Defects found by a new user (issue 11), one regression test each.
const suite = botSuite('regressions');
const chat = suite.chat;

test('only a well-formed code is a try: 5 or 7 digits are asked again without costing an attempt', async () => {
  const c = chat();
  await showroomToCode(c, 'ada.digits@example.com');
  const right = await latestCode(suite.db, 'ada.digits@example.com');
  const wrong = right === '000000' ? '111111' : '000000';
  await transcript(c, [
    ['12345', 'Please type the 6-digit code, or use the buttons under the form.'],
    [{ form: 'code', values: { code: '1234567' } }, 'Please type the 6-digit code'],
    [wrong, "That code isn't right. You have 4 attempts left."],
    [{ form: 'code', values: { code: right } }, "You're booked!"],
  ]);
});

test('the contact form says email or mobile phone: neither field is called optional on its own', async () => {
  const c = chat();
  await showroomToSummary(c);
  const form = (await c.do({ click: 'Confirm' })).form;
  expect(form?.fields.map((f) => [f.label, f.required, f.hint])).toEqual([
    ['Full name', true, undefined],
    ['Email', false, 'or mobile phone'],
    ['Mobile phone', false, 'or email'],
  ]);
  const fr = chat({ locale: 'fr' });
  await transcript(fr, [
    ['je voudrais réserver une visite du showroom', 'Dans quel magasin'],
    ['Paris Opéra', 'Quand souhaitez-vous'],
    ['demain après-midi', 'Voici les horaires disponibles'],
    ['15h30', 'Je le confirme'],
  ]);
  expect((await fr.do({ click: 'Confirmer' })).form?.fields.map((f) => f.hint)).toEqual([undefined, 'ou téléphone mobile', 'ou e-mail']);
});

test('a slot value outside the page shown is not available, said with its full date; nothing is held', async () => {
  const c = chat();
  await transcript(c, [
    ['I would like to book a showroom visit', 'Which store would you like to visit?'],
    ['Paris Opéra', 'When would you like your appointment?'],
    ['tomorrow afternoon', 'Here are the available times.'],
  ]);
  const forged = await c.do({ slot: '2027-03-03T02:00:00.000Z' });
  expect(forged.text).toContain("Wednesday 3 March 2027, 03:00 isn't available. Here are the nearest free times.");
  expect(forged.text).not.toContain('booked by someone else');
  expect(forged.slots?.days.length).toBeGreaterThan(0);
  const [held] = await suite.db.query<{ n: number }>('SELECT count(*)::int AS n FROM holds');
  expect(held?.n).toBe(0);
  // A page from another year, as a stale tab might send.
  const stale = await c.do({ slot: '2026-12-01T09:00:00.000Z' });
  expect(stale.text).toContain("Tuesday 1 December 2026, 10:00 isn't available.");
});

test('rescheduling shows the new summary and moves only after a yes; "Change time" and "Keep it" move nothing', async () => {
  const appointment = await bookDirectly(suite.db, suite.clock.now, { service: 'showroom-visit', store: 'paris-opera', start: '2027-03-03T09:00:00Z', email: 'grace@example.com' });
  const c = chat();
  await transcript(c, [
    ['hi', 'What would you like to do?'],
    [{ click: 'Change or cancel an appointment' }, 'what email address or phone number'],
    ['grace@example.com', "I've sent a 6-digit code"],
  ]);
  await transcript(c, [
    [{ form: 'code', values: { code: await latestCode(suite.db, 'grace@example.com') } }, 'What would you like to do with this appointment?'],
    [{ click: 'Reschedule' }, 'When would you like your appointment?'],
    ['Thursday at 11am', 'Shall I move it there (instead of Wed 3 Mar, 10:00)?'],
    [{ click: 'Change time' }, 'Here are the available times.'],
  ]);
  const startOf = async () => new Date((await suite.db.query<{ start_at: Date }>('SELECT start_at FROM appointments WHERE id = $1', [appointment.id]))[0]!.start_at).toISOString();
  expect(await startOf()).toBe('2027-03-03T09:00:00.000Z');
  await transcript(c, [
    [{ slot: c.last.slot('Thursday', '11:30') }, 'Thu 4 Mar, 11:30'],
    [{ click: 'Keep it' }, 'OK, your appointment stays as it is.'],
  ]);
  expect(await startOf()).toBe('2027-03-03T09:00:00.000Z');
});

test('changing an appointment booked in this chat does not ask for the contact again nor send a code', async () => {
  const c = chat();
  await showroomToCode(c, 'ada.again@example.com');
  await transcript(c, [[{ form: 'code', values: { code: await latestCode(suite.db, 'ada.again@example.com') } }, 'Is there anything else I can do for you?']]);
  const found = await c.do({ click: 'Change or cancel an appointment' });
  expect(found.text).toBe([
    "I'll use ada.again@example.com, which you confirmed earlier in this chat.",
    'Guided showroom visit (30 min)',
    'Tue 2 Mar, 15:30',
    'At Paris Opéra, 12 rue Auber, 75009 Paris',
    'What would you like to do with this appointment?',
  ].join('\n'));
  const [codes] = await suite.db.query<{ n: number }>("SELECT count(*)::int AS n FROM otp_codes WHERE recipient = 'ada.again@example.com'");
  expect(codes?.n).toBe(1);
  await transcript(c, [
    [{ click: 'Reschedule' }, 'When would you like your appointment?'],
    ['Thursday at 11am', 'Shall I move it there'],
    [{ click: 'Move it' }, 'Done! Your appointment has been moved.'],
  ]);
});

test('a code sent in another conversation moments ago is not claimed as sent here; typing an old code is not "expired"', async () => {
  await bookDirectly(suite.db, suite.clock.now, { service: 'showroom-visit', store: 'paris-opera', start: '2027-03-03T09:00:00Z', email: 'grace@example.com' });
  const first = chat();
  await transcript(first, [
    ['hi', 'What would you like to do?'],
    [{ click: 'Change or cancel an appointment' }, 'what email address'],
    ['grace@example.com', "I've sent a 6-digit code to grace@example.com."],
  ]);
  const used = await latestCode(suite.db, 'grace@example.com');
  await transcript(first, [[{ form: 'code', values: { code: used } }, 'What would you like to do with this appointment?']]);
  const second = chat();
  await transcript(second, [
    ['hi', 'What would you like to do?'],
    [{ click: 'Change or cancel an appointment' }, 'what email address'],
  ]);
  const waiting = await second.do('grace@example.com');
  expect(waiting.text).toBe('I can send a code to grace@example.com in 30 seconds. Please ask for a new code then.');
  expect(waiting.text).not.toContain('was sent');
  await transcript(second, [[{ form: 'code', values: { code: used } }, 'No code is waiting to be checked. Please ask for a new code.']]);
  suite.clock.advanceMinutes(1);
  await transcript(second, [[{ action: 'resend' }, "I've sent a new code to grace@example.com."]]);
  await transcript(second, [[{ form: 'code', values: { code: await latestCode(suite.db, 'grace@example.com') } }, 'What would you like to do with this appointment?']]);
});

test('"Talk to a person" with nobody online says when the soonest video call is, not "straight away"', async () => {
  // Saturday 20:00 in Paris.
  suite.clock.set('2027-03-06T19:00:00Z');
  const c = chat();
  const offer = await transcript(c, [
    ['hi', 'What would you like to do?'],
    [{ click: 'Talk to a person' }, 'No advisor is free to chat right now.'],
  ]);
  expect(offer.text).not.toMatch(/straight away/);
  const said = /The soonest video call with an advisor is on (\w{3} \d+ \w{3}, \d\d:\d\d); booking it takes a minute\./.exec(offer.text)?.[1];
  // The time said is the first one booking would show.
  const shown = await transcript(c, [
    [{ click: 'Book: Video advice' }, 'When would you like your appointment?'],
    [{ click: 'Soonest' }, 'Here are the available times.'],
  ]);
  expect(said).toBe(formatWhen(shown.slots?.days[0]?.slots[0]?.start ?? '', 'Europe/Paris', 'en'));
  const fr = chat({ locale: 'fr' });
  await transcript(fr, [
    ['bonjour', 'Que souhaitez-vous faire'],
    [{ click: 'Parler à un conseiller' }, /Le premier appel vidéo disponible avec un conseiller est le \w{3}\. \d+ \w+\.?, \d\d:\d\d/],
  ]);
});

test('French in the chat: no-break spaces before ? : !, lowercase day and month names, the store phone as dialled in France', async () => {
  const c = chat({ locale: 'fr' });
  const menu = await c.do('bonjour');
  expect(menu.text).toContain('Bonjour\u202f! Je suis');
  expect(menu.text).toContain('Que souhaitez-vous faire\u202f?');
  expect(menu.text).not.toMatch(/ [?:!]/);
  // Too late to change: the store to call, its number formatted.
  await bookDirectly(suite.db, suite.clock.now, { service: 'showroom-visit', store: 'paris-opera', start: '2027-03-01T08:30:00Z', email: 'claire@example.com' });
  await transcript(c, [
    [{ click: 'Modifier ou annuler un rendez-vous' }, 'quelle adresse e-mail'],
    ['claire@example.com', "Je viens d'envoyer un code"],
  ]);
  await transcript(c, [[{ form: 'code', values: { code: await latestCode(suite.db, 'claire@example.com') } }, 'lun. 1 mars, 09:30']]);
  const late = await c.do({ click: 'Déplacer' });
  expect(late.text).toContain('Appelez le magasin Paris Opéra au 01 42 00 00 01.');
  // English keeps plain spaces.
  expect((await chat().do('hi')).text).not.toMatch(/[\u00a0\u202f]/);
});
