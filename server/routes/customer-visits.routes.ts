import express, { Router, type Request } from 'express';
import { fileURLToPath } from 'node:url';
import { rateLimit } from 'express-rate-limit';
import { storeOption, type HttpRateLimitStores } from '../http-rate-limit-store.ts';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Database } from '../../models/database.ts';
import { listAddresses, correctAddress, findAddress } from '../../models/customer-accounts.repository.ts';
import {
  findEquipmentType, insertEquipment, listCustomerContracts, listCustomerEquipment, listEquipmentTypes, findCustomerEquipment,
  servicesForEquipmentType,
} from '../../models/equipment.repository.ts';
import { fieldSettings } from '../../models/technicians.repository.ts';
import { errors } from '../../models/errors.ts';
import type { BookingDeps } from '../../scheduling/booking.ts';
import { bookDraft, checkVisit, findOnsiteWindows, holdWindow, prefillFromContract } from '../../scheduling/field-booking.ts';
import type { OtpService } from '../../notifications/otp.ts';
import { publicBrand } from '../auth.ts';
import { customerAuth, customerOf, signInBody, verifyBody } from '../customer-auth.ts';
import { tileImageSource } from '../map-tiles.ts';

export interface CustomerVisitDeps extends BookingDeps {
  otp: OtpService;
  defaultBrand: string;
  ownOrigins: string[];
  secure: boolean;
  /** Map tiles ({z}/{x}/{y}) and the attribution their provider requires. */
  tiles: { url: string; attribution: string };
  /** Where HTTP rate limits count (several instances: Redis); default this process's memory. */
  httpRateLimitStores?: HttpRateLimitStores | undefined;
}

const uuid = z.uuid();
const brandQuery = z.object({ brand: z.string().regex(/^[a-z0-9-]{2,40}$/).optional() });
const visitFields = {
  equipmentId: uuid,
  contractId: uuid.nullish(),
  addressId: uuid,
  serviceId: uuid,
};
const windowsQuery = z.object({ ...visitFields, from: z.iso.date(), contractId: uuid.optional() });
const holdBody = z.object({ ...visitFields, windowStart: z.iso.datetime({ offset: true }) });
const draftBody = z.object({ ...visitFields, holdId: uuid, task: z.string().max(500).default(''), notes: z.string().max(1000).default('') });
const addressBody = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  accessComment: z.string().trim().max(500).default(''),
});
const equipmentBody = z.object({
  typeId: uuid,
  addressId: uuid,
  make: z.string().trim().max(80).default(''),
  model: z.string().trim().max(80).default(''),
  serialNumber: z.string().trim().max(80).default(''),
  installedOn: z.iso.date().nullish(),
});

const WINDOW_SEARCH_DAYS = 7;
/** Built by `npm run build:visit` (customer-page/build.ts). */
const CUSTOMER_PAGE_DIST_DIR = fileURLToPath(new URL('../../customer-page/dist/', import.meta.url));

/**
 * The customer page (/visit/) and its JSON API: sign in by emailed code, see one's appliances,
 * addresses and contracts, correct a pin, find arrival windows, hold one and book the draft.
 * Every read is scoped to the signed-in customer: another customer's ids answer 404.
 */
export function customerVisitRoutes(deps: CustomerVisitDeps): Router {
  const { db, now } = deps;
  const auth = customerAuth({ db, now, otp: deps.otp, secure: deps.secure });
  const brandOf = (req: Request) => publicBrand(db, brandQuery.parse(req.query).brand, deps.defaultBrand);
  const router = Router();

  router.get('/visit', (req, res, next) => (req.path === '/visit' ? res.redirect(301, '/visit/') : next()));
  router.get('/visit/', (_req, res, next) => {
    // The map's tiles come from another origin: allow exactly that one for images.
    res.setHeader('Content-Security-Policy', [
      "default-src 'self'", `img-src 'self' data: ${tileImageSource(deps.tiles.url)}`,
      "style-src 'self' 'unsafe-inline'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'",
    ].join('; '));
    next();
  });
  router.use('/visit', express.static(CUSTOMER_PAGE_DIST_DIR, { index: 'index.html', redirect: false, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }));

  const api = Router();
  api.use(express.json({ limit: '16kb' }));
  api.use((req, _res, next) => {
    // State changes only from this site's own pages (the cookie is SameSite=Strict as well).
    if (req.method === 'GET') return next();
    const origin = req.get('origin');
    const site = req.get('sec-fetch-site');
    if ((origin !== undefined && !deps.ownOrigins.includes(origin)) || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
      throw errors.csrfFailed('Requests from another site are not accepted.');
    }
    next();
  });
  const signInLimit = rateLimit({
    windowMs: 10 * 60_000, limit: 30, standardHeaders: 'draft-8', legacyHeaders: false, ...storeOption(deps.httpRateLimitStores, 'visit-sign-in'),
    handler: (_req, _res, next) => next(errors.rateLimited('Too many sign-in attempts. Please try again in a few minutes.')),
  });

  api.post('/sign-in', signInLimit, async (req, res) => {
    res.status(202).json(await auth.requestCode(await brandOf(req), signInBody.parse(req.body)));
  });
  api.post('/verify', signInLimit, async (req, res) => {
    const customer = await auth.verify(await brandOf(req), verifyBody.parse(req.body), res);
    res.json({ customer: { name: customer.name, email: customer.email, locale: customer.locale } });
  });
  api.post('/sign-out', async (req, res) => {
    await auth.signOut(req, res);
    res.status(204).end();
  });

  api.use(auth.requireCustomer(brandOf));

  api.get('/me', async (req, res) => {
    const customer = customerOf(req);
    const brand = await brandOf(req);
    const settings = await fieldSettings(db, brand.id);
    const [addresses, equipment, contracts] = await Promise.all([
      listAddresses(db, customer.id), listCustomerEquipment(db, customer.id), listCustomerContracts(db, customer.id),
    ]);
    const types = settings.customersRegisterEquipment ? (await listEquipmentTypes(db, brand.id)).filter((t) => t.active) : [];
    res.json({
      brand: { id: brand.id, name: brand.name },
      customer: { name: customer.name, email: customer.email, locale: customer.locale, timeZone: customer.timeZone ?? brand.timeZone },
      addresses, equipment, contracts, equipmentTypes: types,
      canRegisterEquipment: settings.customersRegisterEquipment,
      arrivalWindowMinutes: settings.arrivalWindowMinutes,
      tiles: deps.tiles,
    });
  });

  api.post('/equipment', async (req, res) => {
    const customer = customerOf(req);
    const brand = await brandOf(req);
    if (!(await fieldSettings(db, brand.id)).customersRegisterEquipment) throw errors.forbidden('Appliances are registered by our staff.');
    const body = equipmentBody.parse(req.body);
    if (!(await findEquipmentType(db, brand.id, body.typeId))) throw errors.notFound('Equipment type');
    if (!(await findAddress(db, customer.id, body.addressId))) throw errors.notFound('Address');
    const equipment = await insertEquipment(db, customer.id, { ...body, installedOn: body.installedOn ?? null, registeredBy: 'customer' });
    res.status(201).json({ equipment });
  });

  api.get('/equipment/:id/services', async (req, res) => {
    const equipment = await findCustomerEquipment(db, customerOf(req).id, uuid.parse(req.params['id']));
    if (!equipment) throw errors.notFound('Equipment');
    const services = await servicesForEquipmentType(db, equipment.typeId);
    res.json({ services: services.map((s) => ({ id: s.id, slug: s.slug, names: s.names, durationMinutes: s.durationMinutes })) });
  });

  api.get('/contracts/:id/prefill', async (req, res) => {
    res.json(await prefillFromContract(db, customerOf(req).id, uuid.parse(req.params['id'])));
  });

  api.put('/addresses/:id', async (req, res) => {
    const address = await correctAddress(db, customerOf(req).id, uuid.parse(req.params['id']), addressBody.parse(req.body));
    if (!address) throw errors.notFound('Address');
    res.json({ address });
  });

  api.get('/windows', async (req, res) => {
    const customer = customerOf(req);
    const brand = await brandOf(req);
    const q = windowsQuery.parse(req.query);
    const { service, address } = await checkVisit(db, { brand, customerId: customer.id, ...q });
    const zone = customer.timeZone ?? brand.timeZone;
    const from = DateTime.fromISO(q.from, { zone }).startOf('day');
    const windows = await findOnsiteWindows(db, {
      brand, service, address, from: from.toJSDate(), to: from.plus({ days: WINDOW_SEARCH_DAYS }).toJSDate(), now: now(),
    });
    res.json({ timeZone: zone, windows: windows.map((w) => ({ start: w.start.toISOString(), end: w.end.toISOString() })) });
  });

  api.post('/holds', async (req, res) => {
    const body = holdBody.parse(req.body);
    const hold = await holdWindow(deps, { brand: await brandOf(req), customerId: customerOf(req).id, ...body, windowStart: new Date(body.windowStart) });
    res.status(201).json({ hold: { id: hold.id, windowStart: hold.startAt.toISOString(), windowEnd: hold.windowEnd.toISOString(), expiresAt: hold.expiresAt.toISOString() } });
  });

  api.post('/drafts', async (req, res) => {
    const customer = customerOf(req);
    const brand = await brandOf(req);
    const body = draftBody.parse(req.body);
    const draft = await bookDraft(deps, {
      brand, customerId: customer.id, ...body, customerTimeZone: customer.timeZone ?? brand.timeZone,
      channel: 'web', conversationId: null, idempotencyKey: `visit:${body.holdId}`, actor: { kind: 'customer' },
    });
    res.status(201).json({ appointment: { id: draft.id, state: draft.state, startAt: draft.startAt.toISOString() } });
  });

  api.use((req, _res, next) => next(errors.noRoute('', req.method, req.path)));
  router.use('/visit/api', api);
  return router;
}
