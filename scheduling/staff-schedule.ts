import type { Database, Queryable } from '../models/database.ts';
import { errors } from '../models/errors.ts';
import { brandStoreIds } from '../models/store-settings.repository.ts';
import * as staff from '../models/staff-profiles.repository.ts';
import type { TimeOff, WorkingHours } from '../models/staff-profiles.repository.ts';
import { manageableStaff, requireStoreInScope, type StaffScope } from './staff-access.ts';

/** A staff member's weekly hours and time off, as store managers and admins manage them. */

export interface StaffSchedule extends staff.StaffProfile {
  serviceIds: string[];
  hours: WorkingHours[];
  /** Time off not over yet. */
  timeOff: TimeOff[];
}

export async function staffSchedule(db: Queryable, scope: StaffScope, staffId: string, now: Date): Promise<StaffSchedule> {
  await manageableStaff(db, scope, staffId);
  const profile = (await staff.staffProfile(db, staffId))!;
  return {
    ...profile,
    serviceIds: await staff.staffServiceIds(db, staffId),
    hours: await staff.workingHours(db, staffId),
    timeOff: await staff.timeOffSince(db, staffId, now),
  };
}

/** Replaces the staff member's weekly hours; every store must be the brand's and in the user's scope. */
export async function replaceStaffHours(
  db: Database, scope: StaffScope, staffId: string, hours: readonly Omit<WorkingHours, 'staffId'>[],
): Promise<WorkingHours[]> {
  await manageableStaff(db, scope, staffId);
  const brandStores = new Set(await brandStoreIds(db, scope.brandId));
  hours.forEach((h, i) => {
    if (!brandStores.has(h.storeId)) throw errors.invalid(`hours.${i}.store`, `hours.${i}.store: not a store of this brand.`);
    requireStoreInScope(scope, h.storeId);
  });
  await db.transaction((tx) => staff.replaceWorkingHours(tx, staffId, hours));
  return staff.workingHours(db, staffId);
}

/**
 * Records time off; the appointments already booked in it stay (the console shows them to move or
 * cancel), so their ids come back with it.
 */
export async function addTimeOff(
  db: Database, scope: StaffScope, staffId: string, t: Omit<TimeOff, 'id'>,
): Promise<{ timeOff: TimeOff; conflictIds: string[] }> {
  await manageableStaff(db, scope, staffId);
  const id = await staff.insertTimeOff(db, staffId, t);
  const conflictIds = await staff.appointmentsOverlapping(db, staffId, t.startsAt, t.endsAt);
  return { timeOff: { id, ...t }, conflictIds };
}

export async function removeTimeOff(db: Queryable, scope: StaffScope, staffId: string, timeOffId: string): Promise<void> {
  await manageableStaff(db, scope, staffId);
  if (!(await staff.deleteTimeOff(db, staffId, timeOffId))) throw errors.notFound('Time off');
}
