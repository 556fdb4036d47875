import { appointmentsOf, botSuite, latestCode, plainSpaces, showroomToCode, showroomToSummary, transcript } from './support/bot-chat.ts';

const suite = botSuite('corrections');
const chat = suite.chat;

describe('several details in one message: taken at once, said back, only the rest asked', () => {
  test('"I\'d like a showroom visit in Paris next Wednesday at 11am" goes straight to the summary', async () => {
    const c = chat();
    const summary = await c.do("I'd like a showroom visit in Paris next Wednesday at 11am");
    expect(plainSpaces(summary.text)).toBe([
      'Noted: Guided showroom visit, Paris Opéra, Wed 10 Mar, 11:00.',
      'Here is your appointment:',
      'Guided showroom visit (30 min)',
      'Wed 10 Mar, 11:00',
      'At Paris Opéra, 12 rue Auber, 75009 Paris',
      "I'm keeping this time for you for 10 minutes. Shall I confirm it?",
    ].join('\n'));
  });

  test('« besoin d\'une visite à domicile jeudi matin » : service et jour notés, seule l\'adresse est demandée', async () => {
    const c = chat({ locale: 'fr' });
    const turn = await c.do("besoin d'une visite à domicile jeudi matin");
    expect(plainSpaces(turn.text)).toContain("C'est noté : Prise de mesures à domicile, jeudi 4 mars, 08:00–12:00.");
    expect(plainSpaces(turn.text)).toContain('Où notre conseiller doit-il se rendre ?');
    const pin = await c.do({ form: 'address', values: { street: '10 rue de Rivoli', postcode: '75001', city: 'Paris' } });
    expect(pin.actions).toEqual(['C’est bien ça']);
    const slots = await c.do({ click: 'C’est bien ça' });
    // Thursday morning was said: the morning's times come first, no "when?" question.
    expect(plainSpaces(slots.text)).not.toContain('Quand souhaitez-vous');
    expect(slots.slots?.days[0]?.label).toMatch(/^jeudi 4 mars/);
  });

  test('"video call tomorrow after lunch" shows tomorrow\'s times from 13:30', async () => {
    const c = chat();
    const turn = await c.do('video call tomorrow after lunch');
    expect(plainSpaces(turn.text)).toContain('Noted: Video advice, Tuesday 2 March, 13:30–16:00.');
    expect(turn.slots?.days[0]?.label).toBe('Tuesday 2 March');
    expect(turn.slots?.days[0]?.slots[0]?.label).toBe('13:30');
  });

  test('« demain après-midi » alone at the menu: the day is kept, the service asked, then no "when?"', async () => {
    const c = chat({ locale: 'fr' });
    await transcript(c, [['bonjour', 'Que souhaitez-vous faire ?']]);
    const turn = await c.do('demain après-midi');
    expect(plainSpaces(turn.text)).toBe("C'est noté : mardi 2 mars, 12:00–18:00.\nQuel service souhaitez-vous réserver ?");
    const slots = await c.do({ click: 'Conseil en visio' });
    expect(slots.slots?.days[0]?.label).toMatch(/^mardi 2 mars/);
    expect(slots.slots?.days[0]?.slots[0]?.label).toBe('12:00');
  });

  test('a design consultation "in Lyon on Friday" asked at the menu: the store is Lyon, only the time is asked', async () => {
    const c = chat();
    await transcript(c, [['hi', 'What would you like to do?']]);
    const turn = await c.do('a kitchen design consultation in Lyon on Friday');
    expect(plainSpaces(turn.text)).toContain('Noted: Kitchen design consultation, Lyon Bellecour, Friday 5 March.');
    expect(turn.slots?.days[0]?.label).toBe('Friday 5 March');
  });
});

test('"wednesday evening" at the date question shows the evening\'s times first, not the afternoon\'s', async () => {
  const c = chat();
  await transcript(c, [['book a showroom visit', 'Which store'], ['Paris Opéra', 'When would you like']]);
  const slots = (await c.do('wednesday evening')).slots;
  expect(slots?.days[0]?.label).toBe('Wednesday 3 March');
  expect(slots?.days[0]?.slots.map((s) => s.label).slice(0, 2)).toEqual(['17:00', '17:30']);
});

describe('a change of mind at any step changes that detail, keeps the others and checks the time again', () => {
  test('service, at the way-to-meet question: "actually a showroom visit instead"', async () => {
    const c = chat();
    await transcript(c, [['I need a kitchen design consultation', 'How would you like to meet?']]);
    const turn = await c.do('actually a showroom visit instead');
    expect(plainSpaces(turn.text)).toContain("OK, I've changed that: Guided showroom visit.");
    expect(plainSpaces(turn.text)).toContain('Which store would you like to visit?');
  });

  test('way to meet, at the summary: « finalement plutôt en visio » keeps the time, new summary', async () => {
    const c = chat({ locale: 'fr' });
    await transcript(c, [
      ['conseil en conception de cuisine', 'Comment souhaitez-vous être reçu ?'],
      ['en magasin', 'Dans quel magasin'],
      ['Paris Opéra', 'Quand souhaitez-vous votre rendez-vous ?'],
      ['demain à 10h', 'Je le confirme ?'],
    ]);
    const turn = await c.do('finalement plutôt en visio');
    expect(plainSpaces(turn.text)).toContain("D'accord, c'est changé : En ligne (visio).");
    expect(plainSpaces(turn.text)).toContain('mar. 2 mars, 10:00');
    expect(plainSpaces(turn.text)).toContain('En ligne, par appel vidéo');
    expect(plainSpaces(turn.text)).toContain('Je le confirme ?');
  });

  test('place, at the summary: "make it Lyon instead" books the same time in Lyon', async () => {
    const c = chat();
    await showroomToSummary(c);
    const turn = await c.do('make it Lyon instead');
    expect(plainSpaces(turn.text)).toContain("OK, I've changed that: Lyon Bellecour.");
    expect(plainSpaces(turn.text)).toContain('Tue 2 Mar, 15:30');
    expect(plainSpaces(turn.text)).toContain('At Lyon Bellecour, 5 place Bellecour, 69002 Lyon');
    await transcript(c, [
      [{ click: 'Confirm' }, 'Please give your contact details.'],
      [{ form: 'contact', values: { name: 'Ada', email: 'ada.lyon@example.com', phone: '' } }, 'ada.lyon@example.com'],
    ]);
    await c.do({ form: 'code', values: { code: await latestCode(suite.db, 'ada.lyon@example.com') } });
    const [stored] = await appointmentsOf(suite.db, c);
    expect(new Date(stored!.start_at).toISOString()).toBe('2027-03-02T14:30:00.000Z');
  });

  test('date, at the summary: « non, mercredi » shows Wednesday\'s times', async () => {
    const c = chat({ locale: 'fr' });
    await transcript(c, [
      ['visite du showroom', 'Dans quel magasin'],
      ['Paris Opéra', 'Quand souhaitez-vous'],
      ['demain à 15h', 'Je le confirme ?'],
    ]);
    const turn = await c.do('non, mercredi');
    expect(plainSpaces(turn.text)).toContain("D'accord, c'est changé : mercredi 3 mars.");
    expect(turn.slots?.days[0]?.label).toMatch(/^mercredi 3 mars/);
  });

  test('place, at the store question: "the one in Lyon please" picks the Lyon store', async () => {
    const c = chat();
    await transcript(c, [['book a showroom visit', 'Which store would you like to visit?']]);
    await transcript(c, [['the one in Lyon please', 'When would you like your appointment?']]);
    const summary = await transcript(c, [['tomorrow at 10', 'Shall I confirm it?']]);
    expect(plainSpaces(summary.text)).toContain('At Lyon Bellecour, 5 place Bellecour, 69002 Lyon');
  });

  test('time, at the summary: "change the time to 10" keeps the day', async () => {
    const c = chat();
    await showroomToSummary(c);
    const turn = await c.do('change the time to 10');
    expect(plainSpaces(turn.text)).toContain("OK, I've changed that: Tue 2 Mar, 10:00.");
    expect(plainSpaces(turn.text)).toContain('Here is your appointment:');
    expect(plainSpaces(turn.text)).toContain('Tue 2 Mar, 10:00\nAt Paris Opéra');
  });

  test('date and time, while the times are shown: "change the time to Friday at 10"', async () => {
    const c = chat();
    await transcript(c, [
      ['book a showroom visit', 'Which store'],
      ['Paris Opéra', 'When would you like'],
      ['tomorrow', 'Here are the available times.'],
    ]);
    const turn = await c.do('change the time to Friday at 10');
    expect(plainSpaces(turn.text)).toContain('Fri 5 Mar, 10:00');
    expect(plainSpaces(turn.text)).toContain('Shall I confirm it?');
  });

  test('contact, at the code: "my email is actually grace@example.com" sends the code there', async () => {
    const c = chat();
    await showroomToCode(c, 'ada.typo@example.com');
    const turn = await c.do('sorry, my email is actually grace@example.com');
    expect(plainSpaces(turn.text)).toContain("OK, I've changed that: contact grace@example.com.");
    expect(plainSpaces(turn.text)).toContain("I've sent a 6-digit code to grace@example.com.");
    const done = await c.do({ form: 'code', values: { code: await latestCode(suite.db, 'grace@example.com') } });
    expect(plainSpaces(done.text)).toContain("You're booked!");
    const [stored] = await appointmentsOf(suite.db, c);
    expect(stored).toMatchObject({ email: 'grace@example.com' });
  });
});

describe('questions at any step are answered from the brand\'s data, then the step goes on', () => {
  test('opening hours while the date is asked, then the date question again', async () => {
    const c = chat();
    await transcript(c, [['book a showroom visit', 'Which store'], ['Paris Opéra', 'When would you like']]);
    const turn = await c.do('what are your opening hours?');
    expect(plainSpaces(turn.text)).toBe('Paris Opéra is open Mon–Sat 09:00–19:00.\nWhen would you like your appointment? You can write, for example, "tomorrow afternoon" or "next Tuesday at 3pm".');
    await transcript(c, [['tomorrow afternoon', 'Here are the available times.']]);
  });

  test('« c\'est gratuit ? » at the summary: the brand\'s FAQ answers, the summary stays', async () => {
    const c = chat({ locale: 'fr' });
    await transcript(c, [['visite du showroom', 'Dans quel magasin'], ['Paris Opéra', 'Quand'], ['demain à 15h', 'Je le confirme ?']]);
    const turn = await c.do("c'est gratuit ?");
    expect(plainSpaces(turn.text)).toContain('Oui : tous les rendez-vous avec nos conseillers sont gratuits et sans engagement.');
    expect(plainSpaces(turn.text)).toContain('Je le confirme ?');
    await transcript(c, [[{ click: 'Confirmer' }, 'Indiquez vos coordonnées.']]);
  });

  test('"how long does it take?" names the service under way; "where is the Lyon store?" at the menu', async () => {
    const c = chat();
    await transcript(c, [['book a showroom visit', 'Which store']]);
    const turn = await c.do('how long does it take?');
    expect(plainSpaces(turn.text)).toContain('Guided showroom visit lasts 30 minutes. Discover our collections with an advisor.');
    expect(plainSpaces(turn.text)).toContain('Which store would you like to visit?');
    const menu = await chat().do('where is the Lyon store?');
    expect(plainSpaces(menu.text)).toContain('Lyon Bellecour: 5 place Bellecour, 69002 Lyon. Map and directions: https://www.openstreetmap.org/');
    expect(plainSpaces(menu.text)).toContain('What would you like to do?');
  });
});
