import { ActivityTypes, type TurnContext } from 'botbuilder-core';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { findStore, storesOfferingService, type Service } from '../models/catalogue.repository.ts';
import { activeAsk } from './ask.prompt.ts';
import { answerQuestion, describeNear, describeWhen } from './brand-answers.ts';
import { applyUnderstanding, type Asked, type BookingChange } from './booking-changes.ts';
import type { BookingState } from './booking.dialog.ts';
import { line } from './lines.ts';
import { both, type Localized } from './messages.ts';
import { turnScope, type DialogDeps } from './turn-scope.ts';
import { understandTurn } from './turn-understanding.ts';
import { actionOf, matchChoice, replyOf } from './understanding.ts';
import { say } from './views.ts';

const DIGITS_ONLY = /^[\d\s-]+$/;

/**
 * The booking flow's understanding step: reads each typed message whole, answers a question about
 * the brand and asks the same question again, or applies what the message says to the flow's state
 * and restarts the flow from it (each step skips what is known), saying what it understood.
 */
export class BookingCorrections {
  constructor(
    private readonly deps: DialogDeps,
    private readonly flowId: string,
    /** The question each child dialog of the flow asks. */
    private readonly asked: Readonly<Record<string, Asked>>,
  ) {}

  /** The message that started the booking: the state it fills, or null when it says nothing more. */
  async firstMessage(context: TurnContext, options: BookingState): Promise<BookingState | null> {
    const text = options.utterance ?? '';
    delete options.utterance;
    const { u, services } = await understandTurn(this.deps, context, text);
    // The menu may have read the service from this same message: it is said here, not known before.
    const { serviceId: _said, ...before } = options;
    const change = applyUnderstanding(before, u, 'other', services, turnScope(context).timeZone);
    if (!change) return null;
    // A service alone is acknowledged by the next question; anything more is said back.
    if (change.changed.some((d) => d !== 'service')) await this.tell(context, before, change, services);
    return this.checkStore(context, change.state);
  }

  /** Handles the turn when the message asks something or changes the booking; null leaves it to the step. */
  async continueWith(innerDc: DialogContext): Promise<DialogTurnResult | null> {
    const activity = innerDc.context.activity;
    if (activity.type !== ActivityTypes.Message) return null;
    const reply = replyOf(activity);
    if (actionOf(reply) || !reply.text) return null;
    // The question's own answers come first ("Another address" is no question about addresses).
    if (matchChoice(reply.text, activeAsk(innerDc)?.view.choices ?? [], true)) return null;
    const flow = innerDc.stack.find((instance) => instance.id === this.flowId);
    const state = (flow?.state as { options?: BookingState } | undefined)?.options;
    if (!state) return null;
    const asked = this.asked[innerDc.activeDialog?.id ?? ''] ?? 'other';
    // Digits typed at the code question are a code or a typo of one (the prompt says which), never a postcode.
    if (asked === 'code' && DIGITS_ONLY.test(reply.text)) return null;
    const { u, services } = await understandTurn(this.deps, innerDc.context, reply.text);
    const scope = turnScope(innerDc.context);
    if (u.question) {
      const storeId = u.place && 'storeId' in u.place ? u.place.storeId : state.storeId;
      const answer = await answerQuestion(this.deps.db, scope.brand.id, u.question, { serviceId: u.serviceId ?? state.serviceId, storeId });
      if (answer.length > 0) {
        await say(innerDc.context, answer);
        await innerDc.repromptDialog();
        return Dialog.EndOfTurn;
      }
    }
    const change = applyUnderstanding(state, u, asked, services, scope.timeZone);
    if (!change) return null;
    if (!change.answersAsked) await this.tell(innerDc.context, state, change, services);
    const next = await this.checkStore(innerDc.context, change.state);
    await innerDc.cancelAllDialogs();
    return innerDc.beginDialog(this.flowId, next);
  }

  /** "Noted: …" for details said ahead of their question, "OK, I've changed that: …" for a change of mind. */
  private async tell(context: TurnContext, before: BookingState, change: BookingChange, services: readonly Service[]): Promise<void> {
    const { brand, timeZone } = turnScope(context);
    const s = change.state;
    const list: Localized[] = [];
    for (const detail of change.changed) {
      if (detail === 'service') {
        const service = services.find((x) => x.id === s.serviceId);
        if (service) list.push(service.names);
      } else if (detail === 'mode' && s.mode) {
        list.push(both(`mode.${s.mode}`));
      } else if (detail === 'place') {
        const store = s.storeId ? await findStore(this.deps.db, brand.id, s.storeId) : null;
        if (store) list.push({ en: store.name, fr: store.name });
        else if (s.near) list.push(describeNear(s.near));
      } else if (detail === 'when' && s.slotAsk && s.slotAsk.kind !== 'page' && s.slotAsk.kind !== 'around' && s.slotAsk.kind !== 'notOffered') {
        list.push(describeWhen(s.slotAsk, timeZone));
      } else if (detail === 'contact' && s.contact) {
        const to = [s.contact.email, s.contact.phone].filter(Boolean).join(', ');
        list.push(both('understood.contact', { to }));
      }
    }
    if (list.length === 0) return;
    const filled = change.changed.some((d) => (d === 'service' ? before.serviceId : d === 'mode' ? before.mode
      : d === 'place' ? before.storeId ?? before.near : d === 'when' ? before.hold : before.contact) !== undefined);
    await say(context, [line(filled ? 'understood.changed' : 'understood.noted', { list: { list } })]);
  }

  /** A store that does not offer the (new) service becomes a place to look near. */
  private async checkStore(context: TurnContext, state: BookingState): Promise<BookingState> {
    if (!state.storeId || !state.serviceId) return state;
    if ((await storesOfferingService(this.deps.db, state.serviceId)).has(state.storeId)) return state;
    const store = await findStore(this.deps.db, turnScope(context).brand.id, state.storeId);
    const { storeId: _elsewhere, ...rest } = state;
    return store ? { ...rest, near: { latitude: store.latitude, longitude: store.longitude, label: store.city } } : rest;
  }
}
