import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, startApp, type TestApp } from './support/app.ts';
import { testClock } from './support/server.ts';

/**
 * The dev phone in Chromium: `npm start` without Twilio keys serves it; a customer books over
 * simulated WhatsApp, tapping list pickers and quick-reply buttons. Each message goes through the
 * real webhook (signed) and each reply through the real Twilio transport to the local stand-in.
 */

// Monday 1 March 2027, 08:00 in Paris.
const clock = testClock('2027-03-01T07:00:00Z');
const WAIT = { timeout: 30_000 };

describe('dev phone', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    app = await startApp(clock.now);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 480, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) pageErrors.push(m.text()); });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const lastBrandMessage = () => page.locator('.msg.brand').last();
  /** Opens the last message's list picker and taps a row. */
  async function pickFromList(row: RegExp) {
    await lastBrandMessage().getByRole('button', { name: /Choose/ }).click(WAIT);
    await lastBrandMessage().locator('.list button').filter({ hasText: row }).first().click(WAIT);
  }
  async function type(text: string) {
    await page.getByLabel('Message').fill(text);
    await page.getByRole('button', { name: 'Send' }).click();
  }

  test('books over simulated WhatsApp with list pickers and quick-reply buttons', async () => {
    await page.goto(`${app.url}/dev/phone`);
    await page.getByLabel('Channel').selectOption('whatsapp');
    await page.getByLabel('My number').fill('+12125550300');
    await page.getByLabel('My number').dispatchEvent('change');
    await page.getByText('to whatsapp:+33757000000').waitFor(WAIT);

    await type('I would like to book');
    await page.locator('.msg.me', { hasText: 'I would like to book' }).waitFor(WAIT);
    await lastBrandMessage().getByText('Which service would you like to book?').waitFor(WAIT);
    await pickFromList(/^Video advice$/);
    await lastBrandMessage().getByText('When would you like your appointment?').waitFor(WAIT);
    await pickFromList(/^Soonest$/);
    await lastBrandMessage().getByText('Here are the available times.').waitFor(WAIT);
    await pickFromList(/09:00/);
    await lastBrandMessage().getByText('Here is your appointment:').waitFor(WAIT);
    await lastBrandMessage().getByRole('button', { name: 'Confirm' }).click(WAIT);
    await lastBrandMessage().getByText(/Almost done!/).waitFor(WAIT);
    await type('Grace Hopper');
    await page.locator('.msg.brand', { hasText: "You're booked!" }).waitFor(WAIT);

    mkdirSync('tests/artifacts', { recursive: true });
    await page.screenshot({ path: 'tests/artifacts/dev-phone-whatsapp.png', fullPage: true });
    const [booked] = await app.db.query<{ channel: string; name: string }>(
      `SELECT a.channel, c.name FROM appointments a JOIN customers c ON c.id = a.customer_id WHERE c.phone = '+12125550300'`);
    expect(booked).toEqual({ channel: 'whatsapp', name: 'Grace Hopper' });
    // It went the production way: every reply was handed to the Twilio transport and sent.
    const providers = await app.db.query<{ provider: string; status: string }>(
      `SELECT DISTINCT provider, status FROM messages WHERE recipient = '+12125550300' AND kind = 'chat'`);
    expect(providers).toEqual([{ provider: 'twilio', status: 'sent' }]);
    expect(pageErrors).toEqual([]);
  });
});
