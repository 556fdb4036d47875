import { answerFromPhone, asksSomething, phoneOptions, renderForPhone, type EntryContent } from '../bot/phone/phone-rendering.ts';
import { FORM, SLOTS } from '../bot/web-protocol.ts';
import { gsmFriendly } from '../notifications/gsm-text.ts';

/** The dialogs' channel-neutral content as phones show it, and answers read back against it. */

const choices = (text: string, titles: string[]): EntryContent => ({
  text, content: { suggestedActions: titles.map((t) => ({ title: t, value: t })) },
});
const slots: EntryContent = {
  text: 'Here are the available times.',
  content: {
    attachments: [{
      contentType: SLOTS,
      content: {
        timeZone: 'Europe/Paris', earlier: false, later: true,
        days: [
          { date: '2027-03-01', label: 'Monday 1 March', slots: [{ start: '2027-03-01T08:00:00.000Z', label: '09:00' }, { start: '2027-03-01T08:30:00.000Z', label: '09:30' }] },
          { date: '2027-03-02', label: 'Tuesday 2 March', slots: [{ start: '2027-03-02T08:00:00.000Z', label: '09:00' }] },
        ],
      },
    }],
  },
};

describe('phone rendering', () => {
  test('SMS: a numbered list, never an opt-out word as a label, GSM-7 text', () => {
    const summary = choices('I’m keeping this time… Shall I confirm it?', ['Confirm', 'Change time', 'Cancel']);
    expect(renderForPhone(summary, 'sms', 'en', false)).toEqual({
      text: "I'm keeping this time... Shall I confirm it?\n1. Confirm\n2. Change time\n3. Don't book\nReply with a number (1-3).",
      rich: null,
    });
    expect(renderForPhone(choices('Que souhaitez-vous faire ?', ['Annuler', 'Aide']), 'sms', 'fr', false).text)
      .toBe('Que souhaitez-vous faire ?\n1. Annuler\n2. Aide\nRépondez par un numéro (1-2).');
  });

  test('SMS: slots under their day, paging as numbers', () => {
    expect(renderForPhone(slots, 'sms', 'en', false).text).toBe(
      'Here are the available times.\nMonday 1 March\n1. 09:00\n2. 09:30\nTuesday 2 March\n3. 09:00\n4. Later times\nReply with a number (1-4), or type a day or time.',
    );
  });

  test('WhatsApp in the window: ≤ 3 short options as buttons, else a list picker of ≤ 24-character rows; out of the window: text', () => {
    expect(renderForPhone(choices('Shall I confirm it?', ['Confirm', 'Change time', 'Cancel']), 'whatsapp', 'en', true).rich).toEqual({
      type: 'twilio/quick-reply', body: 'Shall I confirm it?',
      actions: [{ id: '1', title: 'Confirm' }, { id: '2', title: 'Change time' }, { id: '3', title: "Don't book" }],
    });
    expect(renderForPhone(slots, 'whatsapp', 'en', true).rich).toEqual({
      type: 'twilio/list-picker', body: 'Here are the available times.', button: 'Choose',
      items: [
        { id: '1', item: 'Monday 1 March 09:00' }, { id: '2', item: 'Monday 1 March 09:30' },
        { id: '3', item: 'Tuesday 2 March 09:00' }, { id: '4', item: 'Later times' },
      ],
    });
    const long = choices('Which one?', ['A very long store name in the city']);
    expect(renderForPhone(long, 'whatsapp', 'en', true).rich).toEqual({
      type: 'twilio/list-picker', body: 'Which one?', button: 'Choose',
      items: [{ id: '1', item: 'A very long store name …', description: 'A very long store name in the city' }],
    });
    expect(renderForPhone(slots, 'whatsapp', 'en', false).rich).toBeNull();
  });

  test('answers: a tap, a number, a label or free text', () => {
    const options = phoneOptions(slots, 'en');
    expect(answerFromPhone('2', undefined, options)).toEqual({ text: 'Monday 1 March 09:30', value: { action: 'slot', start: '2027-03-01T08:30:00.000Z' } });
    expect(answerFromPhone('Tuesday 2 March 09:00', '3', options)).toEqual({ text: 'Tuesday 2 March 09:00', value: { action: 'slot', start: '2027-03-02T08:00:00.000Z' } });
    expect(answerFromPhone('later times', undefined, options)).toEqual({ text: 'Later times', value: { action: 'later' } });
    expect(answerFromPhone(' tomorrow afternoon ', undefined, options)).toEqual({ text: 'tomorrow afternoon' });
    expect(answerFromPhone('9', undefined, options)).toEqual({ text: '9' });
  });

  test('forms become instructions; their buttons are numbered', () => {
    const code: EntryContent = {
      text: "I've sent a 6-digit code to ada@example.com.",
      content: { attachments: [{ contentType: FORM, content: { form: 'code', title: 'Code', fields: [], submitLabel: 'Verify', actions: [{ title: 'Send a new code', action: 'resend' }] } }] },
    };
    expect(asksSomething(code)).toBe(true);
    expect(renderForPhone(code, 'sms', 'en', false).text).toBe(
      "I've sent a 6-digit code to ada@example.com.\nReply with the code.\n1. Send a new code\nReply 1.",
    );
    expect(answerFromPhone('1', undefined, phoneOptions(code, 'en'))).toEqual({ text: 'Send a new code', value: { action: 'resend' } });
  });

  test('GSM-7 friendly text keeps accents and swaps what would switch the SMS to UCS-2', () => {
    expect(gsmFriendly('« Rendez-vous » à 10 h — l’équipe…')).toBe('"Rendez-vous" à 10 h - l\'équipe...');
  });
});
