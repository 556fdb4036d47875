import { serviceName, toService, toStore } from '../../models/catalogue.repository.ts';
import type { ServiceRecord } from '../../models/service-settings.repository.ts';
import type { StoreSettings } from '../../scheduling/store-settings.ts';
import { hhmm } from './periods.schema.ts';

/** Services and stores as the console's settings screens read them. */

export const serviceJson = (s: ServiceRecord) => {
  const { id, slug, brandId: _brandId, ...service } = toService(s);
  return { id, slug, name: serviceName(s.names, s.slug), ...service, position: s.position, active: s.active };
};

export const storeJson = ({ store: s, hours, specialDays }: StoreSettings) => {
  const { brandId: _brandId, ...store } = toStore(s);
  return {
    ...store,
    active: s.active,
    hours: hours.map((h) => ({ weekday: h.weekday, opens: hhmm(h.opens), closes: hhmm(h.closes) })),
    specialDays: specialDays.map((d) => ({ id: d.id, date: d.date, opens: hhmm(d.opens), closes: hhmm(d.closes), label: d.label })),
  };
};
