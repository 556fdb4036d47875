import { insertBrand } from '../models/brands.repository.ts';
import { addPhoneNumber } from '../models/phone-channels.repository.ts';
import { DEMO_ADMIN, seedDemoStaffAccounts, type DemoLogin } from '../models/seed-staff.ts';
import { CHEAP_SCRYPT } from './support/app.ts';
import { signIn, type ConsoleClient } from './support/console.ts';
import { ACCOUNT_SID, BRAND_NUMBER, closePhoneTest, customerPhone, newMessageSid, openPhoneTest, postInbound, type PhoneTest } from './support/phone.ts';
import { testClock } from './support/server.ts';

/**
 * The brand's Twilio numbers, managed from the console (admins): what inbound SMS and WhatsApp
 * messages find their brand by. Through the whole product, with Twilio's API stood in for.
 */
const clock = testClock('2027-03-01T07:00:00Z');
const NEW_NUMBER = '+33711223344';
const RIVAL_NUMBER = '+33799887766';
let t: PhoneTest;
let logins: DemoLogin[];
let admin: ConsoleClient;
const consoleOf = () => ({ url: `${t.app.url}/console/api`, close: async () => {} });
const as = (email: string) => signIn(consoleOf(), email, logins.find((l) => l.email === email)!.password);
const inbound = (to: string, from = '+33612000001') => postInbound(t.app.url, {
  MessageSid: newMessageSid(), AccountSid: ACCOUNT_SID, From: to.startsWith('whatsapp:') ? `whatsapp:${from}` : from, To: to, Body: 'Hello', NumMedia: '0',
});

beforeAll(async () => {
  t = await openPhoneTest(clock.now);
  logins = await seedDemoStaffAccounts(t.db, { passwordParams: CHEAP_SCRYPT });
  await insertBrand(t.db, { id: 'rival', name: 'Rival Kitchens', defaultLocale: 'en', timeZone: 'Europe/Paris', allowedOrigins: [], settings: {} });
  await addPhoneNumber(t.db, 'rival', RIVAL_NUMBER);
  admin = await as(DEMO_ADMIN.email);
});
afterAll(() => closePhoneTest(t));

describe('the brand’s phone numbers in the console', () => {
  test('listed with the webhook to set at Twilio; only admins may see or change them', async () => {
    const listed = await admin.get('/settings/phone-numbers');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      numbers: [{ phone: BRAND_NUMBER, sms: true, whatsapp: true }],
      webhookUrl: `${t.app.url}/webhooks/twilio/messages`,
    });
    const manager = await as('camille.martin@atelier-lumiere.example');
    expect((await manager.get('/settings/phone-numbers')).status).toBe(403);
    expect((await manager.put('/settings/phone-numbers', { numbers: [] })).status).toBe(403);
  });

  test('a number added in the console is answered at once, from that number; one removed is not', async () => {
    expect((await inbound(NEW_NUMBER)).status).toBe(404);
    const saved = await admin.put('/settings/phone-numbers', {
      numbers: [{ phone: BRAND_NUMBER, sms: true, whatsapp: true }, { phone: '+33 7 11 22 33 44', sms: true, whatsapp: false }],
    });
    expect(saved.status).toBe(200);
    expect(saved.body.numbers).toEqual([
      { phone: BRAND_NUMBER, sms: true, whatsapp: true }, { phone: NEW_NUMBER, sms: true, whatsapp: false },
    ]);
    const customer = customerPhone(t.app, t.standIn, 'sms', '+33612000002', NEW_NUMBER);
    const [greeting] = await customer.send('Hello');
    expect(greeting!.from).toBe(NEW_NUMBER);
    // WhatsApp was not ticked for it.
    expect((await inbound(`whatsapp:${NEW_NUMBER}`)).status).toBe(404);

    // WhatsApp on the demo number is switched off: that address stops answering, SMS goes on.
    expect((await admin.put('/settings/phone-numbers', {
      numbers: [{ phone: BRAND_NUMBER, sms: true, whatsapp: false }, { phone: NEW_NUMBER, sms: true, whatsapp: false }],
    })).status).toBe(200);
    expect((await inbound(`whatsapp:${BRAND_NUMBER}`)).status).toBe(404);
    expect((await inbound(BRAND_NUMBER)).status).toBe(200);
  });

  test('another brand’s number is refused on its row, and nothing changes', async () => {
    const before = (await admin.get('/settings/phone-numbers')).body;
    const refused = await admin.put('/settings/phone-numbers', {
      numbers: [{ phone: BRAND_NUMBER, sms: true, whatsapp: true }, { phone: RIVAL_NUMBER, sms: true, whatsapp: true }],
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'phone_number_taken', field: 'numbers.1.phone' });
    expect(refused.body.error.message).toContain(RIVAL_NUMBER);
    expect((await admin.get('/settings/phone-numbers')).body).toEqual(before);
    expect((await inbound(RIVAL_NUMBER)).status).toBe(200); // still the rival's
  });

  test('bad input is named on its field', async () => {
    const refused = async (numbers: unknown) => (await admin.put('/settings/phone-numbers', { numbers })).body.error;
    expect(await refused([{ phone: '06 12', sms: true, whatsapp: false }])).toMatchObject({ code: 'invalid_input', field: 'numbers.0.phone' });
    expect(await refused([{ phone: BRAND_NUMBER, sms: false, whatsapp: false }])).toMatchObject({ field: 'numbers.0.phone', message: expect.stringContaining('Choose SMS, WhatsApp or both') });
    expect(await refused([{ phone: BRAND_NUMBER, sms: true, whatsapp: false }, { phone: '+33 6 00 00 00 01', sms: true, whatsapp: false }, { phone: BRAND_NUMBER, sms: false, whatsapp: true }]))
      .toMatchObject({ field: 'numbers.2.phone', message: expect.stringContaining('already in the list') });
    expect(await refused(Array.from({ length: 21 }, (_, i) => ({ phone: `+3361000${String(i).padStart(4, '0')}`, sms: true, whatsapp: false }))))
      .toMatchObject({ field: 'numbers' });
  });
});
