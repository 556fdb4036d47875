import type { Database } from '../models/database.ts';
import { ACCOUNT_SID, BRAND_NUMBER, customerPhone, closePhoneTest, openPhoneTest, type PhoneTest } from './support/phone.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';

/**
 * A whole booking over SMS and over WhatsApp, in English and in French, against the whole product:
 * inbound messages are posted to the real webhook with Twilio's signature, and what goes out is
 * read from a local stand-in for Twilio's API, request by request.
 */

// Monday 1 March 2027, 08:00 in Paris.
const clock = testClock('2027-03-01T07:00:00Z');
const MESSAGES_PATH = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
const callback = (url: string) => expect.stringMatching(new RegExp(`^${url}/webhooks/twilio/status\\?message_id=[0-9a-f-]{36}$`));

describe('booking over SMS and WhatsApp', () => {
  let db: Database;
  let standIn: PhoneTest['standIn'];
  let app: PhoneTest['app'];

  beforeAll(async () => ({ db, standIn, app } = await openPhoneTest(clock.now)));
  afterAll(() => closePhoneTest({ db, standIn, app }));

  const requestsTo = (address: string) => standIn.requests.filter((r) => r.body['To'] === address);
  const appointmentOf = async (phone: string) => {
    const [row] = await db.query<{ channel: string; name: string; phone: string; state: string; conversation_channel: string }>(
      `SELECT a.channel, c.name, c.phone, a.state, v.channel AS conversation_channel FROM appointments a
         JOIN customers c ON c.id = a.customer_id JOIN conversations v ON v.id::text = a.conversation_id::text
        WHERE c.phone = $1`, [phone]);
    return row;
  };

  test('SMS in English: numbered lists, answers by number, the phone is proven by the channel (no code)', async () => {
    const phone = customerPhone(app, standIn, 'sms', '+12125550142');
    expect((await phone.send('Hi, I would like to book')).map((m) => m.body)).toEqual([
      'Which service would you like to book?\n1. Kitchen design consultation\n2. Guided showroom visit\n3. Video advice\n4. Home measurement visit\nReply with a number (1-4).',
    ]);
    expect(requestsTo(phone.address)).toEqual([{
      method: 'POST', path: MESSAGES_PATH, at: expect.any(Date),
      body: {
        To: '+12125550142', From: BRAND_NUMBER, StatusCallback: callback(app.url),
        Body: 'Which service would you like to book?\n1. Kitchen design consultation\n2. Guided showroom visit\n3. Video advice\n4. Home measurement visit\nReply with a number (1-4).',
      },
    }]);
    // The label works as well as the number.
    expect((await phone.send('Video advice')).map((m) => m.body)).toEqual([
      'When would you like your appointment? You can write, for example, "tomorrow afternoon" or "next Tuesday at 3pm".\n1. Soonest\n2. Tomorrow\n3. This week\n4. Next week\nReply with a number (1-4).',
    ]);
    expect((await phone.send('1')).map((m) => m.body)).toEqual([
      'Here are the available times. Choose one, or type a time like "15:30".\nMonday 1 March\n1. 09:00\n2. 09:15\n3. 09:30\n4. 09:45\n5. 10:00\n6. 10:15\n7. 10:30\n8. 10:45\n9. Later times\nReply with a number (1-9), or type a day or time.',
    ]);
    expect((await phone.send('9')).map((m) => m.body)).toEqual([
      'Here are the available times. Choose one, or type a time like "15:30".\nMonday 1 March\n1. 11:00\n2. 11:15\n3. 11:30\n4. 11:45\n5. 12:00\n6. 13:30\n7. 13:45\n8. 14:00\n9. Earlier times\n10. Later times\nReply with a number (1-10), or type a day or time.',
    ]);
    // Never "reply CANCEL": Twilio would take it as an opt-out.
    const [summary] = await phone.send('3');
    expect(summary!.body).toBe(
      "Here is your appointment:\nVideo advice (20 min)\nMon 1 Mar, 11:30\nOnline, by video call\nI'm keeping this time for you for 10 minutes. Shall I confirm it?\n1. Confirm\n2. Change time\n3. Don't book\nReply with a number (1-3).",
    );
    expect((await phone.send('1')).map((m) => m.body)).toEqual([
      'Almost done! Please give your contact details.\nReply with your name, and your email if you want the confirmation by email too (I will send a code there to check it). Your phone number is this one: no code needed.',
    ]);
    await phone.send('Ada Lovelace', {}, 0);
    const booked = await phone.waitFor(/^You're booked!/);
    const menu = await phone.waitFor(/^Is there anything else/);
    expect(booked!.body).toMatch(/^You're booked! Your appointment is confirmed\.\nVideo advice\nMon 1 Mar, 11:30\nOnline, by video call\nJoin: http:\/\/127\.0\.0\.1:\d+\/a\/[\w.-]+\/join\nAdd to my calendar: .+\/invite\.ics\nChange or cancel: .+\/manage$/);
    expect(menu!.body).toBe('Is there anything else I can do for you?\n1. Book an appointment\n2. Change or cancel an appointment\n3. Talk to a person\n4. Help\nReply with a number (1-4).');
    expect(await appointmentOf('+12125550142')).toEqual({ channel: 'sms', name: 'Ada Lovelace', phone: '+12125550142', state: 'confirmed', conversation_channel: 'sms' });
    // No code was sent: the number wrote to us.
    expect(await db.query(`SELECT 1 FROM messages WHERE kind = 'otp' AND recipient = '+12125550142'`)).toEqual([]);
    // The confirmation comes on the channel used (the customer gave no email).
    const confirmed = async () => db.query<{ channel: string; status: string }>(`SELECT channel, status FROM messages WHERE kind = 'confirmed' AND recipient = '+12125550142'`);
    await until(async () => (await confirmed())[0]?.status === 'sent', 30_000);
    expect(await confirmed()).toEqual([{ channel: 'sms', status: 'sent' }]);
  });

  test('SMS in French from a French number, with an email verified by a code sent by email', async () => {
    const phone = customerPhone(app, standIn, 'sms', '+33612345678');
    expect((await phone.send('Je voudrais prendre rendez-vous')).map((m) => m.body)).toEqual([
      'Quel service souhaitez-vous réserver ?\n1. Conseil en conception de cuisine\n2. Visite guidée du showroom\n3. Conseil en visio\n4. Prise de mesures à domicile\nRépondez par un numéro (1-4).',
    ]);
    await phone.send('3');
    await phone.send('1');
    await phone.send('2');
    const [contact] = await phone.send('1');
    expect(contact!.body).toContain('Répondez avec votre nom, et votre e-mail');
    const [codeAsk] = await phone.send('Marie Curie marie@example.com');
    expect(codeAsk!.body).toMatch(/marie@example\.com/);
    expect(codeAsk!.body).toMatch(/\n1\. Envoyer un nouveau code\n2\. Modifier mes coordonnées\nRépondez par un numéro \(1-2\)\.$/);
    await until(async () => (await db.query(`SELECT 1 FROM messages WHERE kind = 'otp' AND recipient = 'marie@example.com'`)).length === 1);
    const [otp] = await db.query<{ body_text: string }>(`SELECT body_text FROM messages WHERE kind = 'otp' AND recipient = 'marie@example.com'`);
    const code = /\b(\d{6})\b/.exec(otp!.body_text)![1]!;
    await phone.send(code, {}, 0);
    await phone.waitFor(/^C'est réservé/);
    expect(await appointmentOf('+33612345678')).toMatchObject({ channel: 'sms', name: 'Marie Curie', conversation_channel: 'sms' });
  });

  test('WhatsApp in English: list pickers and quick-reply buttons through the Content API; a tap arrives as ButtonPayload', async () => {
    const phone = customerPhone(app, standIn, 'whatsapp', '+12125550177');
    const [services] = await phone.send('I would like to book');
    const created = standIn.requests.filter((r) => r.path === '/v1/Content');
    const listPicker = {
      body: 'Which service would you like to book?', button: 'Choose',
      items: [
        { id: '1', item: 'Kitchen design consulta…', description: 'Kitchen design consultation' },
        { id: '2', item: 'Guided showroom visit' }, { id: '3', item: 'Video advice' }, { id: '4', item: 'Home measurement visit' },
      ],
    };
    expect(created.at(-1)).toEqual({
      method: 'POST', path: '/v1/Content', at: expect.any(Date),
      body: {
        friendlyName: expect.stringMatching(/^rendezvous_[0-9a-f]{16}$/), language: 'en',
        types: { 'twilio/list-picker': listPicker, 'twilio/text': { body: 'Which service would you like to book?' } },
      },
    });
    expect(requestsTo('whatsapp:+12125550177')).toEqual([{
      method: 'POST', path: MESSAGES_PATH, at: expect.any(Date),
      body: { To: 'whatsapp:+12125550177', From: `whatsapp:${BRAND_NUMBER}`, ContentSid: services!.contentSid, StatusCallback: callback(app.url) },
    }]);
    expect(services!.content).toEqual({ 'twilio/list-picker': listPicker, 'twilio/text': { body: 'Which service would you like to book?' } });
    await phone.send('Video advice', { ButtonPayload: '3', ButtonText: 'Video advice' });
    await phone.send('Soonest', { ButtonPayload: '1', ButtonText: 'Soonest' });
    const [summary] = await phone.send('09:00', { ButtonPayload: '1', ButtonText: 'Monday 1 March 09:00' });
    expect(summary!.content).toEqual({
      'twilio/quick-reply': {
        body: "Here is your appointment:\nVideo advice (20 min)\nMon 1 Mar, 09:00\nOnline, by video call\nI'm keeping this time for you for 10 minutes. Shall I confirm it?",
        actions: [{ id: '1', title: 'Confirm' }, { id: '2', title: 'Change time' }, { id: '3', title: "Don't book" }],
      },
      'twilio/text': { body: "Here is your appointment:\nVideo advice (20 min)\nMon 1 Mar, 09:00\nOnline, by video call\nI'm keeping this time for you for 10 minutes. Shall I confirm it?" },
    });
    await phone.send('Confirm', { ButtonPayload: '1', ButtonText: 'Confirm' });
    await phone.send('Grace Hopper', {}, 0);
    await phone.waitFor(/^You're booked!/);
    expect(await appointmentOf('+12125550177')).toMatchObject({ channel: 'whatsapp', name: 'Grace Hopper', conversation_channel: 'whatsapp' });
  });

  test('a French number writing in English is answered in English; a US number writing in French, in French', async () => {
    const english = customerPhone(app, standIn, 'sms', '+33611223344');
    expect((await english.send('Hello, I would like to book a visit next week', {}, 2)).map((m) => m.body)).toEqual([
      'Noted: Monday 8 March to Sunday 14 March.',
      'Which service would you like to book?\n1. Kitchen design consultation\n2. Guided showroom visit\n3. Video advice\n4. Home measurement visit\nReply with a number (1-4).',
    ]);
    const french = customerPhone(app, standIn, 'sms', '+12125550199');
    expect((await french.send('Bonjour, je voudrais un rendez-vous')).map((m) => m.body)).toEqual([
      'Quel service souhaitez-vous réserver ?\n1. Conseil en conception de cuisine\n2. Visite guidée du showroom\n3. Conseil en visio\n4. Prise de mesures à domicile\nRépondez par un numéro (1-4).',
    ]);
  });

  test('WhatsApp in French, the store found from a shared location', async () => {
    const phone = customerPhone(app, standIn, 'whatsapp', '+33698765432');
    const [services] = await phone.send('Je voudrais prendre rendez-vous');
    expect(services!.content?.['twilio/list-picker']).toMatchObject({ body: 'Quel service souhaitez-vous réserver\u202f?', button: 'Choisir' }); // WhatsApp keeps French typography; SMS does not
    const [modes] = await phone.send('Visite guidée du showroom', { ButtonPayload: '2' });
    const [where] = modes!.content ? await phone.send('En magasin', { ButtonPayload: '1' }) : [modes];
    expect(where!.body).toContain('partagez une position');
    const [stores] = await phone.send('', { Latitude: '48.8718', Longitude: '2.3322', MessageType: 'location' });
    const items = (stores!.content?.['twilio/list-picker'] as { items: { item: string }[] } | undefined)?.items ?? [];
    expect(items[0]?.item).toMatch(/^Paris Opéra/);
    await phone.send(items[0]!.item, { ButtonPayload: '1' });
    await phone.send('Dès que possible', { ButtonPayload: '1' });
    await phone.send('créneau', { ButtonPayload: '1' });
    await phone.send('Confirmer', { ButtonPayload: '1' });
    await phone.send('Marie Curie', {}, 0);
    await phone.waitFor(/^C'est réservé|^Votre demande/);
    expect(await appointmentOf('+33698765432')).toMatchObject({ channel: 'whatsapp', name: 'Marie Curie', conversation_channel: 'whatsapp' });
  });
});
