import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import helmet from 'helmet';
import pino from 'pino';
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Server as SocketServer } from 'socket.io';
import { buildConsole } from '../agent-console/build.ts';
import { consoleStaticRoutes } from '../server/routes/console-static.routes.ts';
import type { Database } from '../models/database.ts';
import { findBrand, type Brand } from '../models/brands.repository.ts';
import { findStore, type Store } from '../models/catalogue.repository.ts';
import { findAppointment, type Appointment } from '../models/appointments.repository.ts';
import { appendEntry, createWebConversation, entriesAfter, updateConversation } from '../models/conversations.repository.ts';
import { findHandoff } from '../models/handoff.repository.ts';
import { listFaq } from '../models/faq.repository.ts';
import { HandoffRouter, attachConsoleSocket, onlineOf } from '../bot/handoff/index.ts';
import { createSignedLinks } from '../notifications/signed-links.ts';
import { DEMO_BRAND_ID, DEMO_PHONE_NUMBER, seedDemo } from '../models/seed.ts';
import { listBrandNumbers } from '../models/phone-channels.repository.ts';
import { seedDemoStaffAccounts, type DemoLogin } from '../models/seed-staff.ts';
import { insertConsoleTask } from '../models/staff-accounts.repository.ts';
import { errorHandler } from '../server/http-errors.ts';
import { consoleApiRoutes } from '../server/routes/console-api.routes.ts';
import { CHEAP_SCRYPT, launchChromium } from './support/app.ts';
import { bookAsCustomer } from './support/booking.ts';
import { openTestDatabase } from './support/databases.ts';
import { testClock } from './support/server.ts';
import { signIn, signInWithForm, type ConsoleServer } from './support/console.ts';
import { until } from './support/wait.ts';
import { fieldFixtures } from './support/field-fixtures.ts';

/**
 * The agent console in a real browser: the built bundle served under helmet's CSP next to the real
 * console API over PGlite. Server A has no socket.io at all (the console must cope: "Live updates
 * unavailable"); server B adds the real /console namespace (HandoffRouter + attachConsoleSocket)
 * for live updates and a hand-off.
 */

const ARTIFACTS = new URL('./artifacts/', import.meta.url);
const LAPTOP = { viewport: { width: 1366, height: 900 } };
const TABLET = { viewport: { width: 820, height: 1180 }, deviceScaleFactor: 2, hasTouch: true };
// Monday 1 March 2027, 08:00 in Paris.
const START = '2027-03-01T07:00:00Z';
const clock = testClock(START);
const CAMILLE = 'camille.martin@atelier-lumiere.example'; // Paris store manager
const HUGO = 'hugo.laurent@atelier-lumiere.example'; // Lyon agent

interface Site {
  url: string;
  server: Server;
  close(): Promise<void>;
}

let db: Database;
let brand: Brand;
let paris: Store;
let lyon: Store;
let logins: DemoLogin[];
let browser: Browser;
let plain: Site;
let live: Site & { handoff: HandoffRouter };
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const cspErrors: string[] = [];

/** Static console + console API (+ optionally the /console namespace) on an ephemeral port. */
async function startSite(withSocket: boolean) {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const logger = pino({ level: 'silent' });
  const handoff = new HandoffRouter({
    db, logger, now: clock.now, links: createSignedLinks({ baseUrl: url, secret: 'console-test-secret-console-test-secret', now: clock.now }),
  });
  const app = express();
  app.use(helmet()); // the production headers, CSP included
  app.use(consoleStaticRoutes());
  app.use('/console/api', consoleApiRoutes({
    db, now: clock.now, config: { PUBLIC_URL: url }, loginRateLimitPerMinute: 100_000,
    onChange: withSocket ? handoff.consoleNotifier.appointmentChanged : undefined,
  }));
  app.use(errorHandler(logger));
  server.on('request', app);
  const io = withSocket ? new SocketServer(server) : null;
  if (io) attachConsoleSocket(io, { db, logger, now: clock.now, publicUrl: url, handoff });
  return {
    url, server, handoff,
    close: async () => {
      handoff.close();
      await io?.close();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function newPage(options: Parameters<Browser['newContext']>[0] = LAPTOP): Promise<Page> {
  const ctx = await browser.newContext({ reducedMotion: 'reduce', locale: 'en-GB', timezoneId: 'Europe/Paris', ...options });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text()); });
  return page;
}

const shot = (p: Page, name: string, fullPage = false) => p.screenshot({ path: new URL(`console-${name}.png`, ARTIFACTS).pathname, fullPage });
const password = (email: string) => logins.find((l) => l.email === email)!.password;

const book = (o: { service: string; store: Store; start: string; name: string; email?: string; phone?: string; conversationId?: string }) =>
  bookAsCustomer({ db, now: clock.now }, brand, {
    service: o.service, store: o.store, start: o.start, customer: { name: o.name, email: o.email, phone: o.phone }, conversationId: o.conversationId,
  });

const signInAs = (page: Page, site: Site, email: string) => signInWithForm(page, site.url, email, password(email));

const row = (page: Page, id: string) => page.locator(`tr[data-id="${id}"]`);

let request: Appointment; // the pending design consultation (Paris)
let today: Appointment;
let toCancel: Appointment;
let lyonVisit: Appointment;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  await buildConsole();
  db = await openTestDatabase('pglite');
  await seedDemo(db, { allowedOrigins: [] });
  logins = await seedDemoStaffAccounts(db, { passwordParams: CHEAP_SCRYPT });
  brand = (await findBrand(db, DEMO_BRAND_ID))!;
  paris = (await findStore(db, brand.id, 'paris-opera'))!;
  lyon = (await findStore(db, brand.id, 'lyon-bellecour'))!;

  const conversation = await createWebConversation(db, brand.id, 'en', 'Europe/Paris');
  const conversationId = conversation.conversation.id;
  await appendEntry(db, conversationId, { sender: 'customer', text: 'Hello, I would like help designing my kitchen.' });
  await appendEntry(db, conversationId, { sender: 'bot', text: 'Gladly! Which day suits you?', content: { suggestedActions: [{ title: 'Tomorrow', value: 'tomorrow' }] } });
  await appendEntry(db, conversationId, { sender: 'customer', text: 'Tomorrow at 10, please.' });
  request = await book({ service: 'design-consultation', store: paris, start: '2027-03-02T09:00:00Z', name: 'Ada Lovelace', email: 'ada@example.com', phone: '+33612345678', conversationId });
  today = await book({ service: 'showroom-visit', store: paris, start: '2027-03-01T13:00:00Z', name: 'Marie Curie', email: 'marie@example.com' });
  toCancel = await book({ service: 'showroom-visit', store: paris, start: '2027-03-03T14:00:00Z', name: 'Victor Hugo', email: 'victor@example.com' });
  lyonVisit = await book({ service: 'showroom-visit', store: lyon, start: '2027-03-02T09:00:00Z', name: 'Blaise Pascal', email: 'blaise@example.com' });
  await insertConsoleTask(db, { brandId: brand.id, storeId: paris.id, customerName: 'Zoé Martin', contact: '+33600000001', message: 'Please call me back about a quote for a kitchen island.' }, new Date(START));

  plain = await startSite(false);
  live = await startSite(true);
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await plain?.close();
  await live?.close();
  await db?.close();
});

describe('agent console', () => {
  let page: Page;

  test('index.html is served under a strict CSP, with no inline script or style', async () => {
    const res = await fetch(`${plain.url}/console/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<script src="/console/console.js" defer></script>');
    expect(html).toContain('<link rel="stylesheet" href="/console/console.css">');
    expect(html).not.toMatch(/<script>|<style|style="/);
    expect((await fetch(`${plain.url}/console/console.js`)).headers.get('content-type')).toMatch(/javascript/);
    const redirect = await fetch(`${plain.url}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/console/');
  });

  test('sign-in: clear errors, then today’s and upcoming appointments of the Paris store; no live socket is fine', async () => {
    page = await newPage();
    await page.goto(`${plain.url}/console/`);
    await page.getByRole('heading', { name: 'Sign in to the console' }).waitFor();
    expect(page.url()).toMatch(/#\/login/);

    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Enter your email address.').waitFor();
    await page.getByLabel('Email').fill(CAMILLE);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.locator('.form-alert');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.textContent()).toMatch(/Incorrect email or password\. After 5 failed attempts an account is locked for 15 minutes\./);
    await shot(page, 'login-error');

    await page.getByLabel('Password').fill(password(CAMILLE));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Appointments' }).waitFor();
    expect(page.url()).toMatch(/#\/appointments\/today$/);
    // Focus moved to the new screen's heading.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expect(await page.title()).toBe('Today · Appointments · Rendezvous console');
    expect(await page.getByRole('link', { name: 'Today' }).getAttribute('aria-current')).toBe('page');

    await row(page, today.id).waitFor();
    expect(await row(page, today.id).locator('.chip').textContent()).toBe('Confirmed');
    expect(await row(page, today.id).textContent()).toContain('14:00–14:30'); // store time, CET
    expect(await row(page, today.id).locator('time').getAttribute('title')).toContain('2027-03-01 13:00 UTC');
    expect(await row(page, request.id).count()).toBe(0);
    // No socket.io on this server: the console says so and keeps working.
    await page.locator('.live-status', { hasText: 'Live updates unavailable' }).waitFor();
    await page.getByRole('link', { name: /Requests/ }).locator('.count', { hasText: '1' }).waitFor();
    await shot(page, 'today');

    await page.getByRole('link', { name: 'Upcoming' }).click();
    await row(page, request.id).waitFor();
    await row(page, toCancel.id).waitFor();
    expect(await row(page, lyonVisit.id).count()).toBe(0);
    expect(await row(page, request.id).locator('.chip').textContent()).toBe('Request received');
    // Filters: a customer search narrows the list and lands in the address.
    await page.getByLabel('Customer').fill('victor');
    await page.waitForFunction(() => location.hash.includes('q=victor'));
    await page.locator('tr[data-id]').first().waitFor();
    await page.waitForFunction(() => document.querySelectorAll('tr[data-id]').length === 1);
    expect(await row(page, toCancel.id).count()).toBe(1);
    await shot(page, 'upcoming-filtered');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await row(page, request.id).waitFor();
  });

  test('requests queue: update status from the menu and the details page; confirmed requests leave the queue; history newest first', async () => {
    await page.getByRole('link', { name: /Requests/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Requests' }).waitFor();
    await row(page, request.id).waitFor();
    expect(await page.locator('tr[data-id]').count()).toBe(1);
    await shot(page, 'requests');

    // "⋯" → Update status… (product document 001).
    await row(page, request.id).getByRole('button', { name: 'Actions for Ada Lovelace' }).click();
    await page.getByRole('menuitem', { name: 'Update status…' }).click();
    let dialog = page.getByRole('dialog', { name: 'Update status' });
    await dialog.waitFor();
    expect(await dialog.getByRole('radio', { name: /^Request received \(current\)/ }).isDisabled()).toBe(true);
    await dialog.getByRole('radio', { name: /^Checking availability/ }).check();
    await shot(page, 'status-menu-dialog');
    await dialog.getByRole('button', { name: 'Update status' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row(page, request.id).locator('.chip', { hasText: 'Checking availability' }).waitFor();

    // The request's file.
    await row(page, request.id).getByRole('link', { name: 'Ada Lovelace' }).click();
    await page.getByRole('heading', { level: 1, name: 'Ada Lovelace' }).waitFor();
    const customer = page.locator('.detail-customer');
    expect(await customer.textContent()).toContain('ada@example.com');
    expect(await customer.textContent()).toContain('Not verified');
    expect(await customer.getByRole('link', { name: '+33612345678' }).getAttribute('href')).toBe('tel:+33612345678');
    const facts = await page.locator('.detail-appointment').textContent();
    expect(facts).toContain('Kitchen design consultation');
    expect(facts).toContain('Tue 2 Mar 2027, 10:00–11:00');
    expect(facts).toContain('Paris Opéra');
    expect(await page.locator('.detail-appointment time').first().getAttribute('title')).toMatch(/^2027-03-02 09:00 UTC/);
    const transcript = page.locator('.detail-transcript .msg');
    expect(await transcript.count()).toBe(3);
    expect(await transcript.nth(0).textContent()).toContain('Hello, I would like help designing my kitchen.');
    expect(await transcript.nth(1).textContent()).toContain('Options: Tomorrow');

    // A cancellation kind needs a reason.
    await page.getByRole('button', { name: 'Update status' }).click();
    dialog = page.getByRole('dialog', { name: 'Update status' });
    await dialog.getByRole('radio', { name: /^Rejected/ }).check();
    await dialog.getByRole('button', { name: 'Update status' }).click();
    await dialog.getByText('A reason is required for this status: the customer receives it.').waitFor();
    expect(await dialog.getByLabel('Reason').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'status-reason-required');
    await dialog.getByRole('radio', { name: /^Confirmed/ }).check();
    await dialog.getByLabel('Reason').fill('Advisor available');
    await dialog.getByRole('button', { name: 'Update status' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('.detail-appointment .chip', { hasText: 'Confirmed' }).waitFor();
    const history = page.locator('.detail-history .history-entry');
    await page.waitForFunction(() => document.querySelectorAll('.detail-history .history-entry').length === 3);
    expect(await history.nth(0).textContent()).toMatch(/Checking availability → ?Confirmed.*by Camille Martin \(staff\).*Reason: Advisor available/);
    expect(await history.nth(1).textContent()).toMatch(/Request received → ?Checking availability.*by Camille Martin/);
    expect(await history.nth(2).textContent()).toMatch(/Created as ?Request received.*by Ada Lovelace \(customer\)/);
    expect(await page.getByRole('button', { name: 'Confirm' }).count()).toBe(0);
    await shot(page, 'request-confirmed', true);
    expect((await findAppointment(db, brand.id, request.id))!.state).toBe('confirmed');

    // Back to the queue: it is empty, until "Show confirmed appointments".
    await page.getByRole('link', { name: '← Back to requests' }).click();
    await page.getByRole('heading', { level: 1, name: 'Requests' }).waitFor();
    await page.getByText('No requests are waiting for confirmation.').waitFor();
    expect(await row(page, request.id).count()).toBe(0);
    await page.getByRole('switch', { name: 'Show confirmed appointments' }).check();
    await row(page, request.id).locator('.chip', { hasText: 'Confirmed' }).waitFor();
    expect(page.url()).toContain('showConfirmed=true');
    await page.getByRole('link', { name: /^Requests$/ }).waitFor(); // the badge went away
    await shot(page, 'requests-show-confirmed');

    // History from the menu, newest first.
    await row(page, request.id).getByRole('button', { name: 'Actions for Ada Lovelace' }).click();
    await page.getByRole('menuitem', { name: 'History' }).click();
    const historyDialog = page.getByRole('dialog', { name: 'Status history' });
    await historyDialog.locator('.history-entry').nth(2).waitFor();
    expect(await historyDialog.locator('.history-entry .chip').allTextContents()).toEqual(['Confirmed', 'Checking availability', 'Request received']);
    await page.keyboard.press('Escape');
    await historyDialog.waitFor({ state: 'detached' });
  });

  test('cancelling needs a reason; the cancelled appointment leaves the upcoming list', async () => {
    await page.getByRole('link', { name: 'Appointments' }).click();
    await page.getByRole('link', { name: 'Upcoming' }).click();
    await row(page, toCancel.id).waitFor();
    const trigger = row(page, toCancel.id).getByRole('button', { name: 'Actions for Victor Hugo' });
    await trigger.focus();
    await page.keyboard.press('Enter');
    // Keyboard: the menu opens on its first item; End moves to the last.
    await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'menuitem');
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel appointment…');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Cancel appointment' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
    await dialog.getByText('Give a reason for the cancellation: the customer receives it.').waitFor();
    await shot(page, 'cancel-reason-required');
    await dialog.getByLabel('Reason').fill('The showroom is closed for works that day');
    await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('.toast', { hasText: 'Cancelled: Victor Hugo.' }).waitFor();
    await row(page, toCancel.id).waitFor({ state: 'detached' });
    const cancelled = (await findAppointment(db, brand.id, toCancel.id))!;
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.cancellationReason).toBe('The showroom is closed for works that day');
    // Still in the list of cancelled ones.
    await page.getByLabel('Status').selectOption('cancelled');
    await row(page, toCancel.id).locator('.chip', { hasText: 'Cancelled' }).waitFor();
  });

  test('book for a customer on the phone', async () => {
    await page.getByRole('link', { name: 'Book', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Book for a customer' }).waitFor();
    await page.getByLabel('Service').selectOption({ label: 'Guided showroom visit · 30 min' });
    await page.getByRole('combobox', { name: 'Store', exact: true }).selectOption({ label: 'Paris Opéra' });
    await page.locator('.slot label').first().waitFor();
    // Submitting too early names what is missing.
    await page.getByRole('button', { name: 'Book appointment' }).click();
    await page.getByText('Pick a time.').waitFor();
    await page.locator('.slot label').nth(2).click();
    await page.getByLabel('Full name').fill('Grace Hopper');
    await page.getByLabel('Phone').fill('+33698765432');
    await page.getByLabel('Notes').fill('Called the store; prefers a window seat.');
    await shot(page, 'book', true);
    await page.getByRole('button', { name: 'Book appointment' }).click();
    await page.getByRole('heading', { level: 1, name: 'Grace Hopper' }).waitFor();
    await page.locator('.detail-appointment .chip', { hasText: 'Confirmed' }).waitFor();
    expect(await page.locator('.detail-appointment').textContent()).toContain('via Console (phone)');
    expect(await page.locator('.detail-transcript').textContent()).toContain('Booked from the console: no chat.');
    const id = decodeURIComponent(page.url().split('#/appointment/')[1]!);
    const booked = (await findAppointment(db, brand.id, id))!;
    expect(booked).toMatchObject({ channel: 'console', state: 'confirmed', storeId: paris.id, notes: 'Called the store; prefers a window seat.' });
    await shot(page, 'booked');
  });

  test('tasks and settings', async () => {
    await page.getByRole('link', { name: /Tasks/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Tasks' }).waitFor();
    await page.getByText('Please call me back about a quote for a kitchen island.').waitFor();
    await shot(page, 'tasks');
    await page.getByRole('button', { name: 'Mark the task of Zoé Martin done' }).click();
    await page.getByText('Nothing to do: every message has been answered.').waitFor();

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    // A store manager: workflows, hours, staff; not templates or notification schedules.
    const sections = await page.locator('.settings-link').allTextContents();
    expect(sections).toEqual(['Services', 'Status workflows', 'Stores', 'Staff hours & time off', 'Staff accounts']);
    await page.getByRole('link', { name: 'Status workflows' }).click();
    await page.locator('.status-row').nth(3).waitFor();
    expect(await page.locator('.status-name').allTextContents()).toEqual([
      'Request received Start', 'Checking availability Start', 'Confirmed Booking confirmation', 'Rejected Cancellation',
    ]);
    // Design consultations are booked at every store: their workflow is the admins' to change.
    await page.getByText('This workflow is used beyond your stores: only an administrator can change it.').waitFor();
    expect(await page.getByRole('button', { name: 'Move Checking availability down' }).count()).toBe(0);
    expect(await page.getByRole('switch', { name: 'Use a status workflow for this service' }).isDisabled()).toBe(true);
    await page.getByRole('link', { name: 'Stores' }).click();
    await page.locator('.week-editor').first().waitFor();
    // Managers change opening hours, not the store's details.
    expect(await page.getByLabel('Address').isDisabled()).toBe(true);
    await shot(page, 'settings-store', true);
  });

  test('admin: template live preview, reminders, and a colleague invited who sets a password and signs in', async () => {
    const admin = await newPage();
    await signInAs(admin, plain, 'admin@atelier-lumiere.example');
    await admin.goto(`${plain.url}/console/#/settings/workflows`);
    await admin.locator('.status-row').nth(3).waitFor();
    await admin.getByRole('button', { name: 'Move Checking availability down' }).click();
    await admin.waitForFunction(() => document.querySelectorAll('.status-name')[2]?.textContent?.startsWith('Checking'));
    // Focus follows the moved status.
    expect(await admin.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Move Checking availability down');
    await admin.getByRole('button', { name: 'Move Checking availability up' }).click();
    await admin.waitForFunction(() => document.querySelectorAll('.status-name')[1]?.textContent?.startsWith('Checking'));
    await shot(admin, 'settings-workflow', true);
    await admin.goto(`${plain.url}/console/#/settings/templates`);
    await admin.getByRole('heading', { level: 2, name: 'Message templates' }).waitFor();
    await admin.getByRole('combobox', { name: 'Message', exact: true }).selectOption('confirmed');
    const frame = admin.locator('iframe.preview-frame');
    await until(async () => ((await frame.getAttribute('srcdoc')) ?? '').length > 0);
    await admin.getByLabel('Subject').fill('See you soon, {{customerName}}');
    await admin.locator('.preview-subject', { hasText: 'Subject: See you soon, Alex Dupont' }).waitFor();
    await admin.getByLabel('Body').fill('<p>Dear {{customerName}}, see you {{when}} at {{storeName}}.</p>');
    await until(async () => ((await frame.getAttribute('srcdoc')) ?? '').includes('Dear Alex Dupont, see you'));
    expect(await frame.getAttribute('sandbox')).toBe('');
    await shot(admin, 'settings-templates');
    await admin.getByRole('button', { name: 'Save template' }).click();
    await admin.locator('.template-state', { hasText: 'Customised' }).waitFor();
    await admin.getByLabel('Channel').selectOption('sms');
    await admin.getByLabel('Body').fill('{{#broken}} never closed');
    await admin.getByText(/The template cannot be read/).waitFor();

    await admin.getByRole('link', { name: 'Reminders & follow-ups' }).click();
    await admin.getByRole('heading', { level: 2, name: 'Reminders and follow-ups' }).waitFor();
    await admin.getByRole('button', { name: '+ Add a reminder' }).click();
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.locator('.toast', { hasText: 'Reminders and follow-ups saved.' }).waitFor();
    await shot(admin, 'settings-reminders', true);

    await admin.getByRole('link', { name: 'Staff accounts' }).click();
    await admin.getByRole('button', { name: '+ Invite a colleague' }).click();
    const invite = admin.getByRole('dialog', { name: 'Invite a colleague' });
    await invite.getByLabel('Name').fill('Alice Moreau');
    await invite.getByLabel('Email').fill('alice.moreau@atelier-lumiere.example');
    await invite.getByRole('radio', { name: /^Agent/ }).check();
    await invite.getByRole('button', { name: 'Create invite' }).click();
    await invite.getByText('Agents and store managers need at least one store.').waitFor();
    await invite.getByLabel('Paris Opéra').check();
    await invite.getByRole('button', { name: 'Create invite' }).click();
    const linkDialog = admin.getByRole('dialog', { name: 'Invite link' });
    const link = await linkDialog.getByLabel('Invite link').inputValue();
    expect(link).toMatch(new RegExp(`^${plain.url}/console/#/invite/[A-Za-z0-9_-]{20,}$`));
    await shot(admin, 'staff-invite-link');
    await linkDialog.getByRole('button', { name: 'Done' }).click();
    await admin.locator('tr', { hasText: 'Alice Moreau' }).locator('.badge', { hasText: 'Invited' }).waitFor();

    const alice = await newPage();
    await alice.goto(link);
    await alice.getByRole('heading', { name: 'Welcome! Choose your password' }).waitFor();
    await alice.getByText('At least 12 characters (at most 128).').waitFor();
    await alice.getByLabel('New password').fill('short');
    await alice.getByLabel('Repeat the password').fill('short');
    await alice.getByRole('button', { name: 'Set password' }).click();
    await alice.getByText('Use at least 12 characters.').waitFor();
    await alice.getByLabel('New password').fill('alicemoreau2027');
    await alice.getByLabel('Repeat the password').fill('alicemoreau2027');
    await alice.getByRole('button', { name: 'Set password' }).click();
    await alice.getByText('This password is too common or too easy to guess.', { exact: false }).waitFor();
    await shot(alice, 'invite-password-rules');
    await alice.getByLabel('New password').fill('copper kettle on the window sill');
    await alice.getByLabel('Repeat the password').fill('copper kettle on the window sill');
    await alice.getByRole('button', { name: 'Set password' }).click();
    await alice.getByRole('heading', { name: 'Your account is ready' }).waitFor();
    await alice.getByRole('link', { name: 'Sign in' }).click();
    expect(await alice.getByLabel('Email').inputValue()).toBe('alice.moreau@atelier-lumiere.example');
    await alice.getByLabel('Password').fill('copper kettle on the window sill');
    await alice.getByRole('button', { name: 'Sign in' }).click();
    await alice.getByRole('heading', { level: 1, name: 'Appointments' }).waitFor();
    expect(await alice.locator('.user-name').textContent()).toContain('Alice Moreau');
  });

  test('an agent of Lyon sees Lyon only, on a tablet', async () => {
    const tablet = await newPage(TABLET);
    await signInAs(tablet, plain, HUGO);
    await tablet.getByRole('link', { name: 'Upcoming' }).click();
    await row(tablet, lyonVisit.id).waitFor();
    expect(await row(tablet, request.id).count()).toBe(0);
    await shot(tablet, 'lyon-agent-tablet');
    await tablet.goto(`${plain.url}/console/#/appointment/${request.id}`);
    await tablet.getByText('This appointment belongs to a store outside your access.').waitFor();
    // Agents see no workflow or staff settings.
    await tablet.getByRole('link', { name: 'Settings' }).click();
    await tablet.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    expect(await tablet.locator('.settings-link').allTextContents()).toEqual(['Services', 'Stores']);
  });

  test('admin: the questions the chat answers (FAQ) are edited and saved', async () => {
    const admin = await newPage();
    await signInAs(admin, plain, 'admin@atelier-lumiere.example');
    await admin.goto(`${plain.url}/console/#/settings/faq`);
    await admin.getByRole('heading', { level: 2, name: 'Questions the chat answers' }).waitFor();
    expect(await admin.getByLabel('Question (English)').first().inputValue()).toBe('Is it free?');
    await admin.getByLabel('Answer (English)').first().fill('Yes, and without commitment.');
    await admin.getByRole('button', { name: '+ Add a question' }).click();
    await admin.getByLabel('Answer (English)').last().fill('No phrase yet.');
    await admin.getByRole('button', { name: 'Save' }).click();
    // A question needs phrases to be recognised by: the server says so on the field.
    await admin.getByText('Give at least one phrase the question is recognised by.').waitFor();
    await admin.getByRole('button', { name: 'Remove this question' }).last().click();
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.locator('.toast', { hasText: 'Questions saved.' }).waitFor();
    expect((await listFaq(db, DEMO_BRAND_ID)).map((e) => e.answers.en)).toEqual([
      'Yes, and without commitment.', 'Each store has a public car park within a few minutes on foot.',
      'If you can, bring the plan of your room with its measurements and a few photos.',
    ]);
    await shot(admin, 'settings-faq', true);
  });

  test('admin: the brand’s SMS and WhatsApp numbers, with the webhook to set at Twilio; a bad number is named on its row', async () => {
    const admin = await newPage();
    await signInAs(admin, plain, 'admin@atelier-lumiere.example');
    await admin.goto(`${plain.url}/console/#/settings/phone-numbers`);
    await admin.getByRole('heading', { level: 2, name: 'Phone numbers' }).waitFor();
    expect(await admin.locator('code').textContent()).toBe(`${plain.url}/webhooks/twilio/messages`);
    expect(await admin.getByLabel('Number', { exact: true }).first().inputValue()).toBe(DEMO_PHONE_NUMBER);
    await admin.getByRole('button', { name: '+ Add a number' }).click();
    await admin.getByLabel('Number', { exact: true }).last().fill('06 12');
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.getByText('Write the number in international format').waitFor();
    expect(await admin.getByLabel('Number', { exact: true }).last().getAttribute('aria-invalid')).toBe('true');
    await admin.getByLabel('Number', { exact: true }).last().fill('+33 7 11 22 33 44');
    await admin.getByLabel('WhatsApp', { exact: true }).last().check();
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.locator('.toast', { hasText: 'Phone numbers saved.' }).waitFor();
    expect(await listBrandNumbers(db, DEMO_BRAND_ID)).toEqual([DEMO_PHONE_NUMBER, `whatsapp:${DEMO_PHONE_NUMBER}`, '+33711223344', 'whatsapp:+33711223344']);
    await shot(admin, 'settings-phone-numbers', true);
  });

  test('a draft on-site visit is moved to another arrival window, then validated at an exact time, from its card', async () => {
    let n = 0;
    const fixtures = fieldFixtures(db, clock.now, (prefix) => `${prefix}-${++n}`);
    const draft = await fixtures.draft({ brand, store: paris, markers: new Set() });
    const parisTime = (at: Date) => DateTime.fromJSDate(at, { zone: 'Europe/Paris' });
    const next = parisTime(draft.nextWindowStart);
    const manager = await newPage();
    await signInAs(manager, plain, CAMILLE);
    await manager.goto(`${plain.url}/console/#/appointment/${draft.appointmentId}`);
    const card = manager.locator('.detail-field-visit');
    await card.getByRole('button', { name: 'Move' }).waitFor();
    await card.getByLabel('Move to the window starting').fill(next.toISODate()!);
    await card.getByLabel('New window start').fill(next.toFormat('HH:mm'));
    await card.getByRole('button', { name: 'Move' }).click();
    await manager.locator('.toast', { hasText: 'Draft moved to the new window.' }).waitFor();
    expect((await findAppointment(db, brand.id, draft.appointmentId))).toMatchObject({ state: 'pending', startAt: draft.nextWindowStart });
    // The file shows the new window; the exact arrival is picked inside it.
    await card.getByLabel('Exact arrival').and(manager.locator(`[min="${next.toFormat('HH:mm')}"]`)).waitFor();
    await card.getByLabel('Exact arrival').fill(next.plus({ minutes: 30 }).toFormat('HH:mm'));
    await card.getByRole('button', { name: 'Validate' }).click();
    await manager.locator('.toast', { hasText: 'Visit validated; the customer gets the exact time.' }).waitFor();
    expect((await findAppointment(db, brand.id, draft.appointmentId))).toMatchObject({
      state: 'confirmed', startAt: next.plus({ minutes: 30 }).toJSDate(),
    });
    await shot(manager, 'field-visit-validated', true);
  });

  test('live updates and a hand-off over the real /console namespace', async () => {
    const agent = await newPage();
    await signInAs(agent, live, CAMILLE);
    await agent.locator('.live-status', { hasText: /^Live$/ }).waitFor();
    await agent.getByRole('link', { name: 'Upcoming' }).click();
    await row(agent, today.id).waitFor();
    await until(async () => (await onlineOf(live.handoff.presence, brand.id)).length > 0);

    // Someone else cancels: the row goes without a reload (appointment:changed).
    const admin = await signIn({ url: `${live.url}/console/api`, close: async () => {} } as ConsoleServer, 'admin@atelier-lumiere.example', password('admin@atelier-lumiere.example'));
    const cancelled = await admin.post(`/appointments/${today.id}/cancel`, { reason: 'Customer called: no longer needed' });
    expect(cancelled.status).toBe(200);
    await row(agent, today.id).waitFor({ state: 'detached' });

    // A customer asks for a person in the chat: badge, title, then join, chat, read receipts, end.
    const { conversation } = await createWebConversation(db, brand.id, 'en', 'Europe/Paris');
    await updateConversation(db, conversation.id, { customerId: today.customerId });
    expect(await live.handoff.requestPerson(conversation.id)).toEqual({ status: 'queued', position: 1 });
    await agent.getByRole('link', { name: /Live/ }).locator('.count', { hasText: '1' }).waitFor();
    await until(async () => /^\(1\) /.test(await agent.title()));
    await agent.getByRole('link', { name: /Live/ }).click();
    await agent.getByRole('heading', { level: 1, name: 'Live chat' }).waitFor();
    await agent.getByText('Asked for an advisor in the chat · #1 in line').waitFor();
    await shot(agent, 'live-waiting');
    await agent.getByRole('button', { name: 'Join the chat with Marie Curie' }).click();
    await agent.locator('.live-log').getByText('Camille Martin', { exact: false }).first().waitFor();
    expect((await findHandoff(db, conversation.id))!).toMatchObject({ state: 'attached' });
    expect(await agent.getByRole('link', { name: /Live/ }).locator('.count').count()).toBe(0);

    const { entry } = await appendEntry(db, conversation.id, { sender: 'customer', text: 'Hello, can I move my appointment?' });
    live.handoff.publish(conversation.id, entry);
    await agent.locator('.live-log').getByText('Hello, can I move my appointment?').waitFor();
    live.handoff.customerTyping(conversation.id, true);
    await agent.getByText('Marie Curie is typing…').waitFor();
    await agent.getByLabel('Message to Marie Curie').fill('Of course! Which day suits you?');
    await agent.keyboard.press('Enter');
    await agent.locator('.msg-agent', { hasText: 'Of course! Which day suits you?' }).getByText('Delivered').waitFor();
    const stored = await entriesAfter(db, conversation.id, 0, 100);
    const sent = stored.find((e) => e.sender === 'agent')!;
    expect(sent).toMatchObject({ senderName: 'Camille Martin', text: 'Of course! Which day suits you?' });
    // On screen, the customer's message is read: the mark reaches the server (and the customer).
    await until(async () => ((await findHandoff(db, conversation.id))?.agentReadSeq ?? 0) >= entry.seq);
    await live.handoff.customerRead(conversation.id, sent.seq);
    await agent.locator('.msg-agent', { hasText: 'Of course! Which day suits you?' }).getByText('Seen').waitFor();
    await shot(agent, 'live-chat');

    await agent.getByRole('button', { name: 'End chat' }).click();
    await agent.getByRole('dialog', { name: 'End chat' }).getByRole('button', { name: 'End chat' }).click();
    await agent.getByText('This chat has ended.').waitFor();
    expect((await findHandoff(db, conversation.id))!).toMatchObject({ state: 'bot' });
    expect(await agent.locator('.toast-error').allTextContents()).toEqual([]);
  });

  test('no script errors and no CSP violations in any page', () => {
    expect(pageErrors).toEqual([]);
    expect(cspErrors).toEqual([]);
  });
});
