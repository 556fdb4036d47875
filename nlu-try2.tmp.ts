import { understandMessage } from './dialogs/message-understanding.ts';
import { serviceChoices } from './dialogs/catalogue-choices.ts';
const services = serviceChoices([
 { id: 'design', slug: 'design-consultation', names: { en: 'Kitchen design consultation', fr: 'Conseil en conception de cuisine' } },
 { id: 'showroom', slug: 'showroom-visit', names: { en: 'Guided showroom visit', fr: 'Visite guidée du showroom' } },
 { id: 'video', slug: 'video-advice', names: { en: 'Video advice', fr: 'Conseil en visio' } },
 { id: 'home', slug: 'home-measurement', names: { en: 'Home measurement visit', fr: 'Prise de mesures à domicile' } },
] as any);
const stores = [{ id: 'paris', name: 'Paris Opéra', slug: 'paris-opera', city: 'Paris' }, { id: 'lyon', name: 'Lyon Bellecour', slug: 'lyon-bellecour', city: 'Lyon' }, { id: 'ny', name: 'New York SoHo', slug: 'new-york-soho', city: 'New York' }];
const faq = [{ id: 'free', keywords: ['is it free', 'free of charge', 'how much', 'price', 'cost', 'gratuit', 'combien ca coute', 'payant', 'prix', 'tarif'] }];
const now = new Date('2027-03-06T09:00:00Z');
for (const t of process.argv.slice(2)) console.log(t.padEnd(55), JSON.stringify(understandMessage(t, { services, stores, faq }, { locale: /[àéèêç]|\b(le|la|de|à|jeudi|mardi|fin|dans|demain|apres|ce|soir|non|en)\b/i.test(t) ? 'fr' : 'en', now, timeZone: 'Europe/Paris' })));
