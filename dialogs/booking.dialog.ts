import { ComponentDialog, WaterfallDialog, type DialogContext, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Brand } from '../models/brands.repository.ts';
import { findService, findStore, listServices, type Mode, type Service } from '../models/catalogue.repository.ts';
import { AppError } from '../models/errors.ts';
import { bookAppointment, holdSlot, type HomeAddress, type SlotRequest } from '../scheduling/booking.ts';
import { factLines, loadFacts } from './appointment-facts.ts';
import { choicePrompt, type AskOptions } from './ask.prompt.ts';
import { BookingCorrections } from './booking-corrections.ts';
import { appointmentCard } from './cards.ts';
import { modeChoice, serviceChoices } from './catalogue-choices.ts';
import { CONTACT_DIALOG, ContactDialog, type ContactOptions } from './contact.dialog.ts';
import { targetKey, verificationTarget, type Contact, type VerificationTarget } from './contact-details.ts';
import { HOME_ADDRESS_DIALOG, HomeAddressDialog, type HomeAddressOptions, type HomeAddressResult } from './home-address.dialog.ts';
import { line, type Line } from './lines.ts';
import type { Point } from './message-understanding.ts';
import { slotSource, type SlotQuery } from './slot-pages.ts';
import { SLOT_PICKER_DIALOG, SlotPickerDialog, type SlotAsk, type SlotPickerOptions, type SlotPickerResult } from './slot-picker.dialog.ts';
import { SlotWindow } from './slot-window.ts';
import { STORE_PICKER_DIALOG, StorePickerDialog, type StorePickerOptions, type StorePickerResult } from './store-picker.dialog.ts';
import { rememberVerified, turnScope, type DialogDeps } from './turn-scope.ts';
import { VERIFY_CONTACT_DIALOG, VerifyContactDialog, type VerifyContactOptions, type VerifyContactResult } from './verify-contact.dialog.ts';
import { choice, say, type ChoiceSpec } from './views.ts';

export const BOOKING_DIALOG = 'booking';
const FLOW = 'booking.flow';
const SERVICE_PROMPT = 'booking.service';
const MODE_PROMPT = 'booking.mode';
const SUMMARY_PROMPT = 'booking.summary';

/** What the caller knows already ("talk to a person" preselects an online service). */
export interface BookingOptions {
  serviceId?: string | undefined;
  mode?: Mode | undefined;
  /** The customer's message that started the booking: whatever else it says is taken too. */
  utterance?: string | undefined;
}

export interface BookingResult {
  booked: boolean;
}

/**
 * Everything decided so far. The options double as the flow's state: each step skips what is known,
 * so `replaceDialog(FLOW, state)` goes back to the first open question ("Change time", a lost hold,
 * "change my contact details") without asking the rest again.
 */
export interface BookingState extends BookingOptions {
  storeId?: string;
  /** A place said before a store was picked ("in Bordeaux"): the store picker lists the stores nearest it. */
  near?: Point;
  home?: HomeAddress;
  excludeModes?: Mode[];
  slotAsk?: SlotAsk;
  slotNotice?: Line;
  hold?: { id: string; start: string; expiresAt: string };
  confirmed?: boolean;
  contact?: Contact;
  editContact?: boolean;
  /** The address proven in this conversation ("email:ada@example.com"). */
  verified?: string;
}

type Step = WaterfallStepContext<BookingState>;
type PlaceResult = StorePickerResult | HomeAddressResult;

const SUMMARY_CHOICES: ChoiceSpec[] = [
  choice('confirm', 'summary.confirm', ['yes', 'ok', 'oui', 'confirm it', 'je confirme', 'valider']),
  choice('change', 'summary.change', ['change', 'another time', 'other time', 'changer', 'autre horaire', 'modifier']),
  choice('cancel', 'summary.cancel', ['cancel', 'no', 'non', 'annuler']),
];

const lostHold = (e: unknown) =>
  e instanceof AppError && (e.code === 'hold_expired' || e.code === 'slot_unavailable' || (e.code === 'not_found' && e.details['what'] === 'Hold'));

/**
 * Service → way to meet → store or home → time (held) → summary → contact → code → booked.
 * In front of every step, the understanding step reads the whole message: details said ahead of
 * their question fill the state, a detail said otherwise changes it (see `booking-corrections.ts`).
 */
export class BookingDialog extends ComponentDialog<BookingOptions> {
  constructor(private readonly deps: DialogDeps) {
    super(BOOKING_DIALOG);
    this.addDialog(new WaterfallDialog<BookingState>(FLOW, [
      this.serviceStep.bind(this), this.modeStep.bind(this), this.placeStep.bind(this), this.slotStep.bind(this),
      this.holdStep.bind(this), this.summaryStep.bind(this), this.contactStep.bind(this), this.verifyStep.bind(this),
      this.bookStep.bind(this),
    ]));
    this.addDialog(choicePrompt(SERVICE_PROMPT));
    this.addDialog(choicePrompt(MODE_PROMPT));
    this.addDialog(choicePrompt(SUMMARY_PROMPT));
    this.addDialog(new StorePickerDialog(deps));
    this.addDialog(new HomeAddressDialog(deps));
    this.addDialog(new SlotPickerDialog(deps));
    this.addDialog(new ContactDialog());
    this.addDialog(new VerifyContactDialog(deps));
    this.initialDialogId = FLOW;
    this.corrections = new BookingCorrections(deps, FLOW, {
      [SERVICE_PROMPT]: 'service', [MODE_PROMPT]: 'mode', [STORE_PICKER_DIALOG]: 'place', [HOME_ADDRESS_DIALOG]: 'place',
      [SLOT_PICKER_DIALOG]: 'date', [SUMMARY_PROMPT]: 'summary', [CONTACT_DIALOG]: 'contact', [VERIFY_CONTACT_DIALOG]: 'code',
    });
  }

  private readonly corrections: BookingCorrections;

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    return (await this.corrections.continueWith(innerDc)) ?? super.onContinueDialog(innerDc);
  }

  private async serviceStep(step: Step): Promise<DialogTurnResult> {
    const { brand } = turnScope(step.context);
    if (step.options.utterance) {
      const said = await this.corrections.firstMessage(step.context, step.options);
      if (said) return step.replaceDialog(FLOW, said);
    }
    if (step.options.serviceId && (await findService(this.deps.db, brand.id, step.options.serviceId))) return step.next(step.options.serviceId);
    const choices = serviceChoices(await listServices(this.deps.db, brand.id));
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines: [line('service.ask')], choices },
      retry: { lines: [line('service.retry', { list: { list: choices.map((c) => c.title) } })], choices },
      help: 'help.service',
      expect: choices,
    };
    return step.prompt(SERVICE_PROMPT, options);
  }

  private async modeStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    s.serviceId = step.result;
    const service = await this.service(step);
    const modes = service.modes.filter((m) => !s.excludeModes?.includes(m));
    if (s.mode && modes.includes(s.mode)) return step.next(s.mode);
    if (modes.length <= 1) return step.next(modes[0] ?? service.modes[0]);
    const choices = modes.map(modeChoice);
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines: [line('mode.ask')], choices },
      retry: { lines: [line('mode.retry', { list: { list: choices.map((c) => c.title) } })], choices },
      help: 'help.mode',
      expect: choices,
    };
    return step.prompt(MODE_PROMPT, options);
  }

  private async placeStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    s.mode = step.result;
    if (s.mode === 'in_store' && !s.storeId) {
      return step.beginDialog(STORE_PICKER_DIALOG, { serviceId: placed(s).serviceId, ...(s.near ? { near: s.near } : {}) } satisfies StorePickerOptions);
    }
    if (s.mode === 'at_home' && !s.home) {
      const service = await this.service(step);
      const otherModes = service.modes.filter((m) => m !== 'at_home');
      return step.beginDialog(HOME_ADDRESS_DIALOG, { serviceId: service.id, otherModes } satisfies HomeAddressOptions);
    }
    return step.next();
  }

  private async slotStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    const place: PlaceResult | undefined = step.result;
    switch (place?.kind) {
      case 'store': s.storeId = place.storeId; break;
      case 'home': s.home = place.home; break;
      case 'switch': return step.replaceDialog(FLOW, { ...s, mode: place.mode, excludeModes: ['at_home'] } satisfies BookingState);
      case 'otherService': return step.replaceDialog(FLOW, {} satisfies BookingState);
      case 'none': return step.endDialog({ booked: false } satisfies BookingResult);
    }
    if (s.hold) return step.next();
    const options: SlotPickerOptions = { query: this.query(s), ask: s.slotAsk, notice: s.slotNotice };
    delete s.slotAsk;
    delete s.slotNotice;
    return step.beginDialog(SLOT_PICKER_DIALOG, options);
  }

  private async holdStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    if (s.hold) return step.next();
    const picked: SlotPickerResult = step.result;
    if (!('start' in picked)) return step.endDialog({ booked: false } satisfies BookingResult);
    try {
      const hold = await holdSlot(this.deps, await this.slotRequest(step, picked.start));
      s.hold = { id: hold.id, start: hold.startAt.toISOString(), expiresAt: hold.expiresAt.toISOString() };
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'slot_unavailable')) throw error;
      const notice = line('slots.taken', { time: { at: picked.start } });
      return step.replaceDialog(FLOW, { ...s, slotAsk: { kind: 'around', at: picked.start }, slotNotice: notice } satisfies BookingState);
    }
    return step.next();
  }

  private async summaryStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    if (s.confirmed || !s.hold) return step.next('confirm');
    const scope = turnScope(step.context);
    const facts = await loadFacts(this.deps.db, scope.brand.id, {
      ...placed(s), storeId: s.storeId ?? null, homeAddress: s.home?.address ?? null, startAt: new Date(s.hold.start),
    });
    const seconds = Math.max(60, (Date.parse(s.hold.expiresAt) - this.deps.now().getTime()) / 1000);
    const options: AskOptions<ChoiceSpec[]> = {
      view: {
        lines: [line('summary.intro'), ...factLines(facts, scope.timeZone), line('summary.held', { duration: { seconds: Math.round(seconds / 60) * 60 } })],
        choices: SUMMARY_CHOICES,
      },
      retry: { lines: [line('summary.retry')], choices: SUMMARY_CHOICES },
      help: 'help.summary',
      expect: SUMMARY_CHOICES,
    };
    return step.prompt(SUMMARY_PROMPT, options);
  }

  private async contactStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    const answer: string = step.result;
    if (answer === 'change') {
      // Nothing to release: the old hold simply expires.
      const { hold: _expiring, ...rest } = s;
      return step.replaceDialog(FLOW, rest satisfies BookingState);
    }
    if (answer === 'cancel') {
      await say(step.context, [line('booking.cancelled')]);
      return step.endDialog({ booked: false } satisfies BookingResult);
    }
    s.confirmed = true;
    if (s.contact && !s.editContact) return step.next(s.contact);
    return step.beginDialog(CONTACT_DIALOG, { contact: s.contact } satisfies ContactOptions);
  }

  private async verifyStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    const contact: Contact = step.result;
    s.contact = contact;
    s.editContact = false;
    const target = verificationTarget(contact);
    if (s.verified === targetKey(target) || provenByChannel(step, target)) return step.next({ verified: true } satisfies VerifyContactResult);
    return step.beginDialog(VERIFY_CONTACT_DIALOG, { ...target, send: 'first' } satisfies VerifyContactOptions);
  }

  private async bookStep(step: Step): Promise<DialogTurnResult> {
    const s = step.options;
    const outcome: VerifyContactResult = step.result;
    if ('changeContact' in outcome) return step.replaceDialog(FLOW, { ...s, editContact: true } satisfies BookingState);
    const scope = turnScope(step.context);
    const contact = s.contact;
    const hold = s.hold;
    if (!contact || !hold) throw new Error('The booking flow reached its end without a contact or a hold.');
    const target = verificationTarget(contact);
    s.verified = targetKey(target);
    rememberVerified(step.context, target);
    let booked;
    try {
      booked = await bookAppointment(this.deps, {
        brand: scope.brand, holdId: hold.id,
        customer: { ...contact, locale: scope.locale, timeZone: scope.timeZone },
        customerTimeZone: scope.timeZone, notes: '', channel: scope.channel, conversationId: scope.conversationId,
        // A redelivered turn books once.
        idempotencyKey: `chat:${scope.conversationId}:${hold.id}`,
        actor: { kind: 'customer' },
        // Stamped verified in the booking's own transaction: booked and verified, or neither.
        provenContact: target,
      });
    } catch (error) {
      if (!lostHold(error)) throw error;
      return this.offerAlternatives(step, hold.start);
    }
    const appointment = booked.appointment;
    const facts = await loadFacts(this.deps.db, scope.brand.id, appointment);
    const said = appointment.state === 'pending' ? 'booking.requested' : 'booking.confirmed';
    await say(step.context, [line(said)], appointmentCard(appointment.id, facts, appointment.state, { signed: this.deps.links, appointment }, scope));
    return step.endDialog({ booked: true } satisfies BookingResult);
  }

  /** The hold ran out (the time may even be booked by now): say which, and show times around it. */
  private async offerAlternatives(step: Step, start: string): Promise<DialogTurnResult> {
    const { hold: _lost, ...rest } = step.options;
    const { brand } = turnScope(step.context);
    const stillFree = await new SlotWindow(await slotSource(this.deps.db, brand, this.query(rest), this.deps.now())).has(start);
    const notice = stillFree
      ? line('slots.holdExpired', { time: { at: start }, duration: { seconds: brand.settings.holdMinutes * 60 } })
      : line('slots.taken', { time: { at: start } });
    return step.replaceDialog(FLOW, { ...rest, confirmed: false, slotAsk: { kind: 'around', at: start }, slotNotice: notice } satisfies BookingState);
  }

  private async service(step: Step): Promise<Service> {
    const { brand } = turnScope(step.context);
    const service = step.options.serviceId ? await findService(this.deps.db, brand.id, step.options.serviceId) : null;
    if (!service) throw new Error('The booking flow lost its service.');
    return service;
  }

  private query(s: BookingState): SlotQuery {
    return { ...placed(s), storeId: s.storeId ?? null, home: s.home ?? null, ignoreAppointmentId: null };
  }

  private async slotRequest(step: Step, start: string): Promise<SlotRequest> {
    const s = step.options;
    const brand: Brand = turnScope(step.context).brand;
    const store = s.storeId ? await findStore(this.deps.db, brand.id, s.storeId) : null;
    return { brand, service: await this.service(step), mode: placed(s).mode, store, home: s.home ?? null, start: new Date(start) };
  }
}

/** The customer writes from this very phone (SMS, WhatsApp): the channel proved it, no code needed. */
const provenByChannel = (step: Step, target: VerificationTarget) =>
  target.channel === 'sms' && target.to === turnScope(step.context).phone;

/** Service and way to meet, known from the slot step on. */
function placed(s: BookingState): { serviceId: string; mode: Mode } {
  if (!s.serviceId || !s.mode) throw new Error('The booking flow reached the time without a service and a way to meet.');
  return { serviceId: s.serviceId, mode: s.mode };
}
