import { ActivityTypes, InputHints, type Activity, type TurnContext } from 'botbuilder-core';
import type { Attachment } from './card-content.ts';
import { renderCard, type CardSpec } from './cards.ts';
import { renderLine, type Audience, type Line } from './lines.ts';
import { both, type Localized, type MessageId } from './messages.ts';
import { turnScope } from './turn-scope.ts';

/** A quick reply: `key` is what the dialog gets back, `synonyms` what else the customer may type. */
export interface ChoiceSpec {
  key: string;
  title: Localized;
  synonyms?: string[];
}

/** One bot message as dialog state keeps it: rendered in the current language when sent. */
export interface View {
  lines: Line[];
  choices?: ChoiceSpec[];
  card?: CardSpec;
}

export const choice = (key: string, id: MessageId, synonyms: string[] = []): ChoiceSpec => ({ key, title: both(id), synonyms });

export function render(view: View, who: Audience, expectingInput = true): Partial<Activity> {
  const activity: Partial<Activity> = {
    type: ActivityTypes.Message,
    text: view.lines.map((l) => renderLine(l, who)).join('\n'),
    inputHint: expectingInput ? InputHints.ExpectingInput : InputHints.AcceptingInput,
  };
  if (view.choices && view.choices.length > 0) {
    activity.suggestedActions = {
      actions: view.choices.map((c) => ({ type: 'imBack', title: c.title[who.locale], value: c.title[who.locale] })),
      to: [],
    };
  }
  if (view.card) activity.attachments = [renderCard(view.card, who)];
  return activity;
}

/** Sends lines (and an optional ready-made card) that ask for nothing. */
export async function say(context: TurnContext, lines: Line[], attachment?: Attachment): Promise<void> {
  const activity = render({ lines }, turnScope(context), false);
  if (attachment) activity.attachments = [attachment];
  await context.sendActivity(activity);
}
