import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { buildWidget } from '../chat-widget/build.ts';
import { findCustomerByEmail, listAddresses } from '../models/customer-accounts.repository.ts';
import { seedFieldServiceDemo } from '../models/seed-field.ts';
import { launchChromium, startApp, type TestApp } from './support/app.ts';
import { dragPinEast } from './support/map-pin.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';
import { outboxCode, widgetDriver } from './support/widget-driver.ts';

// The chat widget's pin card in the on-site visit: the map bundle loads lazily, the tile host is
// blocked, and the customer still moves the pin (typed coordinates, then a drag) and confirms it.
const clock = testClock('2027-03-01T07:00:00Z');
const ARTIFACTS = 'tests/artifacts';
const TOM = 'tom.baker@example.com';
const TILES = 'https://tiles.blocked.test/{z}/{x}/{y}.png';

let app: TestApp;
let browser: Browser;
let page: Page;
const tileRequests: string[] = [];
const scripts: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildWidget();
  app = await startApp(clock.now, { MAP_TILE_URL: TILES });
  await seedFieldServiceDemo(app.db, '2027-03-01');
  browser = await launchChromium();
  const context = await browser.newContext({ timezoneId: 'Europe/Paris', locale: 'en-GB', viewport: { width: 1280, height: 1000 } });
  // The tile host is unreachable, as offline: a request reaching here also proves the page's CSP allows it.
  await context.route('https://tiles.blocked.test/**', (route) => { tileRequests.push(route.request().url()); return route.abort(); });
  page = await context.newPage();
  page.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname); });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

test('tiles failing, the customer corrects the pin in the chat by typed coordinates and a drag, and the address keeps it', async () => {
  const widget = widgetDriver(page);
  const chat = widget.chat();
  const tom = (await findCustomerByEmail(app.db, 'demo', TOM))!;
  const [before] = await listAddresses(app.db, tom.id);

  await page.goto(app.url + '/');
  await page.getByRole('button', { name: /book an appointment/i }).first().click();
  await widget.botSays(/What would you like to do\?/);
  // No map until a pin is to be shown.
  expect(scripts).not.toContain('/widget-map.js');
  await widget.say('my heat pump needs its yearly service');
  await widget.botSays(/what email address is your customer account under\?/);
  await widget.say(TOM);
  await widget.botSays(/sent a 6-digit code/);
  await until(async () => (await outboxCode(app.url, TOM).catch(() => null)) !== null, 30_000);
  await chat.getByLabel(/code/i).last().fill(await outboxCode(app.url, TOM));
  await widget.button('Verify').click();
  await widget.botSays('Which appliance or maintenance contract is it about?');
  await widget.button('Heat pump Daikin Altherma 3').click();
  await widget.botSays(/Is the pin on the map right\?/);

  // The map came in its own bundle, with Leaflet's stylesheet inside the widget's shadow root.
  const pin = chat.locator('.rdv-map-pin').last();
  await pin.waitFor({ timeout: 30_000 });
  expect(scripts).toContain('/widget-map.js');
  await widget.botSays(/The map cannot be shown right now/);
  expect(tileRequests.length).toBeGreaterThan(0);
  expect(await chat.locator('.leaflet-control-attribution').last().textContent()).toContain('OpenStreetMap');
  const latitude = chat.getByLabel('Latitude').last();
  const longitude = chat.getByLabel('Longitude').last();
  expect(Number(await latitude.inputValue())).toBeCloseTo(before!.latitude, 6);

  // Typed coordinates move the pin…
  await latitude.fill('45.762400');
  await longitude.fill('4.833000');
  await longitude.press('Tab');
  // …and the pin is then dragged east on the blank map, once it stands still where the fields put it.
  await dragPinEast(page, pin);
  await until(async () => (await longitude.inputValue()) !== '4.833000', 30_000);
  const dragged = { latitude: Number(await latitude.inputValue()), longitude: Number(await longitude.inputValue()) };
  expect(dragged.latitude).toBeCloseTo(45.7624, 4);
  expect(dragged.longitude).toBeGreaterThan(4.833);
  await page.screenshot({ path: `${ARTIFACTS}/widget-pin-map.png` });
  await widget.button('Confirm the pin').click();
  await widget.botSays(/Thanks, I’ve moved the pin\./);

  const [address] = await listAddresses(app.db, tom.id);
  expect(address!.correctedByCustomer).toBe(true);
  expect(address!.latitude).toBeCloseTo(dragged.latitude, 5);
  expect(address!.longitude).toBeCloseTo(dragged.longitude, 5);
}, 180_000);
