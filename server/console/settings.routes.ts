import { Router } from 'express';
import { z } from 'zod';
import { DateTime } from 'luxon';
import type { Queryable, Tx } from '../../models/database.ts';
import { findBrand } from '../../models/brands.repository.ts';
import {
  MODES, toService, toStore, type ServiceRow as CatalogueServiceRow, type StoreRow as CatalogueStoreRow,
} from '../../models/catalogue.repository.ts';
import { listStatuses, type AppointmentStatus } from '../../models/statuses.repository.ts';
import { AppError, errors, isUniqueViolation } from '../../models/errors.ts';
import { deleteTemplate, listTemplates, upsertTemplate } from '../../models/templates.repository.ts';
import { loadAppointmentView, type AppointmentView } from '../../notifications/appointment-view.ts';
import {
  MESSAGE_EVENTS, TEMPLATE_CHANNELS, TEMPLATE_PARTIALS, TEMPLATE_VARIABLES, defaultTemplate, renderPreview, validateTemplate,
  type MessageEvent, type TemplateChannel,
} from '../../notifications/templates.ts';
import { previewLinks } from '../../notifications/signed-links.ts';
import { DEFAULT_NOTIFICATION_SETTINGS, notificationSettingsSchema } from '../../notifications/notification-settings.ts';
import { calendarDate, instant, timeZone } from '../http-schemas.ts';
import {
  appointmentInScope, canEditWorkflow, manageableStaff, requireStoreInScope, requireWorkflowEditable,
} from '../../scheduling/staff-access.ts';
import { scopeOf, type ConsoleContext } from './console-context.ts';
import { appointmentListItem, serviceName } from './appointment-queries.ts';
import { staffOf } from './staff-auth.ts';

/**
 * Console settings: status workflows (admins; store managers for the workflows of their stores), services, stores, staff hours
 * and time off, notification schedules and message templates.
 */

const uuid = z.uuid();
const idParam = z.object({ id: uuid });

// ---- shared validation -------------------------------------------------------------------------

const TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)(?::00)?$/;
const time = z.string().regex(TIME, 'must be a time of day such as 09:30');
const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
const hhmm = (t: string | null) => (t === null ? null : t.slice(0, 5));

/**
 * Periods of one day (or one date) must end after they start and not overlap each other: the
 * issues as (index, which end, message), for the caller to name its own fields.
 */
function periodIssues(rows: { group: string | number; start: string; end: string }[]): { index: number; end: boolean; message: string }[] {
  const issues: { index: number; end: boolean; message: string }[] = [];
  rows.forEach((r, i) => {
    const start = minutes(r.start);
    const end = minutes(r.end);
    if (end <= start) {
      issues.push({ index: i, end: true, message: 'must be after the start of the period' });
      return;
    }
    const clash = rows.findIndex((o, j) => j < i && o.group === r.group && minutes(o.end) > minutes(o.start) &&
      start < minutes(o.end) && minutes(o.start) < end);
    if (clash >= 0) issues.push({ index: i, end: false, message: `overlaps period ${clash} of the same day` });
  });
  return issues;
}

function reportPeriods(
  ctx: z.RefinementCtx,
  rows: { group: string | number; start: string; end: string; index?: number }[],
  startKey: string,
  endKey: string,
): void {
  for (const issue of periodIssues(rows)) {
    ctx.addIssue({ code: 'custom', path: [rows[issue.index]!.index ?? issue.index, issue.end ? endKey : startKey], message: issue.message });
  }
}

const weekday = z.number().int().min(1).max(7);

const storeHoursSchema = z
  .array(z.object({ weekday, opens: time, closes: time }).strict())
  .max(70)
  .superRefine((rows, ctx) => reportPeriods(ctx, rows.map((r) => ({ group: r.weekday, start: r.opens, end: r.closes })), 'opens', 'closes'));

const specialDaysSchema = z
  .array(
    z.object({
      date: calendarDate,
      opens: time.nullable().default(null),
      closes: time.nullable().default(null),
      label: z.string().trim().max(100).default(''),
    }).strict(),
  )
  .max(400)
  .superRefine((rows, ctx) => {
    rows.forEach((r, i) => {
      if ((r.opens === null) !== (r.closes === null)) {
        ctx.addIssue({ code: 'custom', path: [i, r.opens === null ? 'opens' : 'closes'], message: 'give both opens and closes, or neither for a closed day' });
      }
    });
    const open = rows.flatMap((r, index) => (r.opens !== null && r.closes !== null ? [{ group: r.date, start: r.opens, end: r.closes, index }] : []));
    reportPeriods(ctx, open, 'opens', 'closes');
  });

// ---- status workflows --------------------------------------------------------------------------

const COLOR = /^#[0-9a-fA-F]{6}$/;
const statusFields = {
  name: z.string().trim().min(1).max(60),
  description: z.string().trim().max(500),
  kind: z.enum(['start', 'confirmation', 'cancellation']),
  color: z.string().regex(COLOR, 'must be a colour such as #1e88e5').transform((c) => c.toLowerCase()),
};
const newStatusBody = z.object({
  ...statusFields,
  description: statusFields.description.default(''),
  color: statusFields.color.default('#607d8b'),
  position: z.number().int().min(1).optional(),
}).strict();
const statusPatch = z.object({
  name: statusFields.name.optional(),
  description: statusFields.description.optional(),
  kind: statusFields.kind.optional(),
  color: statusFields.color.optional(),
}).strict();

type ServiceRow = CatalogueServiceRow & { position: number; active: boolean };

const serviceJson = (s: ServiceRow) => {
  const { id, slug, brandId: _brandId, ...service } = toService(s);
  return { id, slug, name: serviceName(s.names, s.slug), ...service, position: s.position, active: s.active };
};

async function serviceOfBrand(db: Queryable, brandId: string, id: string, lock = false): Promise<ServiceRow> {
  const [row] = await db.query<ServiceRow>(
    `SELECT * FROM services WHERE brand_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
    [brandId, id],
  );
  if (!row) throw errors.notFound('Service');
  return row;
}

/** A status of one of the brand's services (locked with its service for the transaction). */
async function statusOfBrand(tx: Tx, brandId: string, id: string): Promise<{ status: AppointmentStatus; service: ServiceRow }> {
  const [row] = await tx.query<{ service_id: string }>(
    `SELECT st.service_id FROM appointment_statuses st JOIN services s ON s.id = st.service_id WHERE s.brand_id = $1 AND st.id = $2`,
    [brandId, id],
  );
  if (!row) throw errors.notFound('Status');
  const service = await serviceOfBrand(tx, brandId, row.service_id, true);
  const status = (await listStatuses(tx, service.id)).find((s) => s.id === id)!;
  return { status, service };
}

/**
 * What an enabled workflow needs: new requests start at the first status, so it is of kind start;
 * staff must be able to confirm and to reject, so there is a confirmation and a cancellation.
 */
function workflowProblem(statuses: AppointmentStatus[]): string | null {
  if (statuses.length === 0) return 'An enabled workflow needs statuses: add a start, a confirmation and a cancellation status.';
  if (statuses[0]!.kind !== 'start') return 'The first status of a workflow must be of kind "start": new requests begin there.';
  if (!statuses.some((s) => s.kind === 'confirmation')) return 'An enabled workflow needs a status of kind "confirmation".';
  if (!statuses.some((s) => s.kind === 'cancellation')) return 'An enabled workflow needs a status of kind "cancellation".';
  return null;
}

async function checkWorkflow(tx: Tx, service: ServiceRow, enabled = service.status_workflow): Promise<void> {
  if (!enabled) return;
  const problem = workflowProblem(await listStatuses(tx, service.id));
  if (problem) throw new AppError('workflow_invalid', 409, problem);
}

async function checkNameFree(tx: Tx, serviceId: string, name: string, exceptId: string | null): Promise<void> {
  const [clash] = await tx.query(
    'SELECT 1 FROM appointment_statuses WHERE service_id = $1 AND lower(name) = lower($2) AND ($3::uuid IS NULL OR id <> $3::uuid)',
    [serviceId, name, exceptId],
  );
  if (clash) throw new AppError('conflict', 409, `This service already has a status named "${name}".`, { field: 'name' });
}

async function statusesJson(db: Queryable, serviceId: string) {
  const statuses = await listStatuses(db, serviceId);
  const usage = await db.query<{ status_id: string; n: number }>(
    `SELECT status_id, count(*)::int AS n FROM appointments WHERE service_id = $1 AND status_id IS NOT NULL GROUP BY status_id`,
    [serviceId],
  );
  const inUse = new Map(usage.map((u) => [u.status_id, u.n]));
  return statuses.map((s) => ({ ...s, inUse: inUse.get(s.id) ?? 0 }));
}

async function renumber(tx: Tx, serviceId: string, ids: string[]): Promise<void> {
  // Two passes keep positions distinct throughout should a unique index ever cover them.
  for (const [i, id] of ids.entries()) {
    await tx.query('UPDATE appointment_statuses SET position = $3 WHERE service_id = $1 AND id = $2', [serviceId, id, -(i + 1)]);
  }
  await tx.query('UPDATE appointment_statuses SET position = -position WHERE service_id = $1 AND position < 0', [serviceId]);
}

// ---- services and stores -----------------------------------------------------------------------

const localized = (max: number) =>
  z.object({ en: z.string().trim().min(1).max(max).optional(), fr: z.string().trim().min(1).max(max).optional() }).strict();

const servicePatch = z.object({
  names: localized(120).optional(),
  descriptions: z.object({ en: z.string().trim().max(1000).optional(), fr: z.string().trim().max(1000).optional() }).strict().optional(),
  durationMinutes: z.number().int().min(5).max(1440).optional(),
  bufferBeforeMinutes: z.number().int().min(0).max(240).optional(),
  bufferAfterMinutes: z.number().int().min(0).max(240).optional(),
  modes: z.array(z.enum(MODES as [string, ...string[]])).min(1).max(3)
    .refine((m) => new Set(m).size === m.length, 'must not repeat a mode').optional(),
  bookingMode: z.enum(['direct', 'request']).optional(),
  slotStepMinutes: z.number().int().min(5).max(240).nullable().optional(),
  position: z.number().int().min(0).max(10_000).optional(),
  active: z.boolean().optional(),
}).strict();

type StoreRow = CatalogueStoreRow & { active: boolean };

const storePatch = z.object({
  name: z.string().trim().min(1).max(120).optional(),
  addressLine: z.string().trim().min(1).max(200).optional(),
  postcode: z.string().trim().min(1).max(20).optional(),
  city: z.string().trim().min(1).max(100).optional(),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 country code such as FR').optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  timeZone: timeZone.optional(),
  email: z.email().max(254).nullable().optional(),
  phone: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'must be in international format, e.g. +33142000001').nullable().optional(),
  notificationRouting: z.enum(['headquarters', 'store', 'salesman']).optional(),
  active: z.boolean().optional(),
  hours: storeHoursSchema.optional(),
  specialDays: specialDaysSchema.optional(),
}).strict();

/** What a store manager may change at their own stores. */
const MANAGER_STORE_FIELDS = new Set(['hours', 'specialDays']);

const STORE_COLUMNS: Record<string, string> = {
  name: 'name', addressLine: 'address_line', postcode: 'postcode', city: 'city', country: 'country', latitude: 'latitude',
  longitude: 'longitude', timeZone: 'time_zone', email: 'email', phone: 'phone', notificationRouting: 'notification_routing',
  active: 'active',
};

async function storeJson(db: Queryable, s: StoreRow) {
  const hours = await db.query<{ weekday: number; opens: string; closes: string }>(
    'SELECT weekday, opens::text AS opens, closes::text AS closes FROM store_hours WHERE store_id = $1 ORDER BY weekday, opens',
    [s.id],
  );
  const special = await db.query<{ id: string; date: string; opens: string | null; closes: string | null; label: string }>(
    `SELECT id, local_date::text AS date, opens::text AS opens, closes::text AS closes, label
     FROM store_special_days WHERE store_id = $1 ORDER BY local_date, opens NULLS FIRST`,
    [s.id],
  );
  const { brandId: _brandId, ...store } = toStore(s);
  return {
    ...store,
    active: s.active,
    hours: hours.map((h) => ({ weekday: h.weekday, opens: hhmm(h.opens), closes: hhmm(h.closes) })),
    specialDays: special.map((d) => ({ id: d.id, date: d.date, opens: hhmm(d.opens), closes: hhmm(d.closes), label: d.label })),
  };
}

async function storeOfBrand(db: Queryable, brandId: string, id: string): Promise<StoreRow> {
  const [row] = await db.query<StoreRow>('SELECT * FROM stores WHERE brand_id = $1 AND id = $2', [brandId, id]);
  if (!row) throw errors.notFound('Store');
  return row;
}

// ---- staff hours and time off ------------------------------------------------------------------

const staffHoursBody = z.object({
  hours: z
    .array(z.object({ store: uuid, weekday, starts: time, ends: time }).strict())
    .max(70)
    .superRefine((rows, ctx) => reportPeriods(ctx, rows.map((r) => ({ group: r.weekday, start: r.starts, end: r.ends })), 'starts', 'ends')),
}).strict();

const timeOffBody = z.object({
  startsAt: instant,
  endsAt: instant,
  reason: z.string().trim().max(200).default(''),
}).strict().refine((t) => t.endsAt > t.startsAt, { path: ['endsAt'], message: 'must be after startsAt' });

async function staffHoursJson(db: Queryable, staffId: string) {
  const rows = await db.query<{ store_id: string; weekday: number; starts: string; ends: string }>(
    'SELECT store_id, weekday, starts::text AS starts, ends::text AS ends FROM staff_hours WHERE staff_id = $1 ORDER BY weekday, starts',
    [staffId],
  );
  return rows.map((r) => ({ store: r.store_id, weekday: r.weekday, starts: hhmm(r.starts), ends: hhmm(r.ends) }));
}

async function timeOffJson(db: Queryable, staffId: string, since: Date) {
  const rows = await db.query<{ id: string; starts_at: Date; ends_at: Date; reason: string }>(
    'SELECT id, starts_at, ends_at, reason FROM staff_time_off WHERE staff_id = $1 AND ends_at > $2 ORDER BY starts_at',
    [staffId, since],
  );
  return rows.map((r) => ({ id: r.id, startsAt: r.starts_at.toISOString(), endsAt: r.ends_at.toISOString(), reason: r.reason }));
}

// ---- templates ---------------------------------------------------------------------------------

const templateKey = z.object({
  event: z.enum(MESSAGE_EVENTS as [MessageEvent, ...MessageEvent[]]),
  locale: z.enum(['en', 'fr']),
  channel: z.enum(TEMPLATE_CHANNELS as [TemplateChannel, ...TemplateChannel[]]),
});
const templateText = {
  subject: z.string().max(300).nullable().default(null),
  body: z.string().max(50_000),
};
const templateBody = z.object(templateText).strict();
const previewBody = z.object({
  ...templateKey.shape,
  event: templateKey.shape.event.optional(),
  ...templateText,
  /** Preview with this appointment (in the user's scope) instead of the sample. */
  appointmentId: uuid.optional(),
}).strict();

function checkTemplate(channel: TemplateChannel, t: { subject: string | null; body: string }): void {
  if (channel !== 'email' && t.subject !== null && t.subject.trim() !== '') {
    throw errors.invalid('subject', 'subject: only email templates have a subject.');
  }
  const problem = validateTemplate(t);
  if (problem) throw errors.invalid('body', `body: the template cannot be read: ${problem}`);
}

/** A made-up appointment at one of the user's stores, for previews. */
async function sampleView(ctx: ConsoleContext, brandId: string, storeIds: string[], locale: 'en' | 'fr'): Promise<AppointmentView> {
  const brand = (await findBrand(ctx.db, brandId))!;
  const [store] = await ctx.db.query<StoreRow>(
    'SELECT * FROM stores WHERE brand_id = $1 AND id = ANY($2::uuid[]) ORDER BY active DESC, name LIMIT 1',
    [brandId, storeIds],
  );
  const [service] = await ctx.db.query<ServiceRow>('SELECT * FROM services WHERE brand_id = $1 ORDER BY active DESC, position, slug LIMIT 1', [brandId]);
  const zone = store?.time_zone ?? brand.timeZone;
  const start = DateTime.fromJSDate(ctx.now(), { zone }).plus({ days: 1 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  const duration = service?.duration_minutes ?? 60;
  const links = previewLinks(ctx.publicUrl);
  const target = { id: '00000000-0000-4000-8000-000000000000', startAt: start.toJSDate(), version: 1 };
  return {
    id: target.id,
    brandId,
    brandName: brand.name,
    brandHeadquartersEmail: null,
    locale,
    state: 'confirmed',
    statusName: null,
    cancellationReason: locale === 'fr' ? 'Le conseiller est absent ce jour-là.' : 'The advisor is away that day.',
    serviceName: service ? serviceName(service.names, service.slug, locale) : 'Consultation',
    serviceSlug: service?.slug ?? 'consultation',
    serviceNames: service?.names ?? {},
    cancelledByCustomer: false,
    mode: 'in_store',
    durationMinutes: duration,
    startAt: start.toJSDate(),
    endAt: start.plus({ minutes: duration }).toJSDate(),
    customerTimeZone: zone,
    storeTimeZone: zone,
    store: store
      ? { name: store.name, address: `${store.address_line}, ${store.postcode} ${store.city}`, phone: store.phone, email: store.email, notificationRouting: 'store' }
      : null,
    homeAddress: null,
    staff: { id: 'sample', name: 'Camille Martin', email: null },
    customer: { id: 'sample', name: 'Alex Dupont', email: 'alex.dupont@example.com', phone: '+33612345678' },
    notes: locale === 'fr' ? 'Une petite cuisine sous les toits.' : 'A small attic kitchen.',
    sequence: 1,
    conversationId: null,
    links: {
      manage: links.url('manage', target), calendar: links.url('calendar', target), join: links.url('join', target),
      reschedule: links.url('reschedule', target), cancel: links.url('cancel', target),
      staffConfirm: links.url('staff-confirm', target), staffReschedule: links.url('staff-reschedule', target),
    },
  };
}

// ---- routes ------------------------------------------------------------------------------------

export function consoleSettingsRoutes(ctx: ConsoleContext): Router {
  const { db, auth } = ctx;
  const router = Router();
  const managers = auth.requireStaff(['admin', 'store_manager']);
  const admins = auth.requireStaff(['admin']);

  // -- status workflows (product document 001) --

  router.get('/services/:id/statuses', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const service = await serviceOfBrand(db, staffOf(req).brandId, id);
    const editable = await canEditWorkflow(db, await scopeOf(db, req), id);
    res.json({ service: serviceJson(service), statuses: await statusesJson(db, id), editable });
  });

  router.put('/services/:id/workflow', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { enabled } = z.object({ enabled: z.boolean() }).strict().parse(req.body);
    const scope = await scopeOf(db, req);
    const service = await db.transaction(async (tx) => {
      const s = await serviceOfBrand(tx, staffOf(req).brandId, id, true);
      await requireWorkflowEditable(tx, scope, s.id);
      await checkWorkflow(tx, s, enabled);
      const [updated] = await tx.query<ServiceRow>('UPDATE services SET status_workflow = $2 WHERE id = $1 RETURNING *', [id, enabled]);
      return updated!;
    });
    res.json({ service: serviceJson(service), statuses: await statusesJson(db, id) });
  });

  router.post('/services/:id/statuses', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = newStatusBody.parse(req.body);
    const scope = await scopeOf(db, req);
    const created = await db.transaction(async (tx) => {
      const service = await serviceOfBrand(tx, staffOf(req).brandId, id, true);
      await requireWorkflowEditable(tx, scope, service.id);
      await checkNameFree(tx, id, body.name, null);
      const current = await listStatuses(tx, id);
      const position = Math.min(body.position ?? current.length + 1, current.length + 1);
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO appointment_statuses (service_id, name, description, position, kind, color) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
        [id, body.name, body.description, current.length + 1, body.kind, body.color],
      );
      const order = current.map((s) => s.id);
      order.splice(position - 1, 0, row!.id);
      await renumber(tx, id, order);
      await checkWorkflow(tx, service);
      return row!.id;
    }).catch(nameTaken);
    const statuses = await statusesJson(db, id);
    res.status(201).json({ status: statuses.find((s) => s.id === created), statuses });
  });

  router.patch('/statuses/:id', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = statusPatch.parse(req.body);
    const scope = await scopeOf(db, req);
    const serviceId = await db.transaction(async (tx) => {
      const { status, service } = await statusOfBrand(tx, staffOf(req).brandId, id);
      await requireWorkflowEditable(tx, scope, service.id);
      if (body.name !== undefined) await checkNameFree(tx, service.id, body.name, id);
      await tx.query(
        `UPDATE appointment_statuses SET name = COALESCE($2, name), description = COALESCE($3, description),
           kind = COALESCE($4, kind), color = COALESCE($5, color) WHERE id = $1`,
        [id, body.name ?? null, body.description ?? null, body.kind ?? null, body.color ?? null],
      );
      if (body.kind && body.kind !== status.kind) await checkWorkflow(tx, service);
      return service.id;
    }).catch(nameTaken);
    const statuses = await statusesJson(db, serviceId);
    res.json({ status: statuses.find((s) => s.id === id), statuses });
  });

  router.post('/services/:id/statuses/reorder', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { ids } = z.object({ ids: z.array(uuid).max(100) }).strict().parse(req.body);
    const scope = await scopeOf(db, req);
    await db.transaction(async (tx) => {
      const service = await serviceOfBrand(tx, staffOf(req).brandId, id, true);
      await requireWorkflowEditable(tx, scope, service.id);
      const current = new Set((await listStatuses(tx, id)).map((s) => s.id));
      if (ids.length !== current.size || new Set(ids).size !== ids.length || !ids.every((s) => current.has(s))) {
        throw errors.invalid('ids', 'ids: list every status of the service exactly once, in the new order.');
      }
      await renumber(tx, id, ids);
      await checkWorkflow(tx, service);
    });
    res.json({ statuses: await statusesJson(db, id) });
  });

  router.delete('/statuses/:id', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const scope = await scopeOf(db, req);
    const serviceId = await db.transaction(async (tx) => {
      const { status, service } = await statusOfBrand(tx, staffOf(req).brandId, id);
      await requireWorkflowEditable(tx, scope, service.id);
      const [usage] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM appointments WHERE status_id = $1', [id]);
      if (usage && usage.n > 0) {
        throw new AppError(
          'status_in_use', 409,
          `"${status.name}" is the current status of ${usage.n} appointment${usage.n === 1 ? '' : 's'}. Move ${usage.n === 1 ? 'it' : 'them'} to another status before deleting it.`,
          { inUse: usage.n },
        );
      }
      await tx.query('DELETE FROM appointment_statuses WHERE id = $1', [id]);
      await renumber(tx, service.id, (await listStatuses(tx, service.id)).map((s) => s.id));
      await checkWorkflow(tx, service);
      return service.id;
    });
    res.json({ statuses: await statusesJson(db, serviceId) });
  });

  // -- services --

  router.get('/services', async (req, res) => {
    const rows = await db.query<ServiceRow>('SELECT * FROM services WHERE brand_id = $1 ORDER BY position, slug', [staffOf(req).brandId]);
    res.json({ services: rows.map(serviceJson) });
  });

  router.patch('/services/:id', admins, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = servicePatch.parse(req.body);
    const brandId = staffOf(req).brandId;
    const service = await db.transaction(async (tx) => {
      await serviceOfBrand(tx, brandId, id, true);
      const columns: Record<string, string> = {
        durationMinutes: 'duration_minutes', bufferBeforeMinutes: 'buffer_before_minutes', bufferAfterMinutes: 'buffer_after_minutes',
        modes: 'modes', bookingMode: 'booking_mode', slotStepMinutes: 'slot_step_minutes', position: 'position', active: 'active',
      };
      const values: unknown[] = [id];
      const sets: string[] = [];
      for (const [key, column] of Object.entries(columns)) {
        const value = (body as Record<string, unknown>)[key];
        if (value === undefined) continue;
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      }
      if (body.names) { values.push(JSON.stringify(body.names)); sets.push(`names = names || $${values.length}::jsonb`); }
      if (body.descriptions) { values.push(JSON.stringify(body.descriptions)); sets.push(`descriptions = descriptions || $${values.length}::jsonb`); }
      if (sets.length === 0) return serviceOfBrand(tx, brandId, id);
      const [row] = await tx.query<ServiceRow>(`UPDATE services SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, values);
      return row!;
    });
    res.json({ service: serviceJson(service) });
  });

  // -- stores --

  router.get('/stores', async (req, res) => {
    const scope = await scopeOf(db, req);
    const rows = await db.query<StoreRow>('SELECT * FROM stores WHERE brand_id = $1 AND id = ANY($2::uuid[]) ORDER BY name', [scope.brandId, scope.storeIds]);
    res.json({ stores: await Promise.all(rows.map((s) => storeJson(db, s))) });
  });

  router.get('/stores/:id', async (req, res) => {
    const { id } = idParam.parse(req.params);
    const scope = await scopeOf(db, req);
    const store = await storeOfBrand(db, scope.brandId, id);
    requireStoreInScope(scope, store.id);
    res.json({ store: await storeJson(db, store) });
  });

  router.patch('/stores/:id', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = storePatch.parse(req.body);
    const scope = await scopeOf(db, req);
    await storeOfBrand(db, scope.brandId, id);
    requireStoreInScope(scope, id);
    if (scope.role !== 'admin') {
      const other = Object.keys(body).find((k) => !MANAGER_STORE_FIELDS.has(k));
      if (other) throw errors.forbidden(`Store managers can change opening hours and special days only (not "${other}").`);
    }
    const store = await db.transaction(async (tx) => {
      const values: unknown[] = [id];
      const sets: string[] = [];
      for (const [key, column] of Object.entries(STORE_COLUMNS)) {
        const value = (body as Record<string, unknown>)[key];
        if (value === undefined) continue;
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      }
      if (sets.length > 0) await tx.query(`UPDATE stores SET ${sets.join(', ')} WHERE id = $1`, values);
      if (body.hours) {
        await tx.query('DELETE FROM store_hours WHERE store_id = $1', [id]);
        for (const h of body.hours) {
          await tx.query('INSERT INTO store_hours (store_id, weekday, opens, closes) VALUES ($1,$2,$3,$4)', [id, h.weekday, h.opens, h.closes]);
        }
      }
      if (body.specialDays) {
        await tx.query('DELETE FROM store_special_days WHERE store_id = $1', [id]);
        for (const d of body.specialDays) {
          await tx.query(
            'INSERT INTO store_special_days (store_id, local_date, opens, closes, label) VALUES ($1,$2,$3,$4,$5)',
            [id, d.date, d.opens, d.closes, d.label],
          );
        }
      }
      return storeOfBrand(tx, scope.brandId, id);
    });
    res.json({ store: await storeJson(db, store) });
  });

  // -- staff hours and time off --

  router.get('/staff/:id', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const scope = await scopeOf(db, req);
    await manageableStaff(db, scope, id);
    const [row] = await db.query<{ id: string; name: string; email: string | null; phone: string | null; active: boolean; home_store_id: string | null; at_home_radius_km: number | null }>(
      'SELECT id, name, email, phone, active, home_store_id, at_home_radius_km FROM staff WHERE id = $1',
      [id],
    );
    const services = await db.query<{ id: string }>('SELECT service_id AS id FROM staff_services WHERE staff_id = $1', [id]);
    res.json({
      staff: {
        id: row!.id, name: row!.name, email: row!.email, phone: row!.phone, active: row!.active,
        homeStoreId: row!.home_store_id, atHomeRadiusKm: row!.at_home_radius_km, serviceIds: services.map((s) => s.id),
        hours: await staffHoursJson(db, id),
        timeOff: await timeOffJson(db, id, ctx.now()),
      },
    });
  });

  router.put('/staff/:id/hours', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = staffHoursBody.parse(req.body);
    const scope = await scopeOf(db, req);
    await manageableStaff(db, scope, id);
    const stores = new Set((await db.query<{ id: string }>('SELECT id FROM stores WHERE brand_id = $1', [scope.brandId])).map((s) => s.id));
    body.hours.forEach((h, i) => {
      if (!stores.has(h.store)) throw errors.invalid(`hours.${i}.store`, `hours.${i}.store: not a store of this brand.`);
      requireStoreInScope(scope, h.store);
    });
    await db.transaction(async (tx) => {
      await tx.query('DELETE FROM staff_hours WHERE staff_id = $1', [id]);
      for (const h of body.hours) {
        await tx.query('INSERT INTO staff_hours (staff_id, store_id, weekday, starts, ends) VALUES ($1,$2,$3,$4,$5)', [id, h.store, h.weekday, h.starts, h.ends]);
      }
    });
    res.json({ hours: await staffHoursJson(db, id) });
  });

  router.post('/staff/:id/time-off', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = timeOffBody.parse(req.body);
    const scope = await scopeOf(db, req);
    await manageableStaff(db, scope, id);
    const [row] = await db.query<{ id: string }>(
      'INSERT INTO staff_time_off (staff_id, starts_at, ends_at, reason) VALUES ($1,$2,$3,$4) RETURNING id',
      [id, body.startsAt, body.endsAt, body.reason],
    );
    // Appointments already booked in that time stay: the console shows them to move or cancel.
    const clashes = await db.query<{ id: string }>(
      `SELECT id FROM appointments WHERE staff_id = $1 AND state <> 'cancelled' AND start_at < $3 AND end_at > $2 ORDER BY start_at`,
      [id, body.startsAt, body.endsAt],
    );
    const conflicts = await Promise.all(clashes.map((c) => appointmentListItem(db, scope.brandId, c.id)));
    res.status(201).json({
      timeOff: { id: row!.id, startsAt: body.startsAt.toISOString(), endsAt: body.endsAt.toISOString(), reason: body.reason },
      conflicts,
    });
  });

  router.delete('/staff/:id/time-off/:timeOffId', managers, async (req, res) => {
    const { id, timeOffId } = z.object({ id: uuid, timeOffId: uuid }).parse(req.params);
    await manageableStaff(db, await scopeOf(db, req), id);
    const rows = await db.query('DELETE FROM staff_time_off WHERE id = $1 AND staff_id = $2 RETURNING id', [timeOffId, id]);
    if (rows.length === 0) throw errors.notFound('Time off');
    res.status(204).end();
  });

  // -- notification schedules (product document 003) --

  router.get('/settings/notifications', admins, async (req, res) => {
    const [row] = await db.query<{ n: unknown }>(`SELECT settings -> 'notifications' AS n FROM brands WHERE id = $1`, [staffOf(req).brandId]);
    const parsed = notificationSettingsSchema.safeParse(row?.n ?? {});
    res.json({ notifications: parsed.success ? parsed.data : DEFAULT_NOTIFICATION_SETTINGS, defaults: DEFAULT_NOTIFICATION_SETTINGS });
  });

  router.put('/settings/notifications', admins, async (req, res) => {
    const settings = notificationSettingsSchema.parse(req.body ?? {});
    await db.query(
      `UPDATE brands SET settings = jsonb_set(settings, '{notifications}', $2::jsonb, true) WHERE id = $1`,
      [staffOf(req).brandId, JSON.stringify(settings)],
    );
    res.json({ notifications: settings });
  });

  // -- message templates --

  router.get('/templates', admins, async (req, res) => {
    const overrides = new Map(
      (await listTemplates(db, staffOf(req).brandId)).map((t) => [`${t.event}/${t.locale}/${t.channel}`, t]),
    );
    const templates = MESSAGE_EVENTS.flatMap((event) =>
      (['en', 'fr'] as const).flatMap((locale) =>
        TEMPLATE_CHANNELS.map((channel) => {
          const own = overrides.get(`${event}/${locale}/${channel}`);
          const fallback = defaultTemplate(event, locale, channel);
          return {
            event, locale, channel,
            custom: own !== undefined,
            subject: own ? own.subject : fallback.subject,
            body: own ? own.body : fallback.body,
            updatedAt: own ? new Date(own.updatedAt).toISOString() : null,
            default: fallback,
          };
        }),
      ),
    );
    res.json({ events: MESSAGE_EVENTS, channels: TEMPLATE_CHANNELS, variables: TEMPLATE_VARIABLES, partials: TEMPLATE_PARTIALS, templates });
  });

  router.put('/templates/:event/:locale/:channel', admins, async (req, res) => {
    const key = templateKey.parse(req.params);
    const body = templateBody.parse(req.body);
    checkTemplate(key.channel, body);
    const saved = await upsertTemplate(db, { brandId: staffOf(req).brandId, ...key, subject: body.subject?.trim() ? body.subject : null, body: body.body }, ctx.now());
    res.json({ template: { ...saved, custom: true, updatedAt: new Date(saved.updatedAt).toISOString() } });
  });

  router.delete('/templates/:event/:locale/:channel', admins, async (req, res) => {
    const key = templateKey.parse(req.params);
    await deleteTemplate(db, { brandId: staffOf(req).brandId, ...key });
    res.json({ template: { ...key, custom: false, ...defaultTemplate(key.event, key.locale, key.channel) } });
  });

  router.post('/templates/preview', admins, async (req, res) => {
    const body = previewBody.parse(req.body);
    checkTemplate(body.channel, body);
    const scope = await scopeOf(db, req);
    let view: AppointmentView;
    if (body.appointmentId) {
      await appointmentInScope(db, scope, body.appointmentId);
      view = (await loadAppointmentView(db, body.appointmentId, previewLinks(ctx.publicUrl)))!;
    } else {
      view = await sampleView(ctx, scope.brandId, scope.storeIds, body.locale);
    }
    try {
      const rendered = renderPreview({ subject: body.subject, body: body.body }, view, body.channel, body.event, { locale: body.locale });
      res.json({ preview: rendered });
    } catch (error) {
      throw errors.invalid('body', `body: the template cannot be rendered: ${error instanceof Error ? error.message : String(error)}`);
    }
  });

  return router;
}

function nameTaken(error: unknown): never {
  if (isUniqueViolation(error)) throw new AppError('conflict', 409, 'This service already has a status with that name.', { field: 'name' });
  throw error;
}
