import { createHash } from 'node:crypto';
import {
  DialogContainer, DialogTurnStatus, WaterfallDialog, type Dialog, type DialogContext, type DialogInstance, type DialogTurnResult, type WaterfallStep,
} from 'botbuilder-dialogs';

/** Where a restarted question is reported (pino's `logger.warn(obj, msg)` fits). */
export interface DialogVersionLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/** One dialog on the stored stack, with the context whose stack holds it. */
interface StackEntry {
  dc: DialogContext;
  index: number;
  instance: DialogInstance;
  /** Undefined when the code running now has no dialog of that id. */
  dialog: Dialog | undefined;
}

const versions = new WeakMap<WaterfallDialog, string>();

/**
 * A waterfall's steps, by name and in order: a stored step index only means something to the
 * code that wrote it. botbuilder's own `getVersion()` counts the steps and misses a swap.
 */
export function stepsVersion(dialog: WaterfallDialog): string {
  let version = versions.get(dialog);
  if (!version) {
    // botbuilder keeps the steps private; read them the way WaterfallDialog itself does.
    const steps = (dialog as unknown as { steps: readonly WaterfallStep[] }).steps;
    version = createHash('sha256').update(steps.map((s, i) => s.name || `step${i}`).join('\n')).digest('base64url').slice(0, 16);
    versions.set(dialog, version);
  }
  return version;
}

/** Every dialog on the stack, outermost first: each context's stack bottom up, then the active component's inner one. */
function stackEntries(root: DialogContext): StackEntry[] {
  const entries: StackEntry[] = [];
  for (let dc: DialogContext | undefined = root; dc; dc = dc.child) {
    const level = dc;
    // `dialogs.find`, not `findDialog`: a dialog gone from this set must not be found in a parent's.
    level.stack.forEach((instance, index) => entries.push({ dc: level, index, instance, dialog: level.dialogs.find(instance.id) }));
  }
  return entries;
}

/** Stamps every waterfall on the stack with its steps' version; called before the turn's state is saved. */
export function recordStepsVersions(root: DialogContext): void {
  for (const { instance, dialog } of stackEntries(root)) {
    if (dialog instanceof WaterfallDialog) instance.version = stepsVersion(dialog);
  }
}

/**
 * Before a turn continues a stored stack: if a waterfall on it was written by other steps (a deploy
 * added, removed or moved one; or the state predates versions), or a dialog on it no longer exists,
 * its step index cannot be trusted. That waterfall (or the one waiting under the missing dialog)
 * is begun again with its options, which carry what the customer already said, so its steps skip
 * what is known and the current question is asked again; what it had started is dropped. The
 * customer's message is not interpreted, since it answered a question this code may not ask there.
 * Returns null when the stack is current (continue as usual), else the restart's turn result.
 */
export async function restartChangedDialogs(
  root: DialogContext,
  logger: DialogVersionLogger,
): Promise<DialogTurnResult | null> {
  const entries = stackEntries(root);
  // This check replaces botbuilder's own (a component's inner versions, compared on continue): that
  // one only counts steps and raises a `versionChanged` event nothing here handles.
  for (const { instance, dialog } of entries) {
    if (dialog instanceof DialogContainer) instance.version = dialog.dialogs.getVersion();
  }
  const changed = entries.findIndex(({ instance, dialog }) =>
    !dialog || (dialog instanceof WaterfallDialog && instance.version !== stepsVersion(dialog)));
  if (changed < 0) return null;
  const target = entries.slice(0, changed + 1).reverse().find((e) => e.dialog instanceof WaterfallDialog);
  const stale = entries[changed];
  logger.warn({
    dialogId: stale?.instance.id ?? null,
    reason: stale?.dialog ? 'steps changed' : 'dialog gone',
    restarted: target?.instance.id ?? null,
    conversationId: root.context.activity.conversation?.id ?? null,
  }, 'stored dialog written by other code: asking its current question again');
  if (!target) {
    await root.cancelAllDialogs();
    return { status: DialogTurnStatus.empty };
  }
  const options = (target.instance.state as { options?: object }).options;
  target.dc.stack.splice(target.index);
  let result = await target.dc.beginDialog(target.instance.id, options);
  // A restart that finishes at once hands its result up, as a component does when its inner dialog ends.
  for (let parent = target.dc.parent; result.status === DialogTurnStatus.complete && parent; parent = parent.parent) {
    result = await parent.endDialog(result.result);
  }
  return result;
}
