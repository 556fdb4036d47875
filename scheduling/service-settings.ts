import type { Database, Queryable } from '../models/database.ts';
import { errors } from '../models/errors.ts';
import {
  listServiceRecords, lockServiceRecord, updateServiceRecord, type ServiceChanges, type ServiceRecord,
} from '../models/service-settings.repository.ts';

/** The brand's services as the settings list them (admins change them). */
export async function listServiceSettings(db: Queryable, brandId: string): Promise<ServiceRecord[]> {
  return listServiceRecords(db, brandId);
}

/** Changes a service of the brand (locked while it changes); the service as it is now. */
export async function changeService(db: Database, brandId: string, serviceId: string, changes: ServiceChanges): Promise<ServiceRecord> {
  return db.transaction(async (tx) => {
    const current = await lockServiceRecord(tx, brandId, serviceId);
    if (!current) throw errors.notFound('Service');
    return (await updateServiceRecord(tx, serviceId, changes)) ?? current;
  });
}
