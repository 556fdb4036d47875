import { randomBytes } from 'node:crypto';
import type { Database, Tx } from './database.ts';
import { findBrand, insertApiKey, insertBrand } from './brands.repository.ts';
import { addPhoneNumber } from './phone-channels.repository.ts';
import { insertStatus } from './statuses.repository.ts';
import { replaceFaq, type NewFaqEntry } from './faq.repository.ts';

/** The demo brand: three stores in two time zones, four services, six staff. */
export const DEMO_BRAND_ID = 'demo';

const WEEKDAYS = [1, 2, 3, 4, 5];
const STORES = [
  { slug: 'paris-opera', name: 'Paris Opéra', address: '12 rue Auber', postcode: '75009', city: 'Paris', country: 'FR', lat: 48.8719, lng: 2.3316, tz: 'Europe/Paris', email: 'paris@atelier-lumiere.example', phone: '+33142000001' },
  { slug: 'lyon-bellecour', name: 'Lyon Bellecour', address: '5 place Bellecour', postcode: '69002', city: 'Lyon', country: 'FR', lat: 45.7578, lng: 4.832, tz: 'Europe/Paris', email: 'lyon@atelier-lumiere.example', phone: '+33478000002' },
  { slug: 'new-york-soho', name: 'New York SoHo', address: '120 Prince Street', postcode: '10012', city: 'New York', country: 'US', lat: 40.7251, lng: -73.9988, tz: 'America/New_York', email: 'soho@atelier-lumiere.example', phone: '+12125550103' },
] as const;

const SERVICES = [
  { slug: 'design-consultation', names: { en: 'Kitchen design consultation', fr: 'Conseil en conception de cuisine' }, descriptions: { en: 'An advisor designs your kitchen with you. Requests are confirmed by the store.', fr: 'Un conseiller conçoit votre cuisine avec vous. Les demandes sont confirmées par le magasin.' }, duration: 60, before: 0, after: 15, modes: ['in_store', 'online', 'at_home'], booking: 'request', workflow: true, step: null },
  { slug: 'showroom-visit', names: { en: 'Guided showroom visit', fr: 'Visite guidée du showroom' }, descriptions: { en: 'Discover our collections with an advisor.', fr: 'Découvrez nos collections avec un conseiller.' }, duration: 30, before: 0, after: 0, modes: ['in_store'], booking: 'direct', workflow: false, step: null },
  { slug: 'video-advice', names: { en: 'Video advice', fr: 'Conseil en visio' }, descriptions: { en: 'A quick video call to answer your questions.', fr: 'Un appel vidéo pour répondre à vos questions.' }, duration: 20, before: 0, after: 5, modes: ['online'], booking: 'direct', workflow: false, step: 15 },
  { slug: 'home-measurement', names: { en: 'Home measurement visit', fr: 'Prise de mesures à domicile' }, descriptions: { en: 'A technician measures your room at home.', fr: 'Un technicien prend les mesures chez vous.' }, duration: 90, before: 30, after: 30, modes: ['at_home'], booking: 'direct', workflow: false, step: 60 },
] as const;

const STAFF = [
  { name: 'Camille Martin', store: 'paris-opera', services: ['design-consultation', 'showroom-visit', 'video-advice', 'home-measurement'], radius: 30, saturday: true },
  { name: 'Lucas Bernard', store: 'paris-opera', services: ['design-consultation', 'showroom-visit', 'video-advice'], radius: null, saturday: false },
  { name: 'Chloé Dubois', store: 'lyon-bellecour', services: ['design-consultation', 'showroom-visit', 'video-advice', 'home-measurement'], radius: 40, saturday: true },
  { name: 'Hugo Laurent', store: 'lyon-bellecour', services: ['design-consultation', 'showroom-visit'], radius: null, saturday: false },
  { name: 'Emily Carter', store: 'new-york-soho', services: ['design-consultation', 'showroom-visit', 'video-advice', 'home-measurement'], radius: 25, saturday: true },
  { name: 'Michael Brooks', store: 'new-york-soho', services: ['design-consultation', 'showroom-visit', 'video-advice'], radius: null, saturday: false },
] as const;

// The four-status workflow of product document 001.
const WORKFLOW = [
  { name: 'Request received', description: 'We received the request; an advisor will review it.', kind: 'start', color: '#1e88e5' },
  { name: 'Checking availability', description: 'The store checks that an advisor and the showroom are free.', kind: 'start', color: '#fb8c00' },
  { name: 'Confirmed', description: 'The appointment is confirmed to the customer.', kind: 'confirmation', color: '#43a047' },
  { name: 'Rejected', description: 'The appointment cannot take place; the customer is told why.', kind: 'cancellation', color: '#e53935' },
] as const;

const HOLIDAYS = [
  { store: '*', date: '2026-12-25', label: 'Christmas' },
  { store: '*', date: '2027-01-01', label: "New Year's Day" },
  { store: 'new-york-soho', date: '2026-11-26', label: 'Thanksgiving' },
  { store: 'paris-opera', date: '2026-12-24', label: 'Christmas Eve', opens: '10:00', closes: '16:00' },
];

/** The demo brand's FAQ: what the chat answers "is it free?", "is there parking?", "what should I bring?" with. */
export const DEMO_FAQ: NewFaqEntry[] = [
  {
    keywords: ['is it free', 'free of charge', 'how much', 'price', 'cost', 'costs', 'pay', 'gratuit', 'payant', 'prix', 'tarif', 'combien ca coute', 'ca coute'],
    questions: { en: 'Is it free?', fr: "Est-ce gratuit ?" },
    answers: { en: 'Yes: every appointment with our advisors is free and commits you to nothing.', fr: "Oui : tous les rendez-vous avec nos conseillers sont gratuits et sans engagement." },
  },
  {
    keywords: ['parking', 'park', 'garer', 'stationnement', 'stationner'],
    questions: { en: 'Is there parking?', fr: 'Peut-on se garer ?' },
    answers: { en: 'Each store has a public car park within a few minutes on foot.', fr: 'Chaque magasin a un parking public à quelques minutes à pied.' },
  },
  {
    keywords: ['bring', 'what should i prepare', 'apporter', 'preparer'],
    questions: { en: 'What should I bring?', fr: 'Que dois-je apporter ?' },
    answers: { en: 'If you can, bring the plan of your room with its measurements and a few photos.', fr: 'Si possible, apportez le plan de votre pièce avec ses mesures et quelques photos.' },
  },
];

export interface SeedResult {
  created: boolean;
  /** The plain API key, only when this call created it. */
  apiKey: string | null;
}

/** The demo brand's SMS and WhatsApp number (the dev phone writes to it). */
export const DEMO_PHONE_NUMBER = '+33757000000';

export async function seedDemo(db: Database, options: { allowedOrigins: string[] }): Promise<SeedResult> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727002)');
    if (await findBrand(tx, DEMO_BRAND_ID)) return { created: false, apiKey: null };
    await insertBrand(tx, {
      id: DEMO_BRAND_ID, name: 'Atelier Lumière', defaultLocale: 'en', timeZone: 'Europe/Paris',
      allowedOrigins: options.allowedOrigins, settings: {},
    });
    const apiKey = `rk_${DEMO_BRAND_ID}_${randomBytes(24).toString('base64url')}`;
    await insertApiKey(tx, DEMO_BRAND_ID, 'demo', apiKey);
    await seedCatalogue(tx);
    await replaceFaq(tx, DEMO_BRAND_ID, DEMO_FAQ);
    for (const address of [DEMO_PHONE_NUMBER, `whatsapp:${DEMO_PHONE_NUMBER}`]) await addPhoneNumber(tx, DEMO_BRAND_ID, address);
    return { created: true, apiKey };
  });
}

async function seedCatalogue(tx: Tx): Promise<void> {
  const storeIds = new Map<string, string>();
  for (const s of STORES) {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO stores (brand_id, slug, name, address_line, postcode, city, country, latitude, longitude, time_zone, email, phone)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id`,
      [DEMO_BRAND_ID, s.slug, s.name, s.address, s.postcode, s.city, s.country, s.lat, s.lng, s.tz, s.email, s.phone],
    );
    storeIds.set(s.slug, row!.id);
    for (const day of [1, 2, 3, 4, 5, 6]) {
      await tx.query('INSERT INTO store_hours (store_id, weekday, opens, closes) VALUES ($1,$2,$3,$4)', [row!.id, day, '09:00', '19:00']);
    }
  }
  for (const h of HOLIDAYS) {
    for (const [slug, id] of storeIds) {
      if (h.store !== '*' && h.store !== slug) continue;
      await tx.query('INSERT INTO store_special_days (store_id, local_date, opens, closes, label) VALUES ($1,$2,$3,$4,$5)', [id, h.date, h.opens ?? null, h.closes ?? null, h.label]);
    }
  }
  const serviceIds = new Map<string, string>();
  for (const [position, s] of SERVICES.entries()) {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO services (brand_id, slug, names, descriptions, duration_minutes, buffer_before_minutes, buffer_after_minutes,
         modes, booking_mode, status_workflow, slot_step_minutes, position)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id`,
      [DEMO_BRAND_ID, s.slug, JSON.stringify(s.names), JSON.stringify(s.descriptions), s.duration, s.before, s.after,
        s.modes, s.booking, s.workflow, s.step, position],
    );
    serviceIds.set(s.slug, row!.id);
    if (s.workflow) {
      for (const [i, w] of WORKFLOW.entries()) await insertStatus(tx, { serviceId: row!.id, position: i + 1, ...w });
    }
  }
  for (const p of STAFF) {
    const storeId = storeIds.get(p.store)!;
    const email = `${p.name.toLowerCase().normalize('NFD').replace(/[^a-z ]/g, '').replace(' ', '.')}@atelier-lumiere.example`;
    const [row] = await tx.query<{ id: string }>(
      'INSERT INTO staff (brand_id, name, email, home_store_id, at_home_radius_km) VALUES ($1,$2,$3,$4,$5) RETURNING id',
      [DEMO_BRAND_ID, p.name, email, storeId, p.radius],
    );
    for (const slug of p.services) {
      await tx.query('INSERT INTO staff_services (staff_id, service_id) VALUES ($1,$2)', [row!.id, serviceIds.get(slug)]);
    }
    const shifts = WEEKDAYS.flatMap((d) => [[d, '09:00', '12:30'], [d, '13:30', '18:00']]);
    if (p.saturday) shifts.push([6, '10:00', '16:00']);
    for (const [day, starts, ends] of shifts) {
      await tx.query('INSERT INTO staff_hours (staff_id, store_id, weekday, starts, ends) VALUES ($1,$2,$3,$4,$5)', [row!.id, storeId, day, starts, ends]);
    }
  }
}
