import { mkdir } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildCustomerPage } from '../customer-page/build.ts';
import { seedFieldServiceDemo } from '../models/seed-field.ts';
import { findCustomerByEmail, listAddresses } from '../models/customer-accounts.repository.ts';
import { launchChromium, startApp, type TestApp } from './support/app.ts';
import { dragPinEast } from './support/map-pin.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';
import { outboxMessages, outboxCode } from './support/widget-driver.ts';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);
const clock = testClock('2027-03-01T07:00:00Z');
const MARIE = 'marie.durand@example.com';
// Where the phone says the customer stands: a few metres from the geocoded point.
const HERE = { latitude: 48.85535, longitude: 2.37395 };

let app: TestApp;
let browser: Browser;
let context: BrowserContext;
const tileRequests: string[] = [];

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  await buildCustomerPage();
  // Nothing listens on port 9: every tile fails, as offline.
  app = await startApp(clock.now, { MAP_TILE_URL: 'http://127.0.0.1:9/tiles/{z}/{x}/{y}.png' });
  await seedFieldServiceDemo(app.db, '2027-03-01');
  browser = await launchChromium();
  context = await browser.newContext({ reducedMotion: 'reduce', locale: 'fr-FR', geolocation: HERE, permissions: ['geolocation'], viewport: { width: 800, height: 1000 } });
}, 120_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

async function signIn(page: Page, contractId?: string): Promise<void> {
  await page.goto(`${app.url}/visit/${contractId ? `?contract=${contractId}` : ''}`);
  await page.fill('#email', MARIE);
  const before = (await outboxMessages(app.url, MARIE, 'otp')).length;
  await page.click('#send-code');
  await page.waitForSelector('#code');
  await until(async () => (await outboxMessages(app.url, MARIE, 'otp')).length > before, 30_000);
  await page.fill('#code', await outboxCode(app.url, MARIE));
  await page.click('#sign-in');
}

test('tiles failing, the customer still corrects the pin (location, coordinates, drag) and books a draft from a contract', async () => {
  const page = await context.newPage();
  page.on('request', (r) => { if (r.url().includes('/tiles/')) tileRequests.push(r.url()); });
  const marie = (await findCustomerByEmail(app.db, 'demo', MARIE))!;
  const [contract] = await app.db.query<{ id: string }>(
    'SELECT c.id FROM maintenance_contracts c JOIN installed_equipment e ON e.id = c.equipment_id WHERE e.customer_id = $1', [marie.id],
  );
  await signIn(page, contract!.id);

  // The contract link went straight to the address of its appliance, in French.
  await page.waitForSelector('#map .pin');
  await page.waitForSelector('text=La carte n’a pas pu être chargée');
  expect(tileRequests.length).toBeGreaterThan(0);
  expect(await page.textContent('.leaflet-control-attribution')).toContain('OpenStreetMap');

  // Use my location moves the pin and the fields.
  await page.click('#use-location');
  await page.waitForFunction((lat) => (document.querySelector('#pin-latitude') as HTMLInputElement).value === lat.toFixed(6), HERE.latitude);
  // Typed coordinates win.
  await page.fill('#pin-latitude', '48.855400');
  await page.fill('#pin-longitude', '2.373900');
  await page.press('#pin-longitude', 'Tab');
  // And the pin can be dragged on the blank map, once it stands still where the coordinates put it.
  await dragPinEast(page, page.locator('#map .pin'));
  await page.waitForFunction(() => (document.querySelector('#pin-longitude') as HTMLInputElement).value !== '2.373900');
  const dragged = { latitude: Number(await page.inputValue('#pin-latitude')), longitude: Number(await page.inputValue('#pin-longitude')) };
  expect(dragged.longitude).toBeGreaterThan(2.3739);
  await page.fill('#access-comment', 'Digicode 1234, 2e étage');
  await page.screenshot({ path: new URL('customer-page-pin.png', ARTIFACTS).pathname, fullPage: true });
  await page.click('#confirm-address');

  // Service of the contract, its task, a date to search from.
  await page.waitForSelector('#task');
  expect(await page.textContent('#task')).toContain('Entretien annuel obligatoire');
  expect(await page.isDisabled('#service')).toBe(true);
  await page.fill('#from', '2027-03-02');
  await page.click('#show-windows');
  await page.waitForSelector('.windows button');
  expect(await page.textContent('.windows .day')).toMatch(/mar\. 2 mars/);
  await page.click('.windows button[data-start="2027-03-02T07:00:00.000Z"]');
  await page.waitForSelector('#summary-window');
  expect(await page.textContent('#summary-window')).toBe('mar. 2 mars, 08:00–10:00');
  await page.click('#validate');
  await page.waitForSelector('#done');
  await page.screenshot({ path: new URL('customer-page-done.png', ARTIFACTS).pathname, fullPage: true });

  const [address] = await listAddresses(app.db, marie.id);
  expect(address).toMatchObject({ correctedByCustomer: true, accessComment: 'Digicode 1234, 2e étage' });
  expect(address!.latitude).toBeCloseTo(dragged.latitude, 6);
  expect(address!.longitude).toBeCloseTo(dragged.longitude, 6);
  const drafts = await app.db.query<{ task: string; state: string }>(
    'SELECT v.task, a.state FROM field_visits v JOIN appointments a ON a.id = v.appointment_id WHERE v.contract_id = $1', [contract!.id],
  );
  expect(drafts).toEqual([{ task: 'Entretien annuel obligatoire et attestation', state: 'pending' }]);
  await until(async () => (await outboxMessages(app.url, MARIE, 'request_received')).length === 1, 30_000);
}, 180_000);
