import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { buildWidget } from '../chat-widget/build.ts';
import { launchChromium, startApp, type TestApp } from './support/app.ts';
import { testClock } from './support/server.ts';
import { widgetDriver, type WidgetDriver } from './support/widget-driver.ts';

// Monday 1 March 2027, 08:00 in Paris.
const clock = testClock('2027-03-01T07:00:00Z');
const ARTIFACTS = 'tests/artifacts';

describe('booking from the demo website with the chat widget only', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let widget: WidgetDriver;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await buildWidget();
    app = await startApp(clock.now);
    browser = await launchChromium();
    const context = await browser.newContext({ timezoneId: 'Europe/Paris', locale: 'en-GB', viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    widget = widgetDriver(page);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const chat = () => widget.chat();
  const button = (name: string | RegExp) => widget.button(name);
  const botSays = (text: string | RegExp) => widget.botSays(text);

  test('a customer books a showroom visit, verifies their email with the code from the outbox, and sees it confirmed', async () => {
    await page.goto(app.url + '/');
    await page.getByRole('button', { name: /book an appointment/i }).first().click();
    await botSays(/What would you like to do\?/);
    await button('Book an appointment').click();
    await botSays('Which service would you like to book?');
    await button('Guided showroom visit').click();
    await botSays(/Which store would you like to visit\?/);
    await widget.say('75009');
    await button(/^Paris Opéra/).click();
    await botSays('When would you like your appointment?');
    await button('Tomorrow').click();
    await button('10:00').click();
    await botSays(/Shall I confirm it\?/);
    await page.screenshot({ path: `${ARTIFACTS}/e2e-summary.png` });
    await button('Confirm').click();

    // The code is read as a developer would: from the dev outbox.
    await widget.verifyEmail({
      url: app.url, name: 'Ada Lovelace', email: 'ada.e2e@example.com',
      beforeVerify: () => page.screenshot({ path: `${ARTIFACTS}/e2e-code.png` }),
    });
    await botSays(/You're booked! Your appointment is confirmed\./);
    await chat().getByText('Add to my calendar').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}/e2e-booked.png` });

    const [row] = await app.db.query<{ state: string; start_at: Date; email_verified_at: Date | null }>(
      `SELECT a.state, a.start_at, c.email_verified_at FROM appointments a JOIN customers c ON c.id = a.customer_id WHERE c.email = 'ada.e2e@example.com'`,
    );
    expect(row).toMatchObject({ state: 'confirmed' });
    expect(new Date(row!.start_at).toISOString()).toBe('2027-03-02T09:00:00.000Z');
    expect(row!.email_verified_at).not.toBeNull();

    // Reloading keeps the conversation.
    await page.reload();
    await page.waitForFunction(() => 'Rendezvous' in window);
    await page.evaluate(() => (window as unknown as { Rendezvous: { open(): void } }).Rendezvous.open());
    await botSays(/You're booked!/);
    await page.screenshot({ path: `${ARTIFACTS}/e2e-reloaded.png` });
  }, 120_000);
});
