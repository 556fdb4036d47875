import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import { seedFieldServiceDemo } from '../models/seed-field.ts';
import { findCustomerByEmail, listAddresses } from '../models/customer-accounts.repository.ts';
import { Chat, MONDAY_8AM_PARIS, latestCode, plainSpaces, testBot, transcript } from './support/bot-chat.ts';
import { openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';

// The on-site visit dialog (document 002) in English and French, over the seeded appliance-service branch.
const clock = testClock(MONDAY_8AM_PARIS);
let db: Database;
let bot: ReturnType<typeof testBot>;
let conversations = 0;

beforeAll(async () => {
  db = await openTestDatabase('pglite');
  await seedDemo(db, { allowedOrigins: [] });
  await seedFieldServiceDemo(db, '2027-03-01');
  bot = testBot(db, clock.now);
}, 120_000);
afterAll(() => db.close());
beforeEach(() => clock.set(MONDAY_8AM_PARIS));
afterEach(() => expect(bot.errors).toEqual([]));

const chat = (locale: 'en' | 'fr') => new Chat(bot.bot, `onsite-${locale}-${++conversations}`, { locale });

async function draftsOf(email: string) {
  const customer = (await findCustomerByEmail(db, 'demo', email))!;
  return db.query<{ contract_id: string | null; task: string; window_start: Date; window_end: Date; state: string; conversation_id: string }>(
    `SELECT v.contract_id, v.task, v.window_start, v.window_end, a.state, a.conversation_id
     FROM field_visits v JOIN appointments a ON a.id = v.appointment_id WHERE a.customer_id = $1 ORDER BY v.window_start`,
    [customer.id],
  );
}

test('EN: "my heat pump needs its yearly service" → code → contract → pin moved → access notes → window → draft', async () => {
  const c = chat('en');
  const hello = await c.join();
  expect(hello.actions).toContain('Technician visit for my appliance');
  await transcript(c, [
    ['my heat pump needs its yearly service', 'what email address is your customer account under?'],
    ['not an email', 'Please type the email address of your customer account'],
    ['tom.baker@example.com', "I've sent a 6-digit code to tom.baker@example.com."],
  ]);
  const pick = await c.do({ form: 'code', values: { code: await latestCode(db, 'tom.baker@example.com') } });
  expect(plainSpaces(pick.text)).toBe('Which appliance or maintenance contract is it about?');
  expect(pick.actions).toEqual([
    'Contract: Yearly heat pump check: refrigerant, filters, settings (Heat pump Daikin Altherma 3)',
    'Heat pump Daikin Altherma 3',
  ]);
  await transcript(c, [
    [{ click: pick.actions[0]! }, 'The technician will come to 8 rue Mercière, 69002 Lyon.\nIs the pin on the map right?'],
    [{ location: [45.76235, 4.83312] }, 'Thanks, I’ve moved the pin.\nAnything the technician should know'],
  ]);
  const windows = await c.do('Door code 4821B, 3rd floor, ring twice');
  expect(plainSpaces(windows.text)).toBe([
    'Task from your contract: Yearly heat pump check: refrigerant, filters, settings.',
    'The technician arrives within the window you pick. When suits you?',
  ].join('\n'));
  // Monday 08:00 with an hour's notice: the 08:00 window is gone; Antoine works 08–12 and 13–17.
  expect(windows.actions.slice(0, 3)).toEqual(['Mon 1 Mar, 10:00–12:00', 'Mon 1 Mar, 13:00–15:00', 'Mon 1 Mar, 15:00–17:00']);
  expect(windows.actions.at(-1)).toBe('Later');
  await transcript(c, [
    [{ click: 'Mon 1 Mar, 13:00–15:00' }, 'Here is your request: Heat pump maintenance on your Heat pump Daikin Altherma 3 at 8 rue Mercière, 69002 Lyon, arrival Mon 1 Mar, 13:00–15:00.\nShall I send it?'],
    [{ click: 'Send my request' }, 'Thank you! Your visit is booked as a draft. We will confirm the exact arrival time by email.'],
  ]);
  const [draft] = await draftsOf('tom.baker@example.com');
  expect(draft).toMatchObject({ task: 'Yearly heat pump check: refrigerant, filters, settings', state: 'pending', conversation_id: c.id });
  expect(draft!.contract_id).not.toBeNull();
  expect([draft!.window_start.toISOString(), draft!.window_end.toISOString()]).toEqual(['2027-03-01T12:00:00.000Z', '2027-03-01T14:00:00.000Z']);
  const tom = (await findCustomerByEmail(db, 'demo', 'tom.baker@example.com'))!;
  expect((await listAddresses(db, tom.id))[0]).toMatchObject({
    latitude: 45.76235, longitude: 4.83312, correctedByCustomer: true, accessComment: 'Door code 4821B, 3rd floor, ring twice',
  });
});

test('EN: an address without an account is told so, nothing of anyone is shown', async () => {
  const c = chat('en');
  await c.join();
  await transcript(c, [
    [{ click: 'Technician visit for my appliance' }, 'what email address'],
    ['someone@example.com', 'I could not find a customer account for someone@example.com.'],
  ]);
});

test('FR : « ma chaudière a besoin de son entretien » → code → appareil → adresse → semaine suivante → brouillon', async () => {
  const c = chat('fr');
  const bonjour = await c.join();
  expect(bonjour.actions).toContain('Intervention d’un technicien');
  await transcript(c, [
    ['ma chaudière a besoin de son entretien annuel', 'quelle est l’adresse e-mail de votre compte client ?'],
    ['marie.durand@example.com', "Je viens d'envoyer un code à 6 chiffres à marie.durand@example.com."],
  ]);
  const pick = await c.do({ form: 'code', values: { code: await latestCode(db, 'marie.durand@example.com') } });
  expect(plainSpaces(pick.text)).toBe('Pour quel appareil ou quel contrat d’entretien ?');
  expect(pick.actions?.map(plainSpaces)).toEqual([
    'Contrat : Entretien annuel obligatoire et attestation (Chaudière gaz Saunier Duval ThemaPlus Condens)',
    'Chaudière gaz Saunier Duval ThemaPlus Condens',
    'Électroménager de cuisine Bosch Serie 6 oven',
  ]);
  await transcript(c, [
    ['Chaudière gaz', 'Le technicien viendra au 14 rue de la Roquette, 75011 Paris.'],
    [{ click: 'C’est bien ça' }, 'Une information utile au technicien pour entrer'],
  ]);
  const windows = await c.do({ click: 'Rien à ajouter' });
  expect(plainSpaces(windows.text)).toBe('Le technicien arrive dans le créneau que vous choisissez. Lequel vous convient ?');
  expect(windows.actions[0]).toBe('lun. 1 mars, 10:00–12:00');
  const later = await c.do({ click: 'Plus tard' });
  expect(later.actions[0]).toBe('lun. 8 mars, 08:00–10:00');
  await transcript(c, [
    [{ click: 'lun. 8 mars, 08:00–10:00' }, 'Voici votre demande : Entretien annuel de chaudière sur votre Chaudière gaz Saunier Duval ThemaPlus Condens au 14 rue de la Roquette, 75011 Paris, arrivée lun. 8 mars, 08:00–10:00.\nJe l’envoie ?'],
    [{ click: 'Envoyer ma demande' }, 'Merci ! Votre rendez-vous est créé en brouillon.'],
  ]);
  const [draft] = await draftsOf('marie.durand@example.com');
  expect(draft).toMatchObject({ contract_id: null, task: '', state: 'pending' });
  expect(draft!.window_start.toISOString()).toBe('2027-03-08T07:00:00.000Z');
});
