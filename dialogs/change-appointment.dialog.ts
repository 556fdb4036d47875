import type { TurnContext } from 'botbuilder-core';
import { ComponentDialog, WaterfallDialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { findAppointment, type Appointment } from '../models/appointments.repository.ts';
import { AppError } from '../models/errors.ts';
import { formatStorePhone } from '../notifications/french-typography.ts';
import { cancelAppointment, rescheduleAppointment } from '../scheduling/booking.ts';
import { factLines, loadFacts, type AppointmentFacts } from './appointment-facts.ts';
import { AskPrompt, choicePrompt, choiceText, type AskOptions } from './ask.prompt.ts';
import { appointmentCard } from './cards.ts';
import { line, type Line } from './lines.ts';
import { SLOT_PICKER_DIALOG, SlotPickerDialog, type SlotAsk, type SlotPickerOptions, type SlotPickerResult } from './slot-picker.dialog.ts';
import { turnScope, type DialogDeps } from './turn-scope.ts';
import { matchChoice } from './understanding.ts';
import { choice, say, type ChoiceSpec } from './views.ts';

export const CHANGE_APPOINTMENT_DIALOG = 'change-appointment';
const RESCHEDULE = 'change-appointment.reschedule';
const CANCEL = 'change-appointment.cancel';
const REASON_PROMPT = 'change-appointment.reason';
const CONFIRM_PROMPT = 'change-appointment.confirm';
const MOVE_PROMPT = 'change-appointment.move';

export interface ChangeAppointmentOptions {
  appointmentId: string;
  action: 'reschedule' | 'cancel';
  slotAsk?: SlotAsk | undefined;
  slotNotice?: Line | undefined;
  reason?: string;
  /** The new time chosen, until the customer confirms the move. */
  newStart?: string | undefined;
}

export interface ChangeAppointmentResult {
  changed: boolean;
}

const SKIP = [choice('skip', 'manage.skip', ['no', 'non', 'skip it', 'no reason', 'aucune', 'pas de raison'])];
const CONFIRM_CHOICES: ChoiceSpec[] = [
  choice('yes', 'manage.yesCancel', ['yes', 'y', 'ok', 'sure', 'oui', 'confirm', 'confirmer', 'annuler', 'cancel']),
  choice('no', 'manage.noKeep', ['no', 'n', 'non', 'keep', 'garder']),
];

const MOVE_CHOICES: ChoiceSpec[] = [
  choice('move', 'reschedule.confirm', ['yes', 'ok', 'oui', 'confirm', 'confirmer', 'je confirme', 'move it', 'deplacer']),
  choice('change', 'summary.change', ['change', 'another time', 'other time', 'changer', 'autre horaire']),
  choice('keep', 'manage.keep', ['no', 'non', 'keep', 'garder', 'keep it']),
];

/** Why the customer may not change it any more, and whom to call instead. */
export async function sayTooLate(context: TurnContext, facts: AppointmentFacts): Promise<void> {
  const { brand } = turnScope(context);
  const lines = [line('manage.tooLate', { duration: { seconds: brand.settings.customerChangeNoticeMinutes * 60 } })];
  if (facts.store?.phone) lines.push(line('manage.callStore', { store: facts.store.name, phone: formatStorePhone(facts.store.phone) }));
  await say(context, lines);
}

/** Moves (new time chosen like when booking) or cancels (optional reason, then yes/no) one appointment. */
export class ChangeAppointmentDialog extends ComponentDialog<ChangeAppointmentOptions> {
  constructor(private readonly deps: DialogDeps) {
    super(CHANGE_APPOINTMENT_DIALOG);
    this.addDialog(new WaterfallDialog<ChangeAppointmentOptions>(RESCHEDULE, [
      this.pickStep.bind(this), this.summaryStep.bind(this), this.moveStep.bind(this),
    ]));
    this.addDialog(new WaterfallDialog<ChangeAppointmentOptions>(CANCEL, [this.reasonStep.bind(this), this.confirmStep.bind(this), this.cancelStep.bind(this)]));
    this.addDialog(new AskPrompt<string>(REASON_PROMPT, (reply) => {
      const said = choiceText(reply).trim();
      if (matchChoice(said, SKIP, true)) return { ok: true, value: '' };
      return said ? { ok: true, value: said.slice(0, 500) } : { ok: false };
    }));
    this.addDialog(choicePrompt(CONFIRM_PROMPT));
    this.addDialog(choicePrompt(MOVE_PROMPT));
    this.addDialog(new SlotPickerDialog(deps));
  }

  protected override async onBeginDialog(innerDc: DialogContext, options?: ChangeAppointmentOptions): Promise<DialogTurnResult> {
    return innerDc.beginDialog(options?.action === 'cancel' ? CANCEL : RESCHEDULE, options);
  }

  private async appointment(step: WaterfallStepContext<ChangeAppointmentOptions>): Promise<Appointment> {
    const found = await findAppointment(this.deps.db, turnScope(step.context).brand.id, step.options.appointmentId);
    if (!found) throw new Error('The appointment being changed no longer exists.');
    return found;
  }

  private async pickStep(step: WaterfallStepContext<ChangeAppointmentOptions>): Promise<DialogTurnResult> {
    const a = await this.appointment(step);
    const home = a.homeAddress !== null && a.homeLatitude !== null && a.homeLongitude !== null
      ? { address: a.homeAddress, latitude: a.homeLatitude, longitude: a.homeLongitude }
      : null;
    const options: SlotPickerOptions = {
      query: { serviceId: a.serviceId, mode: a.mode, storeId: a.storeId, home, ignoreAppointmentId: a.id },
      ask: step.options.slotAsk,
      notice: step.options.slotNotice,
    };
    return step.beginDialog(SLOT_PICKER_DIALOG, options);
  }

  /** Like booking: the new time with the rest of the appointment, and a yes before anything moves. */
  private async summaryStep(step: WaterfallStepContext<ChangeAppointmentOptions>): Promise<DialogTurnResult> {
    const picked: SlotPickerResult = step.result;
    if (!('start' in picked)) return step.endDialog({ changed: false } satisfies ChangeAppointmentResult);
    step.options.newStart = picked.start;
    const scope = turnScope(step.context);
    const a = await this.appointment(step);
    const facts = await loadFacts(this.deps.db, scope.brand.id, { ...a, startAt: new Date(picked.start) });
    const options: AskOptions<ChoiceSpec[]> = {
      view: {
        lines: [line('reschedule.intro'), ...factLines(facts, scope.timeZone), line('reschedule.ask', { was: { at: a.startAt.toISOString() } })],
        choices: MOVE_CHOICES,
      },
      retry: { lines: [line('reschedule.retry')], choices: MOVE_CHOICES },
      help: 'help.reschedule',
      expect: MOVE_CHOICES,
    };
    return step.prompt(MOVE_PROMPT, options);
  }

  private async moveStep(step: WaterfallStepContext<ChangeAppointmentOptions>): Promise<DialogTurnResult> {
    const answer: string = step.result;
    const start = step.options.newStart;
    if (!start) throw new Error('The reschedule flow lost the new time.');
    if (answer === 'keep') {
      await say(step.context, [line('manage.kept')]);
      return step.endDialog({ changed: false } satisfies ChangeAppointmentResult);
    }
    if (answer === 'change') return step.replaceDialog(RESCHEDULE, { appointmentId: step.options.appointmentId, action: 'reschedule', slotAsk: { kind: 'around', at: start } });
    const scope = turnScope(step.context);
    try {
      const moved = await rescheduleAppointment(this.deps, {
        brand: scope.brand, appointmentId: step.options.appointmentId, start: new Date(start), actor: { kind: 'customer' },
      });
      const facts = await loadFacts(this.deps.db, scope.brand.id, moved);
      await say(step.context, [line('manage.rescheduled')], appointmentCard(moved.id, facts, moved.state, { signed: this.deps.links, appointment: moved }, scope));
      return step.endDialog({ changed: true } satisfies ChangeAppointmentResult);
    } catch (error) {
      if (error instanceof AppError && error.code === 'slot_unavailable') {
        const retry: ChangeAppointmentOptions = {
          appointmentId: step.options.appointmentId, action: 'reschedule',
          slotAsk: { kind: 'around', at: start }, slotNotice: line('slots.taken', { time: { at: start } }),
        };
        return step.replaceDialog(RESCHEDULE, retry);
      }
      return this.refused(step, error);
    }
  }

  private async reasonStep(step: WaterfallStepContext<ChangeAppointmentOptions>): Promise<DialogTurnResult> {
    const options: AskOptions<ChoiceSpec[]> = { view: { lines: [line('manage.reason')], choices: SKIP }, help: 'help.reason', expect: SKIP };
    return step.prompt(REASON_PROMPT, options);
  }

  private async confirmStep(step: WaterfallStepContext<ChangeAppointmentOptions>): Promise<DialogTurnResult> {
    step.options.reason = step.result;
    const a = await this.appointment(step);
    const facts = await loadFacts(this.deps.db, a.brandId, a);
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines: [line('manage.confirmCancel', { service: facts.service, when: { at: facts.start } })], choices: CONFIRM_CHOICES },
      help: 'help.confirm',
      expect: CONFIRM_CHOICES,
    };
    return step.prompt(CONFIRM_PROMPT, options);
  }

  private async cancelStep(step: WaterfallStepContext<ChangeAppointmentOptions>): Promise<DialogTurnResult> {
    if (step.result !== 'yes') {
      await say(step.context, [line('manage.kept')]);
      return step.endDialog({ changed: false } satisfies ChangeAppointmentResult);
    }
    const scope = turnScope(step.context);
    try {
      const cancelled = await cancelAppointment(this.deps, {
        brand: scope.brand, appointmentId: step.options.appointmentId, reason: step.options.reason ?? '', actor: { kind: 'customer' },
      });
      const facts = await loadFacts(this.deps.db, scope.brand.id, cancelled);
      await say(step.context, [line('manage.cancelled')], appointmentCard(cancelled.id, facts, 'cancelled', null, scope));
      return step.endDialog({ changed: true } satisfies ChangeAppointmentResult);
    } catch (error) {
      return this.refused(step, error);
    }
  }

  /** The domain's refusals, in words; anything else is the turn error handler's. */
  private async refused(step: WaterfallStepContext<ChangeAppointmentOptions>, error: unknown): Promise<DialogTurnResult> {
    if (!(error instanceof AppError)) throw error;
    if (error.code === 'change_too_late') await sayTooLate(step.context, await loadFacts(this.deps.db, turnScope(step.context).brand.id, await this.appointment(step)));
    else if (error.code === 'appointment_cancelled') await say(step.context, [line('manage.alreadyCancelled')]);
    else throw error;
    return step.endDialog({ changed: false } satisfies ChangeAppointmentResult);
  }
}
