import type { TurnContext } from 'botbuilder-core';
import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import { listStores, storesOfferingService, type Store } from '../models/catalogue.repository.ts';
import { distanceKm } from '../scheduling/geo-distance.ts';
import { geocode } from '../scheduling/geocoder.ts';
import { AskPrompt, choiceText, type AskOptions, type Understood } from './ask.prompt.ts';
import { storeChoices } from './catalogue-choices.ts';
import { formatNumber } from './formatting.ts';
import { line } from './lines.ts';
import { t } from './messages.ts';
import { turnScope, type DialogDeps } from './turn-scope.ts';
import { matchChoice, actionOf, normalize, type Reply } from './understanding.ts';
import { choice, say, type ChoiceSpec } from './views.ts';

export const STORE_PICKER_DIALOG = 'store-picker';
const FLOW = 'store-picker.flow';
const WHERE_PROMPT = 'store-picker.where';
const PICK_PROMPT = 'store-picker.pick';
const SHOWN = 5;

interface Point {
  latitude: number;
  longitude: number;
  /** The place as understood ("Paris 75009"), none for a shared position. */
  label: string | null;
}

export interface StorePickerOptions {
  serviceId: string;
  near?: Point;
}

export type StorePickerResult = { kind: 'store'; storeId: string } | { kind: 'none' };

type WhereAnswer = { kind: 'store'; storeId: string } | { kind: 'near'; point: Point };
type PickAnswer = WhereAnswer | { kind: 'elsewhere' };

/** Finds the stores nearest a typed place or the browser's position, and lets the customer pick one. */
export class StorePickerDialog extends ComponentDialog<StorePickerOptions> {
  constructor(private readonly deps: DialogDeps) {
    super(STORE_PICKER_DIALOG);
    this.addDialog(new WaterfallDialog<StorePickerOptions>(FLOW, [this.whereStep.bind(this), this.listStep.bind(this), this.pickedStep.bind(this)]));
    this.addDialog(new AskPrompt<WhereAnswer, ChoiceSpec[]>(WHERE_PROMPT, (reply, stores, context) => understandWhere(reply, stores, context)));
    this.addDialog(new AskPrompt<PickAnswer, ChoiceSpec[]>(PICK_PROMPT, (reply, choices, context) => {
      const picked = matchChoice(choiceText(reply), choices);
      if (picked) return { ok: true, value: picked.key === 'elsewhere' ? { kind: 'elsewhere' } : { kind: 'store', storeId: picked.key } };
      // Another place typed here is a new search.
      const where = understandWhere(reply, [], context);
      return where.ok ? where : { ok: false };
    }));
    this.initialDialogId = FLOW;
  }

  private async stores(context: TurnContext, serviceId: string): Promise<Store[]> {
    const { brand } = turnScope(context);
    const [stores, offering] = await Promise.all([listStores(this.deps.db, brand.id), storesOfferingService(this.deps.db, serviceId)]);
    return stores.filter((s) => offering.has(s.id));
  }

  private async whereStep(step: WaterfallStepContext<StorePickerOptions>): Promise<DialogTurnResult> {
    const stores = await this.stores(step.context, step.options.serviceId);
    if (stores.length === 0) {
      await say(step.context, [line('store.none')]);
      return step.endDialog({ kind: 'none' } satisfies StorePickerResult);
    }
    const only = stores.length === 1 ? stores[0] : undefined;
    if (only) return step.next({ kind: 'store', storeId: only.id } satisfies WhereAnswer);
    if (step.options.near) return step.next({ kind: 'near', point: step.options.near } satisfies WhereAnswer);
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines: [line('store.where')], card: { kind: 'location' } },
      help: 'help.location',
      expect: storeChoices(stores),
    };
    return step.prompt(WHERE_PROMPT, options);
  }

  private async listStep(step: WaterfallStepContext<StorePickerOptions>): Promise<DialogTurnResult> {
    const answer: WhereAnswer = step.result;
    if (answer.kind === 'store') return step.next(answer);
    const point = answer.point;
    const ranked = (await this.stores(step.context, step.options.serviceId))
      .map((store) => ({ store, km: distanceKm(point, store) }))
      .sort((a, b) => a.km - b.km)
      .slice(0, SHOWN);
    const choices: ChoiceSpec[] = [
      ...ranked.map(({ store, km }) => ({
        key: store.id,
        title: {
          en: t('en', 'store.option', { store: store.name, distance: formatNumber(km, 'en') }),
          fr: t('fr', 'store.option', { store: store.name, distance: formatNumber(km, 'fr') }),
        },
        synonyms: storeChoices([store])[0]?.synonyms ?? [],
      })),
      choice('elsewhere', 'store.elsewhere'),
    ];
    const intro = point.label ? line('store.nearestTo', { place: point.label }) : line('store.nearest');
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines: [intro], choices },
      retry: { lines: [line('store.retry')], choices },
      help: 'help.store',
      expect: choices,
    };
    return step.prompt(PICK_PROMPT, options);
  }

  private async pickedStep(step: WaterfallStepContext<StorePickerOptions>): Promise<DialogTurnResult> {
    const answer: PickAnswer = step.result;
    switch (answer.kind) {
      case 'store':
        return step.endDialog({ kind: 'store', storeId: answer.storeId } satisfies StorePickerResult);
      case 'elsewhere':
        return step.replaceDialog(FLOW, { serviceId: step.options.serviceId } satisfies StorePickerOptions);
      case 'near':
        return step.replaceDialog(FLOW, { serviceId: step.options.serviceId, near: answer.point } satisfies StorePickerOptions);
    }
  }
}

/** A shared position, a store named outright, or a place (postcode, city, coordinates) to search near. */
function understandWhere(reply: Reply, stores: readonly ChoiceSpec[], context: TurnContext): Understood<WhereAnswer> {
  const { latitude, longitude } = reply.value ?? {};
  if (actionOf(reply) === 'location' && typeof latitude === 'number' && typeof longitude === 'number'
    && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180) {
    return { ok: true, value: { kind: 'near', point: { latitude, longitude, label: null } } };
  }
  const named = matchChoice(reply.text, stores, true);
  if (named) return { ok: true, value: { kind: 'store', storeId: named.key } };
  const { locale } = turnScope(context);
  const place = reply.text ? geocode(reply.text, locale === 'fr' ? { countryHint: 'FR' } : {}) : null;
  if (place) return { ok: true, value: { kind: 'near', point: { latitude: place.latitude, longitude: place.longitude, label: place.label } } };
  return {
    ok: false,
    retry: { lines: [line('store.notFound', { query: reply.text.slice(0, 60) })], card: { kind: 'location' } },
  };
}
