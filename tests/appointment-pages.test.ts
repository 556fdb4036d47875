import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import helmet from 'helmet';
import pino from 'pino';
import ICAL from 'ical.js';
import type { Database } from '../models/database.ts';
import { seedDemo, DEMO_BRAND_ID } from '../models/seed.ts';
import { findBrand, type Brand } from '../models/brands.repository.ts';
import type { Mode } from '../models/catalogue.repository.ts';
import { findAppointment, statusHistory, type Appointment } from '../models/appointments.repository.ts';
import type { HomeAddress } from '../scheduling/booking.ts';
import type { BookingEvent } from '../scheduling/booking-events.ts';
import { createSignedLinks, type LinkAction, type SignedLinks } from '../notifications/signed-links.ts';
import { errorHandler } from '../server/http-errors.ts';
import { appointmentPageRoutes } from '../server/routes/appointment-pages.routes.ts';
import { bookAsCustomer } from './support/booking.ts';
import { openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';
import { getPage as get, postForm as post, proofOf } from './support/pages.ts';

// Monday 1 March 2027, 08:00 in Paris.
const START = '2027-03-01T07:00:00Z';
const clock = testClock(START);

let db: Database;
let server: Server;
let base: string;
let links: SignedLinks;
let brand: Brand;
const events: BookingEvent[] = [];

beforeAll(async () => {
  db = await openTestDatabase('pglite');
  await seedDemo(db, { allowedOrigins: ['http://localhost'] });
  brand = (await findBrand(db, DEMO_BRAND_ID))!;
  // Links must point at this server: listen first, then build links and the app.
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  links = createSignedLinks({ baseUrl: base, secret: 'test-secret-test-secret-test-secret-0123', now: clock.now });
  const app = express();
  app.use(helmet());
  app.use(appointmentPageRoutes({
    db, now: clock.now, links, formKey: 'form-key-for-tests',
    events: { handle: async (_tx, e) => { events.push(e); } },
  }));
  app.use(errorHandler(pino({ level: 'silent' })));
  server.on('request', app);
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.close();
});
beforeEach(() => {
  clock.set(START);
  events.length = 0;
});

let customerNo = 0;
async function book(o: {
  service: string; mode: Mode; store?: string; home?: HomeAddress; start: string; locale?: 'en' | 'fr'; timeZone?: string; notes?: string;
}): Promise<Appointment> {
  customerNo += 1;
  return bookAsCustomer({ db, now: clock.now }, brand, {
    service: o.service, store: o.store ?? null, mode: o.mode, home: o.home, start: o.start, timeZone: o.timeZone, notes: o.notes,
    customer: { name: `Ada Lovelace ${customerNo}`, email: `ada${customerNo}@example.com`, phone: '+33612345678', locale: o.locale },
  });
}

const link = (action: LinkAction, a: Pick<Appointment, 'id' | 'startAt' | 'version'>) => links.url(action, a);

/** Everything about an appointment that a change would touch. */
async function snapshot(id: string) {
  const a = await findAppointment(db, brand.id, id);
  return { appointment: a, history: (await statusHistory(db, id)).length };
}

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"');

describe('appointment pages from signed links', () => {
  test('the manage page shows the appointment in the customer language, with a strict CSP and no script', async () => {
    const a = await book({ service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: '2027-03-02T09:00:00Z' });
    const en = await get(link('manage', a));
    expect(en.status).toBe(200);
    expect(en.headers.get('content-type')).toMatch(/text\/html/);
    expect(en.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(en.headers.get('cache-control')).toBe('no-store');
    expect(en.headers.get('referrer-policy')).toBe('no-referrer');
    expect(en.text).not.toMatch(/<script/i);
    expect(en.text).toContain('<html lang="en">');
    for (const part of ['Atelier Lumière', 'Guided showroom visit', 'Confirmed', 'Tuesday 2 March 2027', '10:00–10:30', 'Paris Opéra',
      '12 rue Auber, 75009 Paris', 'Add to calendar', 'Reschedule', 'Cancel appointment', '/a/assets/pages.css']) {
      expect(en.text).toContain(part);
    }
    expect(en.text).toMatch(/Camille Martin|Lucas Bernard/);
    expect(decode(en.text)).toContain(link('calendar', a));
    expect(decode(en.text)).toContain(link('reschedule', a));
    expect(decode(en.text)).toContain(link('cancel', a));

    const fr = await book({ service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: '2027-03-02T10:00:00Z', locale: 'fr' });
    const page = await get(link('manage', fr));
    expect(page.text).toContain('<html lang="fr">');
    for (const part of ['Visite guidée du showroom', 'Confirmé', 'Mardi 2 mars 2027', '11:00–11:30', 'Ajouter à l’agenda', 'Reprogrammer', 'Annuler le rendez-vous']) {
      expect(page.text).toContain(part);
    }
    // French typography: no-break spaces before ":" and the like, the store's number as dialled in France.
    expect(page.text).toContain('01 42 00 00 01');
    expect(page.text).toContain('href="tel:+33142000001"');
    expect(page.text).toMatch(/\u202f:/);
    expect(page.text).not.toMatch(/[^\s>] [:?!]\s/);
    // ?lang switches, and the switch keeps the chosen language on the links that follow.
    const switched = await get(link('manage', fr) + '?lang=en');
    expect(switched.text).toContain('Guided showroom visit');
    expect(switched.text).toContain('Tuesday 2 March 2027');
    expect(switched.text).toContain('Reschedule');
    expect(decode(switched.text)).toContain(link('reschedule', fr) + '?lang=en');

    const css = await get(`${base}/a/assets/pages.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
    expect(css.text).toContain(':focus-visible');
  });

  test('a pending request reads "Unconfirmed" with its workflow status, and the store time when zones differ', async () => {
    const a = await book({ service: 'design-consultation', mode: 'in_store', store: 'paris-opera', start: '2027-03-03T13:00:00Z', timeZone: 'America/New_York' });
    expect(a.state).toBe('pending');
    const page = await get(link('manage', a));
    expect(page.text).toContain('Unconfirmed — awaiting confirmation');
    expect(page.text).toContain('Request received');
    expect(page.text).toContain('08:00–09:00 (New York time)');
    expect(page.text).toContain('Store local time');
    expect(page.text).toContain('14:00–15:00 (Paris time)');
  });

  test('unknown, tampered, wrong-kind and expired links get a clear page', async () => {
    const a = await book({ service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: '2027-03-02T13:00:00Z' });
    const good = link('manage', a);
    const token = good.split('/a/')[1]!.split('/')[0]!;
    const [payload, signature] = token.split('.') as [string, string];
    const flipped = signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A');

    const tampered = await get(`${base}/a/${payload}.${flipped}/manage`);
    expect(tampered.status).toBe(404);
    expect(tampered.text).toContain('This link is invalid or has expired');
    expect(tampered.text).toContain('most recent email');
    expect((await get(`${base}/a/not-a-token/manage`)).status).toBe(404);
    expect((await get(`${base}/a/${token}/nothing-here`)).status).toBe(404);
    // A manage token opens neither the staff pages nor the cancel page; a staff token not the customer's.
    expect((await get(`${base}/a/${token}/staff-confirm`)).status).toBe(404);
    expect((await get(`${base}/a/${token}/cancel`)).status).toBe(404);
    expect((await get(link('staff-confirm', a).replace('/staff-confirm', '/manage'))).status).toBe(404);
    // French when the browser prefers it.
    const fr = await get(`${base}/a/${payload}.${flipped}/manage`, { 'accept-language': 'fr-FR,fr;q=0.9' });
    expect(fr.text).toContain('Ce lien n’est pas valide ou a expiré');

    // Customer links live 30 days after the appointment.
    clock.set('2027-04-02T00:00:00Z');
    const expired = await get(good);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('This link is invalid or has expired');
  });

  test('a GET never changes anything', async () => {
    const a = await book({ service: 'design-consultation', mode: 'in_store', store: 'lyon-bellecour', start: '2027-03-04T09:00:00Z' });
    const before = await snapshot(a.id);
    const pages = [
      link('manage', a), link('cancel', a), link('reschedule', a), link('reschedule', a) + '?start=2027-03-04T13:00:00.000Z',
      link('staff-confirm', a), link('staff-reschedule', a), link('staff-reschedule', a) + '?start=2027-03-04T13:00:00.000Z',
      link('calendar', a), link('join', a),
    ];
    for (const url of pages) {
      const res = await get(url);
      expect([200, 303]).toContain(res.status);
    }
    expect(await snapshot(a.id)).toEqual(before);
    expect(events).toEqual([]);
  });

  test('a POST without the form proof (or with another form\'s proof) is refused with 403 and changes nothing', async () => {
    const a = await book({ service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: '2027-03-05T09:00:00Z' });
    const before = await snapshot(a.id);
    const none = await post(link('cancel', a), { reason: 'scanner' });
    expect(none.status).toBe(403);
    expect(none.text).toContain('This form could not be accepted');
    const cancelProof = proofOf((await get(link('cancel', a))).text);
    const wrong = await post(link('reschedule', a), { proof: cancelProof, start: '2027-03-05T13:00:00.000Z' });
    expect(wrong.status).toBe(403);
    expect((await post(link('staff-confirm', a), {})).status).toBe(403);
    expect((await post(link('cancel', a), { proof: 'x'.repeat(43) })).status).toBe(403);
    expect(await snapshot(a.id)).toEqual(before);
  });

  test('cancel by POST: the manage page then shows the cancellation and its reason; the invite cancels', async () => {
    const a = await book({ service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: '2027-03-08T09:00:00Z' });
    const form = await get(link('cancel', a));
    expect(form.status).toBe(200);
    expect(form.text).toContain('Cancel your appointment?');
    expect(form.text).toMatch(/<label for="reason">/);
    const done = await post(link('cancel', a), { proof: proofOf(form.text), reason: 'Moving house <b>soon</b>' });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Your appointment has been cancelled');
    expect(done.text).toContain('Moving house &lt;b&gt;soon&lt;/b&gt;');
    const after = await findAppointment(db, brand.id, a.id);
    expect(after).toMatchObject({ state: 'cancelled', cancellationReason: 'Moving house <b>soon</b>' });
    expect(events.map((e) => [e.type, e.actor.kind])).toEqual([['cancelled', 'customer']]);

    const manage = await get(link('manage', a));
    expect(manage.status).toBe(200);
    expect(manage.text).toContain('badge cancelled');
    expect(manage.text).toContain('<dt>Reason</dt><dd>Moving house &lt;b&gt;soon&lt;/b&gt;</dd>');
    expect(manage.text).not.toContain('>Reschedule<');
    expect(manage.text).not.toContain('Cancel appointment');
    // Posting again: nothing more happens.
    const again = await post(link('cancel', a), { proof: proofOf(form.text) });
    expect(again.status).toBe(409);
    expect(again.text).toContain('This appointment has been cancelled');
    expect(events).toHaveLength(1);
    const ics = await get(link('calendar', a));
    expect(ics.text).toContain('METHOD:CANCEL');
  });

  test('reschedule by POST moves the appointment; the old links are then out of date', async () => {
    const a = await book({ service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: '2027-03-09T09:00:00Z' });
    const picker = await get(link('reschedule', a));
    expect(picker.status).toBe(200);
    expect(picker.text).toContain('Choose a new time');
    expect(picker.text).toContain('Tuesday 2 March');
    expect(picker.text).toContain('Later dates');
    // The current time is not offered; other times of that day are.
    expect(picker.text).not.toContain('start=2027-03-09T09%3A00%3A00.000Z');
    expect(picker.text).toContain('start=2027-03-09T13%3A30%3A00.000Z');
    const later = await get(link('reschedule', a) + '?from=2027-03-15');
    expect(later.text).toContain('Monday 15 March');
    expect(later.text).toContain('Earlier dates');

    const confirm = await get(link('reschedule', a) + '?start=2027-03-09T13%3A30%3A00.000Z');
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('Confirm the new time');
    expect(confirm.text).toContain('Tuesday 9 March 2027, 14:30–15:00');
    const moved = await post(link('reschedule', a), { proof: proofOf(confirm.text), start: '2027-03-09T13:30:00.000Z' });
    expect(moved.status).toBe(200);
    expect(moved.text).toContain('Your appointment has been moved');
    expect((await findAppointment(db, brand.id, a.id))!.startAt.toISOString()).toBe('2027-03-09T13:30:00.000Z');
    expect(events.map((e) => e.type)).toEqual(['rescheduled']);
    // The result page carries the new links, which work.
    const movedTo = { id: a.id, startAt: new Date('2027-03-09T13:30:00.000Z'), version: a.version + 1 };
    expect(decode(moved.text)).toContain(link('manage', movedTo));
    expect((await get(link('manage', movedTo))).text).toContain('14:30–15:00');

    const old = await get(link('manage', a));
    expect(old.status).toBe(410);
    expect(old.text).toContain('This link is out of date');
    expect(old.text).toContain('use the link in your latest email');
    // Re-posting the old form is refused as a conflict with the change made since.
    expect((await post(link('reschedule', a), { proof: proofOf(confirm.text), start: '2027-03-09T15:00:00.000Z' })).status).toBe(409);
  });

  test('a time that is not free → 409 with the list of times again', async () => {
    const a = await book({ service: 'showroom-visit', mode: 'in_store', store: 'paris-opera', start: '2027-03-10T09:00:00Z' });
    const proof = proofOf((await get(link('reschedule', a) + '?start=2027-03-10T13:30:00.000Z')).text);
    const night = await post(link('reschedule', a), { proof, start: '2027-03-10T02:00:00.000Z' });
    expect(night.status).toBe(409);
    expect(night.text).toContain('that time was just taken');
    expect(night.text).toContain('Choose a new time');
    expect(night.text).toMatch(/class="slot"/);
    const gone = await get(link('reschedule', a) + '?start=2027-03-10T02:00:00.000Z');
    expect(gone.status).toBe(409);
    expect(gone.text).toContain('no longer available');
    expect((await findAppointment(db, brand.id, a.id))!.startAt.toISOString()).toBe('2027-03-10T09:00:00.000Z');
  });

  test('too late for the customer: buttons hidden with the reason, and a POST is refused with the notice', async () => {
    const a = await book({ service: 'showroom-visit', mode: 'in_store', store: 'new-york-soho', start: '2027-03-01T15:00:00Z' });
    const cancelProof = proofOf((await get(link('cancel', a))).text);
    const moveProof = proofOf((await get(link('reschedule', a) + '?start=2027-03-01T19:00:00.000Z')).text);
    clock.set('2027-03-01T13:30:00Z'); // 90 minutes before; the notice is 120.
    const before = await snapshot(a.id);
    const manage = await get(link('manage', a));
    expect(manage.text).toContain('Online changes are possible up to 2 hours before the appointment.');
    expect(manage.text).toContain('New York SoHo on +12125550103');
    expect(manage.text).not.toContain('Cancel appointment');
    const cancel = await post(link('cancel', a), { proof: cancelProof, reason: 'sick' });
    expect(cancel.status).toBe(409);
    expect(cancel.text).toContain('It is too late to change this appointment online');
    expect(cancel.text).toContain('up to 2 hours before');
    const move = await post(link('reschedule', a), { proof: moveProof, start: '2027-03-01T19:00:00.000Z' });
    expect(move.status).toBe(409);
    expect((await get(link('cancel', a))).text).not.toContain('name="proof"');
    expect(await snapshot(a.id)).toEqual(before);
  });

  test('staff confirm works once: a second POST or a GET says "already confirmed" and changes nothing', async () => {
    const a = await book({ service: 'design-consultation', mode: 'online', store: 'lyon-bellecour', start: '2027-03-11T13:00:00Z', locale: 'fr', notes: 'Petite cuisine' });
    const url = link('staff-confirm', a);
    const form = await get(url);
    expect(form.status).toBe(200);
    // Staff pages are in the brand's language (English for the demo), with the customer's details.
    expect(form.text).toContain('<html lang="en">');
    expect(form.text).toContain('Appointment request');
    expect(form.text).toContain('Unconfirmed — awaiting confirmation');
    expect(form.text).toContain('Ada Lovelace');
    expect(form.text).toContain('Petite cuisine');
    expect(form.text).toContain('Confirm appointment');
    const proof = proofOf(form.text);

    const first = await post(url, { proof });
    expect(first.status).toBe(200);
    expect(first.text).toContain('Confirmed; the customer has been told');
    const confirmed = await snapshot(a.id);
    expect(confirmed.appointment).toMatchObject({ state: 'confirmed' });
    expect(events.map((e) => [e.type, e.actor])).toEqual([['status_changed', { kind: 'staff', id: a.staffId }]]);

    const second = await post(url, { proof });
    expect(second.status).toBe(200);
    expect(second.text).toContain('already confirmed');
    const reopened = await get(url);
    expect(reopened.text).toContain('already confirmed');
    expect(reopened.text).not.toContain('name="proof"');
    expect(await snapshot(a.id)).toEqual(confirmed);
    expect(events).toHaveLength(1);
    expect((await get(url + '?lang=fr')).text).toContain('Ce rendez-vous est déjà confirmé');
  });

  test('staff reschedule moves a request and also confirms it by default', async () => {
    const a = await book({ service: 'design-consultation', mode: 'in_store', store: 'paris-opera', start: '2027-03-12T09:00:00Z' });
    const confirm = await get(link('staff-reschedule', a) + '?start=2027-03-12T13:30:00.000Z');
    expect(confirm.status).toBe(200);
    expect(confirm.text).toMatch(/<input type="checkbox" name="confirm" value="yes" checked/);
    const moved = await post(link('staff-reschedule', a), { proof: proofOf(confirm.text), start: '2027-03-12T13:30:00.000Z', confirm: 'yes' });
    expect(moved.status).toBe(200);
    expect(moved.text).toContain('Moved; the customer has been told');
    expect(moved.text).toContain('The appointment is also confirmed.');
    expect(await findAppointment(db, brand.id, a.id)).toMatchObject({ state: 'confirmed', startAt: new Date('2027-03-12T13:30:00.000Z') });
    expect(events.map((e) => [e.type, e.actor.kind])).toEqual([['rescheduled', 'staff'], ['status_changed', 'staff']]);

    // Without the box ticked, a request stays a request.
    const b = await book({ service: 'design-consultation', mode: 'in_store', store: 'paris-opera', start: '2027-03-12T09:00:00Z' });
    const form = await get(link('staff-reschedule', b) + '?start=2027-03-12T15:00:00.000Z');
    const kept = await post(link('staff-reschedule', b), { proof: proofOf(form.text), start: '2027-03-12T15:00:00.000Z' });
    expect(kept.text).toContain('still waiting for confirmation');
    expect(await findAppointment(db, brand.id, b.id)).toMatchObject({ state: 'pending' });
  });

  test('the invite downloads and parses; join hands over to the chat', async () => {
    const a = await book({ service: 'video-advice', mode: 'online', start: '2027-03-02T10:00:00Z', locale: 'fr' });
    const ics = await get(link('calendar', a));
    expect(ics.status).toBe(200);
    expect(ics.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(ics.headers.get('content-disposition')).toBe('attachment; filename="invite.ics"');
    expect(ics.text).toContain('BEGIN:VCALENDAR');
    expect(ics.text).toContain('METHOD:REQUEST');
    const event = new ICAL.Event(new ICAL.Component(ICAL.parse(ics.text)).getFirstSubcomponent('vevent')!);
    expect(event.startDate.toJSDate().toISOString()).toBe('2027-03-02T10:00:00.000Z');
    // The manage token downloads it too (the page's own link works for either).
    expect((await get(link('manage', a).replace('/manage', '/invite.ics'))).status).toBe(200);

    const manage = await get(link('manage', a));
    expect(manage.text).toContain('En ligne (appel vidéo)');
    expect(manage.text).toContain('Rejoindre l’appel vidéo');
    const join = await get(link('join', a));
    expect(join.status).toBe(303);
    expect(join.headers.get('location')).toBe(`/?join=${encodeURIComponent(link('join', a).split('/a/')[1]!.split('/')[0]!)}`);
  });
});
