import type { TurnContext } from 'botbuilder-core';
import { Prompt, type DialogContext, type PromptOptions, type PromptRecognizerResult } from 'botbuilder-dialogs';
import { line } from './lines.ts';
import type { MessageId } from './messages.ts';
import { turnScope } from './turn-scope.ts';
import { matchChoice, replyOf, type Reply } from './understanding.ts';
import { render, type ChoiceSpec, type View } from './views.ts';

/**
 * What a question keeps in dialog state: how to ask it (rendered in the language of the moment, so
 * a re-prompt after "français" is in French), how to ask again, and what the answer is read against.
 */
export interface AskOptions<E> extends PromptOptions {
  view: View;
  /** Sent when the answer is not understood; default: "Sorry, I didn't understand" + the view. */
  retry?: View;
  /** The step's own help, sent before the question is asked again. */
  help?: MessageId;
  expect: E;
}

/** An understood answer, or a miss with its own explanation (a bad email…) to ask again with. */
export type Understood<T> = { ok: true; value: T } | { ok: false; retry?: View };

/** The prompt's own state: why the last answer was not understood, when the answer said why. */
interface MissState {
  retry?: View;
}

export type Understand<T, E> = (reply: Reply, expect: E, context: TurnContext) => Understood<T> | Promise<Understood<T>>;

/**
 * One prompt for every question: the widget answers with text, a quick reply or a structured value
 * (slot, form, location), and `understand` turns whichever came into a typed answer.
 */
export class AskPrompt<T, E = null> extends Prompt<T> {
  constructor(dialogId: string, private readonly understand: Understand<T, E>) {
    super(dialogId);
  }

  protected override async onPrompt(context: TurnContext, state: object, options: PromptOptions, isRetry: boolean): Promise<void> {
    const ask = options as AskOptions<E>;
    const missed = (state as MissState).retry;
    const view = isRetry
      ? missed ?? ask.retry ?? { ...ask.view, lines: [line('common.notUnderstood'), ...ask.view.lines] }
      : ask.view;
    await context.sendActivity(render(view, turnScope(context)));
  }

  /** Runs twice a turn (botbuilder also recognizes on "activityReceived"), so it only reads and notes. */
  protected override async onRecognize(context: TurnContext, state: object, options: PromptOptions): Promise<PromptRecognizerResult<T>> {
    const ask = options as AskOptions<E>;
    const understood = await this.understand(replyOf(context.activity), ask.expect, context);
    const miss = state as MissState;
    delete miss.retry;
    if (understood.ok) return { succeeded: true, value: understood.value };
    if (understood.retry) miss.retry = understood.retry;
    return { succeeded: false };
  }
}

/** The question the customer is looking at, found at the bottom of the dialog stack. */
export function activeAsk(dc: DialogContext): AskOptions<unknown> | undefined {
  let inner = dc;
  while (inner.child) inner = inner.child;
  const active = inner.activeDialog;
  if (!active || !(inner.findDialog(active.id) instanceof AskPrompt)) return undefined;
  return (active.state as { options?: AskOptions<unknown> }).options;
}

/** A quick reply's text comes back as `value.choice`; typed text is read the same way. */
export const choiceText = (reply: Reply): string =>
  typeof reply.value?.['choice'] === 'string' ? reply.value['choice'] : reply.text;

/** A question answered by one of its quick replies (or words that clearly mean one); yields its key. */
export const choicePrompt = (dialogId: string) =>
  new AskPrompt<string, ChoiceSpec[]>(dialogId, (reply, choices) => {
    const picked = matchChoice(choiceText(reply), choices);
    return picked ? { ok: true, value: picked.key } : { ok: false };
  });
