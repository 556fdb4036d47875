import type { Database } from '../models/database.ts';
import type { Brand } from '../models/brands.repository.ts';
import { findService, findStore } from '../models/catalogue.repository.ts';
import { errors } from '../models/errors.ts';
import type { SlotRequest } from '../scheduling/booking.ts';

interface SlotFields {
  service?: string | undefined;
  mode?: SlotRequest['mode'] | undefined;
  store?: string | undefined;
  home?: { address: string; latitude: number; longitude: number } | undefined;
  start?: Date | undefined;
}

/**
 * The slot a request names: service, mode and start required (`required` ends the message of a
 * missing one), service and store looked up in the brand.
 */
export async function slotRequest(
  db: Database, brand: Brand, f: SlotFields, required = 'required when no holdId is given.',
): Promise<SlotRequest> {
  if (!f.service) throw errors.invalid('service', `service: ${required}`);
  if (!f.mode) throw errors.invalid('mode', `mode: ${required}`);
  if (!f.start) throw errors.invalid('start', `start: ${required}`);
  const service = await findService(db, brand.id, f.service);
  if (!service) throw errors.notFound('Service');
  const store = f.store ? await findStore(db, brand.id, f.store) : null;
  if (f.store && !store) throw errors.notFound('Store');
  return { brand, service, mode: f.mode, store, home: f.home ?? null, start: f.start };
}
