import type { TurnContext } from 'botbuilder-core';
import { listServices, listStores, type Service } from '../models/catalogue.repository.ts';
import type { Queryable } from '../models/database.ts';
import { listFaq } from '../models/faq.repository.ts';
import { serviceChoices } from './catalogue-choices.ts';
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

/** What a message of this turn says, read against the turn's brand, in the customer's language, zone and now. */
export async function understandTurn(deps: DialogDeps, context: TurnContext, text: string): Promise<{ u: Understanding; services: Service[] }> {
  const scope = turnScope(context);
  const view = await loadCatalogueView(deps.db, scope.brand.id);
  const u = understandMessage(text, view, { locale: scope.locale, timeZone: scope.timeZone, now: deps.now() });
  return { u, services: view.serviceRows };
}
