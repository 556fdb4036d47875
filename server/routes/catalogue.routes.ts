import { Router } from 'express';
import { DateTime } from 'luxon';
import type { Queryable } from '../../models/database.ts';
import { findService, findStore, listServices, listStores, storesOfferingService } from '../../models/catalogue.repository.ts';
import { listStatuses } from '../../models/statuses.repository.ts';
import { errors } from '../../models/errors.ts';
import { findAvailability } from '../../scheduling/availability.ts';
import { distanceKm } from '../../scheduling/geo-distance.ts';
import { geocode } from '../../scheduling/geocoder.ts';
import { publicBrand } from '../auth.ts';
import { availabilityQuery, storesQuery } from '../http-schemas.ts';
import { serviceJson, slotDays, storeJson } from '../presenters.ts';

const MAX_SPAN_DAYS = 62;

/** Public reads the widget needs: services, stores near a place, free slots. */
export function catalogueRoutes(db: Queryable, defaultBrand: string, now: () => Date): Router {
  const router = Router();

  router.get('/services', async (req, res) => {
    const brand = await publicBrand(db, storesQuery.pick({ brand: true }).parse(req.query).brand, defaultBrand);
    const services = await listServices(db, brand.id);
    const withStatuses = await Promise.all(services.map(async (s) => ({
      ...serviceJson(s),
      ...(s.statusWorkflow ? { statuses: await listStatuses(db, s.id) } : {}),
    })));
    res.json({ brand: { id: brand.id, name: brand.name, defaultLocale: brand.defaultLocale }, services: withStatuses });
  });

  router.get('/stores', async (req, res) => {
    const q = storesQuery.parse(req.query);
    const brand = await publicBrand(db, q.brand, defaultBrand);
    let stores = await listStores(db, brand.id);
    if (q.service) {
      const service = await findService(db, brand.id, q.service);
      if (!service) throw errors.notFound('Service');
      const offering = await storesOfferingService(db, service.id);
      stores = stores.filter((s) => offering.has(s.id));
    }
    if (!q.near) return void res.json({ stores: stores.map((s) => storeJson(s)) });
    const place = geocode(q.near);
    if (!place) {
      throw errors.placeNotFound(q.near);
    }
    const ranked = stores
      .map((s) => ({ store: s, km: distanceKm(place, s) }))
      .sort((a, b) => a.km - b.km);
    res.json({ near: place, stores: ranked.map((r) => storeJson(r.store, r.km)) });
  });

  router.get('/availability', async (req, res) => {
    const q = availabilityQuery.parse(req.query);
    const brand = await publicBrand(db, q.brand, defaultBrand);
    const service = await findService(db, brand.id, q.service);
    if (!service) throw errors.notFound('Service');
    if (!service.modes.includes(q.mode)) throw errors.invalid('mode', `This service is offered: ${service.modes.join(', ')}.`);
    const store = q.store ? await findStore(db, brand.id, q.store) : null;
    if (q.store && !store) throw errors.notFound('Store');
    if (q.mode === 'in_store' && !store) throw errors.invalid('store', 'An in-store appointment needs a store.');
    const home = q.lat !== undefined && q.lng !== undefined ? { latitude: q.lat, longitude: q.lng } : null;
    if (q.mode === 'at_home' && !home) throw errors.invalid('lat', 'An at-home appointment needs the home coordinates (lat, lng).');

    const zone = q.tz ?? store?.timeZone ?? brand.timeZone;
    const current = now();
    const from = q.from ? parseBound(q.from, zone, 'from') : current;
    const to = q.to ? parseBound(q.to, zone, 'to') : new Date(from.getTime() + 7 * 86_400_000);
    if (to <= from) throw errors.invalid('to', '"to" must be after "from".');
    if (to.getTime() - from.getTime() > MAX_SPAN_DAYS * 86_400_000) throw errors.invalid('to', `Ask for at most ${MAX_SPAN_DAYS} days at once.`);

    const slots = await findAvailability(db, { brand, service, mode: q.mode, store, home, from, to, now: current });
    res.json({ service: service.slug, mode: q.mode, store: store?.slug ?? null, timeZone: zone, days: slotDays(slots, zone) });
  });

  return router;
}

/** A date names a whole local day: "from" is its start, "to" its end. */
function parseBound(value: string, zone: string, field: 'from' | 'to'): Date {
  if (value.length === 10) {
    const day = DateTime.fromISO(value, { zone }).startOf('day');
    if (!day.isValid) throw errors.invalid(field, `${field}: not a valid date.`);
    return (field === 'to' ? day.plus({ days: 1 }) : day).toJSDate();
  }
  return new Date(value);
}
