import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { correctAddress, findAddress, findCustomerByEmail } from '../models/customer-accounts.repository.ts';
import { markContactVerified } from '../models/customers.repository.ts';
import {
  findCustomerEquipment, listCustomerContracts, listCustomerEquipment, listEquipmentTypes, servicesForEquipmentType, type InstalledEquipment,
} from '../models/equipment.repository.ts';
import { AppError } from '../models/errors.ts';
import { bookDraft, findOnsiteWindows, holdWindow, prefillFromContract } from '../scheduling/field-booking.ts';
import type { CardSpec } from './cards.ts';
import { AskPrompt, choicePrompt, choiceText, type AskOptions, type Understood } from './ask.prompt.ts';
import { normaliseEmail } from './contact-details.ts';
import { line, renderLine, type Line } from './lines.ts';
import { turnScope, type DialogDeps } from './turn-scope.ts';
import { locationOf, matchChoice, type Reply } from './understanding.ts';
import { VERIFY_CONTACT_DIALOG, VerifyContactDialog, type VerifyContactOptions, type VerifyContactResult } from './verify-contact.dialog.ts';
import { choice, say, type ChoiceSpec } from './views.ts';
import type { Localized } from './messages.ts';

export const ONSITE_DIALOG = 'onsite-visit';
const FLOW = 'onsite-visit.flow';
const EMAIL_PROMPT = 'onsite-visit.email';
const PICK_PROMPT = 'onsite-visit.pick';
const ADDRESS_PROMPT = 'onsite-visit.address';
const COMMENT_PROMPT = 'onsite-visit.comment';
const SERVICE_PROMPT = 'onsite-visit.service';
const WINDOW_PROMPT = 'onsite-visit.window';
const SUMMARY_PROMPT = 'onsite-visit.summary';

/** The menu's entry, and the words that mean an on-site visit ("my boiler needs its yearly service"). */
export const ONSITE_CHOICE: ChoiceSpec = choice('onsite', 'menu.onsite', [
  'technician', 'boiler', 'heat pump', 'appliance', 'maintenance', 'repair', 'yearly service', 'annual service',
  'technicien', 'chaudiere', 'pompe a chaleur', 'electromenager', 'entretien', 'depannage', 'intervention',
]);

export interface OnsiteResult {
  booked: boolean;
}

/** Everything decided so far; each step skips what is known, so a `replaceDialog(FLOW, state)` resumes at the first open question. */
interface OnsiteState {
  email?: string;
  customerId?: string;
  equipmentId?: string;
  contractId?: string | null;
  addressId?: string;
  addressConfirmed?: boolean;
  commentDone?: boolean;
  serviceId?: string;
  task?: string;
  /** Search windows from this instant (ISO); "Later" moves it a week on. */
  from?: string;
  holdId?: string;
  notice?: Line;
}

type Step = WaterfallStepContext<OnsiteState>;
type AddressAnswer = { kind: 'ok' } | { kind: 'location'; latitude: number; longitude: number };

const WEEK_MS = 7 * 86_400_000;
const MAX_WINDOW_CHOICES = 8;
const ADDRESS_OK: ChoiceSpec = choice('ok', 'onsite.addressOk', ['yes', 'ok', 'oui', 'correct', 'right', 'exact', 'c est bon']);
const SKIP: ChoiceSpec = choice('skip', 'onsite.skip', ['no', 'non', 'nothing', 'rien', 'skip', 'passer']);
const LATER: ChoiceSpec = choice('later', 'onsite.later', ['later', 'more', 'plus tard', 'suivants', 'autres']);
const SUMMARY_CHOICES = [
  choice('confirm', 'onsite.confirm', ['yes', 'ok', 'oui', 'confirm', 'send', 'envoyer', 'valider', 'je confirme']),
  choice('cancel', 'onsite.cancel', ['no', 'non', 'cancel', 'annuler']),
];

/**
 * A technician's visit for an appliance on the customer's account (product document 002): email
 * proven by a code → appliance or maintenance contract (which fills in the service and task) →
 * address, pin (a shared location moves it) and access notes → service → arrival window (held) →
 * summary → draft for staff to validate.
 */
export class OnsiteVisitDialog extends ComponentDialog<OnsiteState> {
  constructor(private readonly deps: DialogDeps) {
    super(ONSITE_DIALOG);
    this.addDialog(new WaterfallDialog<OnsiteState>(FLOW, [
      this.emailStep.bind(this), this.verifyStep.bind(this), this.pickStep.bind(this), this.addressStep.bind(this),
      this.commentStep.bind(this), this.serviceStep.bind(this), this.windowStep.bind(this), this.summaryStep.bind(this),
      this.bookStep.bind(this),
    ]));
    this.addDialog(new AskPrompt<string>(EMAIL_PROMPT, (reply) => {
      const email = normaliseEmail(reply.text);
      return email ? { ok: true, value: email } : { ok: false };
    }));
    this.addDialog(choicePrompt(PICK_PROMPT));
    this.addDialog(new AskPrompt<AddressAnswer, ChoiceSpec[]>(ADDRESS_PROMPT, understandAddress));
    this.addDialog(new AskPrompt<string | null, ChoiceSpec[]>(COMMENT_PROMPT, understandComment));
    this.addDialog(choicePrompt(SERVICE_PROMPT));
    this.addDialog(choicePrompt(WINDOW_PROMPT));
    this.addDialog(choicePrompt(SUMMARY_PROMPT));
    this.addDialog(new VerifyContactDialog(deps));
    this.initialDialogId = FLOW;
  }

  private async emailStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    if (s.customerId) return step.next();
    const brand = turnScope(step.context).brand;
    if ((await listEquipmentTypes(this.deps.db, brand.id)).length === 0) {
      await say(step.context, [line('onsite.none')]);
      return step.endDialog({ booked: false } satisfies OnsiteResult);
    }
    const options: AskOptions<null> = {
      view: { lines: [line('onsite.askEmail')] }, retry: { lines: [line('onsite.askEmailRetry')] }, help: 'help.onsite', expect: null,
    };
    return step.prompt(EMAIL_PROMPT, options);
  }

  /** A code to the account's email; nothing of the account is shown before it is typed back. */
  private async verifyStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    if (s.customerId) return step.next();
    const email: string = step.result;
    const customer = await findCustomerByEmail(this.deps.db, turnScope(step.context).brand.id, email);
    if (!customer?.email) {
      await say(step.context, [line('onsite.unknown', { to: email })]);
      return step.endDialog({ booked: false } satisfies OnsiteResult);
    }
    s.email = customer.email;
    return step.beginDialog(VERIFY_CONTACT_DIALOG, { channel: 'email', to: customer.email, send: 'first' } satisfies VerifyContactOptions);
  }

  private async pickStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    const scope = turnScope(step.context);
    if (!s.customerId) {
      const verified: VerifyContactResult = step.result;
      if (!('verified' in verified)) return step.replaceDialog(FLOW, {} satisfies OnsiteState);
      const customer = (await findCustomerByEmail(this.deps.db, scope.brand.id, s.email!))!;
      await markContactVerified(this.deps.db, scope.brand.id, { channel: 'email', to: s.email! }, this.deps.now());
      s.customerId = customer.id;
    }
    if (s.equipmentId) return step.next();
    const [equipment, contracts] = await Promise.all([
      listCustomerEquipment(this.deps.db, s.customerId), listCustomerContracts(this.deps.db, s.customerId),
    ]);
    if (equipment.length === 0) {
      await say(step.context, [line('onsite.noEquipment')]);
      return step.endDialog({ booked: false } satisfies OnsiteResult);
    }
    const choices: ChoiceSpec[] = [
      ...contracts.map((c) => {
        const e = equipment.find((x) => x.id === c.equipmentId);
        const appliance = e ? applianceName(e) : { en: '', fr: '' };
        return {
          key: `contract:${c.id}`,
          title: bothLocales((locale) => renderLine(line('onsite.contractOption', { task: c.task, appliance: appliance[locale] }), { locale, timeZone: scope.timeZone })),
          synonyms: ['contract', 'contrat', c.task],
        };
      }),
      ...equipment.map((e) => ({ key: `equipment:${e.id}`, title: applianceName(e), synonyms: [e.typeNames.en, e.typeNames.fr, e.make, e.model].filter(Boolean) })),
    ];
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines: [line('onsite.pick')], choices }, retry: { lines: [line('onsite.pickRetry')], choices }, help: 'help.onsite', expect: choices,
    };
    return step.prompt(PICK_PROMPT, options);
  }

  private async addressStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    if (!s.equipmentId) {
      const [kind, id] = (step.result as string).split(':') as ['contract' | 'equipment', string];
      if (kind === 'contract') {
        // A contract fills in the appliance, where it is, the service and the task.
        Object.assign(s, await prefillFromContract(this.deps.db, s.customerId!, id));
      } else {
        const e = (await findCustomerEquipment(this.deps.db, s.customerId!, id))!;
        Object.assign(s, { equipmentId: e.id, addressId: e.addressId, contractId: null });
      }
    }
    if (s.addressConfirmed) return step.next();
    const a = (await findAddress(this.deps.db, s.customerId!, s.addressId!))!;
    const choices = [ADDRESS_OK];
    // The web chat shows the pin on a map to drag; other channels read the choices and the text.
    const card: CardSpec = { kind: 'pin', latitude: a.latitude, longitude: a.longitude };
    const ask = { lines: [line('onsite.address', { address: `${a.addressLine}, ${a.postcode} ${a.city}` }), line('onsite.addressAsk')], choices, card };
    const options: AskOptions<ChoiceSpec[]> = { view: ask, retry: { lines: [line('onsite.addressRetry')], choices, card }, help: 'help.onsite', expect: choices };
    return step.prompt(ADDRESS_PROMPT, options);
  }

  private async commentStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    if (!s.addressConfirmed) {
      const answer: AddressAnswer = step.result;
      if (answer.kind === 'location') {
        const a = (await findAddress(this.deps.db, s.customerId!, s.addressId!))!;
        await correctAddress(this.deps.db, s.customerId!, a.id, { latitude: answer.latitude, longitude: answer.longitude, accessComment: a.accessComment });
        await say(step.context, [line('onsite.pinMoved')]);
      }
      s.addressConfirmed = true;
    }
    if (s.commentDone) return step.next();
    const choices = [SKIP];
    const options: AskOptions<ChoiceSpec[]> = { view: { lines: [line('onsite.comment')], choices }, help: 'help.onsite', expect: choices };
    return step.prompt(COMMENT_PROMPT, options);
  }

  private async serviceStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    if (!s.commentDone) {
      const comment: string | null = step.result;
      if (comment) {
        const a = (await findAddress(this.deps.db, s.customerId!, s.addressId!))!;
        await correctAddress(this.deps.db, s.customerId!, a.id, { latitude: a.latitude, longitude: a.longitude, accessComment: comment.slice(0, 500) });
      }
      s.commentDone = true;
    }
    if (s.serviceId) return step.next();
    const equipment = (await findCustomerEquipment(this.deps.db, s.customerId!, s.equipmentId!))!;
    const services = await servicesForEquipmentType(this.deps.db, equipment.typeId);
    if (services.length === 1) return step.next(services[0]!.id);
    const choices: ChoiceSpec[] = services.map((x) => ({ key: x.id, title: x.names, synonyms: [x.slug] }));
    const options: AskOptions<ChoiceSpec[]> = { view: { lines: [line('onsite.service')], choices }, help: 'help.onsite', expect: choices };
    return step.prompt(SERVICE_PROMPT, options);
  }

  /** The next arrival windows (a week from `from`, moving on while a week has none), as buttons. */
  private async windowStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    if (!s.serviceId) s.serviceId = step.result as string;
    const scope = turnScope(step.context);
    const { service, address } = await this.visit(step);
    const now = this.deps.now();
    let from = new Date(s.from ?? now.toISOString());
    const lines: Line[] = s.notice ? [s.notice] : [];
    delete s.notice;
    if (s.task) lines.push(line('onsite.task', { task: s.task }));
    let windows = await findOnsiteWindows(this.deps.db, { brand: scope.brand, service, address, from, to: new Date(from.getTime() + WEEK_MS), now });
    for (let week = 0; windows.length === 0 && from.getTime() < now.getTime() + scope.brand.settings.maxHorizonDays * 86_400_000; week++) {
      if (week === 0) lines.push(line('onsite.noWindows'));
      from = new Date(from.getTime() + WEEK_MS);
      windows = await findOnsiteWindows(this.deps.db, { brand: scope.brand, service, address, from, to: new Date(from.getTime() + WEEK_MS), now });
    }
    s.from = from.toISOString();
    lines.push(line('onsite.windows'));
    const choices: ChoiceSpec[] = [
      ...windows.slice(0, MAX_WINDOW_CHOICES).map((w) => ({
        key: w.start.toISOString(),
        title: bothLocales((locale) => renderLine(windowLine(w.start, w.end), { locale, timeZone: scope.timeZone })),
      })),
      LATER,
    ];
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines, choices }, retry: { lines: [line('onsite.windowsRetry')], choices }, help: 'help.onsite', expect: choices,
    };
    return step.prompt(WINDOW_PROMPT, options);
  }

  private async summaryStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    const picked: string = step.result;
    if (picked === 'later') return step.replaceDialog(FLOW, { ...s, from: new Date(new Date(s.from!).getTime() + WEEK_MS).toISOString() });
    const scope = turnScope(step.context);
    const { service, address, equipment } = await this.visit(step);
    let held;
    try {
      held = await holdWindow(this.deps, {
        brand: scope.brand, customerId: s.customerId!, equipmentId: s.equipmentId!, contractId: s.contractId ?? null,
        addressId: s.addressId!, serviceId: service.id, windowStart: new Date(picked),
      });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'slot_unavailable')) throw error;
      return step.replaceDialog(FLOW, { ...s, notice: line('onsite.taken') });
    }
    const window = windowLine(held.startAt, held.windowEnd);
    const summary = line('onsite.summary', {
      service: service.names, appliance: applianceName(equipment), address: `${address.addressLine}, ${address.postcode} ${address.city}`,
      window: bothLocales((locale) => renderLine(window, { locale, timeZone: scope.timeZone })),
    });
    s.holdId = held.id;
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines: [summary, line('onsite.confirmAsk')], choices: SUMMARY_CHOICES },
      retry: { lines: [line('onsite.summaryRetry')], choices: SUMMARY_CHOICES }, help: 'help.onsite', expect: SUMMARY_CHOICES,
    };
    return step.prompt(SUMMARY_PROMPT, options);
  }

  private async bookStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    if (step.result !== 'confirm') {
      await say(step.context, [line('onsite.cancelled')]);
      return step.endDialog({ booked: false } satisfies OnsiteResult);
    }
    const scope = turnScope(step.context);
    const holdId = s.holdId!;
    await bookDraft(this.deps, {
      brand: scope.brand, customerId: s.customerId!, equipmentId: s.equipmentId!, contractId: s.contractId ?? null, addressId: s.addressId!,
      serviceId: s.serviceId!, holdId, task: s.task ?? '', customerTimeZone: scope.timeZone, notes: '', channel: 'web',
      conversationId: scope.conversationId, idempotencyKey: `chat:${holdId}`, actor: { kind: 'customer' },
    });
    await say(step.context, [line('onsite.booked')]);
    return step.endDialog({ booked: true } satisfies OnsiteResult);
  }

  private async visit(step: Step) {
    const s = step.options;
    const equipment = (await findCustomerEquipment(this.deps.db, s.customerId!, s.equipmentId!))!;
    const service = (await servicesForEquipmentType(this.deps.db, equipment.typeId)).find((x) => x.id === s.serviceId)!;
    const address = (await findAddress(this.deps.db, s.customerId!, s.addressId!))!;
    return { equipment, service, address };
  }
}

const bothLocales = (render: (locale: 'en' | 'fr') => string): Localized => ({ en: render('en'), fr: render('fr') });
const applianceName = (e: InstalledEquipment): Localized =>
  bothLocales((locale) => [e.typeNames[locale] || e.typeNames.en, e.make, e.model].filter(Boolean).join(' '));
const windowLine = (start: Date, end: Date): Line =>
  line('onsite.window', { start: { at: start.toISOString() }, end: { at: end.toISOString(), format: 'time' } });

/** "That's right", or a shared location or the map's confirmed pin moving it. */
function understandAddress(reply: Reply, choices: ChoiceSpec[]): Understood<AddressAnswer> {
  const position = locationOf(reply);
  if (position) return { ok: true, value: { kind: 'location', ...position } };
  return matchChoice(choiceText(reply), choices) ? { ok: true, value: { kind: 'ok' } } : { ok: false };
}

/** "Nothing to add", or the notes themselves. */
function understandComment(reply: Reply, choices: ChoiceSpec[]): Understood<string | null> {
  const said = choiceText(reply).trim();
  if (!said) return { ok: false };
  return matchChoice(said, choices, true) ? { ok: true, value: null } : { ok: true, value: said };
}
