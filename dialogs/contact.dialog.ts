import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { AskPrompt, type AskOptions, type Understood } from './ask.prompt.ts';
import { checkContact, contactFromText, type Contact } from './contact-details.ts';
import type { TurnContext } from 'botbuilder-core';
import { line } from './lines.ts';
import { turnScope } from './turn-scope.ts';
import { actionOf, type Reply } from './understanding.ts';

export const CONTACT_DIALOG = 'contact';
const FLOW = 'contact.flow';
const FORM_PROMPT = 'contact.form';

export interface ContactOptions {
  /** Details given earlier, shown in the form to be corrected. */
  contact?: Contact | undefined;
}

/** The contact form: name, and an email and/or a mobile number, each checked; ends with a `Contact`. */
export class ContactDialog extends ComponentDialog<ContactOptions> {
  constructor() {
    super(CONTACT_DIALOG);
    this.addDialog(new WaterfallDialog<ContactOptions>(FLOW, [this.formStep.bind(this), this.doneStep.bind(this)]));
    this.addDialog(new AskPrompt<Contact>(FORM_PROMPT, understandContact));
    this.initialDialogId = FLOW;
  }

  private async formStep(step: WaterfallStepContext<ContactOptions>): Promise<DialogTurnResult> {
    const c = step.options.contact;
    const values = c ? { name: c.name, ...(c.email ? { email: c.email } : {}), ...(c.phone ? { phone: c.phone } : {}) } : {};
    const card = { kind: 'contact-form' as const, values };
    // Over SMS and WhatsApp the channel proves the phone: only an email, if given, gets a code.
    const ask = turnScope(step.context).phone ? 'contact.askByPhone' : 'contact.ask';
    const options: AskOptions<null> = {
      view: { lines: [line(ask)], card },
      retry: { lines: [line('help.contact')], card },
      help: 'help.contact',
      expect: null,
    };
    return step.prompt(FORM_PROMPT, options);
  }

  private async doneStep(step: WaterfallStepContext<ContactOptions>): Promise<DialogTurnResult> {
    const contact: Contact = step.result;
    return step.endDialog(contact);
  }
}

const field = (values: Record<string, unknown>, name: string) => (typeof values[name] === 'string' ? values[name] : '');

/** The submitted form (or typed text holding an email or phone); each bad field is named, the form comes back filled in. */
function understandContact(reply: Reply, _expect: null, context: TurnContext): Understood<Contact> {
  // On SMS and WhatsApp the number written from is the customer's phone unless they give another.
  const proven = turnScope(context).phone;
  const submitted = reply.value?.['values'];
  let values: { name: string; email: string; phone: string };
  if (actionOf(reply) === 'form' && typeof submitted === 'object' && submitted !== null) {
    const v = submitted as Record<string, unknown>;
    values = { name: field(v, 'name'), email: field(v, 'email'), phone: field(v, 'phone') };
  } else {
    values = contactFromText(reply.text);
    if (!values.email && !values.phone && !proven) return { ok: false };
  }
  if (!values.phone && proven) values.phone = proven;
  const checked = checkContact(values);
  if (checked.ok) return { ok: true, value: checked.contact };
  return { ok: false, retry: { lines: [...checked.problems, line('contact.fix')], card: { kind: 'contact-form', values } } };
}
