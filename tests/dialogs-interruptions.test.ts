import { botSuite, transcript, type Move } from './support/bot-chat.ts';

const suite = botSuite('interrupt');
const chat = suite.chat;

type Row = [Move, string];
const toStore: Row[] = [['book a showroom visit', 'Which store would you like to visit?']];
const toDate: Row[] = [...toStore, ['Paris Opéra', 'When would you like your appointment?']];
const toSlots: Row[] = [...toDate, [{ click: 'Soonest' }, 'Here are the available times.']];
const toSummary: Row[] = [...toSlots, ['10:00', 'Shall I confirm it?']];
const toContact: Row[] = [...toSummary, [{ click: 'Confirm' }, 'Please give your contact details.']];
const toCode: Row[] = [...toContact, [{ form: 'contact', values: { name: 'Ada', email: 'ada@example.com' } }, "I've sent a 6-digit code to ada@example.com."]];

/** Each question, how to get there, its own help, and how it reads in French. */
const STEPS: { step: string; reach: Row[]; help: string; french: string }[] = [
  { step: 'menu', reach: [['hi', 'What would you like to do?']], help: 'I can book an appointment in store', french: 'Que souhaitez-vous faire\u202f?' },
  { step: 'service', reach: [['hi', 'What would you like to do?'], [{ click: 'Book an appointment' }, 'Which service']], help: 'Choose the service you are interested in', french: 'Quel service souhaitez-vous réserver\u202f?' },
  { step: 'mode', reach: [['book a kitchen design consultation', 'How would you like to meet?']], help: "Tell me how you'd like to meet", french: 'Comment souhaitez-vous être reçu\u202f?' },
  { step: 'store', reach: toStore, help: 'Type a postcode or a city', french: 'Dans quel magasin souhaitez-vous venir\u202f?' },
  { step: 'nearest stores', reach: [...toStore, ['69002', 'Here are the stores nearest to Lyon 69002.']], help: 'Choose a store from the list', french: 'Voici les magasins les plus proches de Lyon 69002.' },
  { step: 'home address', reach: [['home measurement', 'Where should our advisor come?']], help: 'Type the address of the visit', french: 'Où notre conseiller doit-il se rendre\u202f?' },
  { step: 'home pin', reach: [['home measurement', 'Where should our advisor come?'], ['10 rue de Rivoli, 75001 Paris', 'Is the pin at the door?']], help: 'Drag the pin on the map to the door', french: 'Le repère est-il devant la porte\u202f?' },
  { step: 'date', reach: toDate, help: 'Tell me when suits you', french: 'Quand souhaitez-vous votre rendez-vous\u202f?' },
  { step: 'slots', reach: toSlots, help: 'Choose a time, type a time like', french: 'Voici les horaires disponibles.' },
  { step: 'summary', reach: toSummary, help: 'Confirm to keep this time', french: 'Je vous garde ce créneau pendant 10 minutes. Je le confirme\u202f?' },
  { step: 'contact', reach: toContact, help: 'Give your name and at least an email address', french: "C'est presque fini\u202f! Indiquez vos coordonnées." },
  { step: 'code', reach: toCode, help: 'Type the 6-digit code we sent you.', french: 'Saisissez-le ici.' },
  { step: 'manage: email or phone', reach: [['I want to change my appointment', 'what email address or phone number']], help: 'Type the email address or phone number you gave', french: 'Pour retrouver vos rendez-vous' },
];

const MENU = 'What would you like to do?';
const PERSON = 'No advisor is free to chat right now';

describe.each(STEPS)('at the $step step', ({ step, reach, help, french }) => {
  test('"help" explains this step, then asks the same question again', async () => {
    const c = chat();
    const question = (await transcript(c, reach)).text;
    const answer = await c.do('help');
    expect(answer.text).toContain(help);
    expect(answer.text).toContain('At any time you can type "start over", "cancel", "talk to someone"');
    expect(answer.text.endsWith(question.split('\n').pop() ?? '')).toBe(true);
  });

  test('"français" switches to French and asks again in French', async () => {
    const c = chat({ locale: 'en' });
    await transcript(c, reach);
    const answer = await c.do('français');
    expect(answer.text).toContain("D'accord, je continue en français.");
    expect(answer.text).toContain(french);
  });

  test('"cancel" stops and goes back to the menu', async () => {
    const c = chat();
    await transcript(c, reach);
    const answer = await c.do('cancel');
    // At the summary "Cancel" is the summary's own answer: nothing is booked.
    expect(answer.text).toBe(step === 'summary' ? "OK, I haven't booked anything.\nIs there anything else I can do for you?" : `OK, I've cancelled that.\n${MENU}`);
  });

  test('"start over" goes back to the menu', async () => {
    const c = chat();
    await transcript(c, reach);
    expect((await c.do('start over')).text).toBe(`OK, let's start over.\n${MENU}`);
  });

  test.each(['speak to someone', 'agent', 'conseiller'])('"%s" is answered truthfully with a call to book', async (asked) => {
    const c = chat();
    await transcript(c, reach);
    const answer = await c.do(asked);
    expect(answer.text).toContain(PERSON);
    expect(answer.actions[0]).toBe('Book: Video advice');
  });
});

test('after "français" every message is French although the widget still says "en"; "english" switches back', async () => {
  const c = chat({ locale: 'en' });
  await transcript(c, [
    ...toDate,
    ['français', 'Quand souhaitez-vous votre rendez-vous ?'],
    ['demain après-midi', 'Voici les horaires disponibles.'],
  ]);
  expect(c.last.slots?.days[0]?.label).toBe('mardi 2 mars');
  expect(c.last.slots?.days[0]?.slots[0]?.label).toBe('12:00');
  await transcript(c, [
    ['15h30', 'mar. 2 mars, 15:30'],
    [{ click: 'Confirmer' }, 'Indiquez vos coordonnées.'],
    ['english', "OK, I'll continue in English.\nAlmost done! Please give your contact details."],
  ]);
  expect(c.last.form?.title).toBe('Your contact details');
});

test('a first message "français" greets in French', async () => {
  const hello = await chat({ locale: 'en' }).do('français');
  expect(hello.text).toBe("Bonjour\u202f! Je suis l'assistant virtuel Atelier Lumière. Je peux vous réserver un rendez-vous, ou modifier ou annuler un rendez-vous existant.\nQue souhaitez-vous faire\u202f?");
  expect(hello.actions).toEqual(['Prendre rendez-vous', 'Modifier ou annuler un rendez-vous', 'Parler à un conseiller', 'Aide']);
});

test('the widget changing its language is followed', async () => {
  const c = chat({ locale: 'fr' });
  await transcript(c, [['bonjour', 'Que souhaitez-vous faire ?']]);
  expect((await c.send({ text: 'hello', locale: 'en' })).text).toContain("Sorry, I didn't get that. Choose an option below");
});

test('after help the question can still be answered', async () => {
  const c = chat();
  await transcript(c, [
    ...toDate,
    ['?', 'Tell me when suits you'],
    ['next week', 'Here are the available times.'],
  ]);
  expect(c.last.slots?.days[0]?.label).toBe('Monday 8 March');
});
