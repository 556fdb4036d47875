import { botSuite, latestCode, showroomToCode, showroomToSummary, transcript } from './support/bot-chat.ts';

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
