import { ActivityTypes } from 'botbuilder-core';
import { ComponentDialog, Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { activeAsk } from './ask.prompt.ts';
import { line } from './lines.ts';
import { switchLanguage } from './turn-scope.ts';
import { actionOf, detectInterruption, matchChoice, replyOf, type Interruption } from './understanding.ts';
import { say } from './views.ts';

export type Restart = 'cancel' | 'startOver' | 'person';

/**
 * Help, a language switch, cancel, start over and "talk to a person" are understood at every step,
 * here and only here. Help and a language switch answer, then ask the same question again (in the
 * new language); the others are left to `restart`.
 */
export abstract class InterruptibleDialog<O extends object = object> extends ComponentDialog<O> {
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const interruption = this.interruptionIn(innerDc);
    if (!interruption) return super.onContinueDialog(innerDc);
    switch (interruption.kind) {
      case 'help': {
        const help = activeAsk(innerDc)?.help;
        await say(innerDc.context, help ? [line(help), line('help.general')] : [line('help.general')]);
        await innerDc.repromptDialog();
        return Dialog.EndOfTurn;
      }
      case 'language':
        switchLanguage(innerDc.context, interruption.locale);
        await say(innerDc.context, [line('language.switched')]);
        await innerDc.repromptDialog();
        return Dialog.EndOfTurn;
      default:
        return this.restart(innerDc, interruption.kind);
    }
  }

  /** Ends whatever is under way and starts again, according to what the customer asked. */
  protected abstract restart(innerDc: DialogContext, reason: Restart): Promise<DialogTurnResult>;

  private interruptionIn(innerDc: DialogContext): Interruption | null {
    const activity = innerDc.context.activity;
    if (activity.type !== ActivityTypes.Message) return null;
    const reply = replyOf(activity);
    if (actionOf(reply) || !reply.text) return null;
    // The question's own answers come first: "Cancel" under the summary cancels that booking.
    if (matchChoice(reply.text, activeAsk(innerDc)?.view.choices ?? [], true)) return null;
    return detectInterruption(reply.text);
  }
}
