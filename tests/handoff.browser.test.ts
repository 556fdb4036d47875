import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildConsole } from '../agent-console/build.ts';
import { buildWidget } from '../chat-widget/build.ts';
import { statusOf } from '../bot/handoff/index.ts';
import { findHandoff } from '../models/handoff.repository.ts';
import { SESSION_IDLE_MS } from '../models/staff-sessions.ts';
import { launchChromium, startApp, type TestApp } from './support/app.ts';
import { signInWithForm } from './support/console.ts';
import { testClock } from './support/server.ts';
import { until } from './support/wait.ts';
import { outboxMessages, widgetDriver, type WidgetDriver } from './support/widget-driver.ts';

/**
 * The live-agent hand-off end to end, in two Chromium contexts against the whole product: a customer
 * books a video appointment through the widget on the demo site; the advisor it is assigned to signs
 * in to the console; at the appointment's time the customer opens the Join link of their
 * confirmation email and lands back in their conversation; the advisor is alerted, reads the bot
 * transcript, joins; they chat (typing, read state); the advisor ends and the bot is back.
 */

// Monday 1 March 2027, 08:00 in Paris.
const clock = testClock('2027-03-01T07:00:00Z');
const ARTIFACTS = 'tests/artifacts';
const CUSTOMER = { name: 'Grace Hopper', email: 'grace.handoff@example.com' };
const WAIT = { timeout: 30_000 };

describe('hand-off from the widget to the agent console', () => {
  let app: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const cspErrors: string[] = [];
  let customer: Page;
  let widget: WidgetDriver;
  let agent: Page;
  let appointment: { id: string; startAt: Date; conversationId: string };
  let advisor: { id: string; name: string; email: string };
  let signedInAt: Date;

  /** A page in a context of its own; every page of the context (popups too) is watched for errors. */
  async function newPage(name: string): Promise<Page> {
    const context = await browser.newContext({ timezoneId: 'Europe/Paris', locale: 'en-GB', reducedMotion: 'reduce', viewport: { width: 1280, height: 860 } });
    contexts.push(context);
    context.on('page', (page) => {
      page.on('pageerror', (e) => pageErrors.push(`${name} ${page.url()}: ${String(e)}`));
      page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspErrors.push(`${name} ${page.url()}: ${m.text()}`); });
    });
    return context.newPage();
  }
  /** The transcript entry with this text (its seq), from the database. */
  async function seqOf(text: string): Promise<number> {
    const [entry] = await app.db.query<{ seq: number }>(
      'SELECT seq FROM conversation_messages WHERE conversation_id = $1 AND text = $2 ORDER BY seq DESC LIMIT 1', [appointment.conversationId, text],
    );
    if (!entry) throw new Error(`no transcript entry "${text}"`);
    return entry.seq;
  }
  /** What the bot said after the entry with this text. */
  async function botSaidAfter(text: string): Promise<string[]> {
    const rows = await app.db.query<{ text: string }>(
      `SELECT text FROM conversation_messages WHERE conversation_id = $1 AND sender = 'bot' AND seq > $2 ORDER BY seq`,
      [appointment.conversationId, await seqOf(text)],
    );
    return rows.map((r) => r.text);
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}/handoff-${name}.png` });
  /** The console's live chat log (the conversation on screen). */
  const agentLog = () => agent.locator('.live-log');

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await Promise.all([buildWidget(), buildConsole()]);
    app = await startApp(clock.now);
    browser = await launchChromium();
    customer = await newPage('customer');
    widget = widgetDriver(customer);
    agent = await newPage('agent');
  }, 120_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await app?.close();
  });

  test('the customer books a video appointment through the widget, with the code from the outbox', async () => {
    await customer.goto(app.url + '/');
    await customer.getByRole('button', { name: /book an appointment/i }).first().click();
    await widget.botSays(/What would you like to do\?/);
    await widget.button('Book an appointment').click();
    await widget.botSays('Which service would you like to book?');
    await widget.button('Video advice').click();
    await widget.botSays('When would you like your appointment?');
    await widget.button('Soonest').click();
    await widget.botSays(/Here are the available times/);
    await widget.chat().locator('.rdv-slot').first().click();
    await widget.botSays(/Shall I confirm it\?/);
    await widget.button('Confirm').click();
    await widget.verifyEmail({ url: app.url, ...CUSTOMER });
    await widget.botSays(/You're booked! Your appointment is confirmed\./);

    const [row] = await app.db.query<{ id: string; start_at: Date; conversation_id: string; mode: string; state: string; staff_id: string; staff_name: string; email: string }>(
      `SELECT a.id, a.start_at, a.conversation_id, a.mode, a.state, s.id AS staff_id, s.name AS staff_name, sa.email
       FROM appointments a JOIN customers c ON c.id = a.customer_id JOIN staff s ON s.id = a.staff_id
       JOIN staff_accounts sa ON sa.staff_id = s.id WHERE c.email = $1`,
      [CUSTOMER.email],
    );
    expect(row).toMatchObject({ mode: 'online', state: 'confirmed' });
    expect(row!.conversation_id).toBeTruthy();
    appointment = { id: row!.id, startAt: new Date(row!.start_at), conversationId: row!.conversation_id };
    advisor = { id: row!.staff_id, name: row!.staff_name, email: row!.email };
  }, 120_000);

  test('the assigned advisor signs in to the console and sets themselves online', async () => {
    const login = app.logins.find((l) => l.email === advisor.email)!;
    signedInAt = clock.now();
    await signInWithForm(agent, app.url, login.email, login.password);
    await agent.locator('.live-status', { hasText: /^Live$/ }).waitFor(WAIT);
    const presence = agent.getByLabel('Your availability for live chat');
    await presence.selectOption('away');
    await until(async () => await statusOf(app.rendezvous.handoff.presence, 'demo', advisor.id) === 'away', 20_000);
    await presence.selectOption('online');
    await agent.locator('.toast', { hasText: 'You are online: you will be offered live chats.' }).waitFor(WAIT);
    await until(async () => await statusOf(app.rendezvous.handoff.presence, 'demo', advisor.id) === 'online', 20_000);
    // Their appointment of the day, in the console too.
    await agent.locator(`tr[data-id="${appointment.id}"]`).waitFor(WAIT);
  }, 120_000);

  test('at the appointment time the customer opens the Join link of their confirmation: back in their conversation, waiting; the advisor is alerted', async () => {
    clock.set(new Date(appointment.startAt.getTime() - 5 * 60_000)); // in the join window (10 min before the start)
    // Soon enough for the advisor's console session, which ends after an hour without use.
    expect(clock.now().getTime() - signedInAt.getTime()).toBeLessThan(SESSION_IDLE_MS);
    let joinUrl = '';
    await until(async () => {
      const text = (await outboxMessages(app.url, CUSTOMER.email)).map((m) => m.text).join('\n');
      joinUrl = /^Join: (\S+)$/m.exec(text)?.[1] ?? '';
      return joinUrl !== '';
    }, 30_000);
    expect(joinUrl).toMatch(new RegExp(`^${app.url}/a/[^/]+/join$`));

    // The chat's confirmation card has the same Join link, and so has the appointment's page.
    const joinInChat = widget.chat().getByRole('link', { name: /^Join\b/ });
    expect(await joinInChat.getAttribute('href')).toBe(joinUrl);
    const [manage] = await Promise.all([
      customer.context().waitForEvent('page'),
      widget.chat().getByRole('link', { name: /Change or cancel/ }).last().click(),
    ]);
    const joinFromPage = manage.getByRole('link', { name: 'Join the video call' });
    await joinFromPage.waitFor(WAIT);
    expect(await joinFromPage.getAttribute('href')).toBe(joinUrl);
    await manage.close();

    // The chat's link opens a new tab; this tab follows the same link, so the test keeps one page.
    await customer.goto(joinUrl);
    // The advisor's console at once: a toast (shown 10 s), the Live badge and the window title.
    await agent.locator('.toast', { hasText: `${CUSTOMER.name} is waiting for an agent.` }).waitFor(WAIT);
    await agent.getByRole('link', { name: /Live/ }).locator('.count', { hasText: '1' }).waitFor(WAIT);
    await shot(agent, 'agent-alert');
    await until(async () => /^\(1\) /.test(await agent.title()), 20_000);

    // Landed on the demo site with the chat open; the token is out of the address bar.
    expect(new URL(customer.url()).searchParams.has('join')).toBe(false);
    await widget.botSays(`We're letting ${advisor.name.split(' ')[0]} know you're here…`, 30_000);
    // The earlier conversation with the bot is there.
    await widget.chat().getByText('Which service would you like to book?').waitFor();
    await widget.chat().getByText(/You're booked! Your appointment is confirmed\./).waitFor();
    await widget.chat().getByRole('link', { name: 'Join the video call' }).waitFor();
    expect((await findHandoff(app.db, appointment.conversationId))).toMatchObject({ state: 'waiting', appointmentId: appointment.id });
    // The chat's header says what is happening.
    await widget.chat().locator('.rdv-subtitle', { hasText: 'Waiting for an advisor…' }).waitFor(WAIT);
    await shot(customer, 'customer-waiting');
  }, 120_000);

  test('the advisor reads the bot transcript and joins; the customer sees them join', async () => {
    const liveLink = agent.getByRole('link', { name: /Live/ });
    // The appointment's file: the chat with the bot so far.
    await agent.locator(`tr[data-id="${appointment.id}"]`).getByRole('link', { name: CUSTOMER.name }).click();
    await agent.getByRole('heading', { level: 1, name: CUSTOMER.name }).waitFor(WAIT);
    const transcript = agent.locator('.detail-transcript');
    await transcript.getByText('Which service would you like to book?').waitFor(WAIT);
    await transcript.getByText(/You're booked!/).waitFor(WAIT);

    await liveLink.click();
    await agent.getByRole('heading', { level: 1, name: 'Live chat' }).waitFor(WAIT);
    const waiting = agent.locator('.queue-item', { hasText: CUSTOMER.name });
    await waiting.getByText(/Joined their appointment: Video advice/).waitFor(WAIT);
    await waiting.getByText(/offered to you/).waitFor(WAIT);
    await agent.getByRole('button', { name: `Join the chat with ${CUSTOMER.name}` }).click();
    await agentLog().getByText(`${advisor.name} joined the chat`).waitFor(WAIT);
    // The whole conversation, bot included, is in the live log.
    await agentLog().getByText('Which service would you like to book?').waitFor(WAIT);
    expect(await liveLink.locator('.count').count()).toBe(0);
    expect(await findHandoff(app.db, appointment.conversationId)).toMatchObject({ state: 'attached', agentStaffId: advisor.id });

    await widget.botSays(`${advisor.name} joined the chat`, 30_000);
    await widget.chat().locator('.rdv-subtitle', { hasText: `Chatting with ${advisor.name}` }).waitFor(WAIT);
  }, 120_000);

  test('they exchange messages, with typing indicators and read state', async () => {
    // The customer types: the advisor sees it, then the message.
    const question = 'Hello! I would like advice on a kitchen island.';
    await Promise.all([
      agent.getByText(`${CUSTOMER.name} is typing…`).waitFor(WAIT),
      widget.input().pressSequentially(question, { delay: 60 }),
    ]);
    await widget.input().press('Enter');
    await agentLog().getByText(question).waitFor(WAIT);
    // On screen in the console: read. The mark reaches the server.
    const questionSeq = await seqOf(question);
    await until(async () => ((await findHandoff(app.db, appointment.conversationId))?.agentReadSeq ?? 0) >= questionSeq, 20_000);

    // The advisor types: the customer sees the dots, then the answer, under the advisor's name.
    const answer = 'Of course! How large is the room?';
    const box = agent.getByLabel(`Message to ${CUSTOMER.name}`);
    await Promise.all([
      widget.chat().locator('.rdv-typing', { hasText: 'An advisor is typing…' }).waitFor(WAIT),
      box.pressSequentially(answer, { delay: 60 }),
    ]);
    await shot(customer, 'live-customer-typing');
    await box.press('Enter');
    await widget.botSays(answer, 30_000);
    await widget.chat().locator('.rdv-name', { hasText: advisor.name }).last().waitFor(WAIT);
    // The chat is open on the customer's screen: the advisor sees their message read.
    await agent.locator('.msg-agent', { hasText: answer }).getByText('Seen').waitFor(WAIT);

    const reply = 'About four metres by three.';
    await widget.say(reply);
    await agentLog().getByText(reply).waitFor(WAIT);
    // Nothing from the bot while the advisor is in the chat.
    expect(await botSaidAfter(`${advisor.name} joined the chat`)).toEqual([]);
    await shot(customer, 'live-customer');
    await shot(agent, 'live-agent');
  }, 120_000);

  test('the advisor ends the chat and the bot takes over again', async () => {
    await agent.getByRole('button', { name: 'End chat' }).click();
    await agent.getByRole('dialog', { name: 'End chat' }).getByRole('button', { name: 'End chat' }).click();
    await agent.getByText('This chat has ended.').waitFor(WAIT);
    await widget.botSays(`${advisor.name} left the chat`, 30_000);
    await widget.botSays("I'm back with you.", 30_000);
    await widget.chat().locator('.rdv-subtitle', { hasText: 'We reply in moments' }).waitFor(WAIT);
    await widget.botSays('Is there anything else I can do for you?', 30_000);
    await widget.button('Talk to a person').waitFor(WAIT);
    // Said once: the bot is back, then its menu.
    expect(await botSaidAfter(`${advisor.name} left the chat`)).toEqual(["I'm back with you.", 'Is there anything else I can do for you?']);
    expect(await findHandoff(app.db, appointment.conversationId)).toMatchObject({ state: 'bot' });
    expect(await agent.locator('.toast-error').allTextContents()).toEqual([]);
    await shot(customer, 'ended-customer');
    await shot(agent, 'ended-agent');
  }, 120_000);

  test('no script errors and no CSP violations on either side', () => {
    expect(pageErrors).toEqual([]);
    expect(cspErrors).toEqual([]);
  });
});
