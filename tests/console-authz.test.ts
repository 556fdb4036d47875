import { DateTime } from 'luxon';
import type { Database } from '../models/database.ts';
import { findBrand, insertBrand, type Brand } from '../models/brands.repository.ts';
import { findService, findStore, type Store } from '../models/catalogue.repository.ts';
import { appendEntry, createWebConversation } from '../models/conversations.repository.ts';
import { DEMO_BRAND_ID, DEMO_PHONE_NUMBER, seedDemo } from '../models/seed.ts';
import { DEMO_ADMIN, seedDemoStaffAccounts, type DemoLogin } from '../models/seed-staff.ts';
import { insertAccount, insertConsoleTask, setStoreAccess } from '../models/staff-accounts.repository.ts';
import { insertStatus, listStatuses } from '../models/statuses.repository.ts';
import { hashToken } from '../models/staff-sessions.ts';
import { consoleApiRoutes } from '../server/routes/console-api.routes.ts';
import { bookAsCustomer } from './support/booking.ts';
import { listRoutes } from './support/console-routes.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';
import { fieldFixtures } from './support/field-fixtures.ts';
import { testClock } from './support/server.ts';
import { ConsoleClient, startConsoleServer, type ConsoleServer, type Reply } from './support/console.ts';

/**
 * Authorization matrix of the console API (issue 9): every route the router has × role (agent,
 * store manager, admin) × the user's own store / another store (another brand for an admin).
 * Nothing of a store out of scope is ever in an answer; a refused write changes no row.
 */

// Monday 1 March 2027, 08:00 in Paris.
const START = '2027-03-01T07:00:00Z';
const clock = testClock(START);
const TEST_PARAMS = { N: 2 ** 14, r: 8, p: 1 };
const RIVAL = 'rival';
const ZONE = 'Europe/Paris';
const LOCAL_HOURS = [9, 11, 14, 16];

type Role = 'agent' | 'store_manager' | 'admin';
const ROLES: Role[] = ['agent', 'store_manager', 'admin'];
type Target = 'own' | 'other';

/** A store with what the matrix points at there. */
interface Place {
  key: 'paris' | 'lyon' | 'rival';
  brand: Brand;
  store: Store;
  /** A request-mode service with a workflow, booked in store here. */
  bookService: string;
  /** Its workflow's "second start" status (a move within the workflow). */
  stepStatusId: string;
  /** A service whose workflow only this store uses. */
  workflowServiceId: string;
  /** A staff member who works here only (a manager of this store manages them). */
  staffId: string;
  staffHours: { store: string; weekday: number; starts: string; ends: string }[];
  /** Strings only this place's data contains: none may reach a user outside it. */
  markers: Set<string>;
  nextSlot: number;
}

interface Row {
  /** Roles the route serves at all: the others get 403 whatever they point at. */
  roles: Role[];
  /** read: never changes a row; write: changes none when refused; auth: sign-in (counts failures, by design). */
  kind: 'read' | 'write' | 'auth';
  /** The status of an allowed call on the user's own store. */
  ok: number;
  /** Makes what it points at (fixtures), then sends the one request under test. */
  call: (c: ConsoleClient, place: Place, target: Target, role: Role) => Promise<Reply>;
  /** The call names no store or brand resource: the other place cannot be pointed at (why). */
  noTarget?: string;
  /** The answer is public data of the brand (why): another store of the brand answers as the user's own. */
  brandPublic?: string;
  /** Needs a client of its own (it signs in or out). */
  ownClient?: true;
}

describe.each(DATABASE_KINDS)('console authorization on %s', (kind) => {
  let db: Database;
  let server: ConsoleServer;
  let logins: DemoLogin[];
  let brand: Brand;
  let places: Record<Place['key'], Place>;
  const clients = new Map<Role, Probe>();
  let field: ReturnType<typeof fieldFixtures>;

  /** A console client that hashes the database right before each request: fixtures made before it do not count. */
  class Probe extends ConsoleClient {
    before: Map<string, string> | null = null;
    override async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
      this.before = await snapshot();
      return super.request(method, path, body, headers);
    }
  }
  async function probeAs(role: Role): Promise<Probe> {
    const me = credentials.get(role)!;
    const probe = new Probe(server);
    const reply = await probe.login(me.email, me.password);
    if (reply.status !== 201) throw new Error(`sign-in of ${me.email}: ${reply.status}`);
    return probe;
  }
  const credentials = new Map<Role, { email: string; password: string }>();
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${kind}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

  /** The user's own place, or the other one: another store of the brand, another brand for an admin. */
  const placeFor = (role: Role, target: Target): Place =>
    target === 'own' ? places.paris : role === 'admin' ? places.rival : places.lyon;
  /** Places whose data the role must never receive. */
  const outside = (role: Role): Place[] => (role === 'admin' ? [places.rival] : [places.lyon, places.rival]);

  /** A free request slot at the place (each slot used once), as an ISO instant. */
  function freshStart(place: Place): string {
    const n = place.nextSlot++;
    let day = DateTime.fromISO('2027-03-02', { zone: ZONE });
    for (let weekdays = Math.floor(n / LOCAL_HOURS.length); weekdays > 0 || day.weekday > 5;) {
      day = day.plus({ days: 1 });
      if (day.weekday <= 5) weekdays--;
    }
    return day.set({ hour: LOCAL_HOURS[n % LOCAL_HOURS.length]! }).toUTC().toISO()!;
  }

  /** A pending request at the place, booked in a chat whose transcript holds a marker. */
  async function freshAppointment(place: Place): Promise<string> {
    const { conversation } = await createWebConversation(db, place.brand.id, 'en', ZONE);
    const said = unique('transcript');
    await appendEntry(db, conversation.id, { sender: 'customer', text: said });
    const name = unique('Customer');
    const appointment = await bookAsCustomer({ db, now: clock.now }, place.brand, {
      service: place.bookService, store: place.store, start: freshStart(place), conversationId: conversation.id,
      customer: { name, email: `${name.toLowerCase()}@example.com` },
    });
    for (const m of [said, name, conversation.id, appointment.id]) place.markers.add(m);
    return appointment.id;
  }

  async function freshTask(place: Place): Promise<string> {
    const message = unique('task');
    place.markers.add(message);
    const task = await insertConsoleTask(db, { brandId: place.brand.id, storeId: place.store.id, message, customerName: unique('Caller') }, clock.now());
    place.markers.add(task.id);
    return task.id;
  }

  /** A console account of a new staff member of the place (invited, no password yet). */
  async function freshAccount(place: Place): Promise<string> {
    const email = `${unique('staff')}@example.com`;
    const [row] = await db.query<{ id: string }>(
      'INSERT INTO staff (brand_id, name, email, home_store_id) VALUES ($1, $2, $3, $4) RETURNING id',
      [place.brand.id, unique('Staff'), email, place.store.id],
    );
    await insertAccount(db, { staffId: row!.id, email, role: 'agent', passwordHash: null, inviteTokenHash: hashToken(unique('t')), inviteExpiresAt: new Date('2030-01-01') }, clock.now());
    await setStoreAccess(db, row!.id, [place.store.id]);
    place.markers.add(email);
    return row!.id;
  }

  async function freshStatus(place: Place): Promise<string> {
    const statuses = await listStatuses(db, place.workflowServiceId);
    const status = await insertStatus(db, {
      serviceId: place.workflowServiceId, name: unique('Extra'), description: '', position: statuses.length + 1, kind: 'start', color: '#607d8b',
    });
    return status.id;
  }

  async function freshTimeOff(place: Place): Promise<string> {
    const [row] = await db.query<{ id: string }>(
      'INSERT INTO staff_time_off (staff_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4) RETURNING id',
      [place.staffId, '2027-06-01T00:00:00Z', '2027-06-02T00:00:00Z', 'fixture'],
    );
    return row!.id;
  }

  /** One hash per table (bar the sessions the requests themselves touch): a write changes at least one. */
  async function snapshot(): Promise<Map<string, string>> {
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
         AND table_name NOT IN ('staff_sessions', 'schema_migrations') ORDER BY table_name`,
    );
    const rows = await db.query<{ name: string; h: string }>(tables.map((t) =>
      `SELECT '${t.table_name}' AS name, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${t.table_name}" x`).join(' UNION ALL '));
    return new Map(rows.map((r) => [r.name, r.h]));
  }
  const changedTables = (before: Map<string, string>, after: Map<string, string>) =>
    [...after].filter(([name, h]) => before.get(name) !== h).map(([name]) => name);

  const SEED_HOURS = [1, 2, 3, 4, 5].flatMap((weekday) => [
    { weekday, starts: '09:00', ends: '12:30' }, { weekday, starts: '13:30', ends: '18:00' },
  ]);
  const STORE_HOURS = [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, opens: '09:00', closes: '19:00' }));

  /** Every route of the console API: the key is what listRoutes reads from the router. */
  const MATRIX: Record<string, Row> = {
    'POST /session': {
      roles: ROLES, kind: 'auth', ok: 201, ownClient: true,
      noTarget: 'signs in with the caller’s own credentials; the other case signs in with a wrong password',
      call: (c, _place, target, role) => {
        const me = credentials.get(role)!;
        return c.post('/session', { email: me.email, password: target === 'own' ? me.password : 'wrong-password' });
      },
    },
    'POST /invites/accept': {
      roles: ROLES, kind: 'auth', ok: 200, ownClient: true,
      noTarget: 'the invite token is the credential; the other case is a token nobody was given',
      call: async (c, place, target) => {
        const token = unique('invite-token-that-is-long-enough');
        if (target === 'own') {
          const id = await freshAccount(place);
          await db.query('UPDATE staff_accounts SET invite_token_hash = $2 WHERE staff_id = $1', [id, hashToken(token)]);
        }
        return c.post('/invites/accept', { token, password: 'a long enough passphrase 2027' });
      },
    },
    'GET /session': { roles: ROLES, kind: 'read', ok: 200, noTarget: 'the caller’s own session', call: (c) => c.get('/session') },
    'DELETE /session': { roles: ROLES, kind: 'read', ok: 204, ownClient: true, noTarget: 'signs the caller’s own session out', call: (c) => c.delete('/session') },
    'GET /appointments': {
      roles: ROLES, kind: 'read', ok: 200,
      call: async (c, place, target) => {
        await freshAppointment(place);
        return c.get(target === 'own' ? '/appointments?view=upcoming&limit=200' : `/appointments?view=upcoming&store=${place.store.id}`);
      },
    },
    'GET /appointments/:id': { roles: ROLES, kind: 'read', ok: 200, call: async (c, place) => c.get(`/appointments/${await freshAppointment(place)}`) },
    'POST /appointments/:id/confirm': { roles: ROLES, kind: 'write', ok: 200, call: async (c, place) => c.post(`/appointments/${await freshAppointment(place)}/confirm`) },
    'POST /appointments/:id/reschedule': {
      roles: ROLES, kind: 'write', ok: 200,
      call: async (c, place) => c.post(`/appointments/${await freshAppointment(place)}/reschedule`, { start: freshStart(place) }),
    },
    'POST /appointments/:id/cancel': {
      roles: ROLES, kind: 'write', ok: 200, call: async (c, place) => c.post(`/appointments/${await freshAppointment(place)}/cancel`, { reason: 'matrix' }),
    },
    'POST /appointments/:id/status': {
      roles: ROLES, kind: 'write', ok: 200,
      call: async (c, place) => c.post(`/appointments/${await freshAppointment(place)}/status`, { statusId: place.stepStatusId }),
    },
    'GET /appointments/:id/slots': { roles: ROLES, kind: 'read', ok: 200, call: async (c, place) => c.get(`/appointments/${await freshAppointment(place)}/slots?days=1`) },
    'POST /appointments': {
      roles: ROLES, kind: 'write', ok: 201,
      call: (c, place) => {
        const name = unique('Phone');
        place.markers.add(name);
        return c.post('/appointments', {
          service: place.bookService, mode: 'in_store', store: place.store.id, start: freshStart(place), customer: { name, email: `${name.toLowerCase()}@example.com` },
        });
      },
    },
    'GET /availability': {
      roles: ROLES, kind: 'read', ok: 200,
      brandPublic: 'free times of the brand’s stores, as the public GET /api/availability answers anyone',
      call: (c, place) => c.get(`/availability?service=${place.bookService}&mode=in_store&store=${place.store.id}&from=2027-03-02&to=2027-03-02`),
    },
    'GET /tasks': { roles: ROLES, kind: 'read', ok: 200, noTarget: 'lists the caller’s tasks (the other place’s must not be among them)', call: (c) => c.get('/tasks?status=all&limit=200') },
    'POST /tasks/:id/done': { roles: ROLES, kind: 'write', ok: 200, call: async (c, place) => c.post(`/tasks/${await freshTask(place)}/done`) },
    'GET /services/:id/statuses': {
      roles: ['admin', 'store_manager'], kind: 'read', ok: 200,
      brandPublic: 'a service’s statuses are the brand’s (GET /api/services shows them to anyone); editing is the matter',
      call: (c, place) => c.get(`/services/${place.workflowServiceId}/statuses`),
    },
    'PUT /services/:id/workflow': {
      roles: ['admin', 'store_manager'], kind: 'write', ok: 200, call: (c, place) => c.put(`/services/${place.workflowServiceId}/workflow`, { enabled: true }),
    },
    'POST /services/:id/statuses': {
      roles: ['admin', 'store_manager'], kind: 'write', ok: 201,
      call: (c, place) => c.post(`/services/${place.workflowServiceId}/statuses`, { name: unique('Step'), kind: 'start', position: 2 }),
    },
    'PATCH /statuses/:id': {
      roles: ['admin', 'store_manager'], kind: 'write', ok: 200, call: async (c, place) => c.patch(`/statuses/${await freshStatus(place)}`, { color: '#123456' }),
    },
    'POST /services/:id/statuses/reorder': {
      roles: ['admin', 'store_manager'], kind: 'write', ok: 200,
      call: async (c, place) => {
        const ids = (await listStatuses(db, place.workflowServiceId)).map((s) => s.id);
        return c.post(`/services/${place.workflowServiceId}/statuses/reorder`, { ids: [ids[0], ...ids.slice(1).reverse()].filter((id) => id) });
      },
    },
    'DELETE /statuses/:id': { roles: ['admin', 'store_manager'], kind: 'write', ok: 200, call: async (c, place) => c.delete(`/statuses/${await freshStatus(place)}`) },
    'GET /services': { roles: ROLES, kind: 'read', ok: 200, noTarget: 'the brand’s catalogue (the other brand’s must not be in it)', call: (c) => c.get('/services') },
    'PATCH /services/:id': {
      roles: ['admin'], kind: 'write', ok: 200,
      call: async (c, place) => c.patch(`/services/${(await findService(db, place.brand.id, place.bookService))!.id}`, { position: 0 }),
    },
    'GET /stores': { roles: ROLES, kind: 'read', ok: 200, noTarget: 'lists the caller’s stores (the other place must not be among them)', call: (c) => c.get('/stores') },
    'GET /stores/:id': { roles: ROLES, kind: 'read', ok: 200, call: (c, place) => c.get(`/stores/${place.store.id}`) },
    'PATCH /stores/:id': { roles: ['admin', 'store_manager'], kind: 'write', ok: 200, call: (c, place) => c.patch(`/stores/${place.store.id}`, { hours: STORE_HOURS }) },
    'GET /staff/:id': { roles: ['admin', 'store_manager'], kind: 'read', ok: 200, call: (c, place) => c.get(`/staff/${place.staffId}`) },
    'PUT /staff/:id/hours': { roles: ['admin', 'store_manager'], kind: 'write', ok: 200, call: (c, place) => c.put(`/staff/${place.staffId}/hours`, { hours: place.staffHours }) },
    'POST /staff/:id/time-off': {
      roles: ['admin', 'store_manager'], kind: 'write', ok: 201,
      call: (c, place) => c.post(`/staff/${place.staffId}/time-off`, { startsAt: '2027-07-01T00:00:00Z', endsAt: '2027-07-02T00:00:00Z', reason: 'matrix' }),
    },
    'DELETE /staff/:id/time-off/:timeOffId': {
      roles: ['admin', 'store_manager'], kind: 'write', ok: 204, call: async (c, place) => c.delete(`/staff/${place.staffId}/time-off/${await freshTimeOff(place)}`),
    },
    'GET /settings/notifications': { roles: ['admin'], kind: 'read', ok: 200, noTarget: 'always the caller’s brand', call: (c) => c.get('/settings/notifications') },
    'PUT /settings/notifications': { roles: ['admin'], kind: 'write', ok: 200, noTarget: 'always the caller’s brand', call: (c) => c.put('/settings/notifications', {}) },
    'GET /settings/faq': { roles: ROLES, kind: 'read', ok: 200, noTarget: 'the caller’s brand FAQ (the other brand’s must not be in it)', call: (c) => c.get('/settings/faq') },
    'PUT /settings/faq': {
      roles: ['admin'], kind: 'write', ok: 200, noTarget: 'always the caller’s brand',
      call: (c) => c.put('/settings/faq', { entries: [{ keywords: ['parking'], answers: { en: 'Parking is free at the back.' } }] }),
    },
    'GET /settings/phone-numbers': {
      roles: ['admin'], kind: 'read', ok: 200, noTarget: 'the caller’s brand numbers (the other brand’s must not be in it)', call: (c) => c.get('/settings/phone-numbers'),
    },
    'PUT /settings/phone-numbers': {
      roles: ['admin'], kind: 'write', ok: 200, noTarget: 'always the caller’s brand',
      call: (c) => c.put('/settings/phone-numbers', { numbers: [{ phone: DEMO_PHONE_NUMBER, sms: true, whatsapp: true }] }),
    },
    'GET /templates': { roles: ['admin'], kind: 'read', ok: 200, noTarget: 'always the caller’s brand (the other brand’s overrides must not be in it)', call: (c) => c.get('/templates') },
    'PUT /templates/:event/:locale/:channel': {
      roles: ['admin'], kind: 'write', ok: 200, noTarget: 'always the caller’s brand', call: (c) => c.put('/templates/confirmed/en/sms', { subject: null, body: 'See you {{when}}' }),
    },
    'DELETE /templates/:event/:locale/:channel': {
      roles: ['admin'], kind: 'write', ok: 200, noTarget: 'always the caller’s brand', call: (c) => c.delete('/templates/confirmed/en/sms'),
    },
    'POST /templates/preview': {
      roles: ['admin'], kind: 'read', ok: 200,
      call: async (c, place) => c.post('/templates/preview', { locale: 'en', channel: 'sms', body: '{{customerName}}', appointmentId: await freshAppointment(place) }),
    },
    'GET /staff': { roles: ['admin', 'store_manager'], kind: 'read', ok: 200, noTarget: 'lists the caller’s people (the other place’s must not be among them)', call: (c) => c.get('/staff') },
    'POST /staff/invite': {
      roles: ['admin'], kind: 'write', ok: 201,
      call: (c, place) => c.post('/staff/invite', { name: unique('Invitee'), email: `${unique('invitee')}@example.com`, role: 'agent', stores: [place.store.id] }),
    },
    'POST /staff/:id/reinvite': { roles: ['admin'], kind: 'write', ok: 200, call: async (c, place) => c.post(`/staff/${await freshAccount(place)}/reinvite`) },
    'POST /staff/:id/disable': { roles: ['admin'], kind: 'write', ok: 200, call: async (c, place) => c.post(`/staff/${await freshAccount(place)}/disable`) },
    'POST /staff/:id/enable': { roles: ['admin'], kind: 'write', ok: 200, call: async (c, place) => c.post(`/staff/${await freshAccount(place)}/enable`) },
    'PATCH /staff/:id/access': {
      roles: ['admin'], kind: 'write', ok: 200, call: async (c, place) => c.patch(`/staff/${await freshAccount(place)}/access`, { stores: [place.store.id] }),
    },
    // On-site visits (document 002): drafts belong to their technician's home store.
    'GET /field/drafts': { roles: ROLES, kind: 'read', ok: 200, noTarget: 'lists the drafts of the caller’s stores (the other place’s must not be among them)', call: async (c, place) => { await field.draft(place); return c.get('/field/drafts'); } },
    'GET /field/visits/:id': { roles: ROLES, kind: 'read', ok: 200, call: async (c, place) => c.get(`/field/visits/${(await field.draft(place)).appointmentId}`) },
    'POST /field/drafts/:id/validate': {
      roles: ROLES, kind: 'write', ok: 200,
      call: async (c, place) => { const d = await field.draft(place); return c.post(`/field/drafts/${d.appointmentId}/validate`, { arrivalAt: d.windowStart.toISOString() }); },
    },
    'POST /field/drafts/:id/move': {
      roles: ROLES, kind: 'write', ok: 200,
      call: async (c, place) => { const d = await field.draft(place); return c.post(`/field/drafts/${d.appointmentId}/move`, { windowStart: d.nextWindowStart.toISOString() }); },
    },
    'POST /field/drafts/:id/reject': { roles: ROLES, kind: 'write', ok: 200, call: async (c, place) => c.post(`/field/drafts/${(await field.draft(place)).appointmentId}/reject`, { reason: 'No part' }) },
    'GET /field/settings': { roles: ['admin'], kind: 'read', ok: 200, noTarget: 'the caller’s brand settings', call: (c) => c.get('/field/settings') },
    'PUT /field/settings': {
      roles: ['admin'], kind: 'write', ok: 200, noTarget: 'the caller’s brand settings',
      call: (c) => c.put('/field/settings', { arrivalWindowMinutes: 120, circuityFactor: 1.3, averageSpeedKmh: 30, travelBufferMinutes: 10, customersRegisterEquipment: false, contractNoticeDays: 30 }),
    },
    'GET /field/equipment-types': { roles: ['admin'], kind: 'read', ok: 200, noTarget: 'the caller’s brand equipment types', call: (c) => c.get('/field/equipment-types') },
    'PUT /field/equipment-types/:slug': {
      roles: ['admin'], kind: 'write', ok: 200, noTarget: 'an equipment type of the caller’s brand, named by slug',
      call: (c) => c.put(`/field/equipment-types/${unique('type').toLowerCase()}`, { names: { en: 'Oven', fr: 'Four' }, serviceIds: [] }),
    },
    'PUT /field/services/:id/skills': { roles: ['admin'], kind: 'write', ok: 200, call: (c, place) => c.put(`/field/services/${place.workflowServiceId}/skills`, { skills: ['boiler'] }) },
    'GET /field/technicians': { roles: ['admin'], kind: 'read', ok: 200, noTarget: 'the caller’s brand technicians', call: (c) => c.get('/field/technicians') },
    'PUT /field/technicians/:id': {
      roles: ['admin'], kind: 'write', ok: 200,
      call: (c, place) => c.put(`/field/technicians/${place.staffId}`, { startLatitude: 48.87, startLongitude: 2.33, timeZone: 'Europe/Paris', skills: ['boiler'], hours: [] }),
    },
    'GET /field/technicians/:id/sectors': { roles: ['admin'], kind: 'read', ok: 200, call: async (c, place) => c.get(`/field/technicians/${(await field.technician(place)).staffId}/sectors`) },
    'POST /field/technicians/:id/sectors': {
      roles: ['admin'], kind: 'write', ok: 201,
      call: async (c, place) => c.post(`/field/technicians/${(await field.technician(place)).staffId}/sectors`, { weekday: 6, postcodes: ['75011'] }),
    },
    'DELETE /field/technicians/:id/sectors/:sectorId': {
      roles: ['admin'], kind: 'write', ok: 204,
      call: async (c, place) => {
        const { staffId } = await field.technician(place);
        const [sector] = await db.query<{ id: string }>('SELECT id FROM technician_sectors WHERE staff_id = $1 LIMIT 1', [staffId]);
        return c.delete(`/field/technicians/${staffId}/sectors/${sector!.id}`);
      },
    },
    'POST /field/contracts': {
      roles: ['admin'], kind: 'write', ok: 201,
      call: async (c, place) => {
        const d = await field.draft(place);
        return c.post('/field/contracts', { equipmentId: d.equipmentId, serviceId: d.serviceId, task: 'Yearly check', periodMonths: 12, nextDueOn: '2027-09-01' });
      },
    },
  };

  // ---- fixtures ----------------------------------------------------------------------------------

  /** A service only the given staff offer, with the four-status workflow. */
  async function storeOnlyService(brandId: string, slug: string, staffIds: string[]): Promise<string> {
    const [service] = await db.query<{ id: string }>(
      `INSERT INTO services (brand_id, slug, names, duration_minutes, modes, booking_mode, status_workflow)
       VALUES ($1, $2, $3, 60, ARRAY['in_store'], 'request', true) RETURNING id`,
      [brandId, slug, JSON.stringify({ en: slug })],
    );
    const kinds = ['start', 'start', 'confirmation', 'cancellation'] as const;
    for (const [i, k] of kinds.entries()) {
      await insertStatus(db, { serviceId: service!.id, name: `${k} ${i + 1}`, description: '', position: i + 1, kind: k, color: '#607d8b' });
    }
    for (const staffId of staffIds) await db.query('INSERT INTO staff_services (staff_id, service_id) VALUES ($1, $2)', [staffId, service!.id]);
    return service!.id;
  }

  /** Another brand: one store, one advisor with an account, one request-mode service. */
  async function seedRival(): Promise<Place> {
    await insertBrand(db, { id: RIVAL, name: 'Rival Kitchens', defaultLocale: 'en', timeZone: ZONE, allowedOrigins: [], settings: {} });
    const [store] = await db.query<{ id: string }>(
      `INSERT INTO stores (brand_id, slug, name, address_line, postcode, city, country, latitude, longitude, time_zone)
       VALUES ($1, 'rival-louvre', 'Rival Louvre', '1 rue de Rivoli', '75001', 'Paris', 'FR', 48.86, 2.34, $2) RETURNING id`,
      [RIVAL, ZONE],
    );
    for (const day of [1, 2, 3, 4, 5, 6]) {
      await db.query(`INSERT INTO store_hours (store_id, weekday, opens, closes) VALUES ($1, $2, '09:00', '19:00')`, [store!.id, day]);
    }
    const [advisor] = await db.query<{ id: string }>(
      `INSERT INTO staff (brand_id, name, email, home_store_id) VALUES ($1, 'Rival Advisor', 'advisor@rival.example', $2) RETURNING id`,
      [RIVAL, store!.id],
    );
    for (const h of SEED_HOURS) {
      await db.query('INSERT INTO staff_hours (staff_id, store_id, weekday, starts, ends) VALUES ($1, $2, $3, $4, $5)', [advisor!.id, store!.id, h.weekday, h.starts, h.ends]);
    }
    await insertAccount(db, { staffId: advisor!.id, email: 'advisor@rival.example', role: 'agent', passwordHash: null, inviteTokenHash: null, inviteExpiresAt: null }, clock.now());
    const serviceId = await storeOnlyService(RIVAL, 'rival-consultation', [advisor!.id]);
    await db.query(
      `INSERT INTO message_templates (brand_id, event, locale, channel, subject, body, updated_at) VALUES ($1, 'confirmed', 'en', 'sms', NULL, 'Rival template marker', now())`,
      [RIVAL],
    );
    return {
      key: 'rival', brand: (await findBrand(db, RIVAL))!, store: (await findStore(db, RIVAL, 'rival-louvre'))!,
      bookService: 'rival-consultation', stepStatusId: (await listStatuses(db, serviceId))[1]!.id, workflowServiceId: serviceId,
      staffId: advisor!.id, staffHours: SEED_HOURS.map((h) => ({ store: store!.id, ...h })),
      markers: new Set([store!.id, 'advisor@rival.example', 'Rival template marker', 'rival-consultation', 'Rival Louvre']), nextSlot: 0,
    };
  }

  async function demoPlace(key: 'paris' | 'lyon', slug: string, staffName: string): Promise<Place> {
    const store = (await findStore(db, brand.id, slug))!;
    const staff = await db.query<{ id: string; name: string; email: string }>(
      'SELECT s.id, s.name, s.email FROM staff s JOIN staff_hours h ON h.staff_id = s.id WHERE h.store_id = $1 GROUP BY s.id ORDER BY s.name', [store.id],
    );
    const managed = staff.find((s) => s.name === staffName)!;
    const workflowServiceId = await storeOnlyService(brand.id, `${key}-workshop`, staff.map((s) => s.id));
    const design = (await findService(db, brand.id, 'design-consultation'))!;
    return {
      key, brand, store, bookService: 'design-consultation',
      stepStatusId: (await listStatuses(db, design.id)).find((s) => s.name === 'Checking availability')!.id,
      workflowServiceId, staffId: managed.id, staffHours: SEED_HOURS.map((h) => ({ store: store.id, ...h })),
      markers: new Set([store.id]), nextSlot: 0,
    };
  }

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db, { allowedOrigins: [] });
    logins = await seedDemoStaffAccounts(db, { passwordParams: TEST_PARAMS });
    server = await startConsoleServer(db, clock.now);
    field = fieldFixtures(db, clock.now, unique);
    brand = (await findBrand(db, DEMO_BRAND_ID))!;
    places = {
      paris: await demoPlace('paris', 'paris-opera', 'Lucas Bernard'),
      lyon: await demoPlace('lyon', 'lyon-bellecour', 'Hugo Laurent'),
      rival: await seedRival(),
    };
    // Lyon's own people are out of Paris users' reach.
    for (const s of await db.query<{ email: string }>(
      `SELECT s.email FROM staff s JOIN staff_hours h ON h.staff_id = s.id WHERE h.store_id = $1`, [places.lyon.store.id],
    )) places.lyon.markers.add(s.email);
    const emails: Record<Role, string> = {
      admin: DEMO_ADMIN.email, store_manager: 'camille.martin@atelier-lumiere.example', agent: 'lucas.bernard@atelier-lumiere.example',
    };
    for (const role of ROLES) {
      const login = logins.find((l) => l.email === emails[role])!;
      expect(login.role).toBe(role);
      credentials.set(role, { email: login.email, password: login.password });
      clients.set(role, await probeAs(role));
    }
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  // ---- the defects of issue 9, one by one ----------------------------------------------------------

  const count = async (sql: string, params: unknown[]) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0]!.n;

  test('booking from the console attaches only a conversation the agent is in; a transcript shows only to who may read it', async () => {
    const [lucas, admin] = [clients.get('agent')!, clients.get('admin')!];
    const lucasId = (await lucas.get('/session')).body.staff.id as string;
    // A Lyon customer's chat, with the appointment booked in it.
    const { conversation: lyonChat } = await createWebConversation(db, brand.id, 'fr', ZONE);
    await appendEntry(db, lyonChat.id, { sender: 'customer', text: 'Mon code d’accès est QX-LYON-DOOR, à Lyon' });
    await bookAsCustomer({ db, now: clock.now }, brand, {
      service: 'showroom-visit', store: places.lyon.store, start: freshStart(places.lyon), conversationId: lyonChat.id,
      customer: { name: 'Lyon Customer', email: 'lyon.customer@example.com' },
    });
    const booking = (conversationId: string) => ({
      service: 'showroom-visit', mode: 'in_store', store: places.paris.store.id, start: freshStart(places.paris),
      customer: { name: 'Phone Booking', email: 'phone.booking@example.com' }, conversationId,
    });

    const foreign = await lucas.post('/appointments', booking(lyonChat.id));
    expect(foreign.status).toBe(403);
    expect(JSON.stringify(foreign.body)).not.toContain('QX-LYON-DOOR');
    expect(await count('appointments WHERE conversation_id = $1', [lyonChat.id])).toBe(1);
    // Not even a chat nobody is in, nor one of another brand or none at all.
    const { conversation: idle } = await createWebConversation(db, brand.id, 'en', ZONE);
    expect((await lucas.post('/appointments', booking(idle.id))).status).toBe(403);
    const { conversation: rivalChat } = await createWebConversation(db, RIVAL, 'en', ZONE);
    expect((await admin.post('/appointments', booking(rivalChat.id))).status).toBe(404);
    expect((await admin.post('/appointments', booking('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
    expect(await count('appointments WHERE conversation_id = ANY($1)', [[idle.id, rivalChat.id]])).toBe(0);

    // The chat Lucas is in: booked with it, and its transcript is in the file.
    const { conversation: served } = await createWebConversation(db, brand.id, 'en', ZONE);
    await appendEntry(db, served.id, { sender: 'customer', text: 'Can you book me for Thursday?' });
    await db.query(`UPDATE conversations SET handoff_state = 'attached', agent_staff_id = $2 WHERE id = $1`, [served.id, lucasId]);
    const booked = await lucas.post('/appointments', booking(served.id));
    expect(booked.status).toBe(201);
    const file = await lucas.get(`/appointments/${booked.body.appointment.id}`);
    expect(file.body.appointment.conversationId).toBe(served.id);
    expect(file.body.transcript.entries.map((e: { text: string }) => e.text)).toEqual(['Can you book me for Thursday?']);

    // A Paris appointment pointing at the Lyon chat (as one booked before this fix could): no transcript, no id.
    const paris = await freshAppointment(places.paris);
    await db.query('UPDATE appointments SET conversation_id = $2 WHERE id = $1', [paris, lyonChat.id]);
    const forged = await lucas.get(`/appointments/${paris}`);
    expect(forged.status).toBe(200);
    expect(forged.body.transcript).toBeNull();
    expect(forged.body.appointment.conversationId).toBeNull();
    expect(JSON.stringify(forged.body)).not.toContain('QX-LYON-DOOR');
    // The admin sees every store: the transcript is there.
    expect(JSON.stringify((await admin.get(`/appointments/${paris}`)).body.transcript)).toContain('QX-LYON-DOOR');
  });

  test('at-home visits: a store manager books and sees only their stores’ advisors; an admin any', async () => {
    const [camille, admin] = [clients.get('store_manager')!, clients.get('admin')!];
    const tuesday = DateTime.fromISO('2027-04-06T10:00', { zone: ZONE }).toUTC().toISO()!;
    const nearLyon = { address: '10 rue de la République, 69001 Lyon', latitude: 45.764, longitude: 4.836 };
    const visit = (home: typeof nearLyon, name: string) => ({
      service: 'home-measurement', mode: 'at_home', home, start: tuesday, customer: { name, email: `${name.replace(' ', '.').toLowerCase()}@example.com` },
    });
    const free = (c: ConsoleClient) =>
      c.get(`/availability?service=home-measurement&mode=at_home&lat=${nearLyon.latitude}&lng=${nearLyon.longitude}&from=2027-04-06&to=2027-04-06`);

    expect((await free(camille)).body.days).toEqual([]);
    const refused = await camille.post('/appointments', visit(nearLyon, 'Home Lyon'));
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('slot_unavailable');
    expect(await count(`appointments a JOIN customers c ON c.id = a.customer_id WHERE c.name = 'Home Lyon'`, [])).toBe(0);

    // Near Paris, her own advisors go.
    const own = await camille.post('/appointments', visit({ address: '3 rue Scribe, 75009 Paris', latitude: 48.871, longitude: 2.331 }, 'Home Paris'));
    expect(own.status).toBe(201);
    expect(own.body.appointment.staff.name).toBe('Camille Martin');

    // The admin books the Lyon visit: a Lyon advisor takes it.
    expect((await free(admin)).body.days[0].slots.length).toBeGreaterThan(0);
    const theirs = await admin.post('/appointments', visit(nearLyon, 'Home Lyon'));
    expect(theirs.status).toBe(201);
    expect(theirs.body.appointment.staff.name).toBe('Chloé Dubois');
    // Moving it as Camille is refused (not hers); as the admin it stays with Lyon.
    expect((await camille.post(`/appointments/${theirs.body.appointment.id}/reschedule`, { start: tuesday })).status).toBe(403);
  });

  test('status workflows: admins edit any; a store manager only one that belongs to their stores; agents none', async () => {
    const [lucas, camille, admin] = [clients.get('agent')!, clients.get('store_manager')!, clients.get('admin')!];
    const design = (await findService(db, brand.id, 'design-consultation'))!;
    const brandWide = async () => [await snapshot(), await listStatuses(db, design.id)] as const;
    const [before, statuses] = await brandWide();
    const edits = (c: ConsoleClient, serviceId: string, statusIds: string[]) => [
      () => c.put(`/services/${serviceId}/workflow`, { enabled: true }),
      () => c.post(`/services/${serviceId}/statuses`, { name: 'Plans received', kind: 'start', position: 2 }),
      () => c.patch(`/statuses/${statusIds[1]}`, { name: 'Renamed' }),
      () => c.post(`/services/${serviceId}/statuses/reorder`, { ids: statusIds }),
      () => c.delete(`/statuses/${statusIds[1]}`),
    ];
    // Design consultations are booked at every store: the Paris manager may not touch their workflow.
    for (const edit of edits(camille, design.id, statuses.map((s) => s.id))) {
      const reply = await edit();
      expect(reply.status).toBe(403);
      expect(reply.body.error.message).toMatch(/only an administrator/);
    }
    for (const edit of edits(lucas, design.id, statuses.map((s) => s.id))) expect((await edit()).status).toBe(403);
    expect(changedTables(before, await snapshot())).toEqual([]);

    // The Paris workshop is Paris's alone: its manager edits it.
    const workshop = places.paris.workflowServiceId;
    const added = await camille.post(`/services/${workshop}/statuses`, { name: 'Plans received', kind: 'start', position: 2 });
    expect(added.status).toBe(201);
    expect((await camille.patch(`/statuses/${added.body.status.id}`, { color: '#00897b' })).status).toBe(200);
    expect((await lucas.patch(`/statuses/${added.body.status.id}`, { color: '#000000' })).status).toBe(403);
    // Once a Lyon advisor offers it too, it is no longer hers alone.
    const hugo = places.lyon.staffId;
    await db.query('INSERT INTO staff_services (staff_id, service_id) VALUES ($1, $2)', [hugo, workshop]);
    expect((await camille.delete(`/statuses/${added.body.status.id}`)).status).toBe(403);
    await db.query('DELETE FROM staff_services WHERE staff_id = $1 AND service_id = $2', [hugo, workshop]);
    expect((await camille.delete(`/statuses/${added.body.status.id}`)).status).toBe(200);

    // The admin edits the brand-wide one.
    expect((await admin.patch(`/statuses/${statuses[1]!.id}`, { description: 'The store checks the advisor’s calendar.' })).status).toBe(200);
  });

  test('a message left about an appointment with no store is for its advisor and the admins, not for the brand', async () => {
    const [lucas, camille, admin] = [clients.get('agent')!, clients.get('store_manager')!, clients.get('admin')!];
    const lucasId = (await lucas.get('/session')).body.staff.id as string;
    const chloe = (await db.query<{ id: string }>(`SELECT id FROM staff WHERE name = 'Chloé Dubois'`))[0]!.id;
    const theirs = await insertConsoleTask(db, { brandId: brand.id, staffId: chloe, message: 'Call me back about my video call', contact: 'secret@example.com' }, clock.now());
    const mine = await insertConsoleTask(db, { brandId: brand.id, staffId: lucasId, message: 'About my own video call' }, clock.now());
    const listed = async (c: ConsoleClient) => ((await c.get('/tasks?status=all&limit=200')).body.tasks as { id: string }[]).map((t) => t.id);

    expect(await listed(lucas)).toContain(mine.id);
    expect(await listed(lucas)).not.toContain(theirs.id);
    expect(await listed(camille)).not.toContain(theirs.id);
    expect(await listed(camille)).not.toContain(mine.id);
    expect(await listed(admin)).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    const before = await snapshot();
    const refused = await lucas.post(`/tasks/${theirs.id}/done`);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain('secret@example.com');
    expect(changedTables(before, await snapshot())).toEqual([]);
    expect((await lucas.post(`/tasks/${mine.id}/done`)).status).toBe(200);
  });

  // ---- the matrix ---------------------------------------------------------------------------------

  test('the matrix has one row per route of the console API, and nothing else', () => {
    const routes = listRoutes(consoleApiRoutes({ db, now: clock.now, config: { PUBLIC_URL: 'http://localhost:3000' } }));
    expect(new Set(routes).size).toBe(routes.length);
    expect(routes.length).toBeGreaterThan(40);
    expect(Object.keys(MATRIX).sort()).toEqual([...routes].sort());
  });

  test.each(Object.keys(MATRIX))('%s × role × own and other store: no cross-store read or write', async (route) => {
    const row = MATRIX[route]!;
    for (const role of ROLES) {
      for (const target of ['own', 'other'] as Target[]) {
        if (target === 'other' && row.noTarget && row.kind !== 'auth') {
          // Nothing to point elsewhere: the one request the route has must not carry anyone else's data (checked below with 'own').
          continue;
        }
        const place = placeFor(role, target);
        let client = clients.get(role)!;
        if (row.ownClient) client = row.kind === 'auth' ? new Probe(server) : await probeAs(role);
        client.before = null;
        const reply = await row.call(client, place, target, role);
        const after = await snapshot();
        const before = client.before!;
        const where = `${route} as ${role} on the ${target} store → ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`;

        // Nothing of a place out of the role's scope, whatever the answer.
        const text = JSON.stringify(reply.body);
        for (const away of outside(role)) {
          for (const marker of away.markers) if (text.includes(marker)) throw new Error(`${where}\nleaks "${marker}" of ${away.key}`);
        }

        const allowed = row.roles.includes(role);
        let expected: number[];
        if (!allowed) expected = [403];
        else if (row.kind === 'auth') expected = target === 'own' ? [row.ok] : [400, 401];
        else if (target === 'own') expected = [row.ok];
        else if (row.brandPublic && place.brand.id === brand.id) expected = [row.ok];
        else expected = row.kind === 'read' ? [403, 404] : [400, 403, 404];
        if (!expected.includes(reply.status)) throw new Error(`${where}\nexpected ${expected.join(' or ')}`);

        // Reads never write; a refused write wrote nothing.
        const refused = reply.status >= 400;
        if (row.kind === 'read' || (row.kind === 'write' && refused)) {
          const changed = changedTables(before, after);
          if (changed.length > 0) throw new Error(`${where}\nchanged ${changed.join(', ')}`);
        }
        // An allowed read of the user's own store really shows it (the check above is not vacuous).
        if (row.kind === 'read' && target === 'own' && allowed && !row.noTarget && !row.brandPublic && route !== 'POST /templates/preview') {
          expect([...place.markers].some((m) => text.includes(m))).toBe(true);
        }
      }
    }
  });
});
