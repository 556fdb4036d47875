import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import type { Database } from '../models/database.ts';
import { findBrand, type Brand } from '../models/brands.repository.ts';
import { findService, findStore } from '../models/catalogue.repository.ts';
import type { Appointment } from '../models/appointments.repository.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import { bookAppointment, cancelAppointment, rescheduleAppointment, type HomeAddress } from '../scheduling/booking.ts';
import { loadAppointmentView, type AppointmentView } from '../notifications/appointment-view.ts';
import { createSignedLinks, type SignedLinks } from '../notifications/signed-links.ts';
import { buildInvite, DEFAULT_NO_REPLY_ADDRESS } from '../notifications/calendar-invite.ts';
import { openTestDatabase } from './support/databases.ts';

// Monday 1 March 2027, 08:00 in Paris.
const current = new Date('2027-03-01T07:00:00Z');
const now = () => current;

function parse(content: string) {
  const calendar = new ICAL.Component(ICAL.parse(content));
  const vevent = calendar.getFirstSubcomponent('vevent')!;
  return { calendar, vevent, event: new ICAL.Event(vevent) };
}

describe('calendar invites (pglite)', () => {
  let db: Database;
  let brand: Brand;
  let links: SignedLinks;
  let emails = 0;

  async function book(o: {
    service: string; store: string | null; mode?: 'in_store' | 'online' | 'at_home'; home?: HomeAddress; start: string; timeZone: string;
  }): Promise<Appointment> {
    const service = (await findService(db, brand.id, o.service))!;
    const store = o.store ? await findStore(db, brand.id, o.store) : null;
    emails += 1;
    const { appointment } = await bookAppointment({ db, now }, {
      brand,
      slot: { brand, service, mode: o.mode ?? 'in_store', store, home: o.home ?? null, start: new Date(o.start) },
      customer: { name: `Customer ${emails}`, email: `customer${emails}@example.com`, phone: null, locale: 'en', timeZone: o.timeZone },
      customerTimeZone: o.timeZone,
      notes: '',
      channel: 'web',
      conversationId: null,
      idempotencyKey: null,
      actor: { kind: 'customer' },
    });
    return appointment;
  }

  const view = async (id: string): Promise<AppointmentView> => (await loadAppointmentView(db, id, links))!;

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    await seedDemo(db, { allowedOrigins: [] });
    brand = (await findBrand(db, DEMO_BRAND_ID))!;
    links = createSignedLinks({ baseUrl: 'http://localhost:3000', secret: 'x'.repeat(32), now });
  });
  afterAll(async () => {
    await db.close();
  });

  test('a confirmed in-store appointment in Paris', async () => {
    const a = await book({ service: 'showroom-visit', store: 'paris-opera', start: '2027-03-02T09:00:00Z', timeZone: 'Europe/Paris' });
    const v = await view(a.id);
    const invite = buildInvite(v, 'REQUEST');
    expect(invite.filename).toBe('invite.ics');
    expect(invite.contentType).toBe('text/calendar; charset=utf-8; method=REQUEST');
    expect(invite.content).toMatch(/\r\n/);

    const { calendar, vevent, event } = parse(invite.content);
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(event.uid).toBe(`${a.id}@rendezvous`);
    expect(event.sequence).toBe(1);
    expect(vevent.getFirstPropertyValue('status')).toBe('CONFIRMED');
    // The zone is written, with its definition: no calendar needs to know it beforehand.
    expect(ICAL.TimezoneService.has('Europe/Paris')).toBe(false);
    expect(invite.content).toContain('DTSTART;TZID=Europe/Paris:20270302T100000');
    expect(calendar.getFirstSubcomponent('vtimezone')!.getFirstPropertyValue('tzid')).toBe('Europe/Paris');
    expect(event.startDate.toJSDate().toISOString()).toBe('2027-03-02T09:00:00.000Z');
    expect(event.endDate.toJSDate().toISOString()).toBe('2027-03-02T09:30:00.000Z');
    expect(vevent.getFirstPropertyValue('dtstamp')!.toString()).toMatch(/Z$/);
    expect(event.summary).toBe('Guided showroom visit — Atelier Lumière');
    expect(event.location).toBe('Paris Opéra, 12 rue Auber, 75009 Paris');
    expect(event.description).toContain(v.links.manage);
    expect(event.description).toContain('Tuesday 2 March 2027, 10:00–10:30 (Europe/Paris)');

    const organizer = vevent.getFirstProperty('organizer')!;
    expect(organizer.getFirstValue()).toBe('mailto:paris@atelier-lumiere.example');
    expect(organizer.getParameter('cn')).toBe('Atelier Lumière');
    const [attendee] = event.attendees;
    expect(String(attendee!.getFirstValue()).toLowerCase()).toBe(`mailto:${v.customer.email}`);
    expect(attendee!.getParameter('rsvp')).toBe('TRUE');
    expect(attendee!.getParameter('cn')).toBe(v.customer.name);
  });

  test('a pending request is tentative; online and at-home appointments use the customer zone', async () => {
    const request = await view((await book({ service: 'design-consultation', store: 'lyon-bellecour', start: '2027-03-02T13:00:00Z', timeZone: 'Europe/Paris' })).id);
    expect(request.state).toBe('pending');
    expect(parse(buildInvite(request, 'REQUEST').content).vevent.getFirstPropertyValue('status')).toBe('TENTATIVE');

    const online = await view((await book({ service: 'video-advice', store: null, mode: 'online', start: '2027-03-02T14:00:00Z', timeZone: 'America/New_York' })).id);
    const o = parse(buildInvite(online, 'REQUEST').content);
    expect(o.event.location).toBe(online.links.join);
    expect(o.event.startDate.zone.tzid).toBe('America/New_York');
    expect(o.event.startDate.hour).toBe(9);
    expect(o.event.startDate.toJSDate().toISOString()).toBe('2027-03-02T14:00:00.000Z');
    expect(o.vevent.getFirstProperty('organizer')!.getFirstValue()).toBe(`mailto:${DEFAULT_NO_REPLY_ADDRESS}`);

    const home = { address: '8 rue de Rivoli, 75004 Paris', latitude: 48.8556, longitude: 2.3585 };
    const atHome = await view((await book({ service: 'home-measurement', store: null, mode: 'at_home', home, start: '2027-03-03T09:00:00Z', timeZone: 'Europe/Paris' })).id);
    const h = parse(buildInvite(atHome, 'REQUEST').content);
    expect(h.event.location).toBe('8 rue de Rivoli, 75004 Paris');
    expect(h.event.startDate.toJSDate().toISOString()).toBe('2027-03-03T09:00:00.000Z');
    expect(h.event.endDate.toJSDate().toISOString()).toBe('2027-03-03T10:30:00.000Z');
  });

  test.each([
    // Paris moves to summer time on Sunday 28 March 2027: 10:00 is 09:00Z before, 08:00Z after.
    { store: 'paris-opera', zone: 'Europe/Paris', before: '2027-03-26T09:00:00Z', after: '2027-03-29T08:00:00Z' },
    // New York moves on Sunday 14 March 2027: 10:00 is 15:00Z before, 14:00Z after.
    { store: 'new-york-soho', zone: 'America/New_York', before: '2027-03-12T15:00:00Z', after: '2027-03-15T14:00:00Z' },
  ])('a reschedule across the DST change in $zone keeps the UID, raises SEQUENCE and keeps 10:00 local', async ({ store, zone, before, after }) => {
    const a = await book({ service: 'showroom-visit', store, start: before, timeZone: zone });
    const first = parse(buildInvite(await view(a.id), 'REQUEST').content);
    expect(first.event.startDate.toJSDate().toISOString()).toBe(new Date(before).toISOString());
    expect(first.event.startDate.zone.tzid).toBe(zone);
    expect(first.event.startDate.hour).toBe(10);

    await rescheduleAppointment({ db, now }, { brand, appointmentId: a.id, start: new Date(after), actor: { kind: 'customer' } });
    const moved = await view(a.id);
    const second = parse(buildInvite(moved, 'REQUEST').content);
    expect(second.event.uid).toBe(first.event.uid);
    expect(second.event.uid).toBe(`${a.id}@rendezvous`);
    expect(second.event.sequence).toBeGreaterThan(first.event.sequence);
    expect(second.event.startDate.toJSDate().toISOString()).toBe(new Date(after).toISOString());
    expect(second.event.endDate.toJSDate().toISOString()).toBe(new Date(new Date(after).getTime() + 30 * 60_000).toISOString());
    expect(second.event.startDate.hour).toBe(10);
    // The links in the description are those of the new time.
    expect(second.event.description).toContain(moved.links.manage);

    const cancelled = await cancelAppointment({ db, now }, { brand, appointmentId: a.id, reason: 'Changed my mind', actor: { kind: 'customer' } });
    const cancelView = await view(cancelled.id);
    const cancel = buildInvite(cancelView, 'CANCEL');
    expect(cancel.filename).toBe('cancel.ics');
    expect(cancel.contentType).toBe('text/calendar; charset=utf-8; method=CANCEL');
    const third = parse(cancel.content);
    expect(third.calendar.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(third.vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(third.event.uid).toBe(first.event.uid);
    expect(third.event.sequence).toBeGreaterThan(second.event.sequence);
    expect(third.event.startDate.toJSDate().toISOString()).toBe(new Date(after).toISOString());
    expect(third.event.description).toContain('Changed my mind');
  });

  test.each(['Europe/Paris', 'America/New_York'])('the VTIMEZONE of %s agrees with the IANA rules over three years', async (zone) => {
    const store = zone === 'Europe/Paris' ? 'lyon-bellecour' : 'new-york-soho';
    const a = await book({ service: 'showroom-visit', store, start: zone === 'Europe/Paris' ? '2027-03-04T10:00:00Z' : '2027-03-04T15:00:00Z', timeZone: zone });
    const { calendar } = parse(buildInvite(await view(a.id), 'REQUEST').content);
    const tz = new ICAL.Timezone(calendar.getFirstSubcomponent('vtimezone')!);
    const HOUR = 3_600_000;
    let checked = 0;
    // Wall-clock time in the zone → instant, as a calendar reads DTSTART;TZID=…; the hour around each
    // change is left out (those wall times do not exist or happen twice).
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2029, 0, 1); t += 5 * HOUR) {
      const wall = DateTime.fromMillis(t, { zone });
      if (DateTime.fromMillis(t - 2 * HOUR, { zone }).offset !== DateTime.fromMillis(t + 2 * HOUR, { zone }).offset) continue;
      const time = new ICAL.Time({ year: wall.year, month: wall.month, day: wall.day, hour: wall.hour, minute: wall.minute, second: 0, isDate: false }, tz);
      expect(time.toJSDate().getTime()).toBe(t);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(5200);
  });
});
