import type { TurnContext } from 'botbuilder-core';
import { ComponentDialog, WaterfallDialog, type DialogTurnResult, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Mode } from '../models/catalogue.repository.ts';
import { staffForService } from '../models/staff.repository.ts';
import type { HomeAddress } from '../scheduling/booking.ts';
import { distanceKm } from '../scheduling/geo-distance.ts';
import { geocode } from '../scheduling/geocoder.ts';
import { AskPrompt, choicePrompt, choiceText, type AskOptions, type Understood } from './ask.prompt.ts';
import type { CardSpec } from './cards.ts';
import { modeChoice } from './catalogue-choices.ts';
import { line } from './lines.ts';
import { turnScope, type DialogDeps } from './turn-scope.ts';
import { actionOf, locationOf, matchChoice, type Reply } from './understanding.ts';
import { choice, type ChoiceSpec } from './views.ts';

export const HOME_ADDRESS_DIALOG = 'home-address';
const FLOW = 'home-address.flow';
const ADDRESS_PROMPT = 'home-address.address';
const PIN_PROMPT = 'home-address.pin';
const ALTERNATIVE_PROMPT = 'home-address.alternative';

export interface HomeAddressOptions {
  serviceId: string;
  /** The service's other ways to meet, offered when the address is out of every advisor's reach. */
  otherModes: Mode[];
}

export type HomeAddressResult =
  | { kind: 'home'; home: HomeAddress }
  | { kind: 'switch'; mode: Mode }
  | { kind: 'otherService' };

interface Placed extends HomeAddress {
  label: string;
}

/** Asks the home address, places it (postcode/city) and checks an advisor travels that far. */
export class HomeAddressDialog extends ComponentDialog<HomeAddressOptions> {
  constructor(private readonly deps: DialogDeps) {
    super(HOME_ADDRESS_DIALOG);
    this.addDialog(new WaterfallDialog<HomeAddressOptions>(FLOW, [
      this.addressStep.bind(this), this.pinStep.bind(this), this.coverageStep.bind(this), this.alternativeStep.bind(this),
    ]));
    this.addDialog(new AskPrompt<Placed>(ADDRESS_PROMPT, (reply, _e, context) => understandAddress(reply, context)));
    this.addDialog(new AskPrompt<Placed, PinExpect>(PIN_PROMPT, understandPin));
    this.addDialog(choicePrompt(ALTERNATIVE_PROMPT));
    this.initialDialogId = FLOW;
  }

  private async addressStep(step: WaterfallStepContext<HomeAddressOptions>): Promise<DialogTurnResult> {
    const options: AskOptions<null> = {
      view: { lines: [line('home.ask')], card: { kind: 'address-form', values: {} } },
      retry: { lines: [line('home.notPlaced')], card: { kind: 'address-form', values: {} } },
      help: 'help.address',
      expect: null,
    };
    return step.prompt(ADDRESS_PROMPT, options);
  }

  /** In the web chat, the pin (placed at the postcode's centre) on a map, to move to the door before the reach is checked. */
  private async pinStep(step: WaterfallStepContext<HomeAddressOptions>): Promise<DialogTurnResult> {
    const placed: Placed = step.result;
    if (turnScope(step.context).channel !== 'web') return step.next(placed);
    const choices = [PIN_OK];
    const card: CardSpec = { kind: 'pin', latitude: placed.latitude, longitude: placed.longitude };
    const options: AskOptions<PinExpect> = {
      view: { lines: [line('home.pinAsk', { address: placed.address })], choices, card },
      retry: { lines: [line('home.pinRetry')], choices, card },
      help: 'help.pin',
      expect: { choices, placed },
    };
    return step.prompt(PIN_PROMPT, options);
  }

  private async coverageStep(step: WaterfallStepContext<HomeAddressOptions>): Promise<DialogTurnResult> {
    const placed: Placed = step.result;
    const staff = await staffForService(this.deps.db, step.options.serviceId, null);
    const covered = staff.some((s) => s.atHomeRadiusKm !== null && s.baseLatitude !== null && s.baseLongitude !== null
      && distanceKm({ latitude: s.baseLatitude, longitude: s.baseLongitude }, placed) <= s.atHomeRadiusKm);
    if (covered) {
      const home: HomeAddress = { address: placed.address, latitude: placed.latitude, longitude: placed.longitude };
      return step.endDialog({ kind: 'home', home } satisfies HomeAddressResult);
    }
    const others = step.options.otherModes;
    const choices: ChoiceSpec[] = [
      ...others.map(modeChoice),
      choice('another', 'home.another'),
      ...(others.length === 0 ? [choice('otherService', 'home.otherService')] : []),
    ];
    const next = others.length > 0 ? line('home.alternatives') : line('home.alternativesOnlyHome');
    const options: AskOptions<ChoiceSpec[]> = {
      view: { lines: [line('home.outOfRange', { place: placed.label }), next], choices },
      help: 'help.mode',
      expect: choices,
    };
    return step.prompt(ALTERNATIVE_PROMPT, options);
  }

  private async alternativeStep(step: WaterfallStepContext<HomeAddressOptions>): Promise<DialogTurnResult> {
    const key: string = step.result;
    if (key === 'another') return step.replaceDialog(FLOW, step.options);
    if (key === 'otherService') return step.endDialog({ kind: 'otherService' } satisfies HomeAddressResult);
    const mode = step.options.otherModes.find((m) => m === key);
    return step.endDialog(mode ? ({ kind: 'switch', mode } satisfies HomeAddressResult) : ({ kind: 'otherService' } satisfies HomeAddressResult));
  }
}

const PIN_OK: ChoiceSpec = choice('ok', 'home.pinOk', ['yes', 'ok', 'oui', 'correct', 'right', 'exact', 'c est bon']);

interface PinExpect {
  choices: ChoiceSpec[];
  placed: Placed;
}

/** "That's right", or the map's pin (or a shared position) moving the placed address. */
function understandPin(reply: Reply, { choices, placed }: PinExpect): Understood<Placed> {
  const position = locationOf(reply);
  if (position) return { ok: true, value: { ...placed, ...position } };
  return matchChoice(choiceText(reply), choices) ? { ok: true, value: placed } : { ok: false };
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim().slice(0, 120) : '');

/** The address form, or a typed address with a street and a postcode or city the geocoder knows. */
function understandAddress(reply: Reply, context: TurnContext): Understood<Placed> {
  const hint = turnScope(context).locale === 'fr' ? { countryHint: 'FR' as const } : {};
  const values = reply.value?.['values'];
  if (actionOf(reply) === 'form' && typeof values === 'object' && values !== null) {
    const v = values as Record<string, unknown>;
    const street = text(v['street']);
    const postcode = text(v['postcode']);
    const city = text(v['city']);
    const place = street ? geocode(`${postcode} ${city}`.trim(), hint) ?? geocode(city, hint) : null;
    if (place) return { ok: true, value: { address: `${street}, ${postcode} ${city}`.trim(), latitude: place.latitude, longitude: place.longitude, label: place.label } };
    return { ok: false, retry: { lines: [line('home.notPlaced')], card: { kind: 'address-form', values: { street, postcode, city } } } };
  }
  const typed = reply.text.replace(/\s+/g, ' ').trim().slice(0, 200);
  // A street in front of the place: "10 rue de Rivoli, 75001 Paris" or "10 rue de Rivoli 75001 Paris".
  const hasStreet = /,/.test(typed) || /\S\s+\d{5}\b/.test(typed);
  const place = hasStreet ? geocode(typed, hint) : null;
  return place
    ? { ok: true, value: { address: typed, latitude: place.latitude, longitude: place.longitude, label: place.label } }
    : { ok: false };
}
