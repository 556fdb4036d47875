import type { TurnContext } from 'botbuilder-core';
import { listServices, listStores, type Service } from '../models/catalogue.repository.ts';
import type { Queryable } from '../models/database.ts';
import { listFaq } from '../models/faq.repository.ts';
import { serviceChoices } from './catalogue-choices.ts';
import type { DateContext } from './date-understanding.ts';
import { understandMessage, type CatalogueView, type Understanding } from './message-understanding.ts';
import { turnScope, type DialogDeps } from './turn-scope.ts';

/** The brand's catalogue as the understanding step reads messages against it, with the services' rows. */
export async function loadCatalogueView(db: Queryable, brandId: string): Promise<CatalogueView & { serviceRows: Service[] }> {
  const [services, stores, faq] = await Promise.all([listServices(db, brandId), listStores(db, brandId), listFaq(db, brandId)]);
  return {
    services: serviceChoices(services),
    serviceRows: services,
    stores: stores.map((s) => ({ id: s.id, name: s.name, slug: s.slug, city: s.city, latitude: s.latitude, longitude: s.longitude })),
    faq: faq.map((f) => ({ id: f.id, keywords: f.keywords })),
  };
}

type TurnUnderstanding = { u: Understanding; services: Service[] };

const READINGS = Symbol('rendezvous.turnReadings');

/**
 * What a message of this turn says, read against the turn's brand, in the customer's language, zone and now.
 * Read once per turn: the menu and then the booking flow it starts read the same words, and the date
 * recognizers cost tens of milliseconds of CPU per reading.
 */
export function understandTurn(deps: DialogDeps, context: TurnContext, text: string): Promise<TurnUnderstanding> {
  const scope = turnScope(context);
  let readings = context.turnState.get(READINGS) as Map<string, Promise<TurnUnderstanding>> | undefined;
  if (!readings) context.turnState.set(READINGS, (readings = new Map()));
  // The customer may switch language within the turn: the reading is per language and zone.
  const key = JSON.stringify([scope.locale, scope.timeZone, text]);
  let reading = readings.get(key);
  if (!reading) {
    reading = readTurn(deps, scope.brand.id, text, { locale: scope.locale, timeZone: scope.timeZone });
    readings.set(key, reading);
  }
  return reading;
}

async function readTurn(deps: DialogDeps, brandId: string, text: string, where: Omit<DateContext, 'now'>): Promise<TurnUnderstanding> {
  const view = await loadCatalogueView(deps.db, brandId);
  return { u: understandMessage(text, view, { ...where, now: deps.now() }), services: view.serviceRows };
}
