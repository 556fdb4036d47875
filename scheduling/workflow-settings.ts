import type { Database, Queryable, Tx } from '../models/database.ts';
import { errors } from '../models/errors.ts';
import * as statuses from '../models/statuses.repository.ts';
import type { AppointmentStatus, StatusChanges, StatusKind } from '../models/statuses.repository.ts';
import { findServiceRecord, lockServiceRecord, setStatusWorkflow, type ServiceRecord } from '../models/service-settings.repository.ts';
import { canEditWorkflow, requireWorkflowEditable, type StaffScope } from './staff-access.ts';

/**
 * Status workflows (product document 001): each use case locks the service, checks the user may
 * edit its workflow, changes it and checks the result is still a usable workflow, in one
 * transaction; a change that would break an enabled workflow is refused whole.
 */

export type StatusWithUsage = AppointmentStatus & { inUse: number };

export interface NewStatus {
  name: string;
  description: string;
  kind: StatusKind;
  color: string;
  /** 1-based; beyond the end (or absent) → last. */
  position?: number | undefined;
}

/** The service's statuses in order, each with the number of appointments at it now. */
export async function statusesWithUsage(db: Queryable, serviceId: string): Promise<StatusWithUsage[]> {
  const list = await statuses.listStatuses(db, serviceId);
  const inUse = await statuses.statusUsage(db, serviceId);
  return list.map((s) => ({ ...s, inUse: inUse.get(s.id) ?? 0 }));
}

export async function serviceWorkflow(db: Queryable, scope: StaffScope, serviceId: string) {
  const service = await findServiceRecord(db, scope.brandId, serviceId);
  if (!service) throw errors.notFound('Service');
  const editable = await canEditWorkflow(db, scope, serviceId);
  return { service, statuses: await statusesWithUsage(db, serviceId), editable };
}

async function lockService(tx: Tx, brandId: string, id: string): Promise<ServiceRecord> {
  const service = await lockServiceRecord(tx, brandId, id);
  if (!service) throw errors.notFound('Service');
  return service;
}

/** A status of one of the brand's services, locked with its service for the transaction. */
async function lockStatus(tx: Tx, brandId: string, id: string): Promise<{ status: AppointmentStatus; service: ServiceRecord }> {
  const serviceId = await statuses.statusServiceId(tx, brandId, id);
  if (!serviceId) throw errors.notFound('Status');
  const service = await lockService(tx, brandId, serviceId);
  const status = (await statuses.listStatuses(tx, service.id)).find((s) => s.id === id)!;
  return { status, service };
}

/**
 * What an enabled workflow needs: new requests start at the first status, so it is of kind start;
 * staff must be able to confirm and to reject, so there is a confirmation and a cancellation.
 */
function workflowProblem(list: AppointmentStatus[]): string | null {
  if (list.length === 0) return 'An enabled workflow needs statuses: add a start, a confirmation and a cancellation status.';
  if (list[0]!.kind !== 'start') return 'The first status of a workflow must be of kind "start": new requests begin there.';
  if (!list.some((s) => s.kind === 'confirmation')) return 'An enabled workflow needs a status of kind "confirmation".';
  if (!list.some((s) => s.kind === 'cancellation')) return 'An enabled workflow needs a status of kind "cancellation".';
  return null;
}

async function checkWorkflow(tx: Tx, service: ServiceRecord, enabled = service.status_workflow): Promise<void> {
  if (!enabled) return;
  const problem = workflowProblem(await statuses.listStatuses(tx, service.id));
  if (problem) throw errors.workflowInvalid(problem);
}

async function checkNameFree(tx: Tx, serviceId: string, name: string, exceptId: string | null): Promise<void> {
  if (await statuses.statusNameTaken(tx, serviceId, name, exceptId)) {
    throw errors.conflict(`This service already has a status named "${name}".`, 'name');
  }
}

export async function setWorkflowEnabled(db: Database, scope: StaffScope, serviceId: string, enabled: boolean): Promise<ServiceRecord> {
  return db.transaction(async (tx) => {
    const service = await lockService(tx, scope.brandId, serviceId);
    await requireWorkflowEditable(tx, scope, service.id);
    await checkWorkflow(tx, service, enabled);
    return setStatusWorkflow(tx, service.id, enabled);
  });
}

/** Adds a status at its position; the id of the new status. */
export async function addStatus(db: Database, scope: StaffScope, serviceId: string, s: NewStatus): Promise<string> {
  return db.transaction(async (tx) => {
    const service = await lockService(tx, scope.brandId, serviceId);
    await requireWorkflowEditable(tx, scope, service.id);
    await checkNameFree(tx, service.id, s.name, null);
    const current = await statuses.listStatuses(tx, service.id);
    const position = Math.min(s.position ?? current.length + 1, current.length + 1);
    const created = await statuses.insertStatus(tx, {
      serviceId: service.id, name: s.name, description: s.description, position: current.length + 1, kind: s.kind, color: s.color,
    });
    const order = current.map((c) => c.id);
    order.splice(position - 1, 0, created.id);
    await statuses.renumberStatuses(tx, service.id, order);
    await checkWorkflow(tx, service);
    return created.id;
  });
}

/** Changes a status; the id of its service. */
export async function changeStatusDefinition(db: Database, scope: StaffScope, statusId: string, changes: StatusChanges): Promise<string> {
  return db.transaction(async (tx) => {
    const { status, service } = await lockStatus(tx, scope.brandId, statusId);
    await requireWorkflowEditable(tx, scope, service.id);
    if (changes.name !== undefined) await checkNameFree(tx, service.id, changes.name, statusId);
    await statuses.updateStatus(tx, statusId, changes);
    if (changes.kind && changes.kind !== status.kind) await checkWorkflow(tx, service);
    return service.id;
  });
}

/** Puts the service's statuses in this order: every one of them, once. */
export async function reorderStatuses(db: Database, scope: StaffScope, serviceId: string, ids: readonly string[]): Promise<void> {
  await db.transaction(async (tx) => {
    const service = await lockService(tx, scope.brandId, serviceId);
    await requireWorkflowEditable(tx, scope, service.id);
    const current = new Set((await statuses.listStatuses(tx, service.id)).map((s) => s.id));
    if (ids.length !== current.size || new Set(ids).size !== ids.length || !ids.every((s) => current.has(s))) {
      throw errors.invalid('ids', 'ids: list every status of the service exactly once, in the new order.');
    }
    await statuses.renumberStatuses(tx, service.id, ids);
    await checkWorkflow(tx, service);
  });
}

/** Deletes a status no appointment is at; the id of its service. */
export async function removeStatus(db: Database, scope: StaffScope, statusId: string): Promise<string> {
  return db.transaction(async (tx) => {
    const { status, service } = await lockStatus(tx, scope.brandId, statusId);
    await requireWorkflowEditable(tx, scope, service.id);
    const n = await statuses.appointmentsAtStatus(tx, statusId);
    if (n > 0) throw errors.statusInUse(status.name, n);
    await statuses.deleteStatus(tx, statusId);
    await statuses.renumberStatuses(tx, service.id, (await statuses.listStatuses(tx, service.id)).map((s) => s.id));
    await checkWorkflow(tx, service);
    return service.id;
  });
}
