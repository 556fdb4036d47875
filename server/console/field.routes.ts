import { Router, type Request } from 'express';
import { z } from 'zod';
import { findBrand, type Brand } from '../../models/brands.repository.ts';
import { findService } from '../../models/catalogue.repository.ts';
import { findVisitView, listDrafts, type DraftView } from '../../models/field-visits.repository.ts';
import {
  findBrandEquipment, insertContract, listEquipmentTypes, servicesForEquipmentType,
} from '../../models/equipment.repository.ts';
import {
  deleteSector, fieldSettings, insertSector, listSectors, listTechnicians, saveFieldSettings, serviceSkills, setServiceSkills, technicianHours,
} from '../../models/technicians.repository.ts';
import { errors } from '../../models/errors.ts';
import type { BookingDeps } from '../../scheduling/booking.ts';
import { moveDraft, rejectDraft, validateDraft } from '../../scheduling/draft-validation.ts';
import { saveEquipmentType, saveTechnician } from '../../scheduling/field-settings.ts';
import { appointmentInScope, manageableStaff, storeInScope } from '../../scheduling/staff-access.ts';
import { scopeOf, type ConsoleContext } from './console-context.ts';
import { staffOf } from './staff-auth.ts';

/**
 * On-site visits in the console (product document 002): drafts to validate at an exact arrival
 * time or reject with a reason, and, for admins, the field-service set-up: settings, equipment
 * types and their services, skills, technicians' hours and daily sectors, maintenance contracts.
 */
const uuid = z.uuid();
const idParam = z.object({ id: uuid });
const skill = z.string().regex(/^[a-z0-9-]{2,40}$/);
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const names = z.object({ en: z.string().trim().min(1).max(120), fr: z.string().trim().min(1).max(120) });

const validateBody = z.object({ arrivalAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)) }).strict();
const moveBody = z.object({ windowStart: z.iso.datetime({ offset: true }).transform((s) => new Date(s)) }).strict();
const rejectBody = z.object({ reason: z.string().trim().min(1, 'a reason is required to reject').max(500) }).strict();
const settingsBody = z.object({
  arrivalWindowMinutes: z.number().int().min(15).max(480),
  circuityFactor: z.number().min(1).max(3),
  averageSpeedKmh: z.number().min(5).max(130),
  travelBufferMinutes: z.number().int().min(0).max(120),
  customersRegisterEquipment: z.boolean(),
  contractNoticeDays: z.number().int().min(1).max(180),
}).strict();
const typeBody = z.object({ names, active: z.boolean().default(true), serviceIds: z.array(uuid).max(50) }).strict();
const skillsBody = z.object({ skills: z.array(skill).max(30) }).strict();
const technicianBody = z.object({
  startLatitude: z.number().min(-90).max(90),
  startLongitude: z.number().min(-180).max(180),
  timeZone: z.string().refine((zone) => Intl.supportedValuesOf('timeZone').includes(zone) || zone === 'UTC', 'an IANA time zone'),
  skills: z.array(skill).max(30),
  hours: z.array(z.object({ weekday: z.number().int().min(1).max(7), starts: time, ends: time }).refine((h) => h.ends > h.starts, 'ends after starts')).max(50),
}).strict();
const sectorBody = z.object({
  weekday: z.number().int().min(1).max(7).nullish(),
  localDate: z.iso.date().nullish(),
  label: z.string().trim().max(80).default(''),
  postcodes: z.array(z.string().trim().regex(/^[A-Z0-9 -]{2,10}$/i).transform((p) => p.replace(/\s+/g, '').toUpperCase())).min(1).max(200).nullish(),
  centerLatitude: z.number().min(-90).max(90).nullish(),
  centerLongitude: z.number().min(-180).max(180).nullish(),
  radiusKm: z.number().positive().max(300).nullish(),
}).strict()
  .refine((s) => (s.weekday == null) !== (s.localDate == null), { message: 'give a weekday or a date', path: ['weekday'] })
  .refine((s) => (s.postcodes != null) !== (s.radiusKm != null && s.centerLatitude != null && s.centerLongitude != null), { message: 'give postcodes, or a centre and a radius', path: ['postcodes'] });
const contractBody = z.object({
  equipmentId: uuid, serviceId: uuid, task: z.string().trim().min(1).max(500),
  periodMonths: z.number().int().min(1).max(120), nextDueOn: z.iso.date(), active: z.boolean().default(true),
}).strict();

const mapUrl = (lat: number, lng: number) => `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lng}#map=18/${lat}/${lng}`;
const draftJson = (d: DraftView) => ({
  ...d, windowStart: d.windowStart.toISOString(), windowEnd: d.windowEnd.toISOString(),
  address: { ...d.address, mapUrl: mapUrl(d.address.latitude, d.address.longitude) },
});

export function consoleFieldRoutes(ctx: ConsoleContext, booking: BookingDeps, changed: (brandId: string, appointmentId: string) => void): Router {
  const { db, auth } = ctx;
  const router = Router();
  const admins = auth.requireStaff(['admin']);
  const brandOf = async (req: Request): Promise<Brand> => {
    const brand = await findBrand(db, staffOf(req).brandId);
    if (!brand) throw errors.notFound('Brand');
    return brand;
  };
  const actorOf = (req: Request) => ({ kind: 'staff', id: staffOf(req).id }) as const;

  // ---- drafts -----------------------------------------------------------------------------------

  router.get('/field/drafts', async (req, res) => {
    const scope = await scopeOf(db, req);
    const drafts = (await listDrafts(db, scope.brandId)).filter((d) => d.staffId === scope.staffId || storeInScope(scope, d.homeStoreId));
    res.json({ drafts: drafts.map(draftJson) });
  });

  router.get('/field/visits/:id', async (req, res) => {
    const { id } = idParam.parse(req.params);
    const scope = await scopeOf(db, req);
    await appointmentInScope(db, scope, id);
    const visit = await findVisitView(db, scope.brandId, id);
    if (!visit) throw errors.notFound('Visit');
    res.json({ visit: draftJson(visit) });
  });

  router.post('/field/drafts/:id/validate', async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { arrivalAt } = validateBody.parse(req.body);
    await appointmentInScope(db, await scopeOf(db, req), id);
    const brand = await brandOf(req);
    const appointment = await validateDraft(booking, { brand, appointmentId: id, arrivalAt, actor: actorOf(req) });
    changed(brand.id, id);
    res.json({ appointment: { id, state: appointment.state, startAt: appointment.startAt.toISOString(), endAt: appointment.endAt.toISOString() } });
  });

  router.post('/field/drafts/:id/move', async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { windowStart } = moveBody.parse(req.body);
    await appointmentInScope(db, await scopeOf(db, req), id);
    const brand = await brandOf(req);
    const appointment = await moveDraft(booking, { brand, appointmentId: id, windowStart, actor: actorOf(req) });
    changed(brand.id, id);
    res.json({ appointment: { id, state: appointment.state, staffId: appointment.staffId, startAt: appointment.startAt.toISOString() } });
  });

  router.post('/field/drafts/:id/reject', async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { reason } = rejectBody.parse(req.body);
    await appointmentInScope(db, await scopeOf(db, req), id);
    const brand = await brandOf(req);
    const appointment = await rejectDraft(booking, { brand, appointmentId: id, reason, actor: actorOf(req) });
    changed(brand.id, id);
    res.json({ appointment: { id, state: appointment.state, cancellationReason: appointment.cancellationReason } });
  });

  // ---- set-up (admins) --------------------------------------------------------------------------

  router.get('/field/settings', admins, async (req, res) => {
    res.json({ settings: await fieldSettings(db, staffOf(req).brandId) });
  });
  router.put('/field/settings', admins, async (req, res) => {
    res.json({ settings: await saveFieldSettings(db, staffOf(req).brandId, settingsBody.parse(req.body)) });
  });

  router.get('/field/equipment-types', admins, async (req, res) => {
    const types = await listEquipmentTypes(db, staffOf(req).brandId);
    res.json({ equipmentTypes: await Promise.all(types.map(async (t) => ({ ...t, serviceIds: (await servicesForEquipmentType(db, t.id)).map((s) => s.id) }))) });
  });
  router.put('/field/equipment-types/:slug', admins, async (req, res) => {
    const slug = z.string().regex(/^[a-z0-9-]{2,60}$/).parse(req.params['slug']);
    const body = typeBody.parse(req.body);
    const type = await saveEquipmentType(db, staffOf(req).brandId, { slug, ...body });
    res.json({ equipmentType: { ...type, serviceIds: body.serviceIds } });
  });

  router.put('/field/services/:id/skills', admins, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { skills } = skillsBody.parse(req.body);
    if (!(await findService(db, staffOf(req).brandId, id))) throw errors.notFound('Service');
    await setServiceSkills(db, id, skills);
    res.json({ skills: await serviceSkills(db, id) });
  });

  router.get('/field/technicians', admins, async (req, res) => {
    const technicians = await listTechnicians(db, staffOf(req).brandId);
    res.json({ technicians: await Promise.all(technicians.map(async (t) => ({ ...t, hours: await technicianHours(db, t.staffId) }))) });
  });
  router.put('/field/technicians/:id', admins, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = technicianBody.parse(req.body);
    await saveTechnician(db, await scopeOf(db, req), id, body);
    res.json({ technician: (await listTechnicians(db, staffOf(req).brandId)).find((t) => t.staffId === id), hours: await technicianHours(db, id) });
  });

  const technicianOf = async (req: Request) => {
    const { id } = idParam.parse(req.params);
    await manageableStaff(db, await scopeOf(db, req), id);
    if (!(await listTechnicians(db, staffOf(req).brandId)).some((t) => t.staffId === id)) throw errors.notFound('Technician');
    return id;
  };
  router.get('/field/technicians/:id/sectors', admins, async (req, res) => {
    res.json({ sectors: await listSectors(db, await technicianOf(req)) });
  });
  router.post('/field/technicians/:id/sectors', admins, async (req, res) => {
    const staffId = await technicianOf(req);
    const b = sectorBody.parse(req.body);
    const sector = await insertSector(db, {
      staffId, weekday: b.weekday ?? null, localDate: b.localDate ?? null, label: b.label, postcodes: b.postcodes ?? null,
      centerLatitude: b.postcodes ? null : b.centerLatitude ?? null, centerLongitude: b.postcodes ? null : b.centerLongitude ?? null,
      radiusKm: b.postcodes ? null : b.radiusKm ?? null,
    });
    res.status(201).json({ sector });
  });
  router.delete('/field/technicians/:id/sectors/:sectorId', admins, async (req, res) => {
    const staffId = await technicianOf(req);
    if (!(await deleteSector(db, staffId, uuid.parse(req.params['sectorId'])))) throw errors.notFound('Sector');
    res.status(204).end();
  });

  router.post('/field/contracts', admins, async (req, res) => {
    const body = contractBody.parse(req.body);
    const brandId = staffOf(req).brandId;
    const equipment = await findBrandEquipment(db, brandId, body.equipmentId);
    if (!equipment) throw errors.notFound('Equipment');
    if (!(await servicesForEquipmentType(db, equipment.typeId)).some((s) => s.id === body.serviceId)) {
      throw errors.invalid('serviceId', 'serviceId: this service does not serve that kind of equipment.');
    }
    res.status(201).json({ contract: await insertContract(db, body) });
  });

  return router;
}
