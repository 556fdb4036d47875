import { seedFieldServiceDemo } from '../models/seed-field.ts';
import { findCustomerByEmail, listAddresses } from '../models/customer-accounts.repository.ts';
import { listCustomerContracts, listCustomerEquipment } from '../models/equipment.repository.ts';
import { startApp, type TestApp } from './support/app.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';
import { outboxMessages, outboxCode } from './support/widget-driver.ts';

// Monday 1 March 2027, 08:00 in Paris.
const clock = testClock('2027-03-01T07:00:00Z');
const MARIE = 'marie.durand@example.com';
const TOM = 'tom.baker@example.com';

let app: TestApp;
beforeAll(async () => {
  app = await startApp(clock.now);
  await seedFieldServiceDemo(app.db, '2027-03-01');
});
afterAll(async () => app.close());
beforeEach(() => clock.set('2027-03-01T07:00:00Z'));

interface Answer { status: number; body: any; cookie: string | null }

async function call(method: string, path: string, body?: unknown, cookie?: string | null, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${app.url}/visit/api/${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...(cookie ? { Cookie: cookie } : {}), ...headers },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, body: text ? JSON.parse(text) : null, cookie: setCookie ? setCookie.split(';')[0]! : null };
}

const codesSentTo = async (to: string) => (await outboxMessages(app.url, to, 'otp')).length;

/** Asks for a code and waits for it in the dev outbox. */
async function requestCode(email: string): Promise<{ attemptId: string; code: string }> {
  const before = await codesSentTo(email);
  const answer = await call('POST', 'sign-in', { email });
  expect(answer.status).toBe(202);
  await until(async () => (await codesSentTo(email)) > before, 30_000);
  return { attemptId: answer.body.attemptId, code: await outboxCode(app.url, email) };
}

async function signIn(email: string): Promise<string> {
  const { attemptId, code } = await requestCode(email);
  const answer = await call('POST', 'verify', { attemptId, email, code });
  expect(answer.status).toBe(200);
  expect(answer.cookie).toMatch(/^rdv_customer=/);
  return answer.cookie!;
}

describe('customer sign-in by emailed code', () => {
  test('an unknown address gets the same answer and no code', async () => {
    const answer = await call('POST', 'sign-in', { email: 'nobody@example.com' });
    expect(answer.status).toBe(202);
    expect(answer.body.attemptId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await codesSentTo('nobody@example.com')).toBe(0);
    expect((await call('POST', 'verify', { attemptId: answer.body.attemptId, email: 'nobody@example.com', code: '123456' })).status).toBe(401);
  });

  test('a wrong code is refused and counted; the right one then signs in', async () => {
    const { attemptId, code } = await requestCode(MARIE);
    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await call('POST', 'verify', { attemptId, email: MARIE, code: wrong });
    expect([refused.status, refused.body.error.code, refused.body.error.details.attemptsLeft]).toEqual([401, 'wrong_code', 4]);
    expect(refused.cookie).toBeNull();
    // The code is bound to its sign-in attempt.
    const otherAttempt = await call('POST', 'verify', { attemptId: '00000000-0000-4000-8000-000000000000', email: MARIE, code });
    expect(otherAttempt.status).toBe(401);
    const ok = await call('POST', 'verify', { attemptId, email: MARIE, code });
    expect(ok.status).toBe(200);
    expect(ok.body.customer).toEqual({ name: 'Marie Durand', email: MARIE, locale: 'fr' });
    // Used once.
    expect((await call('POST', 'verify', { attemptId, email: MARIE, code })).status).toBe(401);
  });

  test('an expired code is refused', async () => {
    clock.advanceMinutes(1); // past the 30 s resend cooldown of the previous test's code
    const { attemptId, code } = await requestCode(TOM);
    clock.advanceMinutes(11);
    const answer = await call('POST', 'verify', { attemptId, email: TOM, code });
    expect([answer.status, answer.body.error.code]).toEqual([401, 'expired']);
  });

  test('no session, a forged cookie, or a request from another site are refused', async () => {
    expect((await call('GET', 'me')).status).toBe(401);
    expect((await call('GET', 'me', undefined, 'rdv_customer=forged')).status).toBe(401);
    const fromElsewhere = await call('POST', 'sign-in', { email: MARIE }, null, { Origin: 'https://evil.example' });
    expect([fromElsewhere.status, fromElsewhere.body.error.code]).toEqual([403, 'csrf_failed']);
    expect((await call('POST', 'sign-in', { email: 'not an email' })).body.error.field).toBe('email');
  });
});

describe('a signed-in customer sees only their own things', () => {
  test('0 cross-customer reads: every id of another customer answers 404', async () => {
    clock.advanceMinutes(20);
    const cookie = await signIn(MARIE);
    const me = await call('GET', 'me', undefined, cookie);
    expect(me.status).toBe(200);
    expect(me.body.customer.name).toBe('Marie Durand');
    expect(me.body.equipment.map((e: { make: string }) => e.make)).toEqual(['Saunier Duval', 'Bosch']);
    expect(me.body.contracts).toHaveLength(1);
    expect(me.body.canRegisterEquipment).toBe(true);

    const tom = (await findCustomerByEmail(app.db, 'demo', TOM))!;
    const [tomsAddress] = await listAddresses(app.db, tom.id);
    const [tomsPump] = await listCustomerEquipment(app.db, tom.id);
    const [tomsContract] = await listCustomerContracts(app.db, tom.id);
    const marie = (await findCustomerByEmail(app.db, 'demo', MARIE))!;
    const [marieAddress] = await listAddresses(app.db, marie.id);
    const answers = await Promise.all([
      call('GET', `equipment/${tomsPump!.id}/services`, undefined, cookie),
      call('GET', `contracts/${tomsContract!.id}/prefill`, undefined, cookie),
      call('PUT', `addresses/${tomsAddress!.id}`, { latitude: 45, longitude: 4, accessComment: 'x' }, cookie),
      call('GET', `windows?${new URLSearchParams({ equipmentId: tomsPump!.id, addressId: tomsAddress!.id, serviceId: tomsContract!.serviceId, from: '2027-03-02' })}`, undefined, cookie),
      call('GET', `windows?${new URLSearchParams({ equipmentId: me.body.equipment[0].id, addressId: tomsAddress!.id, serviceId: me.body.contracts[0].serviceId, from: '2027-03-02' })}`, undefined, cookie),
      call('POST', 'holds', { equipmentId: tomsPump!.id, addressId: tomsAddress!.id, serviceId: tomsContract!.serviceId, windowStart: '2027-03-02T07:00:00Z' }, cookie),
      call('POST', 'equipment', { typeId: tomsPump!.typeId, addressId: tomsAddress!.id, make: 'Stolen' }, cookie),
    ]);
    expect(answers.map((a) => [a.status, a.body.error.code])).toEqual(Array.from({ length: 7 }, () => [404, 'not_found']));
    // Tom's address is untouched, Marie's own can be corrected and is flagged.
    expect((await listAddresses(app.db, tom.id))[0]!.accessComment).toBe('Door code 4821B, 3rd floor');
    const corrected = await call('PUT', `addresses/${marieAddress!.id}`, { latitude: 48.855, longitude: 2.3741, accessComment: 'Code 1234, 2e étage' }, cookie);
    expect(corrected.body.address).toMatchObject({ correctedByCustomer: true, latitude: 48.855, accessComment: 'Code 1234, 2e étage' });
  });

  test('contract pre-fill, services, windows, hold and draft over HTTP; the customer registers an appliance', async () => {
    clock.advanceMinutes(40);
    const cookie = await signIn(MARIE);
    const me = (await call('GET', 'me', undefined, cookie)).body;
    const prefill = (await call('GET', `contracts/${me.contracts[0].id}/prefill`, undefined, cookie)).body;
    expect(prefill).toMatchObject({ equipmentId: me.equipment[0].id, addressId: me.addresses[0].id, task: 'Entretien annuel obligatoire et attestation' });
    const services = (await call('GET', `equipment/${prefill.equipmentId}/services`, undefined, cookie)).body.services;
    expect(services.map((s: { slug: string }) => s.slug)).toEqual(['boiler-service']);
    const q = new URLSearchParams({ equipmentId: prefill.equipmentId, addressId: prefill.addressId, serviceId: prefill.serviceId, contractId: prefill.contractId, from: '2027-03-02' });
    const windows = (await call('GET', `windows?${q}`, undefined, cookie)).body;
    expect(windows.timeZone).toBe('Europe/Paris');
    expect(windows.windows[0]).toEqual({ start: '2027-03-02T07:00:00.000Z', end: '2027-03-02T09:00:00.000Z' });
    const visit = { equipmentId: prefill.equipmentId, contractId: prefill.contractId, addressId: prefill.addressId, serviceId: prefill.serviceId };
    const hold = await call('POST', 'holds', { ...visit, windowStart: windows.windows[0].start }, cookie);
    expect(hold.status).toBe(201);
    const draft = await call('POST', 'drafts', { ...visit, holdId: hold.body.hold.id }, cookie);
    expect([draft.status, draft.body.appointment.state]).toEqual([201, 'pending']);
    // Retrying the same hold answers with the same draft.
    expect((await call('POST', 'drafts', { ...visit, holdId: hold.body.hold.id }, cookie)).body.appointment.id).toBe(draft.body.appointment.id);

    const registered = await call('POST', 'equipment', { typeId: me.equipmentTypes[0].id, addressId: me.addresses[0].id, make: 'Atlantic', model: 'Naia 2', installedOn: '2024-02-01' }, cookie);
    expect(registered.status).toBe(201);
    expect(registered.body.equipment).toMatchObject({ make: 'Atlantic', registeredBy: 'customer' });

    expect((await call('POST', 'sign-out', {}, cookie)).status).toBe(204);
    expect((await call('GET', 'me', undefined, cookie)).status).toBe(401);
  });
});
