import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildWidget } from '../chat-widget/build.ts';
import type { WidgetState } from '../chat-widget/src/store.ts';
import { applyAck, mergeActivities } from '../chat-widget/src/transcript.ts';
import { appendEntry } from '../models/conversations.repository.ts';
import { launchChromium, startApp, type TestApp } from './support/app.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';
import { widgetDriver, type WidgetDriver } from './support/widget-driver.ts';

// The widget's scroll, focus and placement in a real Chromium against the whole product (issue 11, defect 10).
const clock = testClock('2027-03-01T07:00:00Z');
const ARTIFACTS = 'tests/artifacts';

let app: TestApp;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await buildWidget();
  app = await startApp(clock.now);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function open(options: Parameters<Browser['newContext']>[0]): Promise<{ context: BrowserContext; page: Page; widget: WidgetDriver }> {
  const context = await browser.newContext({ timezoneId: 'Europe/Paris', locale: 'en-GB', ...options });
  const page = await context.newPage();
  await page.goto(`${app.url}/`);
  return { context, page, widget: widgetDriver(page) };
}

/** The element focused inside the widget's shadow root: its tag, name or class. */
const focused = (page: Page) => page.evaluate(() => {
  const active = document.querySelector('#rendezvous-chat')?.shadowRoot?.activeElement as HTMLElement | null | undefined;
  return active ? (active.getAttribute('name') ?? active.className) : null;
});

/** How far the log is from its bottom, and whether `selector`'s last match lies inside the log's visible box. */
const logView = (page: Page, selector: string) => page.evaluate((sel) => {
  const root = document.querySelector('#rendezvous-chat')!.shadowRoot!;
  const log = root.querySelector<HTMLElement>('.rdv-log')!;
  const items = root.querySelectorAll(sel);
  const item = items[items.length - 1];
  const box = log.getBoundingClientRect();
  const r = item?.getBoundingClientRect();
  return {
    fromBottom: log.scrollHeight - log.scrollTop - log.clientHeight,
    scrollTop: log.scrollTop,
    visible: r !== undefined && r.top >= box.top - 1 && r.bottom <= box.bottom + 1,
  };
}, selector);

test('answers stay in view and take the focus: buttons and forms lead to the next field; the customer\'s own message is shown once', async () => {
  const { context, page, widget } = await open({ viewport: { width: 1024, height: 640 } });
  try {
    // Counts, at every change of the log, the customer bubbles saying "Confirm".
    await page.evaluate(() => {
      const w = window as unknown as { maxConfirm: number };
      w.maxConfirm = 0;
      const root = document.querySelector('#rendezvous-chat')!.shadowRoot!;
      new MutationObserver(() => {
        const n = [...root.querySelectorAll('.rdv-bubble-out')].filter((b) => b.textContent?.endsWith('Confirm')).length;
        w.maxConfirm = Math.max(w.maxConfirm, n);
      }).observe(root, { childList: true, subtree: true, characterData: true });
    });
    await page.getByRole('button', { name: /book an appointment/i }).first().click();
    await widget.botSays(/What would you like to do\?/);
    await widget.button('Book an appointment').click();
    await widget.botSays('Which service would you like to book?');
    // An answer with buttons only: the message box has the focus.
    await until(async () => (await focused(page)) === 'rdv-textarea');
    await widget.button('Guided showroom visit').click();
    await widget.botSays(/Which store would you like to visit\?/);
    await widget.say('75009');
    await widget.button(/^Paris Opéra/).click();
    await widget.botSays('When would you like your appointment?');
    await widget.button('Tomorrow').click();
    await widget.button('10:00').click();
    await widget.botSays(/Shall I confirm it\?/);
    await widget.button('Confirm').click();
    await widget.chat().getByLabel('Full name').waitFor();
    // The form is in view, whole, and its first field has the focus.
    await until(async () => (await logView(page, '.rdv-form')).visible && (await focused(page)) === 'name', 20_000);
    await page.screenshot({ path: `${ARTIFACTS}/widget-contact-form-in-view.png` });
    await until(async () => (await widget.chat().locator('.rdv-bubble-out', { hasText: /Confirm$/ }).count()) === 1);
    expect(await page.evaluate(() => (window as unknown as { maxConfirm: number }).maxConfirm)).toBe(1);

    await widget.chat().getByLabel('Full name').fill('Ada Lovelace');
    await widget.chat().getByLabel(/^Email/).fill('ada.widget@example.com');
    // Defect 9: neither contact field is "optional" on its own.
    expect(await widget.chat().locator('.rdv-label').allTextContents()).toEqual(['Full name', 'Email (or mobile phone)', 'Mobile phone (or email)']);
    await widget.button('Continue').click();
    await widget.botSays(/sent a 6-digit code/);
    await until(async () => (await focused(page)) === 'code' && (await logView(page, '.rdv-form')).visible, 20_000);
  } finally {
    await context.close();
  }
}, 120_000);

test('the log follows new messages while the customer is at the bottom, even mid smooth-scroll, and not once they scrolled up', async () => {
  const { context, page, widget } = await open({ viewport: { width: 1024, height: 640 } });
  try {
    await page.getByRole('button', { name: /book an appointment/i }).first().click();
    await widget.botSays(/What would you like to do\?/);
    const { conversationId } = await page.evaluate(() => JSON.parse(localStorage.getItem('rdv:demo:session') ?? '{}') as { conversationId: string });
    const push = async (text: string) => {
      const { entry } = await appendEntry(app.db, conversationId, { sender: 'system', text });
      app.rendezvous.handoff.publish(conversationId, entry);
    };
    const long = (n: number) => `Update ${n}: ${'a long line of news about your appointment. '.repeat(12)}`;
    for (let i = 1; i <= 3; i++) await push(long(i));
    await until(async () => (await logView(page, '.rdv-row-system')).fromBottom < 2);
    // Two messages in quick succession: the second arrives while the log is still smooth-scrolling to the first.
    await push(long(4));
    await widget.chat().getByText(/^Update 4:/).waitFor();
    await push(long(5));
    await widget.chat().getByText(/^Update 5:/).waitFor();
    await until(async () => (await logView(page, '.rdv-row-system')).fromBottom < 2 && (await logView(page, '.rdv-row-system')).visible);

    // Scrolled up to read: new messages do not pull the log down.
    await widget.chat().locator('.rdv-log').hover();
    await page.mouse.wheel(0, -5000);
    await until(async () => (await logView(page, '.rdv-row-system')).scrollTop === 0);
    await push(long(6));
    await widget.chat().getByText(/^Update 6:/).waitFor();
    await page.waitForTimeout(600); // a smooth scroll, were one started, would be under way by now
    expect((await logView(page, '.rdv-row-system')).scrollTop).toBe(0);
  } finally {
    await context.close();
  }
}, 120_000);

test('on a phone the launcher does not cover the page\'s buttons: it moves above them', async () => {
  const { context, page } = await open({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  try {
    // A page with its main actions in a bar fixed to the bottom of the screen, where the launcher sits.
    await page.evaluate(() => {
      const bar = document.createElement('nav');
      bar.id = 'page-bar';
      bar.style.cssText = 'position:fixed;left:0;right:0;bottom:0;height:72px;display:flex;gap:8px;padding:12px;background:#fff;z-index:10';
      bar.innerHTML = '<a href="#call" style="flex:1">Call us</a><button type="button" id="page-main-action" style="flex:1">Get a quote</button>';
      document.body.appendChild(bar);
      window.dispatchEvent(new Event('resize'));
    });
    const overlap = async (selector: string) => {
      const [a, b] = await Promise.all([page.locator('.rdv-launcher').boundingBox(), page.locator(selector).boundingBox()]);
      return !!a && !!b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    };
    await until(async () => !(await overlap('#page-main-action')));
    // Scrolling brings another of the page's buttons under it: it moves again.
    await page.evaluate(() => {
      document.getElementById('page-bar')!.remove();
      // A full-width link further down the page, scrolled to where the launcher sits.
      const link = [...document.querySelectorAll<HTMLAnchorElement>('main a[href]')].find((a) => a.getBoundingClientRect().top + window.scrollY > 1200)!;
      link.id = 'page-link';
      link.style.cssText += ';display:block;width:100%;min-height:48px';
      window.dispatchEvent(new Event('resize'));
    });
    await page.evaluate(() => {
      const launcher = document.querySelector('#rendezvous-chat')!.shadowRoot!.querySelector('.rdv-launcher')!.getBoundingClientRect();
      const box = document.getElementById('page-link')!.getBoundingClientRect();
      window.scrollTo({ top: window.scrollY + box.top + box.height / 2 - (launcher.top + launcher.height / 2), behavior: 'instant' });
    });
    // The link now sits where the launcher was: the launcher has moved up, off it.
    const link = await page.locator('#page-link').boundingBox();
    // Within a pixel: the scroll lands on fractional pixels (723.89 seen for 724).
    expect(link!.y).toBeGreaterThan(844 - 16 - 56 - link!.height - 1);
    expect(link!.y).toBeLessThan(844 - 16 + 1);
    await until(async () => !(await overlap('#page-link')));
    await page.screenshot({ path: `${ARTIFACTS}/widget-launcher-phone.png` });
    // The launcher still opens the chat.
    await page.locator('.rdv-launcher').tap();
    await page.locator('.rdv-bubble', { hasText: /What would you like to do\?/ }).waitFor({ timeout: 20_000 });
  } finally {
    await context.close();
  }
}, 120_000);

test('the server copy of the customer\'s own message replaces its pending copy, even before the ack', () => {
  const state: WidgetState = {
    open: true, connection: 'online', locale: 'en', session: null, activities: [], typing: null, handoff: null, notices: [], map: null,
    pending: [{ clientId: 'client-1', text: 'yes', status: 'sending' }],
  };
  const echoed = mergeActivities(state, [{ seq: 7, id: 'e7', from: 'customer', clientId: 'client-1', text: 'yes', timestamp: '2027-03-01T07:00:00.000Z' }]);
  expect(echoed.pending).toEqual([]);
  expect(echoed.activities?.map((a) => a.text)).toEqual(['yes']);
  // The late ack changes nothing.
  expect(applyAck({ ...state, ...echoed }, 'client-1', { ok: true, seq: 7, duplicate: false }, new Date())).toEqual({});
  // Another customer's message (or the bot's) leaves our pending one alone.
  expect(mergeActivities(state, [{ seq: 8, id: 'e8', from: 'bot', text: 'hello', timestamp: '2027-03-01T07:00:00.000Z' }]).pending).toBeUndefined();
});
