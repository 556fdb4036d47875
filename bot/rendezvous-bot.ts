import {
  ActivityTypes, type ConversationState, type StatePropertyAccessor, type TurnContext,
} from 'botbuilder-core';
import {
  DialogSet, DialogTurnStatus, type Dialog, type DialogState, type DialogStateManagerConfiguration,
} from 'botbuilder-dialogs';
import { isValidTimeZone } from '../scheduling/time-zones.ts';
import { findBrand } from '../models/brands.repository.ts';
import { findAppointment } from '../models/appointments.repository.ts';
import { APPOINTMENT, type AppointmentContent } from './web-protocol.ts';
import { recordStepsVersions, restartChangedDialogs, type DialogVersionLogger } from './dialog-versions.ts';
import { isEarlyTurnRefused } from './turn-order.ts';
import type { Locale } from '../models/catalogue.repository.ts';
import { MAIN_DIALOG, MainDialog, type MainOptions } from '../dialogs/main.dialog.ts';
import { sayAppointmentUpdate } from '../dialogs/appointment-update.ts';
import { t } from '../dialogs/messages.ts';
import { setTurnScope, type DialogDeps, type SessionState, type TurnScope } from '../dialogs/turn-scope.ts';

/** Where a failed turn and a restarted question are reported (pino's logger fits). */
export interface TurnErrorLogger extends DialogVersionLogger {
  error(details: Record<string, unknown>, message: string): void;
}

export interface RendezvousBotOptions {
  conversationState: ConversationState;
  deps: DialogDeps;
  logger?: TurnErrorLogger;
  /** The conversation, begun under MAIN_DIALOG's id: the main dialog unless a test brings its own. */
  mainDialog?: Dialog;
}

/**
 * Where botbuilder's DialogStateManager looks for its configuration (memory scopes, path resolvers) in turn
 * state before building it (a service collection, a dependency graph, nine scopes) for the turn's first
 * dialog context: botbuilder's own key, not exported.
 */
const STATE_MANAGER_CONFIGURATION = 'DialogStateManagerConfiguration';

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
  /** Built by the first turn's dialog context; the same for every turn (no per-turn scopes are registered). */
  private stateConfiguration: DialogStateManagerConfiguration | undefined;

  constructor(options: RendezvousBotOptions) {
    this.conversationState = options.conversationState;
    this.deps = options.deps;
    this.logger = options.logger ?? {
      error: (details, message) => console.error(message, details),
      warn: (details, message) => console.warn(message, details),
    };
    this.dialogState = this.conversationState.createProperty<DialogState>('dialogState');
    this.session = this.conversationState.createProperty<SessionState>('session');
    this.dialogs = new DialogSet(this.dialogState).add(options.mainDialog ?? new MainDialog(this.deps));
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
    const handoffEvent = activity.type === ActivityTypes.Event && activity.name?.startsWith('handoff.');
    const appointmentEvent = activity.type === ActivityTypes.Event && activity.name === 'appointment.changed';
    if (activity.type !== ActivityTypes.Message && !joined && !handoffEvent && !appointmentEvent) return;
    const scope = await this.scope(context);
    setTurnScope(context, scope);
    if (appointmentEvent) {
      // Said beside whatever the bot is asking, which still stands.
      const id = (activity.value as { appointmentId?: unknown } | null)?.appointmentId;
      if (typeof id === 'string') await sayAppointmentUpdate(this.deps, context, id);
      return;
    }
    if (this.stateConfiguration) context.turnState.set(STATE_MANAGER_CONFIGURATION, this.stateConfiguration);
    const dc = await this.dialogs.createContext(context);
    this.stateConfiguration ??= dc.state.configuration;
    if (handoffEvent) {
      // The live agent is gone: whatever the bot was asking before is stale.
      await dc.cancelAllDialogs();
      if (activity.name === 'handoff.reschedule') await this.offerReschedule(context, scope, activity.value);
      // Leaving the queue was said by the hand-off already: only the menu follows.
      else if (activity.name !== 'handoff.queueLeft') await context.sendActivity(t(scope.locale, 'handoff.back'));
      await dc.beginDialog(MAIN_DIALOG, { again: true } satisfies MainOptions);
    } else if (activity.type === ActivityTypes.Message) {
      // A stack saved by other code (before a deploy) is checked before it is trusted.
      const result = (await restartChangedDialogs(dc, this.logger)) ?? (await dc.continueDialog());
      if (result.status === DialogTurnStatus.empty) {
        await dc.beginDialog(MAIN_DIALOG, { greet: true, utterance: activity.text ?? '' } satisfies MainOptions);
      }
    } else if (!dc.activeDialog) {
      await dc.beginDialog(MAIN_DIALOG, { greet: true } satisfies MainOptions);
    }
    recordStepsVersions(dc);
    await this.conversationState.saveChanges(context);
  }

  /** After a failed handoff: the appointment's own reschedule page, reached by its signed link. */
  private async offerReschedule(context: TurnContext, scope: TurnScope, value: unknown): Promise<void> {
    const id = (value as { appointmentId?: unknown } | null)?.appointmentId;
    const appointment = typeof id === 'string' ? await findAppointment(this.deps.db, scope.brand.id, id) : null;
    if (!appointment || appointment.state === 'cancelled') return;
    await context.sendActivity({
      type: ActivityTypes.Message,
      text: t(scope.locale, 'handoff.reschedule'),
      attachments: [{
        contentType: APPOINTMENT,
        content: {
          title: t(scope.locale, 'handoff.reschedule.link'),
          status: appointment.state,
          lines: [],
          links: [{ label: t(scope.locale, 'handoff.reschedule.link'), url: this.deps.links.url('reschedule', appointment) }],
        } satisfies AppointmentContent,
      }],
    });
  }

  private async scope(context: TurnContext): Promise<TurnScope> {
    const data = channelData(context);
    const brandId = data['brandId'];
    // The database's read cache serves the brand: no round trip per turn.
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
    if (typeof zone === 'string' && isValidTimeZone(zone)) session.timeZone = zone;
    const channelId = context.activity.channelId;
    const channel = channelId === 'sms' || channelId === 'whatsapp' ? channelId : 'web';
    const phone = data['customerPhone'];
    return {
      channel,
      phone: channel !== 'web' && typeof phone === 'string' ? phone : null,
      brand,
      conversationId: context.activity.conversation.id,
      timeZone: session.timeZone ?? brand.timeZone,
      locale: session.locale ?? brand.defaultLocale,
      session,
    };
  }

  /** Logs what failed (no message text, no contact details, no codes), apologises, drops the broken dialog state. */
  async onTurnError(context: TurnContext, error: unknown): Promise<void> {
    // Not a failure: the turn runs again on the current state (bot/customer-inbox.ts).
    if (isEarlyTurnRefused(error)) throw error;
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
