import type { TurnContext } from 'botbuilder-core';
import { WaterfallDialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { listServices, type Service } from '../models/catalogue.repository.ts';
import { AskPrompt, choicePrompt, choiceText, type AskOptions, type Understood } from './ask.prompt.ts';
import { BOOKING_DIALOG, BookingDialog, type BookingOptions } from './booking.dialog.ts';
import { answerQuestion } from './brand-answers.ts';
import { serviceChoices } from './catalogue-choices.ts';
import { InterruptibleDialog, type Restart } from './interruptible.dialog.ts';
import { line, type Line } from './lines.ts';
import { MANAGE_DIALOG, ManageDialog } from './manage.dialog.ts';
import { saysSomething, type Question } from './message-understanding.ts';
import { ONSITE_CHOICE, ONSITE_DIALOG, OnsiteVisitDialog } from './onsite-visit.dialog.ts';
import { listEquipmentTypes } from '../models/equipment.repository.ts';
import { t, type MessageId } from './messages.ts';
import { slotSource } from './slot-pages.ts';
import { SlotWindow } from './slot-window.ts';
import { switchLanguage, turnScope, type DialogDeps } from './turn-scope.ts';
import { understandTurn } from './turn-understanding.ts';
import { detectInterruption, matchChoice, type Reply } from './understanding.ts';
import { choice, say, type ChoiceSpec } from './views.ts';

export const MAIN_DIALOG = 'main';
const MENU = 'main.menu';
const PERSON = 'main.person';
const MENU_PROMPT = 'main.menu.ask';
const PERSON_PROMPT = 'main.person.ask';

type Intent = 'book' | 'manage' | 'person' | 'help' | 'question' | 'onsite';

export interface MainOptions {
  /** The customer's first message, answered directly when it says what they want. */
  utterance?: string;
  greet?: boolean;
  notice?: MessageId;
  intent?: Intent;
  /** Back at the menu after something was done. */
  again?: boolean;
}

/** What "talk to a person" ends with when the customer joined the queue. */
interface Queued {
  queued: true;
}

interface MenuAnswer {
  intent: Intent;
  serviceId?: string;
  /** What the customer wrote, when it says more than the menu choice (a place, a date…). */
  utterance?: string;
  question?: Question;
  storeId?: string;
}

const BOOK_CHOICE = choice('book', 'menu.book', ['book', 'booking', 'appointment', 'an appointment', 'make an appointment', 'reserve', 'schedule', 'rendez vous', 'rdv', 'reserver', 'reservation', 'prendre un rendez vous']);
const MENU_CHOICES: ChoiceSpec[] = [
  BOOK_CHOICE,
  choice('manage', 'menu.manage', ['reschedule', 'change', 'move', 'modify', 'manage', 'my appointment', 'my booking', 'cancel my appointment', 'cancel appointment', 'cancel my booking', 'modifier', 'deplacer', 'gerer', 'mon rendez vous', 'annuler mon rendez vous', 'ma reservation']),
  choice('person', 'menu.person'),
  choice('help', 'menu.help'),
];

/** The menu: what the customer wants (by button or words), then back here once it is done. */
export class MainDialog extends InterruptibleDialog<MainOptions> {
  constructor(private readonly deps: DialogDeps) {
    super(MAIN_DIALOG);
    this.addDialog(new WaterfallDialog<MainOptions>(MENU, [this.menuStep.bind(this), this.routeStep.bind(this), this.againStep.bind(this)]));
    this.addDialog(new WaterfallDialog(PERSON, [
      this.queueStep.bind(this), this.offerStep.bind(this), this.offerAnswerStep.bind(this), this.offerDoneStep.bind(this),
    ]));
    this.addDialog(new AskPrompt<MenuAnswer, ChoiceSpec[]>(MENU_PROMPT, (reply, services, context) => this.readMenuAnswer(context, reply, services)));
    this.addDialog(choicePrompt(PERSON_PROMPT));
    this.addDialog(new BookingDialog(deps));
    this.addDialog(new ManageDialog(deps));
    this.addDialog(new OnsiteVisitDialog(deps));
    this.initialDialogId = MENU;
  }

  protected override async restart(innerDc: DialogContext, reason: Restart): Promise<DialogTurnResult> {
    await innerDc.cancelAllDialogs();
    if (reason === 'person') return innerDc.beginDialog(MENU, { intent: 'person' } satisfies MainOptions);
    return innerDc.beginDialog(MENU, { notice: reason === 'cancel' ? 'notice.cancelled' : 'notice.startOver' } satisfies MainOptions);
  }

  private async menuStep(step: WaterfallStepContext<MainOptions>): Promise<DialogTurnResult> {
    const o = step.options;
    if (o.intent) return step.next({ intent: o.intent } satisfies MenuAnswer);
    const services = serviceChoices(await listServices(this.deps.db, turnScope(step.context).brand.id));
    if (o.utterance) {
      const understood = await this.firstWords(step.context, o.utterance, services);
      if (understood) return step.next(understood);
    }
    const lines: Line[] = [];
    if (o.greet) lines.push(line('menu.greeting', { brand: turnScope(step.context).brand.name }));
    if (o.notice) lines.push(line(o.notice));
    lines.push(line(o.again ? 'menu.again' : 'menu.ask'));
    // Brands with on-site services (document 002) offer a technician's visit too.
    const choices = (await listEquipmentTypes(this.deps.db, turnScope(step.context).brand.id)).length > 0 ? [...MENU_CHOICES, ONSITE_CHOICE] : MENU_CHOICES;
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines, choices },
      retry: { lines: [line('menu.retry')], choices },
      help: 'help.menu',
      expect: services,
    };
    return step.prompt(MENU_PROMPT, options);
  }

  /** The first message may already say it all ("I'd like a video call"), or ask for French. */
  private async firstWords(context: TurnContext, utterance: string, services: ChoiceSpec[]): Promise<MenuAnswer | null> {
    const interruption = detectInterruption(utterance);
    if (interruption?.kind === 'language') switchLanguage(context, interruption.locale);
    if (interruption?.kind === 'person' || interruption?.kind === 'help') return { intent: interruption.kind };
    if (interruption) return null;
    const understood = await this.readMenuAnswer(context, { text: utterance, value: null }, services);
    return understood.ok ? understood.value : null;
  }

  /** A menu choice; else a message about a booking (service, place, date…) or a question about the brand. */
  private async readMenuAnswer(context: TurnContext, reply: Reply, services: readonly ChoiceSpec[]): Promise<Understood<MenuAnswer>> {
    const menu = understandMenu(reply, services);
    if (menu.ok && menu.value.intent !== 'book') return menu;
    // A click on the menu's own button is that choice and nothing more: its title is not read as words
    // (the date recognizers alone cost milliseconds of CPU, on the first message of every conversation).
    if (menu.ok && !menu.value.serviceId && isBookButton(reply)) return menu;
    const text = choiceText(reply);
    const { u } = await understandTurn(this.deps, context, text);
    if (u.question) {
      const storeId = u.place && 'storeId' in u.place ? u.place.storeId : undefined;
      return { ok: true, value: { intent: 'question', question: u.question, ...(u.serviceId ? { serviceId: u.serviceId } : {}), ...(storeId ? { storeId } : {}) } };
    }
    if (menu.ok || saysSomething(u)) return { ok: true, value: { ...(menu.ok ? menu.value : { intent: 'book' }), utterance: text } };
    return menu;
  }

  private async routeStep(step: WaterfallStepContext<MainOptions>): Promise<DialogTurnResult> {
    const answer: MenuAnswer = step.result;
    switch (answer.intent) {
      case 'book':
        return step.beginDialog(BOOKING_DIALOG, { serviceId: answer.serviceId, utterance: answer.utterance } satisfies BookingOptions);
      case 'question': {
        const { brand } = turnScope(step.context);
        await say(step.context, answer.question ? await answerQuestion(this.deps.db, brand.id, answer.question, { serviceId: answer.serviceId, storeId: answer.storeId }) : []);
        return step.replaceDialog(MENU, {} satisfies MainOptions);
      }
      case 'manage':
        return step.beginDialog(MANAGE_DIALOG, {});
      case 'onsite':
        return step.beginDialog(ONSITE_DIALOG, {});
      case 'person':
        return step.beginDialog(PERSON);
      case 'help':
        await say(step.context, [line('help.general')]);
        return step.replaceDialog(MENU, {} satisfies MainOptions);
    }
  }

  private async againStep(step: WaterfallStepContext<MainOptions>): Promise<DialogTurnResult> {
    // Waiting for an advisor: the bot says nothing more (no menu) until the customer stops waiting.
    if ((step.result as Partial<Queued> | undefined)?.queued) return step.endDialog();
    return step.replaceDialog(MENU, { again: true } satisfies MainOptions);
  }

  /** With advisors online, the customer takes a place in their queue (the router tells them where). */
  private async queueStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const answer = await this.deps.person?.requestPerson(turnScope(step.context).conversationId);
    if (answer?.status === 'queued') return step.endDialog({ queued: true } satisfies Queued);
    return step.next();
  }

  /** Nobody free to chat: say so truthfully, say when the soonest video call is, and offer to book one. */
  private async offerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const services = await listServices(this.deps.db, turnScope(step.context).brand.id);
    // Services offered only online (a video call) first.
    const online = services.filter((s) => s.modes.includes('online')).sort((a, b) => a.modes.length - b.modes.length);
    const soonest = await this.soonestVideoCall(step.context, online);
    if (!soonest) {
      await say(step.context, [line('person.info'), line('person.noVideo', { days: String(turnScope(step.context).brand.settings.maxHorizonDays) })]);
      return step.endDialog();
    }
    const synonyms = new Map(serviceChoices(services).map((c) => [c.key, c.synonyms ?? []]));
    const choices: ChoiceSpec[] = [
      ...online.map((s) => ({
        key: s.id,
        title: { en: t('en', 'person.book', { service: s.names.en }), fr: t('fr', 'person.book', { service: s.names.fr }) },
        synonyms: [s.names.en, s.names.fr, ...(synonyms.get(s.id) ?? []), ...(s === online[0] ? ['yes', 'oui', 'ok'] : [])],
      })),
      choice('menu', 'person.menu', ['no', 'non', 'menu']),
    ];
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines: [line('person.info'), line('person.soonest', { when: { at: soonest } }), line('person.ask')], choices },
      help: 'help.person',
      expect: choices,
    };
    return step.prompt(PERSON_PROMPT, options);
  }

  /** The first free start among the online services, whichever service it is. */
  private async soonestVideoCall(context: TurnContext, online: readonly Service[]): Promise<string | undefined> {
    const { brand } = turnScope(context);
    const now = this.deps.now();
    const firsts = await Promise.all(online.map(async (service) => {
      const query = { serviceId: service.id, mode: 'online' as const, storeId: null, home: null, ignoreAppointmentId: null };
      return new SlotWindow(await slotSource(this.deps.db, brand, query, now)).firstFrom(now.toISOString());
    }));
    return firsts.filter((f): f is string => f !== undefined).sort()[0];
  }

  private async offerAnswerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const key: string = step.result;
    if (key === 'menu') return step.endDialog();
    return step.beginDialog(BOOKING_DIALOG, { serviceId: key, mode: 'online' } satisfies BookingOptions);
  }

  private async offerDoneStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    return step.endDialog(step.result);
  }
}

/** The menu's book button clicked: its title, as shown in either language, came back as the choice. */
const isBookButton = (reply: Reply): boolean => {
  const { title } = BOOK_CHOICE;
  return reply.value?.['choice'] === reply.text && (reply.text === title.en || reply.text === title.fr);
};

/** A menu button or words for one; naming a service means booking it. */
function understandMenu(reply: Reply, services: readonly ChoiceSpec[]): Understood<MenuAnswer> {
  const said = choiceText(reply);
  if (!/^\s*\d+\s*$/.test(said) && matchChoice(said, [ONSITE_CHOICE])) return { ok: true, value: { intent: 'onsite' } };
  const picked = matchChoice(said, MENU_CHOICES);
  if (picked?.key === 'manage' || picked?.key === 'person' || picked?.key === 'help') return { ok: true, value: { intent: picked.key } };
  // "2" is the menu's second option, not the second service.
  const service = /^\s*\d+\s*$/.test(said) ? undefined : matchChoice(said, services);
  if (service) return { ok: true, value: { intent: 'book', serviceId: service.key } };
  return picked ? { ok: true, value: { intent: 'book' } } : { ok: false };
}
