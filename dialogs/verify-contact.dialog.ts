import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { OTP_RULES } from '../notifications/otp.ts';
import { AskPrompt, choiceText, type AskOptions, type Understood } from './ask.prompt.ts';
import type { VerificationTarget } from './contact-details.ts';
import { line, type Line } from './lines.ts';
import { turnScope, type DialogDeps } from './turn-scope.ts';
import { actionOf, matchChoice, type Reply } from './understanding.ts';
import { choice, type ChoiceSpec } from './views.ts';

export const VERIFY_CONTACT_DIALOG = 'verify-contact';
const FLOW = 'verify-contact.flow';
const CODE_PROMPT = 'verify-contact.code';

export interface VerifyContactOptions extends VerificationTarget {
  /** Send a code first ('first' or 'again'), or just ask for the one already sent. */
  send: 'first' | 'again' | false;
  /** What happened to the last code typed. */
  notice?: Line | undefined;
  /** The code this flow sent last, for a check in one statement. */
  codeId?: string | undefined;
}

/** What the flow keeps between its steps: the code it sent last. */
interface StepValues { codeId?: string | undefined }
const codeOf = (step: WaterfallStepContext<VerifyContactOptions>) => (step.values as StepValues).codeId;

export type VerifyContactResult = { verified: true } | { changeContact: true };

type CodeAnswer = { kind: 'code'; code: string } | { kind: 'resend' } | { kind: 'change' };

/** Typed instead of using the form's buttons. */
const FORM_ACTIONS: ChoiceSpec[] = [
  choice('resend', 'verify.resend', ['resend', 'send again', 'new code', 'another code', 'renvoyer', 'renvoyer le code', 'nouveau code']),
  choice('change', 'verify.change', ['change', 'change my details', 'wrong email', 'wrong number', 'modifier', 'changer', 'modifier mes coordonnees']),
];

/** Proves the customer owns an email or phone: a one-time code is sent there and typed back. */
export class VerifyContactDialog extends ComponentDialog<VerifyContactOptions> {
  constructor(private readonly deps: DialogDeps) {
    super(VERIFY_CONTACT_DIALOG);
    this.addDialog(new WaterfallDialog<VerifyContactOptions>(FLOW, [this.sendStep.bind(this), this.checkStep.bind(this)]));
    this.addDialog(new AskPrompt<CodeAnswer>(CODE_PROMPT, understandCode));
    this.initialDialogId = FLOW;
  }

  private async sendStep(step: WaterfallStepContext<VerifyContactOptions>): Promise<DialogTurnResult> {
    const o = step.options;
    const lines: Line[] = o.notice ? [o.notice] : [];
    (step.values as StepValues).codeId = o.codeId;
    if (o.send) {
      const scope = turnScope(step.context);
      const sent = await this.deps.otp.send({
        brandId: scope.brand.id, brandName: scope.brand.name, conversationId: scope.conversationId,
        channel: o.channel, to: o.to, locale: scope.locale,
      });
      if (sent.ok) (step.values as StepValues).codeId = sent.codeId;
      const wait = { duration: { seconds: sent.ok ? 0 : sent.retryAfterSeconds } };
      if (sent.ok) lines.push(line(o.send === 'again' ? 'verify.resent' : 'verify.sent', { to: o.to }));
      else if (sent.reason === 'too_many') lines.push(line('verify.tooMany', wait));
      // Only this flow's own earlier code may be spoken of: a code sent elsewhere may be used up.
      else lines.push(o.send === 'again' ? line('verify.cooldown', wait) : line('verify.notSentYet', { to: o.to, ...wait }));
    }
    if (lines.length === 0) lines.push(line('verify.enter'));
    const options: AskOptions<null> = {
      view: { lines, card: { kind: 'code-form' } },
      retry: { lines: [line('verify.retry')], card: { kind: 'code-form' } },
      help: 'help.code',
      expect: null,
    };
    return step.prompt(CODE_PROMPT, options);
  }

  private async checkStep(step: WaterfallStepContext<VerifyContactOptions>): Promise<DialogTurnResult> {
    const answer: CodeAnswer = step.result;
    const { channel, to } = step.options;
    if (answer.kind === 'change') return step.endDialog({ changeContact: true } satisfies VerifyContactResult);
    if (answer.kind === 'resend') {
      return step.replaceDialog(FLOW, { channel, to, send: 'again', codeId: codeOf(step) } satisfies VerifyContactOptions);
    }
    const scope = turnScope(step.context);
    const codeId = codeOf(step);
    const result = await this.deps.otp.verify({ brandId: scope.brand.id, conversationId: scope.conversationId, channel, to, code: answer.code, codeId });
    if (result.ok) return step.endDialog({ verified: true } satisfies VerifyContactResult);
    const notice = result.reason === 'wrong_code'
      ? line('verify.wrong', { attempts: { count: result.attemptsLeft, unit: 'attempt' } })
      : line(result.reason === 'locked' ? 'verify.locked' : result.reason === 'no_code' ? 'verify.noCode' : 'verify.expired');
    return step.replaceDialog(FLOW, { channel, to, send: false, notice, codeId } satisfies VerifyContactOptions);
  }
}

const CODE = new RegExp(`^\\d{${OTP_RULES.digits}}$`);

/** The code form, its buttons, or the code (or "resend", "change") typed. */
function understandCode(reply: Reply): Understood<CodeAnswer> {
  const action = actionOf(reply);
  if (action === 'resend') return { ok: true, value: { kind: 'resend' } };
  if (action === 'change-contact') return { ok: true, value: { kind: 'change' } };
  const values = reply.value?.['values'];
  const submitted = action === 'form' && typeof values === 'object' && values !== null ? (values as Record<string, unknown>)['code'] : undefined;
  const code = (typeof submitted === 'string' ? submitted : reply.text).replace(/[\s-]/g, '');
  // Only a well-formed code is a try: a digit too many or too few is a typo, asked again for free.
  if (CODE.test(code)) return { ok: true, value: { kind: 'code', code } };
  const picked = matchChoice(choiceText(reply), FORM_ACTIONS);
  if (picked) return { ok: true, value: picked.key === 'resend' ? { kind: 'resend' } : { kind: 'change' } };
  return { ok: false };
}
