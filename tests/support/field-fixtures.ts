import type { Database } from '../../models/database.ts';
import type { Brand } from '../../models/brands.repository.ts';
import type { Store } from '../../models/catalogue.repository.ts';
import { insertAddress } from '../../models/customer-accounts.repository.ts';
import { insertEquipment, setEquipmentTypeServices, upsertEquipmentType } from '../../models/equipment.repository.ts';
import { insertStatus } from '../../models/statuses.repository.ts';
import {
  insertSector, insertTechnician, insertTechnicianHours, setServiceSkills, setTechnicianSkills,
} from '../../models/technicians.repository.ts';
import { findOnsiteWindows, placeDraft } from '../../scheduling/field-booking.ts';
import { findAddress } from '../../models/customer-accounts.repository.ts';
import { findService } from '../../models/catalogue.repository.ts';

/** A store of a brand, and the strings only its data holds (see the console authorization matrix). */
export interface FieldPlace { brand: Brand; store: Store; markers: Set<string> }

/**
 * On-site visit fixtures at a store: the brand's boiler service and equipment type (made once), a
 * technician of the store (a fresh one each time, with a sector around it), and drafts booked
 * through the domain on that technician's first open window.
 */
export function fieldFixtures(db: Database, now: () => Date, unique: (prefix: string) => string) {
  const catalogues = new Map<string, Promise<{ typeId: string; serviceId: string }>>();

  const catalogueOf = (brand: Brand) => {
    let made = catalogues.get(brand.id);
    if (!made) {
      made = (async () => {
        const [service] = await db.query<{ id: string }>(
          `INSERT INTO services (brand_id, slug, names, duration_minutes, modes, booking_mode, status_workflow)
           VALUES ($1, 'field-boiler-service', '{"en":"Boiler service","fr":"Entretien chaudière"}', 60, ARRAY['at_home'], 'request', true) RETURNING id`,
          [brand.id],
        );
        const serviceId = service!.id;
        for (const [i, kind] of (['start', 'confirmation', 'cancellation'] as const).entries()) {
          await insertStatus(db, { serviceId, name: ['Draft', 'Validated', 'Rejected'][i]!, description: '', position: i + 1, kind, color: '#607d8b' });
        }
        await setServiceSkills(db, serviceId, ['boiler']);
        const type = await upsertEquipmentType(db, brand.id, { slug: 'field-boiler', names: { en: 'Boiler', fr: 'Chaudière' }, active: true });
        await setEquipmentTypeServices(db, type.id, [serviceId]);
        return { typeId: type.id, serviceId };
      })();
      catalogues.set(brand.id, made);
    }
    return made;
  };

  /** A technician of the store, working weekdays 08–12 and 13–17 within 30 km of it; the sector's label is a marker. */
  async function technician(place: FieldPlace): Promise<{ staffId: string; sectorLabel: string }> {
    await catalogueOf(place.brand);
    const name = unique('Technician');
    const [staff] = await db.query<{ id: string }>(
      'INSERT INTO staff (brand_id, name, home_store_id) VALUES ($1, $2, $3) RETURNING id', [place.brand.id, name, place.store.id],
    );
    const staffId = staff!.id;
    await insertTechnician(db, staffId, { startLatitude: place.store.latitude, startLongitude: place.store.longitude, timeZone: place.store.timeZone });
    await setTechnicianSkills(db, staffId, ['boiler']);
    const sectorLabel = unique('sector');
    for (const weekday of [1, 2, 3, 4, 5]) {
      await insertTechnicianHours(db, { staffId, weekday, starts: '08:00', ends: '12:00' });
      await insertTechnicianHours(db, { staffId, weekday, starts: '13:00', ends: '17:00' });
      await insertSector(db, {
        staffId, weekday, localDate: null, label: sectorLabel, postcodes: null,
        centerLatitude: place.store.latitude, centerLongitude: place.store.longitude, radiusKm: 30,
      });
    }
    for (const m of [name, staffId, sectorLabel]) place.markers.add(m);
    return { staffId, sectorLabel };
  }

  /** A customer with a boiler at the store's address and a draft on a fresh technician's first open window. */
  async function draft(place: FieldPlace) {
    const { typeId, serviceId } = await catalogueOf(place.brand);
    const { staffId } = await technician(place);
    const name = unique('Customer');
    const [customer] = await db.query<{ id: string }>(
      'INSERT INTO customers (brand_id, name, email) VALUES ($1, $2, $3) RETURNING id', [place.brand.id, name, `${name.toLowerCase()}@example.com`],
    );
    const customerId = customer!.id;
    const address = await insertAddress(db, customerId, {
      label: '', addressLine: unique('street'), postcode: place.store.postcode, city: place.store.city, country: place.store.country,
      latitude: place.store.latitude, longitude: place.store.longitude, accessComment: '',
    });
    const equipment = await insertEquipment(db, customerId, {
      typeId, addressId: address.id, make: unique('make'), model: '', serialNumber: '', installedOn: null, registeredBy: 'staff',
    });
    const service = (await findService(db, place.brand.id, serviceId))!;
    const from = new Date('2027-03-02T00:00:00Z');
    const [window, next] = await findOnsiteWindows(db, {
      brand: place.brand, service, address: (await findAddress(db, customerId, address.id))!, from, to: new Date(from.getTime() + 14 * 86_400_000), now: now(), staffIds: [staffId],
    });
    const appointment = await placeDraft({ db, now }, {
      brand: place.brand, customerId, equipmentId: equipment.id, addressId: address.id, serviceId, task: '', windowStart: window!.start,
      customerTimeZone: place.store.timeZone, notes: '', channel: 'web', conversationId: null, idempotencyKey: null, actor: { kind: 'customer' },
    });
    for (const m of [name, appointment.id, equipment.id, address.addressLine]) place.markers.add(m);
    return { appointmentId: appointment.id, windowStart: window!.start, nextWindowStart: next!.start, equipmentId: equipment.id, serviceId };
  }

  return { catalogueOf, technician, draft };
}
