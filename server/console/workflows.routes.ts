import { Router } from 'express';
import { z } from 'zod';
import {
  addStatus, changeStatusDefinition, removeStatus, reorderStatuses, serviceWorkflow, setWorkflowEnabled, statusesWithUsage,
} from '../../scheduling/workflow-settings.ts';
import { scopeOf, type ConsoleContext } from './console-context.ts';
import { serviceJson } from './settings-presenters.ts';

/** Status workflows of services (product document 001): admins, and store managers for the workflows of their stores. */

const uuid = z.uuid();
const idParam = z.object({ id: uuid });

const COLOR = /^#[0-9a-fA-F]{6}$/;
const statusFields = {
  name: z.string().trim().min(1).max(60),
  description: z.string().trim().max(500),
  kind: z.enum(['start', 'confirmation', 'cancellation']),
  color: z.string().regex(COLOR, 'must be a colour such as #1e88e5').transform((c) => c.toLowerCase()),
};
const newStatusBody = z.object({
  ...statusFields,
  description: statusFields.description.default(''),
  color: statusFields.color.default('#607d8b'),
  position: z.number().int().min(1).optional(),
}).strict();
const statusPatch = z.object({
  name: statusFields.name.optional(),
  description: statusFields.description.optional(),
  kind: statusFields.kind.optional(),
  color: statusFields.color.optional(),
}).strict();
const workflowBody = z.object({ enabled: z.boolean() }).strict();
const reorderBody = z.object({ ids: z.array(uuid).max(100) }).strict();

export function consoleWorkflowRoutes(ctx: ConsoleContext): Router {
  const { db, auth } = ctx;
  const router = Router();
  const managers = auth.requireStaff(['admin', 'store_manager']);

  router.get('/services/:id/statuses', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { service, statuses, editable } = await serviceWorkflow(db, await scopeOf(db, req), id);
    res.json({ service: serviceJson(service), statuses, editable });
  });

  router.put('/services/:id/workflow', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { enabled } = workflowBody.parse(req.body);
    const service = await setWorkflowEnabled(db, await scopeOf(db, req), id, enabled);
    res.json({ service: serviceJson(service), statuses: await statusesWithUsage(db, id) });
  });

  router.post('/services/:id/statuses', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = newStatusBody.parse(req.body);
    const created = await addStatus(db, await scopeOf(db, req), id, body);
    const statuses = await statusesWithUsage(db, id);
    res.status(201).json({ status: statuses.find((s) => s.id === created), statuses });
  });

  router.patch('/statuses/:id', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = statusPatch.parse(req.body);
    const serviceId = await changeStatusDefinition(db, await scopeOf(db, req), id, body);
    const statuses = await statusesWithUsage(db, serviceId);
    res.json({ status: statuses.find((s) => s.id === id), statuses });
  });

  router.post('/services/:id/statuses/reorder', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const { ids } = reorderBody.parse(req.body);
    await reorderStatuses(db, await scopeOf(db, req), id, ids);
    res.json({ statuses: await statusesWithUsage(db, id) });
  });

  router.delete('/statuses/:id', managers, async (req, res) => {
    const { id } = idParam.parse(req.params);
    const serviceId = await removeStatus(db, await scopeOf(db, req), id);
    res.json({ statuses: await statusesWithUsage(db, serviceId) });
  });

  return router;
}
