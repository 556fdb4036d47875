import type { Queryable } from '../models/database.ts';
import { findService, findStore, type Mode } from '../models/catalogue.repository.ts';
import { line, type Line } from './lines.ts';
import type { Localized } from './messages.ts';

/** What the customer needs to know about an appointment (or a held slot), JSON-safe. */
export interface AppointmentFacts {
  service: Localized;
  durationMinutes: number;
  start: string;
  mode: Mode;
  store: { name: string; address: string; timeZone: string; phone: string | null } | null;
  homeAddress: string | null;
}

export interface PlacementRef {
  serviceId: string;
  mode: Mode;
  storeId: string | null;
  homeAddress: string | null;
  startAt: Date;
}

export async function loadFacts(db: Queryable, brandId: string, p: PlacementRef): Promise<AppointmentFacts> {
  const [service, store] = await Promise.all([
    findService(db, brandId, p.serviceId),
    p.storeId ? findStore(db, brandId, p.storeId) : Promise.resolve(null),
  ]);
  if (!service) throw new Error('The appointment refers to a service that no longer exists.');
  return {
    service: service.names,
    durationMinutes: service.durationMinutes,
    start: p.startAt.toISOString(),
    mode: p.mode,
    store: store && p.mode === 'in_store'
      ? { name: store.name, address: `${store.addressLine}, ${store.postcode} ${store.city}`, timeZone: store.timeZone, phone: store.phone }
      : null,
    homeAddress: p.mode === 'at_home' ? p.homeAddress : null,
  };
}

/** Service, time (and the store's local time when its zone differs), place. */
export function factLines(f: AppointmentFacts, customerZone: string): Line[] {
  const lines = [line('facts.duration', { service: f.service, minutes: String(f.durationMinutes) })];
  if (f.store && f.store.timeZone !== customerZone) {
    lines.push(line('facts.whenYours', { when: { at: f.start } }));
    lines.push(line('facts.storeTime', { time: { at: f.start, zone: f.store.timeZone }, store: f.store.name }));
  } else {
    lines.push(line('facts.when', { when: { at: f.start } }));
  }
  if (f.mode === 'in_store' && f.store) lines.push(line('facts.inStore', { store: f.store.name, address: f.store.address }));
  else if (f.mode === 'at_home') lines.push(line('facts.atHome', { address: f.homeAddress ?? '' }));
  else lines.push(line('facts.online'));
  return lines;
}
