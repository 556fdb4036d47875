import type { Database } from '../models/database.ts';
import { errors } from '../models/errors.ts';
import { findService } from '../models/catalogue.repository.ts';
import { setEquipmentTypeServices, upsertEquipmentType, type EquipmentType } from '../models/equipment.repository.ts';
import {
  insertTechnician, replaceTechnicianHours, setTechnicianSkills, type TechnicianHoursRow, type TechnicianRow,
} from '../models/technicians.repository.ts';
import { manageableStaff, type StaffScope } from './staff-access.ts';

/** The field-service set-up (product document 002) where one change spans several tables: each is one transaction. */

export interface EquipmentTypeSetting extends Pick<EquipmentType, 'slug' | 'names' | 'active'> {
  /** The brand's services that serve this kind of equipment. */
  serviceIds: string[];
}

export interface TechnicianSetting extends Pick<TechnicianRow, 'startLatitude' | 'startLongitude' | 'timeZone' | 'skills'> {
  /** Replaces every weekly period. */
  hours: Omit<TechnicianHoursRow, 'staffId'>[];
}

/** Creates or changes an equipment type (by slug) with the services that serve it. */
export async function saveEquipmentType(db: Database, brandId: string, t: EquipmentTypeSetting): Promise<EquipmentType> {
  for (const serviceId of t.serviceIds) {
    if (!(await findService(db, brandId, serviceId))) throw errors.invalid('serviceIds', 'serviceIds: one of these is not a service of this brand.');
  }
  return db.transaction(async (tx) => {
    const saved = await upsertEquipmentType(tx, brandId, { slug: t.slug, names: t.names, active: t.active });
    await setEquipmentTypeServices(tx, saved.id, t.serviceIds);
    return saved;
  });
}

/** Makes a staff member the user manages a technician, or changes their start point, skills and hours. */
export async function saveTechnician(db: Database, scope: StaffScope, staffId: string, t: TechnicianSetting): Promise<void> {
  await manageableStaff(db, scope, staffId);
  await db.transaction(async (tx) => {
    await insertTechnician(tx, staffId, t);
    await setTechnicianSkills(tx, staffId, t.skills);
    await replaceTechnicianHours(tx, staffId, t.hours);
  });
}
