import {
  ActivityTypes, type ConversationState, type StatePropertyAccessor, type TurnContext,
} from 'botbuilder-core';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import { IANAZone } from 'luxon';
import { findBrand } from '../models/brands.repository.ts';
import type { Locale } from '../models/catalogue.repository.ts';
import { MAIN_DIALOG, MainDialog, type MainOptions } from '../dialogs/main.dialog.ts';
import { t } from '../dialogs/messages.ts';
import { setTurnScope, type DialogDeps, type SessionState, type TurnScope } from '../dialogs/turn-scope.ts';

/** Where a failed turn is reported (pino's `logger.error(obj, msg)` fits). */
export interface TurnErrorLogger {
  error(details: Record<string, unknown>, message: string): void;
}

export interface RendezvousBotOptions {
  conversationState: ConversationState;
  deps: DialogDeps;
  logger?: TurnErrorLogger;
}

const localeOf = (value: unknown): Locale | undefined =>
  typeof value === 'string' ? (value.toLowerCase().startsWith('fr') ? 'fr' : value.toLowerCase().startsWith('en') ? 'en' : undefined) : undefined;

const channelData = (context: TurnContext): Record<string, unknown> => {
  const data: unknown = context.activity.channelData;
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
};

/**
 * The booking bot: runs the main dialog for each turn and saves the conversation's state once.
 * The brand comes from `activity.channelData.brandId`, the customer's zone from
 * `channelData.timeZone` (else the brand's), the language from `activity.locale` (else the brand's).
 */
export class RendezvousBot {
  private readonly conversationState: ConversationState;
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly session: StatePropertyAccessor<SessionState>;
  private readonly dialogs: DialogSet;
  private readonly deps: DialogDeps;
  private readonly logger: TurnErrorLogger;

  constructor(options: RendezvousBotOptions) {
    this.conversationState = options.conversationState;
    this.deps = options.deps;
    this.logger = options.logger ?? { error: (details, message) => console.error(message, details) };
    this.dialogState = this.conversationState.createProperty<DialogState>('dialogState');
    this.session = this.conversationState.createProperty<SessionState>('session');
    this.dialogs = new DialogSet(this.dialogState).add(new MainDialog(this.deps));
  }

  /** One turn: a message continues the conversation (or starts it); a member joining is greeted. */
  async run(context: TurnContext): Promise<void> {
    try {
      await this.turn(context);
    } catch (error) {
      await this.onTurnError(context, error);
    }
  }

  private async turn(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const joined = activity.type === ActivityTypes.ConversationUpdate
      && (activity.membersAdded ?? []).some((m) => m.id !== activity.recipient?.id);
    if (activity.type !== ActivityTypes.Message && !joined) return;
    setTurnScope(context, await this.scope(context));
    const dc = await this.dialogs.createContext(context);
    if (activity.type === ActivityTypes.Message) {
      const result = await dc.continueDialog();
      if (result.status === DialogTurnStatus.empty) {
        await dc.beginDialog(MAIN_DIALOG, { greet: true, utterance: activity.text ?? '' } satisfies MainOptions);
      }
    } else if (!dc.activeDialog) {
      await dc.beginDialog(MAIN_DIALOG, { greet: true } satisfies MainOptions);
    }
    await this.conversationState.saveChanges(context);
  }

  private async scope(context: TurnContext): Promise<TurnScope> {
    const data = channelData(context);
    const brandId = data['brandId'];
    const brand = typeof brandId === 'string' ? await findBrand(this.deps.db, brandId) : null;
    if (!brand) throw new Error('The activity names no known brand (channelData.brandId).');
    const session = await this.session.get(context, {});
    // The widget's language counts when it changes; in between, the customer's own switch stands.
    const widgetLocale = localeOf(context.activity.locale);
    if (widgetLocale && widgetLocale !== session.widgetLocale) {
      session.widgetLocale = widgetLocale;
      session.locale = widgetLocale;
    }
    const zone = data['timeZone'];
    if (typeof zone === 'string' && IANAZone.isValidZone(zone)) session.timeZone = zone;
    return {
      brand,
      conversationId: context.activity.conversation.id,
      timeZone: session.timeZone ?? brand.timeZone,
      locale: session.locale ?? brand.defaultLocale,
      session,
    };
  }

  /** Logs what failed (no message text, no contact details, no codes), apologises, drops the broken dialog state. */
  async onTurnError(context: TurnContext, error: unknown): Promise<void> {
    const e = error instanceof Error ? error : new Error('non-error thrown');
    this.logger.error({
      error: { name: e.name, code: (e as { code?: unknown }).code ?? null, stack: e.stack?.split('\n').slice(1).join('\n') ?? null },
      conversationId: context.activity.conversation?.id ?? null,
      activityType: context.activity.type ?? null,
    }, 'bot turn failed');
    try {
      const session = await this.session.get(context);
      const locale = session?.locale ?? localeOf(context.activity.locale) ?? 'en';
      await context.sendActivity(t(locale, 'error.sorry'));
      await this.dialogState.delete(context);
      await this.conversationState.saveChanges(context);
    } catch (secondary) {
      this.logger.error({ error: { name: secondary instanceof Error ? secondary.name : 'unknown' } }, 'bot turn error handler failed');
    }
  }
}
