import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import helmet from 'helmet';
import pino from 'pino';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Database } from '../models/database.ts';
import { seedDemo, DEMO_BRAND_ID } from '../models/seed.ts';
import { findBrand, type Brand } from '../models/brands.repository.ts';
import { findService, findStore } from '../models/catalogue.repository.ts';
import { findAppointment, type Appointment } from '../models/appointments.repository.ts';
import { bookAppointment } from '../scheduling/booking.ts';
import { createSignedLinks, type SignedLinks } from '../notifications/signed-links.ts';
import { errorHandler } from '../server/http-errors.ts';
import { appointmentPageRoutes } from '../server/routes/appointment-pages.routes.ts';
import { openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';
import { launchChromium } from './support/app.ts';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

const clock = testClock('2027-03-01T07:00:00Z');
let db: Database;
let server: Server;
let links: SignedLinks;
let brand: Brand;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Content-Security-Policy complaints seen by any page: there must be none. */
const cspErrors: string[] = [];

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  db = await openTestDatabase('pglite');
  await seedDemo(db, { allowedOrigins: ['http://localhost'] });
  brand = (await findBrand(db, DEMO_BRAND_ID))!;
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  links = createSignedLinks({ baseUrl: base, secret: 'browser-test-secret-browser-test-secret', now: clock.now });
  const app = express();
  app.use(helmet()); // as in production: the pages must live with its headers
  app.use(appointmentPageRoutes({ db, now: clock.now, links }));
  app.use(errorHandler(pino({ level: 'silent' })));
  server.on('request', app);
  browser = await launchChromium();
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.close();
});

async function newPage(options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  const ctx = await browser.newContext({ reducedMotion: 'reduce', acceptDownloads: true, ...options });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
  return page;
}

const shot = (p: Page, name: string) => p.screenshot({ path: new URL(`pages-${name}.png`, ARTIFACTS).pathname, fullPage: true });

let customerNo = 0;
async function book(service: string, store: string, start: string, locale: 'en' | 'fr' = 'en'): Promise<Appointment> {
  customerNo += 1;
  const s = (await findService(db, brand.id, service))!;
  const st = await findStore(db, brand.id, store);
  const { appointment } = await bookAppointment({ db, now: clock.now }, {
    brand,
    slot: { brand, service: s, mode: 'in_store', store: st, home: null, start: new Date(start) },
    customer: { name: `Grace Hopper ${customerNo}`, email: `grace${customerNo}@example.com`, phone: null, locale, timeZone: null },
    customerTimeZone: 'Europe/Paris', notes: 'We would like to see the oak finishes.', channel: 'web',
    conversationId: null, idempotencyKey: null, actor: { kind: 'customer' },
  });
  return appointment;
}

/**
 * The customer's link as the confirmation email carries it when the notification pipeline has
 * written one to the outbox; else made here the way the pipeline makes it.
 */
async function manageLinkOf(a: Appointment, email: string): Promise<string> {
  const rows = await db.query<{ body_text: string }>('SELECT body_text FROM messages WHERE recipient = $1 ORDER BY seq DESC', [email]);
  for (const row of rows) {
    const found = /https?:\/\/\S+\/a\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\/manage/.exec(row.body_text);
    if (found) return found[0];
  }
  return links.url('manage', a);
}

test('the customer opens the link, reschedules to a new slot and sees the new time', async () => {
  const a = await book('showroom-visit', 'paris-opera', '2027-03-02T09:00:00Z');
  const page = await newPage();
  await page.goto(await manageLinkOf(a, `grace${customerNo}@example.com`));
  await page.getByRole('heading', { level: 1, name: 'Guided showroom visit' }).waitFor();
  await expectText(page, 'Tuesday 2 March 2027');
  await expectText(page, '10:00–10:30');
  // The stylesheet applied (it is the only one, and the CSP allows only it).
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(244, 245, 247)');
  await shot(page, 'manage');

  await page.getByRole('link', { name: 'Reschedule' }).click();
  await page.getByRole('heading', { level: 1, name: 'Choose a new time' }).waitFor();
  await shot(page, 'picker');
  await page.getByRole('link', { name: 'Wednesday 3 March, 14:00' }).click();
  await page.getByRole('heading', { level: 1, name: 'Confirm the new time' }).waitFor();
  await shot(page, 'confirm');
  // Keyboard: the confirm button takes focus visibly.
  await page.getByRole('button', { name: 'Confirm new time' }).focus();
  await page.getByRole('button', { name: 'Confirm new time' }).click();

  await page.getByText('Your appointment has been moved').first().waitFor();
  await expectText(page, 'Wednesday 3 March 2027');
  await expectText(page, '14:00–14:30');
  await shot(page, 'moved');
  expect((await findAppointment(db, brand.id, a.id))!.startAt.toISOString()).toBe('2027-03-03T13:00:00.000Z');

  // The new appointment page, then the old link: out of date.
  await page.getByRole('link', { name: 'View your appointment' }).click();
  await expectText(page, 'Wednesday 3 March 2027');
  await page.goto(links.url('manage', a));
  await page.getByRole('alert').getByText('This link is out of date').waitFor();
  // It shows where the appointment stands now, and leads to its current page.
  await expectText(page, 'Wednesday 3 March 2027');
  await page.getByRole('link', { name: 'View your appointment' }).click();
  await expectText(page, 'Reschedule');
  await shot(page, 'stale');
  expect(cspErrors).toEqual([]);
});

test('on a phone, in French: the request page, cancelling, and the store confirming', async () => {
  const a = await book('design-consultation', 'lyon-bellecour', '2027-03-04T13:00:00Z', 'fr');
  const phone = await newPage(PHONE);
  await phone.goto(links.url('manage', a));
  await expectText(phone, 'Non confirmé — en attente de confirmation');
  // Nothing overflows sideways on a narrow screen.
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(phone, 'manage-phone-fr');

  const staff = await newPage();
  await staff.goto(links.url('staff-confirm', a));
  await staff.getByRole('heading', { level: 1, name: 'Appointment request' }).waitFor();
  await shot(staff, 'staff-confirm');
  await staff.getByRole('button', { name: 'Confirm appointment' }).click();
  await staff.getByText('Confirmed; the customer has been told').first().waitFor();
  await shot(staff, 'staff-confirmed');

  // The confirmation changed the appointment: the customer's earlier link shows where it stands and leads on.
  await phone.reload();
  await phone.getByRole('alert').getByText('Ce lien n’est plus à jour').waitFor();
  await expectText(phone, 'Confirmé');
  await phone.getByRole('link', { name: 'Voir votre rendez-vous' }).click();
  await phone.getByRole('link', { name: 'Annuler le rendez-vous' }).click();
  await phone.getByLabel('Motif (facultatif)').fill('Un empêchement');
  await shot(phone, 'cancel-phone-fr');
  await phone.getByRole('button', { name: 'Oui, annuler le rendez-vous' }).click();
  await phone.getByText('Votre rendez-vous a été annulé').first().waitFor();
  await expectText(phone, 'Un empêchement');
  await shot(phone, 'cancelled-phone-fr');
  expect(await findAppointment(db, brand.id, a.id)).toMatchObject({ state: 'cancelled', cancellationReason: 'Un empêchement' });

  const invalid = await newPage(PHONE);
  await invalid.goto(links.url('manage', a).replace(/\/a\/[^/]+\//, '/a/broken.token/'));
  await invalid.getByRole('heading', { level: 1, name: 'This link is invalid or has expired' }).waitFor();
  await shot(invalid, 'invalid-phone');
  expect(cspErrors).toEqual([]);
});

async function expectText(page: Page, text: string): Promise<void> {
  await page.getByText(text, { exact: false }).first().waitFor({ timeout: 5000 });
}
