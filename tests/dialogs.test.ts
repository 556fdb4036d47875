import { LOCATION, PIN, type PinContent } from '../bot/web-protocol.ts';
import { Chat, TUESDAY_1530, appointmentsOf, botSuite, latestCode, showroomToSummary, transcript } from './support/bot-chat.ts';

const suite = botSuite('booking');
const chat = suite.chat;

test('a new conversation is greeted with the main menu', async () => {
  const hello = await chat().join();
  expect(hello.text).toBe("Hello! I'm the Atelier Lumière assistant. I can book an appointment for you, or change or cancel one you already have.\nWhat would you like to do?");
  expect(hello.actions).toEqual(['Book an appointment', 'Change or cancel an appointment', 'Talk to a person', 'Help']);
  expect(hello.replies[0]?.suggestedActions?.actions[0]).toEqual({ type: 'imBack', title: 'Book an appointment', value: 'Book an appointment' });
  expect(hello.replies[0]?.suggestedActions?.to).toEqual([]);
});

test('books a showroom visit in English: postcode search, "tomorrow afternoon", "3:30pm", contact, code, card', async () => {
  const c = chat({ locale: 'en' });
  await transcript(c, [
    ['hello', 'What would you like to do?'],
    [{ click: 'Book an appointment' }, 'Which service would you like to book?'],
  ]);
  expect(c.last.actions).toEqual(['Kitchen design consultation', 'Guided showroom visit', 'Video advice', 'Home measurement visit']);
  // The showroom is visited in store only: no question about the way to meet.
  const where = await c.do({ click: 'Guided showroom visit' });
  expect(where.text).toBe("Which store would you like to visit? Type a postcode or a city, or share your location, and I'll find the nearest stores.");
  expect(where.content(LOCATION)).toEqual({ prompt: 'Find the stores nearest to me', buttonLabel: 'Share my location' });
  const nearest = await c.do('75009');
  expect(nearest.text).toBe('Here are the stores nearest to Paris 75009. Which one would you like?');
  expect(nearest.actions).toEqual(['Paris Opéra (2.3 km)', 'Lyon Bellecour (392 km)', 'New York SoHo (5,836 km)', 'Search elsewhere']);
  await transcript(c, [[{ click: 'Paris Opéra (2.3 km)' }, 'When would you like your appointment?']]);
  expect(c.last.actions).toEqual(['Soonest', 'Tomorrow', 'This week', 'Next week']);

  const slots = (await c.do('tomorrow afternoon')).slots;
  expect(slots?.timeZone).toBe('Europe/Paris');
  expect(slots?.days.map((d) => d.label)).toEqual(['Tuesday 2 March']);
  expect(slots?.days[0]?.slots.map((s) => s.label)).toEqual(['12:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30']);
  expect(slots?.days[0]?.slots[5]).toEqual({ start: TUESDAY_1530, label: '15:30' });
  expect([slots?.earlier, slots?.later]).toEqual([true, true]);

  const summary = await c.do('3:30pm');
  expect(summary.text).toBe([
    'Here is your appointment:',
    'Guided showroom visit (30 min)',
    'Tue 2 Mar, 15:30',
    'At Paris Opéra, 12 rue Auber, 75009 Paris',
    "I'm keeping this time for you for 10 minutes. Shall I confirm it?",
  ].join('\n'));
  expect(summary.actions).toEqual(['Confirm', 'Change time', 'Cancel']);

  const form = (await c.do({ click: 'Confirm' })).form;
  expect(form?.form).toBe('contact');
  expect(form?.fields.map((f) => [f.name, f.type, f.required])).toEqual([['name', 'text', true], ['email', 'email', false], ['phone', 'tel', false]]);
  const code = await c.do({ form: 'contact', values: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '' } });
  expect(code.text).toBe("I've sent a 6-digit code to ada@example.com. Please type it here.");
  expect(code.form?.form).toBe('code');
  expect(code.form?.actions).toEqual([{ title: 'Send a new code', action: 'resend' }, { title: 'Change my contact details', action: 'change-contact' }]);

  const done = await c.do({ form: 'code', values: { code: await latestCode(suite.db, 'ada@example.com') } });
  expect(done.text).toBe("You're booked! Your appointment is confirmed.\nIs there anything else I can do for you?");
  expect(done.appointment).toMatchObject({
    title: 'Guided showroom visit',
    status: 'confirmed',
    lines: ['Tue 2 Mar, 15:30', 'At Paris Opéra, 12 rue Auber, 75009 Paris'],
  });
  expect(done.appointment?.links.map((l) => l.label)).toEqual(['Add to my calendar', 'Change or cancel']);
  expect(done.appointment?.links[0]?.url).toMatch(/^https:\/\/book\.example\/a\/.+\/invite\.ics$/);
  expect(done.appointment?.links[1]?.url).toMatch(/^https:\/\/book\.example\/a\/.+\/manage$/);

  const [stored] = await appointmentsOf(suite.db, c);
  expect(stored).toMatchObject({ state: 'confirmed', channel: 'web', customer_time_zone: 'Europe/Paris', email: 'ada@example.com', locale: 'en' });
  expect(new Date(stored!.start_at).toISOString()).toBe(TUESDAY_1530);
  expect(stored!.email_verified_at).not.toBeNull();
});

test('réserve une visio en français : « mardi prochain à 15h », téléphone seul, code par SMS', async () => {
  const c = chat({ locale: 'fr' });
  await transcript(c, [
    ['Bonjour', 'Que souhaitez-vous faire ?'],
    [{ click: 'Prendre rendez-vous' }, 'Quel service souhaitez-vous réserver ?'],
    // Only online: neither the way to meet nor a store is asked.
    ['visio', 'Quand souhaitez-vous votre rendez-vous ?'],
  ]);
  expect(c.last.actions).toEqual(['Au plus tôt', 'Demain', 'Cette semaine', 'La semaine prochaine']);
  const summary = await c.do('mardi prochain à 15h');
  expect(summary.text).toBe([
    'Voici votre rendez-vous\u202f:',
    'Conseil en visio (20 min)',
    'mar. 9 mars, 15:00',
    'En ligne, par appel vidéo',
    'Je vous garde ce créneau pendant 10 minutes. Je le confirme\u202f?',
  ].join('\n'));
  expect(summary.actions).toEqual(['Confirmer', "Changer l'horaire", 'Annuler']);
  const form = await c.do({ click: 'Confirmer' });
  expect(form.form?.title).toBe('Vos coordonnées');
  await transcript(c, [
    [{ form: 'contact', values: { name: 'Camille Dupont', email: '', phone: '06 12 34 56 78' } }, "Je viens d'envoyer un code à 6 chiffres à +33612345678."],
  ]);
  const done = await c.do({ form: 'code', values: { code: await latestCode(suite.db, '+33612345678') } });
  expect(done.text).toBe("C'est réservé\u202f! Votre rendez-vous est confirmé.\nPuis-je faire autre chose pour vous\u202f?");
  expect(done.appointment).toMatchObject({ title: 'Conseil en visio', status: 'confirmed', lines: ['mar. 9 mars, 15:00', 'En ligne, par appel vidéo'] });
  // A video call can be joined from the chat too: the Join link brings the customer back here at the time.
  expect(done.appointment?.links.map((l) => l.label)).toEqual(['Rejoindre', 'Ajouter à mon agenda', 'Modifier ou annuler']);
  expect(done.appointment?.links[0]?.url).toMatch(/^https:\/\/book\.example\/a\/.+\/join$/);
  const [stored] = await appointmentsOf(suite.db, c);
  expect(stored).toMatchObject({ mode: 'online', phone: '+33612345678', email: null, locale: 'fr' });
  expect(new Date(stored!.start_at).toISOString()).toBe('2027-03-09T14:00:00.000Z');
  expect(stored!.phone_verified_at).not.toBeNull();
});

test('a request-mode service: the request is received and the store will confirm it (pending)', async () => {
  const c = chat();
  await transcript(c, [
    ['I need a kitchen design consultation', 'How would you like to meet?'],
  ]);
  expect(c.last.actions).toEqual(['In store', 'Online (video call)', 'At home']);
  const slots = await transcript(c, [
    ['by video please', 'When would you like your appointment?'],
    [{ click: 'Soonest' }, 'Here are the available times.'],
  ]);
  const first = slots.slots?.days[0]?.slots[0];
  expect(first).toEqual({ start: '2027-03-01T08:00:00.000Z', label: '09:00' });
  await transcript(c, [
    [{ slot: first!.start }, 'Mon 1 Mar, 09:00'],
    [{ click: 'Confirm' }, 'contact details'],
    [{ form: 'contact', values: { name: 'Ada', email: 'ada.request@example.com', phone: '+1 212 555 0199' } }, 'ada.request@example.com'],
  ]);
  const done = await c.do({ form: 'code', values: { code: await latestCode(suite.db, 'ada.request@example.com') } });
  expect(done.text).toContain('Thank you! Your request has been received and the store will confirm it shortly.');
  expect(done.appointment).toMatchObject({ title: 'Kitchen design consultation', status: 'pending' });
  const [stored] = await appointmentsOf(suite.db, c);
  expect(stored).toMatchObject({ state: 'pending', phone: '+12125550199' });
});

test('"Change time" at the summary goes back to the date, then books the new time', async () => {
  const c = chat();
  await showroomToSummary(c);
  await transcript(c, [
    [{ click: 'Change time' }, 'When would you like your appointment?'],
    [{ click: 'Next week' }, 'Here are the available times.'],
  ]);
  expect(c.last.slots?.days[0]?.label).toBe('Monday 8 March');
  await transcript(c, [
    [{ slot: c.last.slot('Monday 8 March', '10:00') }, 'Mon 8 Mar, 10:00'],
    [{ click: 'Confirm' }, 'contact details'],
    [{ form: 'contact', values: { name: 'Ada', email: 'ada.change@example.com' } }, 'sent a 6-digit code'],
  ]);
  await transcript(c, [[{ form: 'code', values: { code: await latestCode(suite.db, 'ada.change@example.com') } }, "You're booked!"]]);
  expect(new Date((await appointmentsOf(suite.db, c))[0]!.start_at).toISOString()).toBe('2027-03-08T09:00:00.000Z');
});

test('"Cancel" at the summary books nothing and goes back to the menu', async () => {
  const c = chat();
  await showroomToSummary(c);
  const cancelled = await c.do({ click: 'Cancel' });
  expect(cancelled.text).toBe("OK, I haven't booked anything.\nIs there anything else I can do for you?");
  expect(await appointmentsOf(suite.db, c)).toEqual([]);
});

test('slots page later and earlier; a time not free shows the nearest free ones', async () => {
  const c = chat();
  await transcript(c, [
    ['book a showroom visit', 'Which store'],
    ['Paris Opéra', 'When would you like'],
    ['as soon as possible', 'Here are the available times.'],
  ]);
  const first = c.last.slots;
  expect(first?.days[0]?.slots.map((s) => s.label)).toEqual(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '12:00', '13:30']);
  expect([first?.earlier, first?.later]).toEqual([false, true]);
  const later = (await c.do({ page: 'later' })).slots;
  expect(later?.days[0]?.slots.map((s) => s.label)).toEqual(['14:00', '14:30', '15:00', '15:30', '16:00', '16:30', '17:00', '17:30']);
  expect(later?.earlier).toBe(true);
  expect((await c.do('more')).slots?.days.map((d) => d.label)).toEqual(['Tuesday 2 March']);
  expect((await c.do('earlier')).slots?.days[0]?.slots[0]?.label).toBe('14:00');
  const notFree = await c.do('Monday at 7pm');
  expect(notFree.text).toBe("Mon 1 Mar, 19:00 isn't available. Here are the nearest free times.\nChoose one, or type a time like \"15:30\".");
  // The eight free times closest to 19:00 are that afternoon's last ones.
  expect(notFree.slots?.days.flatMap((d) => d.slots.map((s) => `${d.date} ${s.label}`))).toEqual([
    '2027-03-01 14:00', '2027-03-01 14:30', '2027-03-01 15:00', '2027-03-01 15:30',
    '2027-03-01 16:00', '2027-03-01 16:30', '2027-03-01 17:00', '2027-03-01 17:30',
  ]);
  await transcript(c, [['17:30', 'Mon 1 Mar, 17:30']]);
});

test('at home out of every advisor\'s reach: says so and offers in store or online instead', async () => {
  const c = chat();
  await transcript(c, [
    ['book a kitchen design consultation', 'How would you like to meet?'],
    ['at home', 'Where should our advisor come?'],
  ]);
  expect(c.last.form?.form).toBe('address');
  await transcript(c, [['Bordeaux', "I couldn't place that address."]]);
  const pin = await c.do({ form: 'address', values: { street: "12 cours de l'Intendance", postcode: '33000', city: 'Bordeaux' } });
  // In the web chat the placed address's pin (the postcode's centre) is shown on the map to move.
  expect(pin.text).toBe("Here is 12 cours de l'Intendance, 33000 Bordeaux on the map. Is the pin at the door? You can move it, or share your location.");
  expect(pin.content<PinContent>(PIN)).toEqual({ latitude: expect.any(Number), longitude: expect.any(Number) });
  expect(pin.actions).toEqual(['That’s right']);
  const far = await c.do({ click: 'That’s right' });
  expect(far.text).toBe("Sorry, our advisors don't travel to Bordeaux 33000 yet.\nWould you like to meet in another way, or try another address?");
  expect(far.actions).toEqual(['In store', 'Online (video call)', 'Another address']);
  await transcript(c, [['online', 'When would you like your appointment?']]);
});

test('a home visit within reach goes on to the time; a home-only service out of reach offers another address or service', async () => {
  const c = chat();
  await transcript(c, [
    ['home measurement', 'Where should our advisor come?'],
    ['12 cours de l\'Intendance, 33000 Bordeaux', 'Is the pin at the door?'],
    [{ click: 'That’s right' }, "don't travel to Bordeaux 33000"],
  ]);
  expect(c.last.actions).toEqual(['Another address', 'Another service']);
  await transcript(c, [
    [{ click: 'Another address' }, 'Where should our advisor come?'],
    ['10 rue de Rivoli, 75001 Paris', 'Is the pin at the door?'],
    ['not sure', 'Please confirm the pin, or move it to the door.'],
    [{ location: [48.86074, 2.34102] }, 'When would you like your appointment?'],
    ['Tuesday at 10am', 'At your home: 10 rue de Rivoli, 75001 Paris'],
  ]);
});

test('stores: a shared position lists the nearest, an unknown place is asked again, "Lyon" names its store', async () => {
  const c = chat();
  await transcript(c, [
    ['showroom visit', 'Which store'],
    ['Atlantis', 'I couldn\'t find "Atlantis". Try a postcode (like 75009) or a city name, or share your location.'],
    [{ location: [40.73, -73.99] }, 'Here are the stores nearest to you.'],
  ]);
  expect(c.last.actions[0]).toBe('New York SoHo (0.9 km)');
  await transcript(c, [
    [{ click: 'Search elsewhere' }, 'Which store would you like to visit?'],
    ['Lyon', 'When would you like your appointment?'],
  ]);
});

test('a customer in another time zone sees their own time and the store\'s local time', async () => {
  const c = chat({ timeZone: 'America/New_York' });
  await transcript(c, [
    ['book a showroom visit', 'Which store'],
    ['Paris Opéra', 'When would you like'],
    [{ click: 'Soonest' }, 'available times'],
  ]);
  expect(c.last.slots?.timeZone).toBe('America/New_York');
  expect(c.last.slots?.days[0]?.slots[0]).toEqual({ start: '2027-03-01T08:00:00.000Z', label: '03:00' });
  await transcript(c, [[{ slot: '2027-03-01T08:00:00.000Z' }, 'Mon 1 Mar, 03:00 (your time)\nMon 1 Mar, 09:00 local time in Paris Opéra']]);
});

test('free text at a button step is understood, or answered with the options listed', async () => {
  const c = chat();
  await transcript(c, [
    ['hi', 'What would you like to do?'],
    [{ click: 'Book an appointment' }, 'Which service'],
    ['a haircut', "Sorry, I don't know that service. Please choose one of: Kitchen design consultation, Guided showroom visit, Video advice, Home measurement visit."],
    ['cuisine', 'How would you like to meet?'],
    ['by pigeon', 'Please choose how you\'d like to meet: In store, Online (video call), At home.'],
    ['en magasin', 'Which store'],
    ['Paris', 'When would you like'],
    ['whenever the moon is blue', 'Sorry, I didn\'t understand that date.'],
  ]);
});

test('"Talk to a person" with nobody online: a video call is offered and booked', async () => {
  const c = chat();
  const offer = await transcript(c, [
    ['hi', 'What would you like to do?'],
    [{ click: 'Talk to a person' }, 'No advisor is free to chat right now'],
  ]);
  expect(offer.actions).toEqual(['Book: Video advice', 'Book: Kitchen design consultation', 'Back to the menu']);
  // The service and the way to meet are chosen: straight to the time.
  await transcript(c, [
    [{ click: 'Book: Kitchen design consultation' }, 'When would you like your appointment?'],
    ['start over', "OK, let's start over."],
    ['I want to talk to someone', 'No advisor is free to chat right now'],
    [{ click: 'Back to the menu' }, 'Is there anything else I can do for you?'],
  ]);
});

test('a failed turn is logged without personal data, apologised for, and the conversation starts afresh', async () => {
  const c = new Chat(suite.bot, 'broken-conversation', { brandId: 'no-such-brand' });
  const sorry = await c.do('my email is ada@example.com');
  expect(sorry.text).toBe("Sorry, something went wrong on our side. Please write again and we'll start over.");
  expect(JSON.stringify(suite.errors)).not.toContain('ada@example.com');
  expect(suite.errors).toHaveLength(1);
  suite.errors.length = 0;
});
