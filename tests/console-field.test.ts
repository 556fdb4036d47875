import type { Database } from '../models/database.ts';
import { findBrand, type Brand } from '../models/brands.repository.ts';
import { seedDemo, DEMO_BRAND_ID } from '../models/seed.ts';
import { DEMO_ADMIN, seedDemoStaffAccounts, type DemoLogin } from '../models/seed-staff.ts';
import { DEMO_FIELD_CUSTOMER, seedFieldServiceDemo } from '../models/seed-field.ts';
import { findCustomerByEmail } from '../models/customer-accounts.repository.ts';
import { listCustomerContracts, listCustomerEquipment } from '../models/equipment.repository.ts';
import { placeDraft, prefillFromContract } from '../scheduling/field-booking.ts';
import { openTestDatabase } from './support/databases.ts';
import { signIn, startConsoleServer, type ConsoleClient, type ConsoleServer } from './support/console.ts';
import { testClock } from './support/server.ts';
import { CHEAP_SCRYPT } from './support/app.ts';

const clock = testClock('2027-03-01T07:00:00Z');
let db: Database;
let brand: Brand;
let server: ConsoleServer;
let logins: DemoLogin[];
const changes: string[] = [];
const as = (email: string) => signIn(server, email, logins.find((l) => l.email === email)!.password);

beforeAll(async () => {
  db = await openTestDatabase('pglite');
  await seedDemo(db, { allowedOrigins: [] });
  await seedFieldServiceDemo(db, '2027-03-01');
  logins = await seedDemoStaffAccounts(db, { passwordParams: CHEAP_SCRYPT });
  brand = (await findBrand(db, DEMO_BRAND_ID))!;
  server = await startConsoleServer(db, clock.now, { onChange: (_b, a) => changes.push(a) });
});
afterAll(async () => {
  await server.close();
  await db.close();
});

async function draftFor(email: string, windowStart: string) {
  const customer = (await findCustomerByEmail(db, 'demo', email))!;
  const [contract] = await listCustomerContracts(db, customer.id);
  const prefilled = await prefillFromContract(db, customer.id, contract!.id);
  return placeDraft({ db, now: clock.now }, {
    brand, customerId: customer.id, ...prefilled, task: '', windowStart: new Date(windowStart),
    customerTimeZone: 'Europe/Paris', notes: '', channel: 'web', conversationId: null, idempotencyKey: null, actor: { kind: 'customer' },
  });
}

describe('drafts in the console', () => {
  let admin: ConsoleClient;
  let paris: ConsoleClient;
  let lyon: ConsoleClient;
  beforeAll(async () => {
    admin = await as(DEMO_ADMIN.email);
    paris = await as('camille.martin@atelier-lumiere.example');
    lyon = await as('chloe.dubois@atelier-lumiere.example');
  });

  test('listed with the address and its map link for the stores in scope; validated at an exact time; rejected with a reason', async () => {
    const marie = await draftFor(DEMO_FIELD_CUSTOMER.email, '2027-03-02T07:00:00Z');
    const listed = await paris.get('/field/drafts');
    expect(listed.status).toBe(200);
    const item = listed.body.drafts.find((d: { appointmentId: string }) => d.appointmentId === marie.id);
    expect(item).toMatchObject({
      customerName: 'Marie Durand', windowStart: '2027-03-02T07:00:00.000Z', windowEnd: '2027-03-02T09:00:00.000Z',
      equipmentType: { fr: 'Chaudière gaz' }, make: 'Saunier Duval',
      address: { line: '14 rue de la Roquette', postcode: '75011', mapUrl: 'https://www.openstreetmap.org/?mlat=48.8549&mlon=2.3733#map=18/48.8549/2.3733' },
    });
    // Lyon's manager neither sees nor validates a Paris technician's draft.
    expect((await lyon.get('/field/drafts')).body.drafts.map((d: { appointmentId: string }) => d.appointmentId)).not.toContain(marie.id);
    expect((await lyon.post(`/field/drafts/${marie.id}/validate`, { arrivalAt: '2027-03-02T07:30:00Z' })).status).toBe(403);
    // Outside the window → 400; inside → confirmed at that time.
    expect((await paris.post(`/field/drafts/${marie.id}/validate`, { arrivalAt: '2027-03-02T09:30:00Z' })).body.error.field).toBe('arrivalAt');
    const validated = await paris.post(`/field/drafts/${marie.id}/validate`, { arrivalAt: '2027-03-02T07:30:00+00:00' });
    expect(validated.body.appointment).toEqual({ id: marie.id, state: 'confirmed', startAt: '2027-03-02T07:30:00.000Z', endAt: '2027-03-02T08:30:00.000Z' });
    expect(changes).toContain(marie.id);
    expect((await admin.get('/field/drafts')).body.drafts.map((d: { appointmentId: string }) => d.appointmentId)).not.toContain(marie.id);

    // Claire's draft moved to another open window: the old one is free again, the customer is told.
    const claire = await draftFor('claire.lefevre@example.com', '2027-03-03T07:00:00Z');
    expect((await paris.post(`/field/drafts/${claire.id}/move`, { windowStart: '2027-03-03T08:00:00Z' })).body.error.code).toBe('slot_unavailable');
    const moved = await paris.post(`/field/drafts/${claire.id}/move`, { windowStart: '2027-03-03T12:00:00Z' });
    expect(moved.body.appointment).toMatchObject({ state: 'pending', staffId: claire.staffId, startAt: '2027-03-03T12:00:00.000Z' });
    const [claim] = await db.query<{ blocked_from: Date; blocked_to: Date }>('SELECT blocked_from, blocked_to FROM slot_claims WHERE appointment_id = $1', [claire.id]);
    expect([claim!.blocked_from.toISOString(), claim!.blocked_to.toISOString()]).toEqual(['2027-03-03T12:00:00.000Z', '2027-03-03T15:00:00.000Z']);
    expect((await paris.get(`/field/visits/${claire.id}`)).body.visit).toMatchObject({ windowStart: '2027-03-03T12:00:00.000Z', windowEnd: '2027-03-03T14:00:00.000Z' });
    // Back to the first window: it was freed by the move.
    expect((await paris.post(`/field/drafts/${claire.id}/move`, { windowStart: '2027-03-03T07:00:00Z' })).status).toBe(200);

    const tom = await draftFor('tom.baker@example.com', '2027-03-02T07:00:00Z');
    expect((await lyon.post(`/field/drafts/${tom.id}/reject`, {})).body.error.field).toBe('reason');
    const rejected = await lyon.post(`/field/drafts/${tom.id}/reject`, { reason: 'Technician off sick' });
    expect(rejected.body.appointment).toEqual({ id: tom.id, state: 'cancelled', cancellationReason: 'Technician off sick' });
  });
});

describe('field-service set-up by admins', () => {
  test('settings, equipment types, skills, technicians and sectors, contracts; others are refused', async () => {
    const admin = await as(DEMO_ADMIN.email);
    const agent = await as('lucas.bernard@atelier-lumiere.example');
    expect((await agent.get('/field/technicians')).status).toBe(403);

    const settings = await admin.get('/field/settings');
    expect(settings.body.settings).toMatchObject({ arrivalWindowMinutes: 120, circuityFactor: 1.3, customersRegisterEquipment: true });
    const saved = await admin.put('/field/settings', { ...settings.body.settings, arrivalWindowMinutes: 180 });
    expect(saved.body.settings.arrivalWindowMinutes).toBe(180);
    expect((await admin.put('/field/settings', { ...settings.body.settings, circuityFactor: 0.5 })).body.error.field).toBe('circuityFactor');

    const technicians = (await admin.get('/field/technicians')).body.technicians;
    expect(technicians.map((t: { name: string }) => t.name)).toEqual(['Antoine Roux', 'Julien Moreau', 'Léa Fontaine', 'Sarah Petit']);
    const julien = technicians.find((t: { name: string }) => t.name === 'Julien Moreau');
    expect(julien.hours).toContainEqual({ staffId: julien.staffId, weekday: 1, starts: '08:00', ends: '12:00' });
    const updated = await admin.put(`/field/technicians/${julien.staffId}`, {
      startLatitude: 48.86, startLongitude: 2.35, timeZone: 'Europe/Paris', skills: ['boiler', 'heat-pump', 'appliance'],
      hours: [{ weekday: 6, starts: '09:00', ends: '13:00' }],
    });
    expect(updated.body.technician.skills).toEqual(['appliance', 'boiler', 'heat-pump']);
    expect(updated.body.hours).toEqual([{ staffId: julien.staffId, weekday: 6, starts: '09:00', ends: '13:00' }]);

    const dated = await admin.post(`/field/technicians/${julien.staffId}/sectors`, { localDate: '2027-03-06', postcodes: ['75 011', '75012'], label: 'Samedi est' });
    expect(dated.status).toBe(201);
    expect(dated.body.sector).toMatchObject({ localDate: '2027-03-06', postcodes: ['75011', '75012'], radiusKm: null });
    expect((await admin.post(`/field/technicians/${julien.staffId}/sectors`, { weekday: 6 })).body.error.field).toBe('postcodes');
    expect((await admin.post(`/field/technicians/${julien.staffId}/sectors`, { weekday: 6, localDate: '2027-03-06', radiusKm: 5, centerLatitude: 48, centerLongitude: 2 })).body.error.field).toBe('weekday');
    const sectors = (await admin.get(`/field/technicians/${julien.staffId}/sectors`)).body.sectors;
    expect((await admin.delete(`/field/technicians/${julien.staffId}/sectors/${dated.body.sector.id}`)).status).toBe(204);
    expect((await admin.get(`/field/technicians/${julien.staffId}/sectors`)).body.sectors).toHaveLength(sectors.length - 1);

    const services = await db.query<{ id: string; slug: string }>("SELECT id, slug FROM services WHERE brand_id = 'demo' AND slug IN ('boiler-service', 'appliance-repair') ORDER BY slug");
    const type = await admin.put('/field/equipment-types/water-heater', { names: { en: 'Water heater', fr: 'Chauffe-eau' }, serviceIds: services.map((s) => s.id) });
    expect(type.body.equipmentType).toMatchObject({ slug: 'water-heater', active: true });
    expect((await admin.get('/field/equipment-types')).body.equipmentTypes.find((t: { slug: string }) => t.slug === 'water-heater').serviceIds.sort())
      .toEqual(services.map((s) => s.id).sort());
    const skills = await admin.put(`/field/services/${services[0]!.id}/skills`, { skills: ['appliance', 'electrical'] });
    expect(skills.body.skills).toEqual(['appliance', 'electrical']);

    const marie = (await findCustomerByEmail(db, 'demo', DEMO_FIELD_CUSTOMER.email))!;
    const oven = (await listCustomerEquipment(db, marie.id)).find((e) => e.make === 'Bosch')!;
    const contract = await admin.post('/field/contracts', { equipmentId: oven.id, serviceId: services[0]!.id, task: 'Yearly oven check', periodMonths: 12, nextDueOn: '2027-09-01' });
    expect(contract.status).toBe(201);
    expect(contract.body.contract).toMatchObject({ equipmentId: oven.id, nextDueOn: '2027-09-01', active: true });
    const wrongService = await admin.post('/field/contracts', { equipmentId: oven.id, serviceId: (await db.query<{ id: string }>("SELECT id FROM services WHERE slug = 'heat-pump-service'"))[0]!.id, task: 'x', periodMonths: 12, nextDueOn: '2027-09-01' });
    expect(wrongService.body.error.field).toBe('serviceId');
  });
});
