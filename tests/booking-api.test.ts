import type { Database } from '../models/database.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { api, startTestServer, testClock, type TestServer } from './support/server.ts';

// Monday 1 March 2027, 08:00 in Paris.
const clock = testClock('2027-03-01T07:00:00Z');
const customer = { name: 'Ada Lovelace', email: 'ada@example.com', locale: 'en' };
const TUESDAY_10_PARIS = '2027-03-02T09:00:00.000Z';

describe.each(DATABASE_KINDS)('booking API on %s', (kind) => {
  let db: Database;
  let t: TestServer;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    t = await startTestServer(db, clock.now);
  });
  afterAll(async () => {
    await t.close();
    await db.close();
  });
  beforeEach(() => clock.set('2027-03-01T07:00:00Z'));

  test('health and catalogue', async () => {
    expect((await api(t, 'GET', '/healthz')).body).toEqual({ status: 'ok', database: kind });
    const services = await api(t, 'GET', '/api/services');
    expect(services.status).toBe(200);
    expect(services.body.services.map((s: { slug: string }) => s.slug)).toEqual([
      'design-consultation', 'showroom-visit', 'video-advice', 'home-measurement',
    ]);
    const design = services.body.services[0];
    expect(design.bookingMode).toBe('request');
    expect(design.statuses.map((s: { kind: string }) => s.kind)).toEqual(['start', 'start', 'confirmation', 'cancellation']);
  });

  test('stores near a city, a postcode and coordinates, nearest first', async () => {
    const lyon = await api(t, 'GET', '/api/stores?near=Grenoble');
    expect(lyon.status).toBe(200);
    expect(lyon.body.stores.map((s: { slug: string }) => s.slug)).toEqual(['lyon-bellecour', 'paris-opera', 'new-york-soho']);
    const paris = await api(t, 'GET', '/api/stores?near=75011');
    expect(paris.body.stores[0].slug).toBe('paris-opera');
    expect(paris.body.stores[0].distanceKm).toBeLessThan(10);
    const ny = await api(t, 'GET', '/api/stores?near=' + encodeURIComponent('40.73,-73.99'));
    expect(ny.body.stores[0].slug).toBe('new-york-soho');
    const unknown = await api(t, 'GET', '/api/stores?near=Atlantis');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'place_not_found', field: 'near' });
    const video = await api(t, 'GET', '/api/stores?service=home-measurement');
    expect(video.body.stores).toHaveLength(3);
  });

  test('availability in the store zone and in the customer zone', async () => {
    const res = await api(t, 'GET', '/api/availability?service=showroom-visit&mode=in_store&store=paris-opera&from=2027-03-02&to=2027-03-02');
    expect(res.status).toBe(200);
    expect(res.body.timeZone).toBe('Europe/Paris');
    const [day] = res.body.days;
    expect(day.date).toBe('2027-03-02');
    expect(day.slots[0]).toEqual({ start: '2027-03-02T08:00:00.000Z', end: '2027-03-02T08:30:00.000Z', time: '09:00', free: 2 });
    // 09:00–12:30 and 13:30–18:00 in 30-minute steps of 30-minute visits: 7 + 9 slots.
    expect(day.slots).toHaveLength(16);
    const ny = await api(t, 'GET', '/api/availability?service=showroom-visit&mode=in_store&store=paris-opera&from=2027-03-02&to=2027-03-02&tz=America/New_York');
    expect(ny.body.days[0].slots[0]).toMatchObject({ start: '2027-03-02T08:00:00.000Z', time: '03:00' });
  });

  test('hold, then book from the hold; the slot is gone for others meanwhile', async () => {
    const slot = { service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: TUESDAY_10_PARIS };
    const h1 = await api(t, 'POST', '/api/holds', slot);
    expect(h1.status).toBe(201);
    expect(new Date(h1.body.hold.expiresAt).getTime() - clock.now().getTime()).toBe(10 * 60_000);
    const h2 = await api(t, 'POST', '/api/holds', slot);
    expect(h2.status).toBe(201);
    expect(h2.body.hold.id).not.toBe(h1.body.hold.id);
    // Two staff, two holds: the third asker gets a clear 409.
    const h3 = await api(t, 'POST', '/api/holds', slot);
    expect(h3.status).toBe(409);
    expect(h3.body.error.code).toBe('slot_unavailable');
    const avail = await api(t, 'GET', '/api/availability?service=showroom-visit&mode=in_store&store=paris-opera&from=2027-03-02T09:00:00Z&to=2027-03-02T09:30:00Z');
    expect(avail.body.days).toEqual([]);

    const booked = await api(t, 'POST', '/api/appointments', { holdId: h1.body.hold.id, customer, timeZone: 'Europe/Paris' });
    expect(booked.status).toBe(201);
    expect(booked.body.appointment).toMatchObject({ state: 'confirmed', start: TUESDAY_10_PARIS, localStart: '2027-03-02T10:00:00+01:00' });
    // A hold is used once.
    const again = await api(t, 'POST', '/api/appointments', { holdId: h1.body.hold.id, customer });
    expect(again.status).toBe(404);

    // The second hold expires by itself: after 10 minutes the slot is free again.
    clock.advanceMinutes(11);
    const late = await api(t, 'POST', '/api/appointments', { holdId: h2.body.hold.id, customer });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('hold_expired');
    const freeAgain = await api(t, 'GET', '/api/availability?service=showroom-visit&mode=in_store&store=paris-opera&from=2027-03-02T09:00:00Z&to=2027-03-02T09:30:00Z');
    expect(freeAgain.body.days[0].slots[0].free).toBe(1);
    expect((await api(t, 'POST', '/api/holds', slot)).status).toBe(201);
  });

  test('staff are assigned fairly: the least booked that day first', async () => {
    const wednesday = await api(t, 'GET', '/api/availability?service=showroom-visit&mode=in_store&store=paris-opera&from=2027-03-03&to=2027-03-03');
    const starts = ['09:00', '11:00', '14:00', '16:00'].map((time) => wednesday.body.days[0].slots.find((s: { time: string }) => s.time === time));
    expect(starts.map((s) => s.free)).toEqual([2, 2, 2, 2]);
    const staff: string[] = [];
    for (const slot of starts) {
      const res = await api(t, 'POST', '/api/appointments', { service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: slot.start, customer });
      expect(res.status).toBe(201);
      staff.push(res.body.appointment.staffId);
    }
    // Each booking goes to whoever has fewer that day: the two advisors alternate.
    expect(new Set(staff).size).toBe(2);
    expect(staff[1]).not.toBe(staff[0]);
    expect(staff[3]).not.toBe(staff[2]);
  });

  test('request-mode booking waits in the workflow start status, blocks its slot, and is confirmed by staff', async () => {
    const res = await api(t, 'POST', '/api/appointments', {
      service: 'design-consultation', mode: 'online', store: 'lyon-bellecour', start: '2027-03-03T13:00:00Z',
      customer: { name: 'Émile Zola', phone: '+33612345678', locale: 'fr' }, timeZone: 'Europe/Paris', notes: 'Petite cuisine',
    });
    expect(res.status).toBe(201);
    const a = res.body.appointment;
    expect(a.state).toBe('pending');
    const { body: { services } } = await api(t, 'GET', '/api/services');
    const statuses = services[0].statuses as { id: string; name: string; kind: string }[];
    expect(a.statusId).toBe(statuses[0]!.id);

    const rejectWithoutReason = await api(t, 'POST', `/api/appointments/${a.id}/status`, { statusId: statuses[3]!.id });
    expect(rejectWithoutReason.status).toBe(400);
    expect(rejectWithoutReason.body.error.field).toBe('reason');
    const checking = await api(t, 'POST', `/api/appointments/${a.id}/status`, { statusId: statuses[1]!.id });
    expect(checking.body.appointment).toMatchObject({ state: 'pending', statusId: statuses[1]!.id });
    const confirmed = await api(t, 'POST', `/api/appointments/${a.id}/status`, { statusId: statuses[2]!.id });
    expect(confirmed.body.appointment).toMatchObject({ state: 'confirmed', statusId: statuses[2]!.id });
    const detail = await api(t, 'GET', `/api/appointments/${a.id}`);
    expect(detail.body.appointment.history.map((h: { toStatusId: string }) => h.toStatusId)).toEqual([
      statuses[2]!.id, statuses[1]!.id, statuses[0]!.id,
    ]);
  });

  test('idempotent booking: a retry with the same key returns the first booking', async () => {
    const body = { service: 'video-advice', mode: 'online', start: '2027-03-04T10:00:00Z', customer, idempotencyKey: 'retry-key-0001' };
    const first = await api(t, 'POST', '/api/appointments', body);
    const second = await api(t, 'POST', '/api/appointments', body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.replayed).toBe(true);
    expect(second.body.appointment.id).toBe(first.body.appointment.id);
    const viaHeader = await api(t, 'POST', '/api/appointments', { ...body, idempotencyKey: undefined }, { 'idempotency-key': 'retry-key-0001' });
    expect(viaHeader.body.appointment.id).toBe(first.body.appointment.id);
  });

  test('reschedule moves atomically and frees the old time; cancel keeps the reason', async () => {
    const booked = await api(t, 'POST', '/api/appointments', {
      service: 'home-measurement', mode: 'at_home', home: { address: '3 rue de Rivoli, 75004 Paris', latitude: 48.856, longitude: 2.353 },
      start: '2027-03-05T08:00:00Z', customer,
    });
    expect(booked.status).toBe(201);
    const id = booked.body.appointment.id;
    const moved = await api(t, 'POST', `/api/appointments/${id}/reschedule`, { start: '2027-03-05T09:00:00Z' });
    expect(moved.status).toBe(200);
    expect(moved.body.appointment).toMatchObject({ start: '2027-03-05T09:00:00.000Z', version: 2 });
    // 10:00–11:30 with 30-minute travel buffers either side leaves no morning slot; afternoons are free.
    const avail = await api(t, 'GET', '/api/availability?service=home-measurement&mode=at_home&lat=48.856&lng=2.353&from=2027-03-05&to=2027-03-05');
    expect(avail.body.days[0].slots.map((s: { time: string }) => s.time)).toEqual(['13:30', '14:30', '15:30', '16:30']);
    // Far from every advisor: no at-home slots.
    const far = await api(t, 'GET', '/api/availability?service=home-measurement&mode=at_home&lat=43.6&lng=1.44&from=2027-03-05&to=2027-03-05');
    expect(far.body.days).toEqual([]);

    const cancelled = await api(t, 'POST', `/api/appointments/${id}/cancel`, { reason: 'Moving house' });
    expect(cancelled.body.appointment).toMatchObject({ state: 'cancelled', cancellationReason: 'Moving house' });
    expect((await api(t, 'POST', `/api/appointments/${id}/cancel`, { reason: 'again' })).body.error.code).toBe('appointment_cancelled');
    expect((await api(t, 'POST', `/api/appointments/${id}/reschedule`, { start: '2027-03-05T13:00:00Z' })).status).toBe(409);
    const freed = await api(t, 'GET', '/api/availability?service=home-measurement&mode=at_home&lat=48.856&lng=2.353&from=2027-03-05&to=2027-03-05');
    expect(freed.body.days[0].slots.map((s: { time: string }) => s.time)).toEqual(['09:00', '10:00', '11:00', '13:30', '14:30', '15:30', '16:30']);
  });

  test('customers may change only up to the notice; staff may always', async () => {
    const booked = await api(t, 'POST', '/api/appointments', {
      service: 'showroom-visit', mode: 'in_store', store: 'new-york-soho', start: '2027-03-01T15:00:00Z', customer,
    });
    expect(booked.status).toBe(201);
    const id = booked.body.appointment.id;
    clock.set('2027-03-01T13:30:00Z'); // 90 minutes before; the notice is 120.
    const tooLate = await api(t, 'POST', `/api/appointments/${id}/cancel`, { reason: 'sick' });
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.error).toMatchObject({ code: 'change_too_late', details: { noticeMinutes: 120 } });
    const byStaff = await api(t, 'POST', `/api/appointments/${id}/cancel`, { reason: 'sick', onBehalfOf: 'staff' });
    expect(byStaff.body.appointment.state).toBe('cancelled');
  });

  test.each([
    ['no API key', 'POST', '/api/holds', {}, 401, 'unauthorized', { authorization: '' }],
    ['unknown API key', 'POST', '/api/holds', {}, 401, 'unauthorized', { authorization: 'Bearer rk_nope' }],
    ['malformed JSON', 'POST', '/api/holds', '{"service":', 400, 'invalid_json', {}],
    ['missing start', 'POST', '/api/holds', { service: 'showroom-visit', mode: 'in_store', store: 'paris-opera' }, 400, 'invalid_input', {}],
    ['start without offset', 'POST', '/api/holds', { service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: '2027-03-02T10:00' }, 400, 'invalid_input', {}],
    ['mode not offered', 'POST', '/api/holds', { service: 'showroom-visit', mode: 'online', start: TUESDAY_10_PARIS }, 400, 'invalid_input', {}],
    ['in store without store', 'POST', '/api/holds', { service: 'showroom-visit', mode: 'in_store', start: TUESDAY_10_PARIS }, 400, 'invalid_input', {}],
    ['unknown service', 'POST', '/api/holds', { service: 'nope', mode: 'in_store', store: 'paris-opera', start: TUESDAY_10_PARIS }, 404, 'not_found', {}],
    ['unknown field', 'POST', '/api/holds', { service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: TUESDAY_10_PARIS, extra: 1 }, 400, 'invalid_input', {}],
    ['outside working hours', 'POST', '/api/holds', { service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: '2027-03-02T05:00:00Z' }, 409, 'slot_unavailable', {}],
    ['off the slot grid', 'POST', '/api/holds', { service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: '2027-03-02T09:10:00Z' }, 409, 'slot_unavailable', {}],
    ['no contact', 'POST', '/api/appointments', { service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: TUESDAY_10_PARIS, customer: { name: 'X' } }, 400, 'invalid_input', {}],
    ['bad email', 'POST', '/api/appointments', { service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: TUESDAY_10_PARIS, customer: { name: 'X', email: 'not-an-email' } }, 400, 'invalid_input', {}],
    ['bad phone', 'POST', '/api/appointments', { service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: TUESDAY_10_PARIS, customer: { name: 'X', phone: '0612' } }, 400, 'invalid_input', {}],
    ['hold and slot', 'POST', '/api/appointments', { holdId: '00000000-0000-4000-8000-000000000000', service: 'showroom-visit', customer }, 400, 'invalid_input', {}],
    ['unknown hold', 'POST', '/api/appointments', { holdId: '00000000-0000-4000-8000-000000000000', customer }, 404, 'not_found', {}],
    ['bad appointment id', 'GET', '/api/appointments/123', undefined, 400, 'invalid_input', {}],
    ['unknown appointment', 'GET', '/api/appointments/00000000-0000-4000-8000-000000000000', undefined, 404, 'not_found', {}],
    ['bad time zone', 'GET', '/api/availability?service=showroom-visit&mode=in_store&store=paris-opera&tz=Mars/Olympus', undefined, 400, 'invalid_input', {}],
    ['span too long', 'GET', '/api/availability?service=showroom-visit&mode=in_store&store=paris-opera&from=2027-03-01&to=2027-06-01', undefined, 400, 'invalid_input', {}],
    ['to before from', 'GET', '/api/availability?service=showroom-visit&mode=in_store&store=paris-opera&from=2027-03-05&to=2027-03-01', undefined, 400, 'invalid_input', {}],
    ['at home without coordinates', 'GET', '/api/availability?service=home-measurement&mode=at_home', undefined, 400, 'invalid_input', {}],
    ['unknown route', 'GET', '/api/nothing', undefined, 404, 'not_found', {}],
  ] as const)('%s → %i', async (_name, method, path, body, status, code, headers) => {
    const res = await api(t, method, path, body, headers);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
  });

  test('a body over 64 KB is refused with 413', async () => {
    const res = await api(t, 'POST', '/api/appointments', { notes: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
  });
});
