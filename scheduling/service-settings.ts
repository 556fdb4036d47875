import type { Database } from '../models/database.ts';
import { errors } from '../models/errors.ts';
import { lockServiceRecord, updateServiceRecord, type ServiceChanges, type ServiceRecord } from '../models/service-settings.repository.ts';

/** Changes a service of the brand (locked while it changes); the service as it is now. */
export async function changeService(db: Database, brandId: string, serviceId: string, changes: ServiceChanges): Promise<ServiceRecord> {
  return db.transaction(async (tx) => {
    const current = await lockServiceRecord(tx, brandId, serviceId);
    if (!current) throw errors.notFound('Service');
    return (await updateServiceRecord(tx, serviceId, changes)) ?? current;
  });
}
