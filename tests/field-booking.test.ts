import type { Database } from '../models/database.ts';
import { findBrand, type Brand } from '../models/brands.repository.ts';
import { seedDemo } from '../models/seed.ts';
import { DEMO_FIELD_CUSTOMER, seedFieldServiceDemo } from '../models/seed-field.ts';
import { findCustomerByEmail, listAddresses } from '../models/customer-accounts.repository.ts';
import { listCustomerContracts, listCustomerEquipment } from '../models/equipment.repository.ts';
import { findFieldVisit, listDrafts } from '../models/field-visits.repository.ts';
import { findService, listServices } from '../models/catalogue.repository.ts';
import type { BookingDeps } from '../scheduling/booking.ts';
import { findOnsiteWindows, placeDraft, prefillFromContract } from '../scheduling/field-booking.ts';
import { rejectDraft, validateDraft } from '../scheduling/draft-validation.ts';
import type { DeliveryQueue } from '../notifications/delivery-queue.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { confirmationRendered, openTestDeliveryQueue, productNotifications } from './support/notifications.ts';
import { testClock } from './support/server.ts';

// Monday 1 March 2027, 08:00 in Paris (UTC+1). Tuesday 2 March: Paris 08:00 = 07:00Z.
const clock = testClock('2027-03-01T07:00:00Z');
const TUESDAY = { from: new Date('2027-03-02T00:00:00Z'), to: new Date('2027-03-03T00:00:00Z') };

interface MessageRow { kind: string; recipient: string; subject: string | null; body_text: string; attachments: { contentBase64: string }[] }
const ics = (m: MessageRow) => m.attachments.map((a) => Buffer.from(a.contentBase64, 'base64').toString('utf8')).join('\n');

describe.each(DATABASE_KINDS)('on-site booking on %s', (kind) => {
  let db: Database;
  let brand: Brand;
  let queue: DeliveryQueue;
  let closeQueue: () => Promise<void>;
  let deps: BookingDeps;
  let notifications: ReturnType<typeof productNotifications>;
  const links = createSignedLinks({ baseUrl: 'http://rdv.test', secret: 's'.repeat(32), now: clock.now });
  const staff = { kind: 'staff', id: 'tester' } as const;

  beforeAll(async () => {
    db = await openTestDatabase(kind, 20);
    await seedDemo(db, { allowedOrigins: [] });
    expect(await seedFieldServiceDemo(db, '2027-03-01')).toBe(true);
    expect(await seedFieldServiceDemo(db, '2027-03-01')).toBe(false);
    brand = (await findBrand(db, 'demo'))!;
    ({ queue, close: closeQueue } = await openTestDeliveryQueue(db, kind, clock.now));
    notifications = productNotifications({ db, links, queue, now: clock.now });
    deps = { db, now: clock.now, events: notifications.events };
  });
  afterAll(async () => {
    await notifications.outbox.stop();
    await closeQueue();
    await db.close();
  });

  async function customerNamed(email: string) {
    const customer = (await findCustomerByEmail(db, 'demo', email))!;
    const [address] = await listAddresses(db, customer.id);
    const equipment = await listCustomerEquipment(db, customer.id);
    const contracts = await listCustomerContracts(db, customer.id);
    return { customer, address: address!, equipment, contracts };
  }
  /** A draft placed, once its messages were rendered after the commit (in the background). */
  const placed = async (r: Parameters<typeof placeDraft>[1]) => {
    const draft = await placeDraft(deps, r);
    await confirmationRendered(db, draft.id);
    return draft;
  };
  const messagesOf = (appointmentId: string) =>
    db.query<MessageRow>('SELECT * FROM messages WHERE idempotency_key LIKE $1 ORDER BY seq', [`%:${appointmentId}:%`]);
  const draftBase = { channel: 'web', conversationId: null, idempotencyKey: null, notes: '', customerTimeZone: 'Europe/Paris', actor: { kind: 'customer' } as const };

  test('on-site services stay out of the general service list', async () => {
    expect((await listServices(db, 'demo')).map((s) => s.slug)).not.toContain('boiler-service');
    expect(await findService(db, 'demo', 'boiler-service')).not.toBeNull();
  });

  test('windows at Marie\'s address on Tuesday: both Paris boiler technicians, none in Lyon', async () => {
    const marie = await customerNamed(DEMO_FIELD_CUSTOMER.email);
    const service = (await findService(db, 'demo', 'boiler-service'))!;
    const windows = await findOnsiteWindows(db, { brand, service, address: marie.address, ...TUESDAY, now: clock.now() });
    expect(windows.map((w) => w.start.toISOString().slice(11, 16))).toEqual(['07:00', '09:00', '12:00', '14:00']);
    const names = await db.query<{ id: string; name: string }>('SELECT id, name FROM staff WHERE id = ANY($1::uuid[]) ORDER BY name', [windows[0]!.staffIds]);
    expect(names.map((n) => n.name)).toEqual(['Julien Moreau', 'Sarah Petit']);
    expect(windows[0]!.end.toISOString()).toBe('2027-03-02T09:00:00.000Z');
  });

  test('a contract pre-fills appliance, address, service and task; the draft keeps them and tells the customer', async () => {
    const marie = await customerNamed(DEMO_FIELD_CUSTOMER.email);
    const contract = marie.contracts[0]!;
    expect(contract.nextDueOn).toBe('2027-03-31');
    const prefilled = await prefillFromContract(db, marie.customer.id, contract.id);
    const boiler = marie.equipment.find((e) => e.typeNames.en === 'Gas boiler')!;
    expect(prefilled).toEqual({
      contractId: contract.id, equipmentId: boiler.id, addressId: marie.address.id, serviceId: contract.serviceId,
      task: 'Entretien annuel obligatoire et attestation',
    });
    const draft = await placed({
      ...draftBase, brand, customerId: marie.customer.id, ...prefilled, task: '', windowStart: new Date('2027-03-02T09:00:00Z'),
    });
    expect(draft.state).toBe('pending');
    expect(draft.startAt.toISOString()).toBe('2027-03-02T09:00:00.000Z');
    const visit = (await findFieldVisit(db, draft.id))!;
    expect(visit).toMatchObject({ contractId: contract.id, equipmentId: boiler.id, task: contract.task });
    expect(visit.windowEnd.toISOString()).toBe('2027-03-02T11:00:00.000Z');
    const [status] = await db.query<{ name: string }>('SELECT name FROM appointment_statuses WHERE id = $1', [draft.statusId]);
    expect(status!.name).toBe('Draft');
    const drafts = await listDrafts(db, 'demo');
    expect(drafts.find((d) => d.appointmentId === draft.id)).toMatchObject({ customerName: 'Marie Durand', address: { postcode: '75011', latitude: 48.8549 } });
    expect((await messagesOf(draft.id)).map((m) => [m.kind, m.recipient])).toEqual([
      ['request_received', DEMO_FIELD_CUSTOMER.email], ['staff_request', expect.stringMatching(/@atelier-lumiere\.example$/)],
    ]);
    // Another customer's contract is not found.
    const tom = await customerNamed('tom.baker@example.com');
    await expect(prefillFromContract(db, tom.customer.id, contract.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(placeDraft(deps, { ...draftBase, brand, customerId: tom.customer.id, ...prefilled, task: '', windowStart: new Date('2027-03-02T12:00:00Z') }))
      .rejects.toMatchObject({ code: 'not_found' });
  });

  test('validated with an exact time inside the window: confirmation with the invite at that time; outside → refused', async () => {
    const claire = await customerNamed('claire.lefevre@example.com');
    const prefilled = await prefillFromContract(db, claire.customer.id, claire.contracts[0]!.id);
    const draft = await placed({ ...draftBase, brand, customerId: claire.customer.id, ...prefilled, task: '', windowStart: new Date('2027-03-03T07:00:00Z') });
    await expect(validateDraft(deps, { brand, appointmentId: draft.id, arrivalAt: new Date('2027-03-03T09:30:00Z'), actor: staff }))
      .rejects.toMatchObject({ code: 'invalid_input' });
    await expect(validateDraft(deps, { brand, appointmentId: draft.id, arrivalAt: new Date('2027-03-03T08:15:00Z'), actor: { kind: 'customer' } }))
      .rejects.toMatchObject({ code: 'forbidden' });
    const validated = await validateDraft(deps, { brand, appointmentId: draft.id, arrivalAt: new Date('2027-03-03T08:15:00Z'), actor: staff });
    expect([validated.state, validated.startAt.toISOString(), validated.endAt.toISOString()])
      .toEqual(['confirmed', '2027-03-03T08:15:00.000Z', '2027-03-03T09:15:00.000Z']);
    const [claim] = await db.query<{ blocked_from: Date; blocked_to: Date }>('SELECT blocked_from, blocked_to FROM slot_claims WHERE appointment_id = $1', [draft.id]);
    expect([claim!.blocked_from.toISOString(), claim!.blocked_to.toISOString()]).toEqual(['2027-03-03T08:15:00.000Z', '2027-03-03T09:15:00.000Z']);
    const confirmation = (await messagesOf(draft.id)).find((m) => m.kind === 'confirmed')!;
    expect(confirmation.recipient).toBe('claire.lefevre@example.com');
    expect(confirmation.body_text).toContain('09:15'); // 08:15Z in Paris
    expect(ics(confirmation)).toContain('METHOD:REQUEST');
    expect(ics(confirmation)).toContain('DTSTART;TZID=Europe/Paris:20270303T091500');
    await expect(validateDraft(deps, { brand, appointmentId: draft.id, arrivalAt: new Date('2027-03-03T08:15:00Z'), actor: staff }))
      .rejects.toMatchObject({ code: 'conflict' });
  });

  test('rejected with a reason: the customer reads it, no invite, the window is free again', async () => {
    const tom = await customerNamed('tom.baker@example.com');
    const prefilled = await prefillFromContract(db, tom.customer.id, tom.contracts[0]!.id);
    const windowStart = new Date('2027-03-02T12:00:00Z');
    const draft = await placed({ ...draftBase, brand, customerId: tom.customer.id, ...prefilled, task: '', windowStart });
    await expect(rejectDraft(deps, { brand, appointmentId: draft.id, reason: ' ', actor: staff })).rejects.toMatchObject({ code: 'invalid_input' });
    const rejected = await rejectDraft(deps, { brand, appointmentId: draft.id, reason: 'The part has to be ordered first', actor: staff });
    expect([rejected.state, rejected.cancellationReason]).toEqual(['cancelled', 'The part has to be ordered first']);
    const message = (await messagesOf(draft.id)).find((m) => m.kind === 'cancelled')!;
    expect(message.recipient).toBe('tom.baker@example.com');
    expect(message.body_text).toContain('The part has to be ordered first');
    expect(message.attachments).toEqual([]);
    const service = (await findService(db, 'demo', 'heat-pump-service'))!;
    const windows = await findOnsiteWindows(db, { brand, service, address: (await listAddresses(db, tom.customer.id))[0]!, ...TUESDAY, now: clock.now() });
    expect(windows.some((w) => w.start.getTime() === windowStart.getTime())).toBe(true);
  });

  test('100 concurrent attempts on one technician\'s window: exactly one draft', async () => {
    // Heat pumps in Lyon: only Antoine Roux has the skill.
    const tom = await customerNamed('tom.baker@example.com');
    const prefilled = await prefillFromContract(db, tom.customer.id, tom.contracts[0]!.id);
    const windowStart = new Date('2027-03-04T07:00:00Z');
    const results = await Promise.allSettled(Array.from({ length: 100 }, () =>
      placeDraft(deps, { ...draftBase, brand, customerId: tom.customer.id, ...prefilled, task: '', windowStart })));
    const booked = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(booked).toHaveLength(1);
    expect(new Set(refused.map((r) => (r.reason as { code?: string }).code))).toEqual(new Set(['slot_unavailable']));
    const [count] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM field_visits v JOIN appointments a ON a.id = v.appointment_id WHERE v.window_start = $1 AND a.state <> 'cancelled'`,
      [windowStart],
    );
    expect(count!.n).toBe(1);
  });
});
