import type { Appointment } from '../../models/appointments.repository.ts';
import type { Brand } from '../../models/brands.repository.ts';
import { findService, findStore, type Mode, type Store } from '../../models/catalogue.repository.ts';
import { bookAppointment, type BookingDeps, type HomeAddress } from '../../scheduling/booking.ts';

export interface CustomerBooking {
  /** The service's slug. */
  service: string;
  /** The store, or its slug; null for none. */
  store: Store | string | null;
  mode?: Mode;
  home?: HomeAddress | null;
  start: string | Date;
  customer: { name: string; email?: string | null; phone?: string | null; locale?: 'en' | 'fr'; timeZone?: string | null };
  /** The zone the customer sees times in; Europe/Paris unless told. */
  timeZone?: string;
  notes?: string;
  conversationId?: string | null;
}

/**
 * A booking made by a customer on the web (the bot or the widget), straight through the domain:
 * in store unless told, no home address, notes or conversation, no idempotency key.
 */
export async function bookAsCustomer(deps: BookingDeps, brand: Brand, o: CustomerBooking): Promise<Appointment> {
  const service = (await findService(deps.db, brand.id, o.service))!;
  const store = typeof o.store === 'string' ? await findStore(deps.db, brand.id, o.store) : o.store;
  const c = o.customer;
  const { appointment } = await bookAppointment(deps, {
    brand,
    slot: { brand, service, mode: o.mode ?? 'in_store', store, home: o.home ?? null, start: new Date(o.start) },
    customer: { name: c.name, email: c.email ?? null, phone: c.phone ?? null, locale: c.locale ?? 'en', timeZone: c.timeZone ?? null },
    customerTimeZone: o.timeZone ?? 'Europe/Paris',
    notes: o.notes ?? '',
    channel: 'web',
    conversationId: o.conversationId ?? null,
    idempotencyKey: null,
    actor: { kind: 'customer' },
  });
  return appointment;
}
