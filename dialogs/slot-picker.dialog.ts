import type { TurnContext } from 'botbuilder-core';
import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { AskPrompt, choiceText, type AskOptions, type Understood } from './ask.prompt.ts';
import { atTimeOn, quickPick, understandDate, type DateAsk, type DateContext, type QuickPick } from './date-understanding.ts';
import { formatTime } from './formatting.ts';
import { line, type Line } from './lines.ts';
import { slotSource, type PageAt, type SlotQuery } from './slot-pages.ts';
import { SlotWindow } from './slot-window.ts';
import { turnScope, type DialogDeps } from './turn-scope.ts';
import { actionOf, matchChoice, normalize, type Reply } from './understanding.ts';
import { choice, say, type ChoiceSpec } from './views.ts';

export const SLOT_PICKER_DIALOG = 'slot-picker';
const FLOW = 'slot-picker.flow';
const DATE_PROMPT = 'slot-picker.date';
const SLOTS_PROMPT = 'slot-picker.slots';

/** What to show: a date as the customer said it, a page next to the one shown, or times around one. */
export type SlotAsk =
  | DateAsk
  | { kind: 'page'; at: { from: string } | { before: string } }
  | { kind: 'around'; at: string }
  /** A slot sent that was not on the page shown (forged, or from an old page). */
  | { kind: 'notOffered'; at: string };

export interface SlotPickerOptions {
  query: SlotQuery;
  /** Known already: skip the "when?" question. */
  ask?: SlotAsk | undefined;
  /** Said above the first page (why these times are shown). */
  notice?: Line | undefined;
}

/** A start that was free when shown (the caller's hold or move checks it again), or nothing at all. */
export type SlotPickerResult = { start: string } | { none: true };

type SlotAnswer = { kind: 'slot'; start: string } | { kind: 'ask'; ask: SlotAsk };

const QUICK_PICK_KEYS: readonly QuickPick[] = ['soonest', 'tomorrow', 'thisWeek', 'nextWeek'];
const QUICK_PICKS: ChoiceSpec[] = QUICK_PICK_KEYS.map((k) => choice(k, `date.${k}` as const));
const LATER = /^(?:later|later times|more|more times|next|see more|show more|plus tard|suivants|d autres|autres horaires|d autres horaires|encore)$/;
const EARLIER = /^(?:earlier|earlier times|before|previous|plus tot|avant|precedents)$/;

type Plan = { pick: string } | { at: PageAt; notice?: Line };
interface PlanContext extends DateContext {
  horizonDays: number;
}

/** Asks when, shows free times page by page (grouped by the customer's day) and returns the one chosen. */
export class SlotPickerDialog extends ComponentDialog<SlotPickerOptions> {
  constructor(private readonly deps: DialogDeps) {
    super(SLOT_PICKER_DIALOG);
    this.addDialog(new WaterfallDialog<SlotPickerOptions>(FLOW, [this.dateStep.bind(this), this.slotsStep.bind(this), this.answerStep.bind(this)]));
    this.addDialog(new AskPrompt<DateAsk>(DATE_PROMPT, (reply, _e, context) => this.understandDate(reply, context)));
    this.addDialog(new AskPrompt<SlotAnswer, { starts: string[] }>(SLOTS_PROMPT, (reply, e, context) => this.understandSlot(reply, e.starts, context)));
    this.initialDialogId = FLOW;
  }

  private async dateStep(step: WaterfallStepContext<SlotPickerOptions>): Promise<DialogTurnResult> {
    if (step.options.ask) return step.next(step.options.ask);
    const lines = [...(step.options.notice ? [step.options.notice] : []), line('date.ask')];
    const options: AskOptions<null> = {
      view: { lines, choices: QUICK_PICKS },
      retry: { lines: [line('date.retry')], choices: QUICK_PICKS },
      help: 'help.date',
      expect: null,
    };
    return step.prompt(DATE_PROMPT, options);
  }

  private async slotsStep(step: WaterfallStepContext<SlotPickerOptions>): Promise<DialogTurnResult> {
    const ask: SlotAsk = step.result;
    const scope = turnScope(step.context);
    const now = this.deps.now();
    const slots = new SlotWindow(await slotSource(this.deps.db, scope.brand, step.options.query, now));
    const plan = await this.plan(ask, slots, this.dateContext(step.context));
    // A free time was picked, so some time is free.
    if ('pick' in plan) return step.endDialog({ start: plan.pick } satisfies SlotPickerResult);
    const page = await slots.page(plan.at);
    // A page is empty only when nothing at all is free up to the horizon.
    if (page.starts.length === 0) {
      await say(step.context, [line('slots.none', { days: String(scope.brand.settings.maxHorizonDays) })]);
      return step.endDialog({ none: true } satisfies SlotPickerResult);
    }
    // Without a known ask the notice went with the date question already.
    const notices = [step.options.ask ? step.options.notice : undefined, plan.notice].filter((l): l is Line => l !== undefined);
    const card = { kind: 'slots' as const, starts: page.starts, earlier: page.earlier, later: page.later };
    const options: AskOptions<{ starts: string[] }> = {
      view: { lines: [...notices, line(notices.length > 0 ? 'slots.choose' : 'slots.pick')], card },
      retry: { lines: [line('slots.retry')], card },
      help: 'help.slots',
      expect: { starts: page.starts },
    };
    return step.prompt(SLOTS_PROMPT, options);
  }

  private async answerStep(step: WaterfallStepContext<SlotPickerOptions>): Promise<DialogTurnResult> {
    const answer: SlotAnswer = step.result;
    if (answer.kind === 'slot') return step.endDialog({ start: answer.start } satisfies SlotPickerResult);
    return step.replaceDialog(FLOW, { query: step.options.query, ask: answer.ask } satisfies SlotPickerOptions);
  }

  /** Which page answers the ask, and what to say about it; an exact free time is simply taken. */
  private async plan(ask: SlotAsk, slots: SlotWindow, c: PlanContext): Promise<Plan> {
    const now = c.now.toISOString();
    const horizonEnd = new Date(c.now.getTime() + c.horizonDays * 86_400_000).toISOString();
    switch (ask.kind) {
      case 'soonest':
        return { at: { from: now } };
      case 'window': {
        if (ask.to <= now) return { at: { from: now }, notice: line('slots.past') };
        const from = ask.from > now ? ask.from : now;
        if (from >= horizonEnd) return { at: { from: now }, notice: line('slots.tooFar', { days: String(c.horizonDays) }) };
        const first = await slots.firstFrom(from);
        return first !== undefined && first < ask.to ? { at: { from } } : { at: { from }, notice: line('slots.nothingThen') };
      }
      case 'exact':
        if (ask.at < now) return { at: { from: now }, notice: line('slots.past') };
        if (await slots.has(ask.at)) return { pick: ask.at };
        if (ask.at >= horizonEnd) return { at: { from: now }, notice: line('slots.tooFar', { days: String(c.horizonDays) }) };
        return { at: { around: ask.at }, notice: line('slots.notFree', { time: { at: ask.at } }) };
      case 'time': {
        // A time alone means today, or tomorrow once it has passed.
        const today = atTimeOn(now, ask, c.timeZone);
        const at = today > now ? today : atTimeOn(new Date(Date.parse(now) + 86_400_000).toISOString(), ask, c.timeZone);
        return this.plan({ kind: 'exact', at }, slots, c);
      }
      case 'page':
        return { at: ask.at };
      case 'around':
        return { at: { around: ask.at } };
      case 'notOffered': {
        const notice = line('slots.notFree', { time: { at: ask.at, format: 'full' } });
        return ask.at < now || ask.at >= horizonEnd ? { at: { from: now }, notice } : { at: { around: ask.at }, notice };
      }
    }
  }

  private dateContext(context: TurnContext): PlanContext {
    const scope = turnScope(context);
    return { locale: scope.locale, timeZone: scope.timeZone, now: this.deps.now(), horizonDays: scope.brand.settings.maxHorizonDays };
  }

  private understandDate(reply: Reply, context: TurnContext): Understood<DateAsk> {
    const ask = readDate(choiceText(reply), this.dateContext(context));
    return ask ? { ok: true, value: ask } : { ok: false };
  }

  private understandSlot(reply: Reply, starts: readonly string[], context: TurnContext): Understood<SlotAnswer> {
    const first = starts[0];
    const last = starts[starts.length - 1];
    const later = (): Understood<SlotAnswer> =>
      last ? { ok: true, value: { kind: 'ask', ask: { kind: 'page', at: { from: new Date(Date.parse(last) + 1).toISOString() } } } } : { ok: false };
    const earlier = (): Understood<SlotAnswer> =>
      first ? { ok: true, value: { kind: 'ask', ask: { kind: 'page', at: { before: first } } } } : { ok: false };
    const action = actionOf(reply);
    const start = reply.value?.['start'];
    if (action === 'slot' && typeof start === 'string' && !Number.isNaN(Date.parse(start))) {
      const at = new Date(start).toISOString();
      // Only a time of the page shown is taken as it is; any other is checked, never assumed free.
      return { ok: true, value: starts.includes(at) ? { kind: 'slot', start: at } : { kind: 'ask', ask: { kind: 'notOffered', at } } };
    }
    if (action === 'later') return later();
    if (action === 'earlier') return earlier();
    const said = normalize(reply.text);
    if (LATER.test(said)) return later();
    if (EARLIER.test(said)) return earlier();
    const c = this.dateContext(context);
    const date = readDate(reply.text, c);
    if (!date) return { ok: false };
    if (date.kind === 'time') {
      // "15h30" picks the 15:30 shown; a time not shown is looked for on the first day shown.
      const hhmm = `${String(date.hour).padStart(2, '0')}:${String(date.minute).padStart(2, '0')}`;
      const shown = starts.find((s) => formatTime(s, c.timeZone) === hhmm);
      if (shown) return { ok: true, value: { kind: 'slot', start: shown } };
      return { ok: true, value: { kind: 'ask', ask: { kind: 'exact', at: atTimeOn(first ?? c.now.toISOString(), date, c.timeZone) } } };
    }
    if (date.kind === 'exact' && starts.includes(date.at)) return { ok: true, value: { kind: 'slot', start: date.at } };
    return { ok: true, value: { kind: 'ask', ask: date } };
  }
}

/** A quick pick's title (in either language) or a date in words. */
function readDate(text: string, c: DateContext): DateAsk | null {
  const key = matchChoice(text, QUICK_PICKS, true)?.key;
  const pick = QUICK_PICK_KEYS.find((k) => k === key);
  return pick ? quickPick(pick, c) : understandDate(text, c);
}
