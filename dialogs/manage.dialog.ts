import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { findAppointment } from '../models/appointments.repository.ts';
import { listUpcomingForContact } from '../models/customer-appointments.repository.ts';
import { markContactVerified } from '../models/customers.repository.ts';
import { factLines, loadFacts } from './appointment-facts.ts';
import { AskPrompt, choicePrompt, type AskOptions } from './ask.prompt.ts';
import {
  CHANGE_APPOINTMENT_DIALOG, ChangeAppointmentDialog, sayTooLate, type ChangeAppointmentOptions,
} from './change-appointment.dialog.ts';
import { targetFromText, type VerificationTarget } from './contact-details.ts';
import { line, renderLine } from './lines.ts';
import { lastVerified, rememberVerified, turnScope, type DialogDeps } from './turn-scope.ts';
import { VERIFY_CONTACT_DIALOG, VerifyContactDialog, type VerifyContactOptions, type VerifyContactResult } from './verify-contact.dialog.ts';
import { choice, say, type ChoiceSpec } from './views.ts';

export const MANAGE_DIALOG = 'manage';
const FLOW = 'manage.flow';
const CONTACT_PROMPT = 'manage.contact';
const PICK_PROMPT = 'manage.pick';
const ACTION_PROMPT = 'manage.action';

/** The options double as the flow's state (see the booking dialog). */
interface ManageState {
  target?: VerificationTarget;
  verified?: boolean;
  appointmentId?: string;
}

type Step = WaterfallStepContext<ManageState>;

const ACTIONS: ChoiceSpec[] = [
  choice('reschedule', 'manage.reschedule', ['move', 'change', 'change time', 'another time', 'deplacer', 'changer', 'reporter', 'modifier']),
  choice('cancel', 'manage.cancel', ['cancel', 'cancel it', 'annuler', 'l annuler']),
  choice('keep', 'manage.keep', ['keep', 'nothing', 'garder', 'rien']),
];

/** "Change or cancel my appointment": prove the email or phone, pick an appointment, say what to do. */
export class ManageDialog extends ComponentDialog<ManageState> {
  constructor(private readonly deps: DialogDeps) {
    super(MANAGE_DIALOG);
    this.addDialog(new WaterfallDialog<ManageState>(FLOW, [
      this.contactStep.bind(this), this.verifyStep.bind(this), this.listStep.bind(this),
      this.actionStep.bind(this), this.routeStep.bind(this), this.doneStep.bind(this),
    ]));
    this.addDialog(new AskPrompt<VerificationTarget>(CONTACT_PROMPT, (reply) => {
      const target = targetFromText(reply.text);
      return target ? { ok: true, value: target } : { ok: false };
    }));
    this.addDialog(choicePrompt(PICK_PROMPT));
    this.addDialog(choicePrompt(ACTION_PROMPT));
    this.addDialog(new VerifyContactDialog(deps));
    this.addDialog(new ChangeAppointmentDialog(deps));
    this.initialDialogId = FLOW;
  }

  private async contactStep(step: Step): Promise<DialogTurnResult> {
    if (step.options.target) return step.next(step.options.target);
    // Proven already in this conversation (booked here): neither asked for again nor sent a new code.
    const proven = lastVerified(step.context);
    if (proven) {
      step.options.verified = true;
      await say(step.context, [line('manage.knownContact', { to: proven.to })]);
      return step.next(proven);
    }
    const options: AskOptions<null> = {
      view: { lines: [line('manage.ask')] },
      retry: { lines: [line('manage.askRetry')] },
      help: 'help.manageContact',
      expect: null,
    };
    return step.prompt(CONTACT_PROMPT, options);
  }

  private async verifyStep(step: Step): Promise<DialogTurnResult> {
    const target: VerificationTarget = step.result;
    step.options.target = target;
    if (step.options.verified) return step.next({ verified: true } satisfies VerifyContactResult);
    return step.beginDialog(VERIFY_CONTACT_DIALOG, { ...target, send: 'first' } satisfies VerifyContactOptions);
  }

  private async listStep(step: Step): Promise<DialogTurnResult> {
    const outcome: VerifyContactResult = step.result;
    if ('changeContact' in outcome) return step.replaceDialog(FLOW, {} satisfies ManageState);
    const s = step.options;
    const target = s.target;
    if (!target) throw new Error('The manage flow lost the address it verified.');
    const scope = turnScope(step.context);
    const now = this.deps.now();
    if (!s.verified) {
      await markContactVerified(this.deps.db, scope.brand.id, target, now);
      rememberVerified(step.context, target);
    }
    s.verified = true;
    const upcoming = await listUpcomingForContact(this.deps.db, scope.brand.id, target, now);
    const only = upcoming.length === 1 ? upcoming[0] : undefined;
    if (upcoming.length === 0) {
      await say(step.context, [line('manage.none', { to: target.to })]);
      return step.endDialog();
    }
    if (only) return step.next(only.id);
    const choices: ChoiceSpec[] = [];
    for (const a of upcoming) {
      const facts = await loadFacts(this.deps.db, scope.brand.id, a);
      const option = line('manage.option', { when: { at: facts.start }, service: facts.service });
      choices.push({
        key: a.id,
        title: { en: renderLine(option, { ...scope, locale: 'en' }), fr: renderLine(option, { ...scope, locale: 'fr' }) },
      });
    }
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines: [line('manage.pick')], choices },
      retry: { lines: [line('manage.pickRetry')], choices },
      help: 'help.manage',
      expect: choices,
    };
    return step.prompt(PICK_PROMPT, options);
  }

  private async actionStep(step: Step): Promise<DialogTurnResult> {
    const id: string = step.result;
    step.options.appointmentId = id;
    const scope = turnScope(step.context);
    const appointment = await findAppointment(this.deps.db, scope.brand.id, id);
    if (!appointment) throw new Error('The appointment chosen no longer exists.');
    const facts = await loadFacts(this.deps.db, scope.brand.id, appointment);
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines: [...factLines(facts, scope.timeZone), line('manage.what')], choices: ACTIONS },
      help: 'help.manage',
      expect: ACTIONS,
    };
    return step.prompt(ACTION_PROMPT, options);
  }

  private async routeStep(step: Step): Promise<DialogTurnResult> {
    const action: string = step.result;
    const appointmentId = step.options.appointmentId ?? '';
    if (action === 'keep') {
      await say(step.context, [line('manage.kept')]);
      return step.endDialog();
    }
    const scope = turnScope(step.context);
    const appointment = await findAppointment(this.deps.db, scope.brand.id, appointmentId);
    if (!appointment) throw new Error('The appointment chosen no longer exists.');
    // Say it now rather than after a new time or a reason was asked for.
    const noticeMs = scope.brand.settings.customerChangeNoticeMinutes * 60_000;
    if (appointment.startAt.getTime() - this.deps.now().getTime() < noticeMs) {
      await sayTooLate(step.context, await loadFacts(this.deps.db, scope.brand.id, appointment));
      return step.endDialog();
    }
    const options: ChangeAppointmentOptions = { appointmentId, action: action === 'cancel' ? 'cancel' : 'reschedule' };
    return step.beginDialog(CHANGE_APPOINTMENT_DIALOG, options);
  }

  private async doneStep(step: Step): Promise<DialogTurnResult> {
    return step.endDialog(step.result);
  }
}
