import { bookDirectly, botSuite, latestCode, transcript, type Chat } from './support/bot-chat.ts';

const suite = botSuite('manage');
const { clock } = suite;
const chat = suite.chat;

const showroom = (start: string, email = 'grace@example.com') =>
  bookDirectly(suite.db, clock.now, { service: 'showroom-visit', store: 'paris-opera', start, email });

async function stored(id: string) {
  const [row] = await suite.db.query<{ start_at: Date; state: string; cancellation_reason: string | null }>(
    'SELECT start_at, state, cancellation_reason FROM appointments WHERE id = $1', [id]);
  return { start: new Date(row!.start_at).toISOString(), state: row!.state, reason: row!.cancellation_reason };
}

/** Menu → "change or cancel" → address → code. */
async function verified(c: Chat, address: string, expectAfterCode: string) {
  await transcript(c, [
    ['hi', 'What would you like to do?'],
    [{ click: 'Change or cancel an appointment' }, 'what email address or phone number did you use'],
    [address, "I've sent a 6-digit code to"],
  ]);
  return transcript(c, [[{ form: 'code', values: { code: await latestCode(suite.db, address) } }, expectAfterCode]]);
}

test('reschedules an appointment after the email is verified', async () => {
  const appointment = await showroom('2027-03-03T09:00:00Z');
  const c = chat();
  await transcript(c, [
    ['hi', 'What would you like to do?'],
    [{ click: 'Change or cancel an appointment' }, 'To find your appointments, what email address or phone number did you use when booking?'],
    ['my usual one', 'Please type an email address (like name@example.com) or a phone number'],
    ['grace@example.com', "I've sent a 6-digit code to grace@example.com."],
  ]);
  const found = await c.do({ form: 'code', values: { code: await latestCode(suite.db, 'grace@example.com') } });
  expect(found.text).toBe([
    'Guided showroom visit (30 min)',
    'Wed 3 Mar, 10:00',
    'At Paris Opéra, 12 rue Auber, 75009 Paris',
    'What would you like to do with this appointment?',
  ].join('\n'));
  expect(found.actions).toEqual(['Reschedule', 'Cancel appointment', 'Keep it']);
  await transcript(c, [
    [{ click: 'Reschedule' }, 'When would you like your appointment?'],
    ['Thursday at 11am', 'Here is your appointment at its new time:\nGuided showroom visit (30 min)\nThu 4 Mar, 11:00\nAt Paris Opéra, 12 rue Auber, 75009 Paris\nShall I move it there (instead of Wed 3 Mar, 10:00)?'],
  ]);
  expect(c.last.actions).toEqual(['Move it', 'Change time', 'Keep it']);
  // Nothing moves before the yes.
  expect(await stored(appointment.id)).toMatchObject({ start: '2027-03-03T09:00:00.000Z' });
  const done = await transcript(c, [[{ click: 'Move it' }, 'Done! Your appointment has been moved.']]);
  expect(done.appointment).toMatchObject({ status: 'confirmed', lines: ['Thu 4 Mar, 11:00', 'At Paris Opéra, 12 rue Auber, 75009 Paris'] });
  expect(done.appointment?.links[1]?.url).toMatch(/\/manage$/);
  expect(done.text).toContain('Is there anything else I can do for you?');
  expect(await stored(appointment.id)).toMatchObject({ start: '2027-03-04T10:00:00.000Z', state: 'confirmed' });
  const [customer] = await suite.db.query<{ email_verified_at: Date | null }>("SELECT email_verified_at FROM customers WHERE email = 'grace@example.com'");
  expect(customer?.email_verified_at).not.toBeNull();
});

test('cancels one of two appointments, with a reason, after a yes', async () => {
  await showroom('2027-03-03T09:00:00Z');
  const friday = await showroom('2027-03-05T13:00:00Z');
  const c = chat();
  const list = await verified(c, 'grace@example.com', 'Which appointment is it about?');
  expect(list.actions).toEqual(['Wed 3 Mar, 10:00: Guided showroom visit', 'Fri 5 Mar, 14:00: Guided showroom visit']);
  await transcript(c, [
    [{ click: 'Fri 5 Mar, 14:00: Guided showroom visit' }, 'Fri 5 Mar, 14:00'],
    [{ click: 'Cancel appointment' }, "May I ask why you're cancelling? This is optional."],
    ['I found another date', 'Cancel your appointment (Guided showroom visit, Fri 5 Mar, 14:00)?'],
  ]);
  expect(c.last.actions).toEqual(['Yes, cancel it', 'No, keep it']);
  const done = await c.do('yes');
  expect(done.text).toBe('Your appointment has been cancelled.\nIs there anything else I can do for you?');
  expect(done.appointment).toMatchObject({ status: 'cancelled', lines: ['Fri 5 Mar, 14:00', 'At Paris Opéra, 12 rue Auber, 75009 Paris'], links: [] });
  expect(await stored(friday.id)).toMatchObject({ state: 'cancelled', reason: 'I found another date' });
});

test('"No, keep it" and "Keep it" leave the appointment as it is', async () => {
  const appointment = await showroom('2027-03-03T09:00:00Z');
  const c = chat();
  await verified(c, 'grace@example.com', 'What would you like to do with this appointment?');
  await transcript(c, [
    [{ click: 'Cancel appointment' }, 'why'],
    [{ click: 'Skip' }, 'Cancel your appointment'],
    [{ click: 'No, keep it' }, 'OK, your appointment stays as it is.'],
  ]);
  expect(await stored(appointment.id)).toMatchObject({ state: 'confirmed' });
});

test('too late to change: said at once, with the notice and the store to call', async () => {
  await showroom('2027-03-01T08:30:00Z');
  const c = chat();
  await verified(c, 'grace@example.com', 'Mon 1 Mar, 09:30');
  const refused = await c.do({ click: 'Cancel appointment' });
  expect(refused.text).toBe([
    'Sorry, appointments can only be changed or cancelled up to 2 hours before they start.',
    'Please call Paris Opéra on 01 42 00 00 01.',
    'Is there anything else I can do for you?',
  ].join('\n'));
});

test('too late by the time the cancellation is confirmed: the domain refuses it and the bot says why', async () => {
  const appointment = await showroom('2027-03-01T10:00:00Z');
  const c = chat();
  await verified(c, 'grace@example.com', 'Mon 1 Mar, 11:00');
  await transcript(c, [
    [{ click: 'Cancel appointment' }, 'why'],
    [{ click: 'Skip' }, 'Cancel your appointment (Guided showroom visit, Mon 1 Mar, 11:00)?'],
  ]);
  clock.advanceMinutes(90);
  await transcript(c, [[{ click: 'Yes, cancel it' }, 'Sorry, appointments can only be changed or cancelled up to 2 hours before they start.']]);
  expect(await stored(appointment.id)).toMatchObject({ state: 'confirmed' });
});

test('the new time is taken while choosing: the nearest free times are offered', async () => {
  const appointment = await showroom('2027-03-03T09:00:00Z');
  const c = chat();
  await verified(c, 'grace@example.com', 'What would you like to do');
  await transcript(c, [
    [{ click: 'Reschedule' }, 'When would you like'],
    ['Thursday', 'Here are the available times.'],
  ]);
  const thursdayTen = c.last.slot('Thursday', '10:00');
  await transcript(c, [[{ slot: thursdayTen }, 'Shall I move it there']]);
  for (const email of ['ada@example.com', 'alan@example.com']) {
    await bookDirectly(suite.db, clock.now, { service: 'showroom-visit', store: 'paris-opera', start: thursdayTen, email });
  }
  const taken = await c.do({ click: 'Move it' });
  expect(taken.text).toContain('Sorry, Thu 4 Mar, 10:00 has just been booked by someone else. Here are the nearest available times.');
  await transcript(c, [
    [{ slot: taken.slot('Thursday', '10:30') }, 'Shall I move it there'],
    ['yes', 'Done! Your appointment has been moved.'],
  ]);
  expect(await stored(appointment.id)).toMatchObject({ start: '2027-03-04T09:30:00.000Z' });
});

test('no upcoming appointment for a verified address', async () => {
  await showroom('2027-03-03T09:00:00Z');
  const none = await verified(chat(), 'nobody@example.com', "I couldn't find any upcoming appointment for nobody@example.com.");
  expect(none.text).toContain('Is there anything else I can do for you?');
});

test('par téléphone, en français : code par SMS, puis déplacer une visio', async () => {
  const appointment = await bookDirectly(suite.db, clock.now, { service: 'video-advice', mode: 'online', start: '2027-03-02T09:00:00Z', phone: '+33612345678' });
  const c = chat({ locale: 'fr' });
  await transcript(c, [
    ['bonjour', 'Que souhaitez-vous faire ?'],
    [{ click: 'Modifier ou annuler un rendez-vous' }, 'quelle adresse e-mail ou quel numéro de téléphone'],
    ['06 12 34 56 78', "Je viens d'envoyer un code à 6 chiffres à +33612345678."],
  ]);
  const found = await c.do({ form: 'code', values: { code: await latestCode(suite.db, '+33612345678') } });
  expect(found.text).toBe('Conseil en visio (20 min)\nmar. 2 mars, 10:00\nEn ligne, par appel vidéo\nQue souhaitez-vous faire de ce rendez-vous\u202f?');
  await transcript(c, [
    ['déplacer', 'Quand souhaitez-vous votre rendez-vous ?'],
    ['mercredi 10h30', 'Je le déplace à cet horaire (au lieu de mar. 2 mars, 10:00) ?'],
    [{ click: 'Le déplacer' }, "C'est fait ! Votre rendez-vous a été déplacé."],
  ]);
  expect(await stored(appointment.id)).toMatchObject({ start: '2027-03-03T09:30:00.000Z' });
});

test('"Change my contact details" at the code step asks for the address again', async () => {
  const c = chat();
  await transcript(c, [
    ['I need to cancel my appointment', 'what email address or phone number'],
    ['grace@exmaple.com', 'sent a 6-digit code to grace@exmaple.com'],
    [{ action: 'change-contact' }, 'what email address or phone number'],
  ]);
});
