import { botSuite, latestCode, showroomToCode, transcript } from './support/bot-chat.ts';

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
