import type { Queryable } from '../models/database.ts';
import type { Appointment } from '../models/appointments.repository.ts';
import { findAppointment } from '../models/appointments.repository.ts';
import { conversationParties } from '../models/conversation-access.repository.ts';
import { findAccount, findConsoleTask, storesOfStaff, type ConsoleTask, type StaffRole } from '../models/staff-accounts.repository.ts';
import { workflowStores } from '../models/statuses.repository.ts';
import { brandStoreIds } from '../models/store-settings.repository.ts';
import { findBrandStaff, homeStoreOf } from '../models/staff-profiles.repository.ts';
import { errors } from '../models/errors.ts';
import type { StaffPrincipal } from '../models/staff-sessions.ts';

/**
 * What a console user may see. Admins see every store of their brand; store managers and agents
 * the stores they work at (staff_hours) or were granted (staff_store_access). An appointment
 * belongs to its store, or — at home, or online without a store — to its advisor's home store;
 * its own advisor always sees it.
 *
 * One rule everywhere: an id of another brand, or no id at all, is 404; a known id of this brand
 * outside the user's stores is 403. One check per kind of resource (store, appointment,
 * conversation, task, staff member, status workflow), used by every console route and socket
 * handler: a new route reuses the check of its resource instead of writing its own.
 */
export interface StaffScope {
  brandId: string;
  staffId: string;
  role: StaffRole;
  /** Admin: every store of the brand, present and future. */
  allStores: boolean;
  /** The stores in scope (for an admin: the brand's stores at the time of asking). */
  storeIds: string[];
}

export async function loadScope(db: Queryable, staff: Pick<StaffPrincipal, 'id' | 'brandId' | 'role'>): Promise<StaffScope> {
  if (staff.role === 'admin') {
    return { brandId: staff.brandId, staffId: staff.id, role: staff.role, allStores: true, storeIds: await brandStoreIds(db, staff.brandId) };
  }
  const storeIds = await storesOfStaff(db, staff.id);
  return { brandId: staff.brandId, staffId: staff.id, role: staff.role, allStores: false, storeIds };
}

/** The scope of a staff member of the brand with a usable console account (else null: they see nothing). */
export async function scopeOfStaffMember(db: Queryable, brandId: string, staffId: string): Promise<StaffScope | null> {
  const account = await findAccount(db, brandId, staffId);
  if (!account || account.disabledAt || !account.staffActive) return null;
  return loadScope(db, { id: staffId, brandId, role: account.role });
}

export const storeInScope = (scope: StaffScope, storeId: string | null): boolean =>
  scope.allStores || (storeId !== null && scope.storeIds.includes(storeId));

export const outOfScope = (what: string) => errors.forbidden(`This ${what} belongs to a store outside your access.`);

/** Throws 403 when the store is not in scope (the caller has already checked it exists). */
export function requireStoreInScope(scope: StaffScope, storeId: string | null, what = 'store'): void {
  if (!storeInScope(scope, storeId)) throw outOfScope(what);
}

/** The store of an appointment as the scope rules see it. */
export async function appointmentStore(db: Queryable, appointment: Appointment): Promise<string | null> {
  if (appointment.storeId) return appointment.storeId;
  return homeStoreOf(db, appointment.staffId);
}

/** What the rules need of an appointment: its brand, its advisor, and its store (its own, else its advisor's home store). */
export interface ScopedAppointment {
  brandId: string;
  staffId: string;
  storeId: string | null;
}

/** Whether the user sees an appointment whose store is resolved already. */
export const seesAppointment = (scope: StaffScope, a: ScopedAppointment): boolean =>
  a.brandId === scope.brandId && (scope.allStores || a.staffId === scope.staffId || storeInScope(scope, a.storeId));

export async function canSeeAppointment(db: Queryable, scope: StaffScope, appointment: Appointment): Promise<boolean> {
  if (appointment.brandId !== scope.brandId) return false;
  if (scope.allStores || appointment.staffId === scope.staffId) return true;
  return seesAppointment(scope, { ...appointment, storeId: await appointmentStore(db, appointment) });
}

/** The appointment if the user may see it: 404 when unknown to the brand, 403 when out of scope. */
export async function appointmentInScope(db: Queryable, scope: StaffScope, id: string): Promise<Appointment> {
  const appointment = await findAppointment(db, scope.brandId, id);
  if (!appointment) throw errors.notFound('Appointment');
  if (!(await canSeeAppointment(db, scope, appointment))) throw outOfScope('appointment');
  return appointment;
}

/**
 * A staff member the user may manage (hours, time off): any of the brand's for an admin; for a
 * store manager, one whose every store is theirs. 404 when unknown to the brand.
 */
export async function manageableStaff(db: Queryable, scope: StaffScope, staffId: string): Promise<{ id: string; name: string }> {
  const row = await findBrandStaff(db, scope.brandId, staffId);
  if (!row) throw errors.notFound('Staff member');
  if (scope.role === 'admin') return { id: row.id, name: row.name };
  if (scope.role !== 'store_manager') throw errors.forbidden('Your role does not allow this.');
  const stores = new Set(await storesOfStaff(db, row.id));
  if (row.homeStoreId) stores.add(row.homeStoreId);
  if (stores.size === 0 || ![...stores].every((s) => scope.storeIds.includes(s))) {
    throw errors.forbidden('This staff member works at a store outside your access.');
  }
  return { id: row.id, name: row.name };
}

/**
 * Whether the user may read a conversation's transcript: an admin of its brand, the agent in the
 * chat now, or someone who sees every appointment booked in it or joined from it (and there is
 * one): a customer's chat about another store's appointment stays with that store.
 */
export async function canReadConversation(db: Queryable, scope: StaffScope, conversationId: string): Promise<boolean> {
  const parties = await conversationParties(db, conversationId);
  if (!parties || parties.brandId !== scope.brandId) return false;
  if (scope.allStores) return true;
  if (parties.handoffState === 'attached' && parties.agentStaffId === scope.staffId) return true;
  return parties.appointments.length > 0
    && parties.appointments.every((a) => seesAppointment(scope, { brandId: parties.brandId, ...a }));
}

/**
 * A conversation the user may attach to a booking: only one they are serving now (in the chat
 * with the customer). 404 when unknown to the brand, 403 otherwise.
 */
export async function requireServedConversation(db: Queryable, scope: StaffScope, conversationId: string): Promise<void> {
  const parties = await conversationParties(db, conversationId);
  if (!parties || parties.brandId !== scope.brandId) throw errors.notFound('Conversation');
  if (parties.handoffState !== 'attached' || parties.agentStaffId !== scope.staffId) {
    throw errors.forbidden('You can attach only a conversation you are in: join the customer’s chat first.');
  }
}

/** Whether the user sees a console task: the brand-wide ones, their stores' ones, those about their own appointments. */
export const seesTask = (scope: StaffScope, t: Pick<ConsoleTask, 'storeId' | 'staffId'>): boolean =>
  scope.allStores || t.staffId === scope.staffId || (t.storeId !== null ? storeInScope(scope, t.storeId) : t.staffId === null);

/** A console task the user may see and close (listConsoleTasks applies the same rule in SQL). */
export async function taskInScope(db: Queryable, scope: StaffScope, id: string): Promise<ConsoleTask> {
  const task = await findConsoleTask(db, scope.brandId, id);
  if (!task) throw errors.notFound('Task');
  if (!seesTask(scope, task)) throw outOfScope('task');
  return task;
}

/**
 * Whether the user may change a service's status workflow: an admin, or a store manager when it
 * belongs to their stores (every store it reaches, by its advisors and its appointments, is
 * theirs). Workflows are per service, and services are the brand's: most are admins' only.
 */
export async function canEditWorkflow(db: Queryable, scope: StaffScope, serviceId: string): Promise<boolean> {
  if (scope.role === 'admin') return true;
  if (scope.role !== 'store_manager') return false;
  const stores = await workflowStores(db, serviceId);
  return stores.length > 0 && stores.every((s) => storeInScope(scope, s));
}

export async function requireWorkflowEditable(db: Queryable, scope: StaffScope, serviceId: string): Promise<void> {
  if (!(await canEditWorkflow(db, scope, serviceId))) {
    throw errors.forbidden('This workflow is used beyond your stores: only an administrator can change it.');
  }
}
