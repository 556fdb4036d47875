import type { Database } from '../models/database.ts';
import { findBrand, type Brand } from '../models/brands.repository.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import { cancelAppointment } from '../scheduling/booking.ts';
import { loadAppointmentView } from '../notifications/appointment-view.ts';
import { formatStorePhone, frenchSpacing } from '../notifications/french-typography.ts';
import { gsmFriendly } from '../notifications/gsm-text.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import { renderMessage, renderPreview } from '../notifications/templates.ts';
import { bookAsCustomer } from './support/booking.ts';
import { openTestDatabase } from './support/databases.ts';

// French typography and wording in messages (issue 11, defect 11).
const now = () => new Date('2027-03-01T07:00:00Z');
const links = createSignedLinks({ baseUrl: 'http://localhost:3000', secret: 'x'.repeat(32), now });
let db: Database;
let brand: Brand;

beforeAll(async () => {
  db = await openTestDatabase('pglite');
  await seedDemo(db, { allowedOrigins: [] });
  brand = (await findBrand(db, DEMO_BRAND_ID))!;
}, 120_000);
afterAll(() => db.close());

const book = (email: string, locale: 'en' | 'fr', start: string) => bookAsCustomer({ db, now }, brand, {
  service: 'showroom-visit', store: 'paris-opera', start: new Date(start), customer: { name: 'Élodie Moreau', email, phone: '+33612345678', locale },
});

test('no-break spaces before : ; ? ! and inside « », never in URLs or times; SMS keep plain spaces', () => {
  expect(frenchSpacing('Voici votre rendez-vous : mardi 2 mars, 10:00 ? « oui » ! https://x.example/a:b')).toBe(
    'Voici votre rendez-vous\u202f: mardi 2 mars, 10:00\u202f? «\u202foui\u202f»\u202f! https://x.example/a:b');
  expect(frenchSpacing('Libellé\u00a0: valeur')).toBe('Libellé\u202f: valeur');
  expect(gsmFriendly('Rappel\u202f: demain\u00a0!')).toBe('Rappel : demain !');
});

test('store phones are shown as dialled in their country', () => {
  expect(formatStorePhone('+33142000001')).toBe('01 42 00 00 01');
  expect(formatStorePhone('+12125550103')).toBe('(212) 555-0103');
  expect(formatStorePhone('not a number')).toBe('not a number');
});

test('French emails get no-break spaces, French texts stay GSM-7; the store phone is formatted; staff read the service in their language', async () => {
  const a = await book('elodie.typo@example.com', 'fr', '2027-03-02T10:00:00Z');
  const view = (await loadAppointmentView(db, a.id, links))!;
  const email = (await renderMessage(db, 'confirmed', view, 'email'))!;
  expect(email.subject).toBe('Rendez-vous confirmé\u202f: Visite guidée du showroom, mardi 2 mars 2027 à 11:00');
  expect(email.html).toContain('\u202f:');
  expect(email.html).not.toMatch(/[^\s\u202f]\u00a0?[ ]:[ ]/);
  const sms = (await renderMessage(db, 'reminder', view, 'sms'))!;
  expect(sms.text).toMatch(/^Rappel Atelier Lumière : /);
  expect(sms.text).not.toMatch(/[\u00a0\u202f]/);
  // {{storePhone}} in a brand's template.
  expect(renderPreview({ subject: null, body: 'Appelez-nous au {{storePhone}} !' }, view, 'sms').text).toBe('Appelez-nous au 01 42 00 00 01 !');
  const staff = (await renderMessage(db, 'staff_confirmed', view, 'email', { locale: 'en' }))!;
  expect(staff.subject).toContain('Guided showroom visit');
  expect(staff.subject).not.toContain('Visite guidée');
});

test('a cancellation the customer asked for is not apologised for; one by the store is', async () => {
  const byCustomer = await book('elodie.cancel@example.com', 'fr', '2027-03-03T10:00:00Z');
  await cancelAppointment({ db, now }, { brand, appointmentId: byCustomer.id, reason: '', actor: { kind: 'customer' } });
  const fr = (await renderMessage(db, 'cancelled', (await loadAppointmentView(db, byCustomer.id, links))!, 'email'))!;
  expect(fr.text).toContain('comme vous l’avez demandé, votre rendez-vous Visite guidée du showroom');
  expect(fr.text).not.toMatch(/désolé/i);
  const en = (await renderMessage(db, 'cancelled', (await loadAppointmentView(db, byCustomer.id, links))!, 'email', { locale: 'en' }))!;
  expect(en.text).toContain('as you asked, your appointment');
  expect(en.text).not.toMatch(/sorry/i);

  const byStore = await book('elodie.store@example.com', 'fr', '2027-03-04T10:00:00Z');
  await cancelAppointment({ db, now }, { brand, appointmentId: byStore.id, reason: 'Advisor away', actor: { kind: 'staff', id: 'someone' } });
  const sorry = (await renderMessage(db, 'cancelled', (await loadAppointmentView(db, byStore.id, links))!, 'email'))!;
  expect(sorry.text).toContain('nous sommes désolés\u202f: votre rendez-vous');
});
