import type { Database } from '../models/database.ts';
import { findBrand, type Brand } from '../models/brands.repository.ts';
import type { Appointment } from '../models/appointments.repository.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import { deleteTemplate, getTemplate, listTemplates, upsertTemplate } from '../models/templates.repository.ts';
import { cancelAppointment } from '../scheduling/booking.ts';
import { DateTime } from 'luxon';
import { formatWhen, loadAppointmentView, whenParts, type AppointmentView } from '../notifications/appointment-view.ts';
import { createSignedLinks, type SignedLinks } from '../notifications/signed-links.ts';
import {
  MESSAGE_EVENTS, TEMPLATE_VARIABLES, htmlToText, renderMessage, renderPreview, validateTemplate, type MessageEvent,
} from '../notifications/templates.ts';
import { bookAsCustomer } from './support/booking.ts';
import { openTestDatabase } from './support/databases.ts';

// Monday 1 March 2027, 08:00 in Paris.
let current = new Date('2027-03-01T07:00:00Z');
const now = () => current;
const TUESDAY_10_PARIS = new Date('2027-03-02T09:00:00Z');
const TUESDAY_11_PARIS = new Date('2027-03-02T10:00:00Z');

const CUSTOMER_EVENTS: MessageEvent[] = ['request_received', 'confirmed', 'rescheduled', 'reminder'];
const STAFF: MessageEvent[] = ['staff_request', 'staff_confirmed', 'staff_cancelled'];

describe('message templates (pglite)', () => {
  let db: Database;
  let brand: Brand;
  let links: SignedLinks;
  /** Kitchen design consultation (request mode, status workflow), Paris Opéra, English customer. */
  let pending: AppointmentView;
  /** Guided showroom visit (direct), Paris Opéra, French customer. */
  let french: AppointmentView;

  async function book(o: {
    service: string; store: string | null; mode?: 'in_store' | 'online' | 'at_home'; start: Date;
    customer: { name: string; email: string; locale: 'en' | 'fr'; phone?: string }; timeZone?: string; notes?: string;
  }): Promise<Appointment> {
    return bookAsCustomer({ db, now }, brand, o);
  }

  const view = async (id: string) => (await loadAppointmentView(db, id, links))!;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    await seedDemo(db, { allowedOrigins: [] });
    brand = (await findBrand(db, DEMO_BRAND_ID))!;
    links = createSignedLinks({ baseUrl: 'http://localhost:3000', secret: 'x'.repeat(32), now });
    const a = await book({
      service: 'design-consultation', store: 'paris-opera', start: TUESDAY_10_PARIS,
      customer: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+33612345678', locale: 'en' },
      notes: 'Small kitchen, about 9 m².',
    });
    pending = await view(a.id);
    const b = await book({
      service: 'showroom-visit', store: 'paris-opera', start: TUESDAY_11_PARIS,
      customer: { name: 'Élodie Moreau', email: 'elodie@example.com', locale: 'fr' },
    });
    french = await view(b.id);
  });
  afterAll(async () => {
    await db.close();
  });
  afterEach(async () => {
    await db.query('DELETE FROM message_templates');
  });

  test('the appointment view', async () => {
    expect(pending).toMatchObject({
      brandId: 'demo', brandName: 'Atelier Lumière', brandHeadquartersEmail: null, locale: 'en',
      state: 'pending', statusName: 'Request received', cancellationReason: null,
      serviceName: 'Kitchen design consultation', serviceSlug: 'design-consultation', mode: 'in_store', durationMinutes: 60,
      startAt: TUESDAY_10_PARIS, endAt: new Date('2027-03-02T10:00:00Z'),
      customerTimeZone: 'Europe/Paris', storeTimeZone: 'Europe/Paris',
      store: { name: 'Paris Opéra', address: '12 rue Auber, 75009 Paris', phone: '+33142000001', email: 'paris@atelier-lumiere.example', notificationRouting: 'store' },
      homeAddress: null,
      staff: { name: expect.any(String) },
      customer: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+33612345678' },
      notes: 'Small kitchen, about 9 m².', sequence: 1, conversationId: null,
    });
    expect(pending.links.manage).toMatch(/^http:\/\/localhost:3000\/a\/[\w-]+\.[\w-]+\/manage$/);
    expect(pending.links.calendar).toMatch(/\/invite\.ics$/);
    expect(pending.links.staffConfirm).toMatch(/\/staff-confirm$/);
    expect(pending.links.staffReschedule).toMatch(/\/staff-reschedule$/);
    expect(links.verify(pending.links.join.split('/')[4]!)).toMatchObject({ appointmentId: pending.id, action: 'join', version: 1 });
    expect(french).toMatchObject({ locale: 'fr', state: 'confirmed', statusName: null, serviceName: 'Visite guidée du showroom' });

    await db.query(`UPDATE brands SET settings = settings || '{"headquartersEmail":"hq@atelier-lumiere.example"}' WHERE id = 'demo'`);
    expect((await view(pending.id)).brandHeadquartersEmail).toBe('hq@atelier-lumiere.example');
    await db.query(`UPDATE brands SET settings = settings - 'headquartersEmail' WHERE id = 'demo'`);

    expect(await loadAppointmentView(db, '00000000-0000-0000-0000-000000000000', links)).toBeNull();
    expect(await loadAppointmentView(db, 'not-a-uuid', links)).toBeNull();
  });

  test('formatWhen in the locale, in the customer zone or another', () => {
    expect(formatWhen(pending)).toBe('Tuesday 2 March 2027, 10:00–11:00 (Europe/Paris)');
    expect(formatWhen(french)).toBe('mardi 2 mars 2027, 11:00–11:30 (Europe/Paris)');
    expect(formatWhen(pending, 'America/New_York')).toBe('Tuesday 2 March 2027, 04:00–05:00 (America/New_York)');
    // A zone that is no longer valid must not break a message: the time is written in UTC, and says so.
    expect(formatWhen({ ...pending, customerTimeZone: 'Mars/Olympus_Mons' })).toBe('Tuesday 2 March 2027, 09:00–10:00 (UTC)');
  });

  test('whenParts writes what luxon reads in the zone, around its changes of offset (remembered per hour), in both languages', () => {
    // Paris (whole hours), Lord Howe (a 30-minute change), St John's (-03:30), Kathmandu (+05:45); every 10 minutes, twice.
    const changes: [string, string][] = [
      ['Europe/Paris', '2027-03-28T01:00:00Z'], ['Europe/Paris', '2027-10-31T01:00:00Z'], ['Australia/Lord_Howe', '2027-04-03T15:00:00Z'],
      ['America/St_Johns', '2027-11-07T04:30:00Z'], ['Asia/Kathmandu', '2027-06-01T00:00:00Z'],
    ];
    for (const [zone, at] of changes) {
      for (let pass = 0; pass < 2; pass++) {
        for (let ms = Date.parse(at) - 3 * 3_600_000; ms <= Date.parse(at) + 3 * 3_600_000; ms += 10 * 60_000) {
          for (const view of [pending, french]) {
            const startAt = new Date(ms);
            const endAt = new Date(ms + 90 * 60_000);
            const [start, end] = [startAt, endAt].map((d) => DateTime.fromJSDate(d, { zone }).setLocale(view.locale));
            expect(whenParts({ ...view, startAt, endAt }, zone)).toEqual({
              date: start!.toFormat('cccc d LLLL yyyy'), time: start!.toFormat('HH:mm'),
              endDate: end!.toFormat('cccc d LLLL yyyy'), endTime: end!.toFormat('HH:mm'), timeZone: zone,
            });
          }
        }
      }
    }
  });

  test('every customer event in English: subject, responsive HTML with buttons, text alternative', async () => {
    for (const event of CUSTOMER_EVENTS) {
      const m = (await renderMessage(db, event, pending, 'email'))!;
      expect(m).not.toBeNull();
      expect(m.subject).toContain(event === 'rescheduled' ? 'Tuesday 2 March 2027 at 10:00' : 'Kitchen design consultation');
      expect(m.html).toMatch(/^<!doctype html>/);
      expect(m.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(m.html).toContain('max-width:600px');
      expect(m.html).not.toMatch(/<style/i);
      expect(m.html).toContain('Tuesday 2 March 2027, 10:00–11:00 (Europe/Paris)');
      expect(m.html).toContain('12 rue Auber, 75009 Paris');
      // Buttons: big links to the chat (Join), Reschedule and Cancel.
      expect(m.html).toContain(`href="${pending.links.join}"`);
      expect(m.html).toContain(`href="${pending.links.reschedule}"`);
      expect(m.html).toContain(`href="${pending.links.cancel}"`);
      expect(m.html).not.toContain(pending.links.staffConfirm);
      expect(m.text).toContain('When: Tuesday 2 March 2027, 10:00–11:00 (Europe/Paris)');
      expect(m.text).toContain(`Open the chat: ${pending.links.join}`);
      expect(m.text).toContain(`Reschedule: ${pending.links.reschedule}`);
      expect(m.text).toContain(`Cancel: ${pending.links.cancel}`);
      expect(m.text).not.toMatch(/<[a-z]/i);
      for (const channel of ['sms', 'whatsapp'] as const) {
        const t = (await renderMessage(db, event, pending, channel))!;
        expect(t.subject).toBeNull();
        expect(t.html).toBeNull();
        expect(t.text).toContain('Atelier Lumière');
        expect(t.text).toContain('Tuesday 2 March 2027');
      }
    }
    const received = (await renderMessage(db, 'request_received', pending, 'email'))!;
    expect(received.subject).toBe('We received your request: Kitchen design consultation, Tuesday 2 March 2027');
    expect(received.text).toContain('An advisor will confirm it shortly');
    expect(received.text).toContain('Status: Request received');
    const confirmed = (await renderMessage(db, 'confirmed', pending, 'email'))!;
    expect(confirmed.subject).toBe('Confirmed: Kitchen design consultation, Tuesday 2 March 2027 at 10:00');
    expect(confirmed.text).toContain(`Add to my calendar: ${pending.links.calendar}`);
    expect((await renderMessage(db, 'confirmed', pending, 'sms'))!.text).toBe(
      `Atelier Lumière: your appointment Kitchen design consultation on Tuesday 2 March 2027, 10:00-11:00 (Europe/Paris) is confirmed. Join, reschedule or cancel: ${pending.links.manage}`,
    );
    const whatsapp = (await renderMessage(db, 'confirmed', pending, 'whatsapp'))!;
    expect(whatsapp.text).toContain('*Atelier Lumière*\nHello Ada Lovelace, your appointment is confirmed.\n\nService: Kitchen design consultation\nWhen:');
    expect(whatsapp.text).toContain(`Open the chat: ${pending.links.join}\nReschedule: ${pending.links.reschedule}\nCancel: ${pending.links.cancel}`);
  });

  test('every event in French', async () => {
    const subjects: Partial<Record<MessageEvent, string>> = {
      request_received: 'Nous avons bien reçu votre demande\u202f: Visite guidée du showroom, mardi 2 mars 2027',
      confirmed: 'Rendez-vous confirmé\u202f: Visite guidée du showroom, mardi 2 mars 2027 à 11:00',
      rescheduled: 'Nouvel horaire pour votre rendez-vous\u202f: mardi 2 mars 2027 à 11:00',
      cancelled: 'Rendez-vous annulé\u202f: Visite guidée du showroom, mardi 2 mars 2027',
      reminder: 'Rappel\u202f: Visite guidée du showroom, mardi 2 mars 2027 à 11:00',
      staff_request: 'Nouvelle demande de rendez-vous\u202f: Élodie Moreau, Visite guidée du showroom, mardi 2 mars 2027 11:00',
      staff_confirmed: 'Rendez-vous confirmé\u202f: Élodie Moreau, Visite guidée du showroom, mardi 2 mars 2027 11:00',
      staff_cancelled: 'Rendez-vous annulé\u202f: Élodie Moreau, Visite guidée du showroom, mardi 2 mars 2027 11:00',
    };
    for (const event of MESSAGE_EVENTS.filter((e) => e !== 'follow_up')) {
      const m = (await renderMessage(db, event, french, 'email'))!;
      expect(m.subject).toBe(subjects[event]);
      expect(m.html).toContain('<html lang="fr">');
      expect(m.text).toContain('mardi 2 mars 2027, 11:00–11:30 (Europe/Paris)');
      expect(m.text).not.toMatch(/\b(Reminder|Reschedule|Cancel|Confirm|When)\b/);
      for (const channel of ['sms', 'whatsapp'] as const) {
        expect((await renderMessage(db, event, french, channel))!.text).toContain('mardi 2 mars 2027');
      }
    }
    const confirmed = (await renderMessage(db, 'confirmed', french, 'email'))!;
    expect(confirmed.text).toContain(`Reprogrammer: ${french.links.reschedule}`);
    expect(confirmed.text).toContain(`Annuler: ${french.links.cancel}`);
    expect(confirmed.text).toContain(`Ouvrir la discussion: ${french.links.join}`);
    expect(confirmed.text).toContain('Message envoyé par Atelier Lumière au sujet de votre rendez-vous.');
    // The audience's locale wins: the brand's staff may read French about an English customer.
    const staffFr = (await renderMessage(db, 'staff_request', pending, 'email', { locale: 'fr' }))!;
    expect(staffFr.subject).toBe('Nouvelle demande de rendez-vous\u202f: Ada Lovelace, Conseil en conception de cuisine, mardi 2 mars 2027 10:00');
    expect(staffFr.text).toContain(`Confirmer: ${pending.links.staffConfirm}`);
  });

  test('cancelled: the reason is shown, no buttons (also for a rejection)', async () => {
    const a = await book({
      service: 'showroom-visit', store: 'paris-opera', start: new Date('2027-03-03T13:00:00Z'),
      customer: { name: 'Grace Hopper', email: 'grace@example.com', locale: 'en' },
    });
    await cancelAppointment({ db, now }, { brand, appointmentId: a.id, reason: 'The showroom is closed for works.', actor: { kind: 'staff', id: 'x' } });
    const cancelled = await view(a.id);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.sequence).toBe(2);
    const m = (await renderMessage(db, 'cancelled', cancelled, 'email'))!;
    expect(m.subject).toBe('Cancelled: Guided showroom visit, Wednesday 3 March 2027');
    expect(m.text).toContain('has been cancelled and will not take place');
    expect(m.text).toContain('Reason: The showroom is closed for works.');
    expect(m.html).toContain('The showroom is closed for works.');
    expect(m.html).not.toContain(cancelled.links.cancel);
    expect((await renderMessage(db, 'cancelled', cancelled, 'sms'))!.text).toBe(
      'Atelier Lumière: your appointment Guided showroom visit on Wednesday 3 March 2027, 14:00-14:30 (Europe/Paris) has been cancelled. Reason: The showroom is closed for works.',
    );
    const staff = (await renderMessage(db, 'staff_cancelled', cancelled, 'email'))!;
    expect(staff.text).toContain('Reason: The showroom is closed for works.');
    expect(staff.text).toContain('Customer: Grace Hopper');
  });

  test('user data is escaped in HTML, even through a triple mustache in a brand template', async () => {
    const a = await book({
      service: 'showroom-visit', store: 'paris-opera', start: new Date('2027-03-04T13:00:00Z'),
      customer: { name: '<script>alert(1)</script>', email: 'evil@example.com', locale: 'en' },
      notes: '"><img src=x onerror=alert(2)>',
    });
    const evil = await view(a.id);
    for (const event of MESSAGE_EVENTS.filter((e) => e !== 'follow_up')) {
      const m = (await renderMessage(db, event, evil, 'email'))!;
      expect(m.html).not.toContain('<script');
      expect(m.html).not.toContain('<img');
      expect(m.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    }
    const staff = (await renderMessage(db, 'staff_request', evil, 'email'))!;
    expect(staff.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    // The text part is plain text: shown as typed, never interpreted.
    expect(staff.text).toContain('Customer: <script>alert(1)</script>');
    expect(staff.text).toContain('Notes: "><img src=x onerror=alert(2)>');
    // A brand's template cannot unescape it.
    await upsertTemplate(db, { brandId: 'demo', event: 'confirmed', locale: 'en', channel: 'email', subject: 'Hi {{{customerName}}}', body: '<p>{{{customerName}}} {{&customerName}} {{customerName}}</p>' });
    const m = (await renderMessage(db, 'confirmed', evil, 'email'))!;
    expect(m.html).not.toContain('<script');
    expect(m.html).toContain('<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;script&gt;alert(1)&lt;/script&gt; &lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(m.subject).toBe('Hi <script>alert(1)</script>');
  });

  test('a brand override is used for subject and body, and the default returns when it is deleted', async () => {
    const key = { brandId: 'demo', event: 'confirmed', locale: 'en', channel: 'email' } as const;
    const saved = await upsertTemplate(db, { ...key, subject: 'See you at {{storeName}}, {{customerName}}!', body: '<p>Dear {{customerName}}, {{serviceName}} is booked for {{when}}.</p>{{> joinButton}}' }, current);
    expect(saved).toMatchObject({ ...key, subject: 'See you at {{storeName}}, {{customerName}}!' });
    expect(await getTemplate(db, key)).toMatchObject({ body: saved.body });

    const m = (await renderMessage(db, 'confirmed', pending, 'email'))!;
    expect(m.subject).toBe('See you at Paris Opéra, Ada Lovelace!');
    expect(m.html).toContain('<p>Dear Ada Lovelace, Kitchen design consultation is booked for Tuesday 2 March 2027, 10:00–11:00 (Europe/Paris).</p>');
    expect(m.html).toContain('max-width:600px');
    expect(m.text).toContain('Dear Ada Lovelace, Kitchen design consultation is booked for Tuesday 2 March 2027, 10:00–11:00 (Europe/Paris).');
    expect(m.text).toContain(`Open the chat: ${pending.links.join}`);
    // Only that event, locale and channel change.
    expect((await renderMessage(db, 'confirmed', pending, 'sms'))!.text).toContain('is confirmed');
    expect((await renderMessage(db, 'confirmed', pending, 'email', { locale: 'fr' }))!.subject).toMatch(/^Rendez-vous confirmé/);

    // A null subject keeps the default subject.
    await upsertTemplate(db, { ...key, subject: null, body: '<p>Short and sweet.</p>' });
    expect((await renderMessage(db, 'confirmed', pending, 'email'))!.subject).toBe('Confirmed: Kitchen design consultation, Tuesday 2 March 2027 at 10:00');

    // SMS override; a subject given for SMS is not kept.
    await upsertTemplate(db, { brandId: 'demo', event: 'reminder', locale: 'en', channel: 'sms', subject: 'ignored', body: '{{brandName}} · {{time}} · {{links.manage}}' });
    expect((await getTemplate(db, { brandId: 'demo', event: 'reminder', locale: 'en', channel: 'sms' }))!.subject).toBeNull();
    expect((await renderMessage(db, 'reminder', pending, 'sms'))!.text).toBe(`Atelier Lumière - 10:00 - ${pending.links.manage}`); // an SMS stays GSM-7: no middle dot
    expect((await listTemplates(db, 'demo')).map((t) => `${t.event}/${t.locale}/${t.channel}`)).toEqual(['confirmed/en/email', 'reminder/en/sms']);

    expect(await deleteTemplate(db, key)).toBe(true);
    expect(await deleteTemplate(db, key)).toBe(false);
    expect((await renderMessage(db, 'confirmed', pending, 'email'))!.subject).toBe('Confirmed: Kitchen design consultation, Tuesday 2 March 2027 at 10:00');

    // An empty override switches the message off; a broken one falls back to the default.
    await upsertTemplate(db, { ...key, subject: null, body: '  ' });
    expect(await renderMessage(db, 'confirmed', pending, 'email')).toBeNull();
    await upsertTemplate(db, { ...key, subject: null, body: '<p>{{#unclosed}}</p>' });
    expect((await renderMessage(db, 'confirmed', pending, 'email'))!.subject).toMatch(/^Confirmed:/);
  });

  test('follow_up is empty by default: nothing is sent until the brand writes one', async () => {
    for (const locale of ['en', 'fr'] as const) {
      for (const channel of ['email', 'sms', 'whatsapp'] as const) {
        expect(await renderMessage(db, 'follow_up', pending, channel, { locale })).toBeNull();
      }
    }
    await upsertTemplate(db, { brandId: 'demo', event: 'follow_up', locale: 'en', channel: 'email', subject: 'How was your {{serviceName}}?', body: '<p>Thank you for visiting {{storeName}}.</p>' });
    const m = (await renderMessage(db, 'follow_up', pending, 'email'))!;
    expect(m.subject).toBe('How was your Kitchen design consultation?');
    expect(m.text).toContain('Thank you for visiting Paris Opéra.');
    expect(await renderMessage(db, 'follow_up', pending, 'sms')).toBeNull();
  });

  test('staff_request: customer, service, time, notes, with Confirm and Reschedule staff links', async () => {
    const m = (await renderMessage(db, 'staff_request', pending, 'email'))!;
    expect(m.subject).toBe('New appointment request: Ada Lovelace, Kitchen design consultation, Tuesday 2 March 2027 10:00');
    expect(m.html).toContain(`href="${pending.links.staffConfirm}"`);
    expect(m.html).toContain(`href="${pending.links.staffReschedule}"`);
    expect(m.html).not.toContain(pending.links.cancel);
    expect(m.html).not.toContain(pending.links.join);
    expect(m.text).toContain(`Confirm: ${pending.links.staffConfirm}`);
    expect(m.text).toContain(`Reschedule: ${pending.links.staffReschedule}`);
    for (const line of ['Customer: Ada Lovelace', 'Email: ada@example.com', 'Phone: +33612345678', 'Service: Kitchen design consultation',
      'Type: In store', 'When: Tuesday 2 March 2027, 10:00–11:00 (Europe/Paris)', 'Where: Paris Opéra, 12 rue Auber, 75009 Paris',
      `With: ${pending.staff.name}`, 'Status: Request received', 'Notes: Small kitchen, about 9 m².']) {
      expect(m.text).toContain(line);
    }
    const sms = (await renderMessage(db, 'staff_request', pending, 'sms'))!;
    expect(sms.text).toContain(`Confirm: ${pending.links.staffConfirm}`);
    expect(sms.text).toContain(`Reschedule: ${pending.links.staffReschedule}`);
    const whatsapp = (await renderMessage(db, 'staff_request', pending, 'whatsapp'))!;
    expect(whatsapp.text).toContain(`Confirm: ${pending.links.staffConfirm}\nReschedule: ${pending.links.staffReschedule}`);
    const confirmed = (await renderMessage(db, 'staff_confirmed', pending, 'email'))!;
    expect(confirmed.text).toContain('This appointment is confirmed to the customer.');
    expect(confirmed.html).not.toContain(pending.links.staffConfirm);
  });

  test('staff read times in the store zone, customers in their own', async () => {
    const a = await book({
      service: 'showroom-visit', store: 'new-york-soho', start: new Date('2027-03-02T15:00:00Z'),
      customer: { name: 'Marie Curie', email: 'marie@example.com', locale: 'en' }, timeZone: 'Europe/Paris',
    });
    const ny = await view(a.id);
    expect((await renderMessage(db, 'confirmed', ny, 'email'))!.text).toContain('Tuesday 2 March 2027, 16:00–16:30 (Europe/Paris)');
    expect((await renderMessage(db, 'staff_confirmed', ny, 'email'))!.text).toContain('Tuesday 2 March 2027, 10:00–10:30 (America/New_York)');
    expect(ny.store!.address).toBe('120 Prince Street, New York 10012');
  });

  test('SMS reminder default: business, service, date and time, store or staff name', async () => {
    expect((await renderMessage(db, 'reminder', pending, 'sms'))!.text).toBe(
      'Reminder from Atelier Lumière: Kitchen design consultation, Tuesday 2 March 2027 at 10:00, Paris Opéra.',
    );
    expect((await renderMessage(db, 'reminder', french, 'sms'))!.text).toBe(
      'Rappel Atelier Lumière : Visite guidée du showroom, mardi 2 mars 2027 à 11:00, Paris Opéra.',
    );
    const a = await book({
      service: 'video-advice', store: null, mode: 'online', start: new Date('2027-03-02T14:00:00Z'),
      customer: { name: 'Alan Turing', email: 'alan@example.com', locale: 'en' },
    });
    const online = await view(a.id);
    expect((await renderMessage(db, 'reminder', online, 'sms'))!.text).toBe(
      `Reminder from Atelier Lumière: Video advice, Tuesday 2 March 2027 at 15:00, with ${online.staff.name}.`,
    );
    // Online: the Join button is labelled Join and the place is "Online".
    const email = (await renderMessage(db, 'confirmed', online, 'email'))!;
    expect(email.text).toContain(`Join: ${online.links.join}`);
    expect(email.text).toContain('Where: Online');
    expect(email.text).toContain('click Join to meet your advisor');
  });

  test('preview, validation, variables and the text alternative', () => {
    const preview = renderPreview({ subject: 'Hello {{customerName}}', body: '<h1>{{brandName}}</h1><p>{{when}}</p>{{> staffButtons}}' }, pending, 'email', 'staff_request');
    expect(preview.subject).toBe('Hello Ada Lovelace');
    expect(preview.text).toContain('Atelier Lumière\n\nTuesday 2 March 2027, 10:00–11:00 (Europe/Paris)');
    expect(preview.text).toContain(`Confirm: ${pending.links.staffConfirm}`);
    const sms = renderPreview({ subject: null, body: '{{brandName}}: {{serviceName}} {{date}}' }, french, 'sms');
    expect(sms).toEqual({ subject: null, html: null, text: 'Atelier Lumière: Visite guidée du showroom mardi 2 mars 2027' });
    expect(() => renderPreview({ subject: null, body: '{{#a}}' }, pending, 'sms')).toThrow();
    expect(validateTemplate({ subject: null, body: '{{#a}}' })).toMatch(/unclosed section/i);
    expect(validateTemplate({ subject: '{{brandName}}', body: '<p>{{customerName}}</p>' })).toBeNull();
    expect(TEMPLATE_VARIABLES).toEqual(expect.arrayContaining(['brandName', 'customerName', 'serviceName', 'when', 'storeName', 'address', 'staffName', 'reason', 'links.join']));
    expect(htmlToText('<p>A &amp; B</p><table><tr><th>Key</th><td>&lt;v&gt;</td></tr></table><a href="http://x/?a=1&amp;b=2">Go</a>'))
      .toBe('A & B\n\nKey: <v>\n\nGo: http://x/?a=1&b=2');
  });
});
