import {
  TUESDAY_1530, appointmentsOf, bookDirectly, botSuite, latestCode, showroomToCode, showroomToSummary, transcript,
} from './support/bot-chat.ts';

// Contact details, one-time codes and the hold on the slot while they are given.
const suite = botSuite('verification');
const { clock } = suite;
const chat = suite.chat;

test('contact details: a missing name, a bad email and a bad phone are each named, then corrected', async () => {
  const c = chat();
  await showroomToSummary(c);
  await transcript(c, [[{ click: 'Confirm' }, 'contact details']]);
  const bad = await c.do({ form: 'contact', values: { name: ' ', email: 'ada@example', phone: '12345' } });
  expect(bad.text).toBe([
    'Please tell me your name.',
    'The email address "ada@example" doesn\'t look right. Please check it.',
    'The phone number "12345" doesn\'t look right. Please use the international format (for example +33 6 12 34 56 78) or a French or US number.',
    'Please correct the form below.',
  ].join('\n'));
  expect(bad.form?.fields.map((f) => f.value)).toEqual([' ', 'ada@example', '12345']);
  expect((await c.do({ form: 'contact', values: { name: 'Ada', email: '', phone: '' } })).text).toContain('Please give an email address or a phone number');
  await transcript(c, [
    [{ form: 'contact', values: { name: 'Ada', email: 'ada.fixed@example.com', phone: '(212) 555-0199' } }, "I've sent a 6-digit code to ada.fixed@example.com."],
  ]);
  await transcript(c, [[{ form: 'code', values: { code: await latestCode(suite.db, 'ada.fixed@example.com') } }, "You're booked!"]]);
  expect((await appointmentsOf(suite.db, c))[0]).toMatchObject({ email: 'ada.fixed@example.com', phone: '+12125550199' });
});

test('"Change my contact details" at the code step brings the form back filled in', async () => {
  const c = chat();
  await showroomToCode(c, 'ada.typo@exmaple.com');
  const form = await c.do({ action: 'change-contact' });
  expect(form.form?.fields.map((f) => f.value)).toEqual(['Ada Lovelace', 'ada.typo@exmaple.com', undefined]);
  await transcript(c, [
    [{ form: 'contact', values: { name: 'Ada Lovelace', email: 'ada.right@example.com', phone: '' } }, 'sent a 6-digit code to ada.right@example.com'],
  ]);
  await transcript(c, [[{ form: 'code', values: { code: await latestCode(suite.db, 'ada.right@example.com') } }, "You're booked!"]]);
  expect((await appointmentsOf(suite.db, c))[0]?.email).toBe('ada.right@example.com');
});

test('five wrong codes kill the code; a new code works', async () => {
  const c = chat();
  await showroomToCode(c, 'ada.wrong@example.com');
  const right = await latestCode(suite.db, 'ada.wrong@example.com');
  const wrong = right === '000000' ? '111111' : '000000';
  await transcript(c, [
    [{ form: 'code', values: { code: wrong } }, "That code isn't right. You have 4 attempts left."],
    [wrong, 'You have 3 attempts left.'],
    [{ form: 'code', values: { code: wrong } }, 'You have 2 attempts left.'],
    [{ form: 'code', values: { code: wrong } }, 'You have 1 attempt left.'],
    [{ form: 'code', values: { code: wrong } }, 'That code no longer works: there were too many wrong attempts. Please ask for a new code.'],
    // Even the right code is dead now.
    [{ form: 'code', values: { code: right } }, 'That code no longer works'],
  ]);
  clock.advanceMinutes(1);
  await transcript(c, [[{ action: 'resend' }, "I've sent a new code to ada.wrong@example.com."]]);
  await transcript(c, [[{ form: 'code', values: { code: await latestCode(suite.db, 'ada.wrong@example.com') } }, "You're booked!"]]);
});

test('resend: too soon says when; more than five codes says try again in N minutes', async () => {
  const c = chat();
  await showroomToCode(c, 'ada.resend@example.com');
  await transcript(c, [[{ action: 'resend' }, 'A code was sent a moment ago. You can ask for a new one in 30 seconds.']]);
  for (let i = 0; i < 4; i++) {
    clock.advanceMinutes(1);
    await transcript(c, [['send a new code', "I've sent a new code to ada.resend@example.com."]]);
  }
  clock.advanceMinutes(1);
  await transcript(c, [[{ action: 'resend' }, 'Too many codes have been requested. Please try again in 5 minutes.']]);
  // The last code sent still works.
  await transcript(c, [[{ form: 'code', values: { code: await latestCode(suite.db, 'ada.resend@example.com') } }, "You're booked!"]]);
});

test('an expired code asks for a new one; the hold has run out meanwhile, so times around it are offered', async () => {
  const c = chat();
  await showroomToCode(c, 'ada.late@example.com');
  clock.advanceMinutes(11);
  await transcript(c, [
    [{ form: 'code', values: { code: await latestCode(suite.db, 'ada.late@example.com') } }, 'That code has expired. Please ask for a new code.'],
    [{ action: 'resend' }, "I've sent a new code"],
  ]);
  const lost = await c.do({ form: 'code', values: { code: await latestCode(suite.db, 'ada.late@example.com') } });
  expect(lost.text).toContain('Sorry, I could keep Tue 2 Mar, 15:30 for you for only 10 minutes, and that time has run out. Here are the available times around it.');
  expect(lost.slot('Tuesday', '15:30')).toBe(TUESDAY_1530);
  // Contact details are known and proven already: straight to the booking after the summary.
  await transcript(c, [
    [{ slot: TUESDAY_1530 }, 'Shall I confirm it?'],
    [{ click: 'Confirm' }, "You're booked!"],
  ]);
});

test('the hold runs out while the code is typed: the same time is offered again around it', async () => {
  const c = chat();
  await showroomToSummary(c);
  clock.advanceMinutes(9);
  await transcript(c, [
    [{ click: 'Confirm' }, 'contact details'],
    [{ form: 'contact', values: { name: 'Ada', email: 'ada.hold@example.com' } }, 'sent a 6-digit code'],
  ]);
  clock.advanceMinutes(2);
  const lost = await c.do({ form: 'code', values: { code: await latestCode(suite.db, 'ada.hold@example.com') } });
  expect(lost.text).toContain('Sorry, I could keep Tue 2 Mar, 15:30 for you for only 10 minutes');
  expect(lost.slots?.days[0]?.slots.map((s) => s.label)).toContain('15:30');
  expect(await appointmentsOf(suite.db, c)).toEqual([]);
});

test('the slot is taken meanwhile: after the hold ran out someone else booked it; the nearest times are offered', async () => {
  const c = chat();
  await showroomToSummary(c);
  clock.advanceMinutes(9);
  await transcript(c, [
    [{ click: 'Confirm' }, 'contact details'],
    [{ form: 'contact', values: { name: 'Ada', email: 'ada.taken@example.com' } }, 'sent a 6-digit code'],
  ]);
  clock.advanceMinutes(2);
  // Both advisors of the store are booked at that time by others.
  for (const email of ['grace@example.com', 'alan@example.com']) {
    await bookDirectly(suite.db, clock.now, { service: 'showroom-visit', store: 'paris-opera', start: TUESDAY_1530, email });
  }
  const taken = await c.do({ form: 'code', values: { code: await latestCode(suite.db, 'ada.taken@example.com') } });
  expect(taken.text).toContain('Sorry, Tue 2 Mar, 15:30 has just been booked by someone else. Here are the nearest available times.');
  const shown = taken.slots?.days.flatMap((d) => d.slots.map((s) => s.start)) ?? [];
  expect(shown).not.toContain(TUESDAY_1530);
  expect(shown).toContain('2027-03-02T14:00:00.000Z');
  await transcript(c, [
    [{ slot: taken.slot('Tuesday', '16:00') }, 'Tue 2 Mar, 16:00'],
    [{ click: 'Confirm' }, "You're booked!"],
  ]);
});

test('the address is stamped verified in the booking\'s transaction: if the stamp fails, nothing is booked either', async () => {
  const c = chat();
  await showroomToCode(c, 'ada.stamp@example.com');
  const code = await latestCode(suite.db, 'ada.stamp@example.com');
  // The database refuses this one stamp, as a write failing after the booking's insert would.
  await suite.db.query(`CREATE FUNCTION refuse_stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'stamp refused'; END $$`);
  await suite.db.query(`CREATE TRIGGER refuse_stamp BEFORE UPDATE OF email_verified_at ON customers
    FOR EACH ROW WHEN (NEW.email = 'ada.stamp@example.com') EXECUTE FUNCTION refuse_stamp()`);
  try {
    await transcript(c, [[{ form: 'code', values: { code } }, 'Sorry, something went wrong on our side.']]);
  } finally {
    await suite.db.query('DROP TRIGGER refuse_stamp ON customers');
    await suite.db.query('DROP FUNCTION refuse_stamp()');
  }
  // Told sorry and not booked: never booked without the stamp, nor told sorry for a booking made.
  expect(await appointmentsOf(suite.db, c)).toEqual([]);
  expect(suite.errors).toHaveLength(1);
  suite.errors.length = 0;
});
