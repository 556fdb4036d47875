import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { buildWidget } from '../chat-widget/build.ts';
import { launchChromium, startApp, type TestApp } from './support/app.ts';
import { testClock } from './support/server.ts';

// Monday 1 March 2027, 08:00 in Paris.
const clock = testClock('2027-03-01T07:00:00Z');
const ARTIFACTS = 'tests/artifacts';

describe('booking from the demo website with the chat widget only', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await buildWidget();
    app = await startApp(clock.now);
    browser = await launchChromium();
    const context = await browser.newContext({ timezoneId: 'Europe/Paris', locale: 'en-GB', viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  // The widget renders inside a shadow root; Playwright's CSS locators pierce it.
  const chat = () => page.locator('#rendezvous-chat');
  const button = (name: string | RegExp) => chat().getByRole('button', { name }).last();
  const botSays = (text: string | RegExp) => chat().getByText(text).last().waitFor({ timeout: 20_000 });

  test('a customer books a showroom visit, verifies their email with the code from the outbox, and sees it confirmed', async () => {
    await page.goto(app.url + '/');
    await page.getByRole('button', { name: /book an appointment/i }).first().click();
    await botSays(/What would you like to do\?/);
    await button('Book an appointment').click();
    await botSays('Which service would you like to book?');
    await button('Guided showroom visit').click();
    await botSays(/Which store would you like to visit\?/);
    const input = chat().getByRole('textbox').last();
    await input.fill('75009');
    await input.press('Enter');
    await button(/^Paris Opéra/).click();
    await botSays('When would you like your appointment?');
    await button('Tomorrow').click();
    await button('10:00').click();
    await botSays(/Shall I confirm it\?/);
    await page.screenshot({ path: `${ARTIFACTS}/e2e-summary.png` });
    await button('Confirm').click();

    await chat().getByLabel(/name/i).last().fill('Ada Lovelace');
    await chat().getByLabel(/email/i).last().fill('ada.e2e@example.com');
    await button('Continue').click();
    await botSays(/sent a 6-digit code to ada\.e2e@example\.com/);

    // Read the code as a developer would: from the dev outbox.
    const outbox = await (await fetch(`${app.url}/dev/outbox/messages.json?to=ada.e2e@example.com&kind=otp`)).json() as { messages: { text: string }[] };
    const code = /\b(\d{6})\b/.exec(outbox.messages[0]!.text)![1]!;
    await chat().getByLabel(/code/i).last().fill(code);
    await page.screenshot({ path: `${ARTIFACTS}/e2e-code.png` });
    await button('Verify').click();
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
