import express, { Router, type Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import { storeOption, type HttpRateLimitStores } from '../http-rate-limit-store.ts';
import { z } from 'zod';
import { DateTime } from 'luxon';
import type { Database } from '../../models/database.ts';
import { findBrand, type Brand } from '../../models/brands.repository.ts';
import { findService, findStore } from '../../models/catalogue.repository.ts';
import { errors } from '../../models/errors.ts';
import { storeSummaries } from '../../models/store-settings.repository.ts';
import { listConsoleTasks, markTaskDone, type ConsoleTask } from '../../models/staff-accounts.repository.ts';
import {
  advisorStoresOf, bookAppointment, cancelAppointment, rescheduleAppointment, type Actor, type BookingDeps,
} from '../../scheduling/booking.ts';
import { changeStatus } from '../../scheduling/status-workflow.ts';
import { findAvailability } from '../../scheduling/availability.ts';
import type { BookingEventSink } from '../../scheduling/booking-events.ts';
import { appointmentBody, availabilityQuery, dateOrInstant, instant, mode } from '../http-schemas.ts';
import { rejectUnsafeBody } from '../safe-input.ts';
import { slotDays } from '../presenters.ts';
import { slotRequest } from '../slot-request.ts';
import { createStaffAuth, sessionOf, staffOf } from '../console/staff-auth.ts';
import type { StaffSession } from '../../models/staff-sessions.ts';
import {
  appointmentInScope, loadScope, requireServedConversation, requireStoreInScope, taskInScope, type StaffScope,
} from '../../scheduling/staff-access.ts';
import { scopeOf, type ConsoleContext } from '../console/console-context.ts';
import { appointmentDetail, appointmentListItem, listAppointments } from '../console/appointment-queries.ts';
import { consoleWorkflowRoutes } from '../console/workflows.routes.ts';
import { consoleServiceRoutes } from '../console/services.routes.ts';
import { consoleStoreRoutes } from '../console/stores.routes.ts';
import { consoleStaffScheduleRoutes } from '../console/staff-schedule.routes.ts';
import { consoleNotificationSettingsRoutes } from '../console/notification-settings.routes.ts';
import { consoleTemplateRoutes } from '../console/templates.routes.ts';
import { consoleFaqRoutes } from '../console/faq.routes.ts';
import { consolePhoneNumberRoutes } from '../console/phone-numbers.routes.ts';
import { acceptInviteHandler, consoleStaffRoutes } from '../console/staff-admin.routes.ts';
import { consoleFieldRoutes } from '../console/field.routes.ts';

/**
 * The agent console's JSON API, mounted at /console/api: staff sign-in, appointments in the
 * user's stores (list, file, confirm, reschedule, cancel, status, booking on a customer's behalf),
 * status workflows, settings, staff accounts and tasks. Every route but sign-in and invite
 * acceptance needs a session; every state change needs the session's X-CSRF-Token.
 */
export interface ConsoleApiDeps {
  db: Database;
  now: () => Date;
  config: { PUBLIC_URL: string };
  events?: BookingEventSink | undefined;
  /** Told after every successful appointment change (live updates). */
  onChange?: ((brandId: string, appointmentId: string) => void) | undefined;
  /** Failed sign-in (and invite) attempts per IP and minute (default 10), on top of the per-account lockout. */
  loginRateLimitPerMinute?: number | undefined;
  /** Where HTTP rate limits count (several instances: Redis); default this process's memory. */
  httpRateLimitStores?: HttpRateLimitStores | undefined;
}

const DAY_MS = 86_400_000;
const MAX_SPAN_DAYS = 62;
const uuid = z.uuid();
const idParam = z.object({ id: uuid });
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const STATES = ['pending', 'confirmed', 'cancelled'] as const;

const loginBody = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
}).strict();

const listQuery = z.object({
  view: z.enum(['today', 'upcoming', 'past', 'requests']).default('upcoming'),
  store: uuid.optional(),
  staff: uuid.optional(),
  service: uuid.optional(),
  /** A state (pending, confirmed, cancelled) or the id of a workflow status. */
  status: z.union([z.enum(STATES), uuid]).optional(),
  from: dateOrInstant.optional(),
  to: dateOrInstant.optional(),
  showConfirmed: flag.default(false),
  q: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

const confirmBody = z.object({ reason: z.string().trim().max(500).optional() }).strict();
const rescheduleBody = z.object({ start: instant }).strict();
const cancelBody = z.object({ reason: z.string().trim().min(1, 'a reason is required to cancel').max(500) }).strict();
const statusBody = z.object({ statusId: uuid, reason: z.string().trim().max(500).optional() }).strict();
const slotsQuery = z.object({ from: dateOrInstant.optional(), days: z.coerce.number().int().min(1).max(31).default(7) });
const bookingBody = appointmentBody.omit({ holdId: true, channel: true });
const tasksQuery = z.object({
  status: z.enum(['open', 'done', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

/** A date is a whole local day in `zone` ("from" its start, "to" its end); an instant is itself. */
function bound(value: string, zone: string, field: string, end: boolean): Date {
  if (value.length > 10) return new Date(value);
  const day = DateTime.fromISO(value, { zone }).startOf('day');
  if (!day.isValid) throw errors.invalid(field, `${field}: not a valid date.`);
  return (end ? day.plus({ days: 1 }) : day).toJSDate();
}

export function consoleApiRoutes(deps: ConsoleApiDeps): Router {
  const { db, now } = deps;
  const publicUrl = deps.config.PUBLIC_URL;
  const auth = createStaffAuth({ db, now, publicUrl });
  const ctx: ConsoleContext = { db, now, publicUrl, auth };
  const booking: BookingDeps = { db, now, events: deps.events };
  const router = Router();

  const limiter = (name: string) => rateLimit({
    windowMs: 60_000,
    limit: deps.loginRateLimitPerMinute ?? 10,
    // Failures only: a whole shop signing in from one address at opening time is not an attack.
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...storeOption(deps.httpRateLimitStores, name),
    handler: (_req, _res, next) => next(errors.rateLimited('Too many sign-in attempts from your network. Try again in a minute.')),
  });

  router.use(express.json({ limit: '64kb' }), rejectUnsafeBody);
  router.use((_req, res, next) => {
    // Customer data: never kept by browsers or proxies.
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(auth.checkOrigin);

  const brandOf = async (req: Request): Promise<Brand> => {
    const brand = await findBrand(db, staffOf(req).brandId);
    if (!brand) throw errors.notFound('Brand');
    return brand;
  };
  /** Staff act for their stores: only those stores' advisors are candidates when they book or move. */
  const actorOf = async (req: Request): Promise<Actor> => {
    const scope = await scopeOf(db, req);
    return { kind: 'staff', id: scope.staffId, stores: scope.allStores ? null : scope.storeIds };
  };
  const changed = (brandId: string, appointmentId: string) => {
    try {
      deps.onChange?.(brandId, appointmentId);
    } catch {
      // A listener's failure must not turn a committed change into an error.
    }
  };

  async function sessionJson(session: StaffSession, scope: StaffScope) {
    const stores = await storeSummaries(db, scope.storeIds);
    const { staff } = session;
    return {
      staff: {
        id: staff.id, name: staff.name, email: staff.email, role: staff.role,
        stores: stores.map((s) => ({ id: s.id, slug: s.slug, name: s.name, timeZone: s.timeZone })),
      },
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt.toISOString(),
    };
  }

  // ---- session ----------------------------------------------------------------------------------

  router.post('/session', limiter('console-sign-in'), async (req, res) => {
    const body = loginBody.parse(req.body);
    const { session, token } = await auth.login(body.email, body.password);
    auth.setSessionCookie(res, token);
    const scope = await loadScope(db, session.staff);
    res.status(201).json(await sessionJson(session, scope));
  });

  router.post('/invites/accept', limiter('console-invites'), acceptInviteHandler(ctx));

  // Everything below needs a session (and the CSRF token for state changes).
  router.use(auth.requireStaff());

  router.get('/session', async (req, res) => {
    res.json(await sessionJson(sessionOf(req), await scopeOf(db, req)));
  });

  router.delete('/session', async (req, res) => {
    await auth.logout(req, res);
    res.status(204).end();
  });

  // ---- appointments -----------------------------------------------------------------------------

  router.get('/appointments', async (req, res) => {
    const q = listQuery.parse(req.query);
    const scope = await scopeOf(db, req);
    const brand = await brandOf(req);
    if (q.store) {
      const store = await findStore(db, brand.id, q.store);
      if (!store) throw errors.notFound('Store');
      requireStoreInScope(scope, store.id);
    }
    const from = q.from ? bound(q.from, brand.timeZone, 'from', false) : undefined;
    const to = q.to ? bound(q.to, brand.timeZone, 'to', true) : undefined;
    if (from && to && to <= from) throw errors.invalid('to', 'to: must be after "from".');
    const isState = (s: string): s is (typeof STATES)[number] => (STATES as readonly string[]).includes(s);
    res.json(await listAppointments(db, scope, {
      view: q.view,
      storeId: q.store,
      staffId: q.staff,
      serviceId: q.service,
      state: q.status && isState(q.status) ? q.status : undefined,
      statusId: q.status && !isState(q.status) ? q.status : undefined,
      from, to,
      showConfirmed: q.showConfirmed,
      search: q.q,
      limit: q.limit,
      offset: q.offset,
    }, now()));
  });

  router.get('/appointments/:id', async (req, res) => {
    const { id } = idParam.parse(req.params);
    const scope = await scopeOf(db, req);
    await appointmentInScope(db, scope, id);
    res.json(await appointmentDetail(db, scope, id));
  });

  /** Runs a change on an appointment in scope, then answers with it and tells listeners. */
  async function change(req: Request, res: express.Response, work: (brand: Brand, id: string) => Promise<unknown>) {
    const { id } = idParam.parse(req.params);
    const scope = await scopeOf(db, req);
    await appointmentInScope(db, scope, id);
    const brand = await brandOf(req);
    await work(brand, id);
    changed(brand.id, id);
    res.json({ appointment: await appointmentListItem(db, brand.id, id) });
  }

  router.post('/appointments/:id/confirm', async (req, res) => {
    const body = confirmBody.parse(req.body ?? {});
    await change(req, res, async (brand, id) =>
      changeStatus(booking, { brand, appointmentId: id, reason: body.reason || null, actor: await actorOf(req) }));
  });

  router.post('/appointments/:id/reschedule', async (req, res) => {
    const body = rescheduleBody.parse(req.body);
    await change(req, res, async (brand, id) =>
      rescheduleAppointment(booking, { brand, appointmentId: id, start: body.start, actor: await actorOf(req) }));
  });

  router.post('/appointments/:id/cancel', async (req, res) => {
    const body = cancelBody.parse(req.body);
    await change(req, res, async (brand, id) =>
      cancelAppointment(booking, { brand, appointmentId: id, reason: body.reason, actor: await actorOf(req) }));
  });

  router.post('/appointments/:id/status', async (req, res) => {
    const body = statusBody.parse(req.body);
    await change(req, res, async (brand, id) =>
      changeStatus(booking, { brand, appointmentId: id, statusId: body.statusId, reason: body.reason || null, actor: await actorOf(req) }));
  });

  router.get('/appointments/:id/slots', async (req, res) => {
    const { id } = idParam.parse(req.params);
    const q = slotsQuery.parse(req.query);
    const scope = await scopeOf(db, req);
    const appointment = await appointmentInScope(db, scope, id);
    if (appointment.state === 'cancelled') throw errors.alreadyCancelled();
    const brand = await brandOf(req);
    const service = await findService(db, brand.id, appointment.serviceId);
    if (!service) throw errors.notFound('Service');
    const store = appointment.storeId ? await findStore(db, brand.id, appointment.storeId) : null;
    const item = (await appointmentListItem(db, brand.id, id))!;
    const zone = item.timeZone;
    const current = now();
    const from = q.from ? bound(q.from, zone, 'from', false) : current;
    const to = new Date(from.getTime() + q.days * DAY_MS);
    const home = appointment.homeLatitude !== null && appointment.homeLongitude !== null
      ? { latitude: appointment.homeLatitude, longitude: appointment.homeLongitude }
      : null;
    const slots = await findAvailability(db, {
      brand, service, mode: appointment.mode, store, home, from, to, now: current, ignoreAppointmentId: id,
      advisorStores: advisorStoresOf(await actorOf(req)),
    });
    res.json({ appointmentId: id, current: { start: item.start, end: item.end }, timeZone: zone, days: slotDays(slots, zone) });
  });

  router.post('/appointments', async (req, res) => {
    const body = bookingBody.parse(req.body);
    const scope = await scopeOf(db, req);
    const brand = await brandOf(req);
    const slot = await slotRequest(db, brand, body, 'required.');
    const { store } = slot;
    if (store) requireStoreInScope(scope, store.id);
    else if (!scope.allStores && slot.mode !== 'at_home') {
      throw errors.invalid('store', 'store: choose one of your stores for this appointment.');
    }
    if (body.conversationId) await requireServedConversation(db, scope, body.conversationId);
    const { appointment, replayed } = await bookAppointment(booking, {
      brand,
      slot,
      customer: {
        name: body.customer.name, email: body.customer.email ?? null, phone: body.customer.phone ?? null,
        locale: body.customer.locale, timeZone: body.timeZone ?? null,
      },
      customerTimeZone: body.timeZone ?? store?.timeZone ?? brand.timeZone,
      notes: body.notes,
      channel: 'console',
      conversationId: body.conversationId ?? null,
      idempotencyKey: req.get('idempotency-key') ?? body.idempotencyKey ?? null,
      actor: await actorOf(req),
    });
    if (!replayed) changed(brand.id, appointment.id);
    res.status(replayed ? 200 : 201).json({ appointment: await appointmentListItem(db, brand.id, appointment.id), replayed });
  });

  /** The public availability query, for the user's brand (phone bookings). */
  router.get('/availability', async (req, res) => {
    const q = availabilityQuery.parse(req.query);
    const brand = await brandOf(req);
    const service = await findService(db, brand.id, q.service);
    if (!service) throw errors.notFound('Service');
    const m = mode.parse(q.mode);
    if (!service.modes.includes(m)) throw errors.invalid('mode', `This service is offered: ${service.modes.join(', ')}.`);
    const store = q.store ? await findStore(db, brand.id, q.store) : null;
    if (q.store && !store) throw errors.notFound('Store');
    if (m === 'in_store' && !store) throw errors.invalid('store', 'An in-store appointment needs a store.');
    const home = q.lat !== undefined && q.lng !== undefined ? { latitude: q.lat, longitude: q.lng } : null;
    if (m === 'at_home' && !home) throw errors.invalid('lat', 'An at-home appointment needs the home coordinates (lat, lng).');
    const zone = q.tz ?? store?.timeZone ?? brand.timeZone;
    const current = now();
    const from = q.from ? bound(q.from, zone, 'from', false) : current;
    const to = q.to ? bound(q.to, zone, 'to', true) : new Date(from.getTime() + 7 * DAY_MS);
    if (to <= from) throw errors.invalid('to', '"to" must be after "from".');
    if (to.getTime() - from.getTime() > MAX_SPAN_DAYS * DAY_MS) throw errors.invalid('to', `Ask for at most ${MAX_SPAN_DAYS} days at once.`);
    const slots = await findAvailability(db, {
      brand, service, mode: m, store, home, from, to, now: current, advisorStores: advisorStoresOf(await actorOf(req)),
    });
    res.json({ service: service.slug, mode: m, store: store?.slug ?? null, timeZone: zone, days: slotDays(slots, zone) });
  });

  // ---- tasks ------------------------------------------------------------------------------------

  const taskJson = (t: ConsoleTask) => ({
    id: t.id, storeId: t.storeId, conversationId: t.conversationId, customerName: t.customerName, contact: t.contact,
    message: t.message, status: t.status, createdAt: new Date(t.createdAt).toISOString(),
    doneBy: t.doneBy ? { id: t.doneBy, name: t.doneByName } : null,
    doneAt: t.doneAt ? new Date(t.doneAt).toISOString() : null,
  });

  router.get('/tasks', async (req, res) => {
    const q = tasksQuery.parse(req.query);
    const scope = await scopeOf(db, req);
    const { tasks, total } = await listConsoleTasks(db, scope.brandId, {
      status: q.status === 'all' ? null : q.status,
      storeIds: scope.allStores ? null : scope.storeIds,
      staffId: scope.staffId,
      limit: q.limit,
      offset: q.offset,
    });
    res.json({ tasks: tasks.map(taskJson), total, limit: q.limit, offset: q.offset });
  });

  router.post('/tasks/:id/done', async (req, res) => {
    const { id } = idParam.parse(req.params);
    const scope = await scopeOf(db, req);
    await taskInScope(db, scope, id);
    await markTaskDone(db, id, scope.staffId, now());
    res.json({ task: taskJson(await taskInScope(db, scope, id)) });
  });

  // ---- settings and staff -----------------------------------------------------------------------

  router.use(consoleWorkflowRoutes(ctx));
  router.use(consoleServiceRoutes(ctx));
  router.use(consoleStoreRoutes(ctx));
  router.use(consoleStaffScheduleRoutes(ctx));
  router.use(consoleNotificationSettingsRoutes(ctx));
  router.use(consoleTemplateRoutes(ctx));
  router.use(consoleStaffRoutes(ctx));
  router.use(consoleFaqRoutes(ctx));
  router.use(consolePhoneNumberRoutes(ctx));
  router.use(consoleFieldRoutes(ctx, booking, changed));

  router.use((req, _res, next) => next(errors.noRoute('console API', req.method, req.path)));
  return router;
}
