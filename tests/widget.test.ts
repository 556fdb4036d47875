import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { Server as SocketServer, type Namespace, type Socket } from 'socket.io';
import type { Attachment, ChatActivity, ChatAuth, ClientMessage, MessageAck } from '../bot/web-protocol.ts';
import { buildWidget, GZIP_BUDGET_BYTES } from '../chat-widget/build.ts';
import { pickLocale, labelsFor } from '../chat-widget/src/i18n.ts';
import type { WidgetState } from '../chat-widget/src/store.ts';
import { answeredThrough, applyAck, mergeActivities } from '../chat-widget/src/transcript.ts';
import { formSummary, validateField } from '../chat-widget/src/ui/render/form-validation.ts';
import { launchChromium } from './support/app.ts';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);

// ---- the server side of the protocol, scripted ------------------------------------------------------

interface Conversation {
  id: string;
  token: string;
  locale: 'en' | 'fr';
  activities: ChatActivity[];
  processed: Map<string, number>;
}

type Reply = Pick<ChatActivity, 'text'> & Partial<Pick<ChatActivity, 'suggestedActions' | 'attachments'>>;

const SLOTS = 'application/vnd.rendezvous.slots+json' as const;
const FORM = 'application/vnd.rendezvous.form+json' as const;

const firstWeek: Attachment = {
  contentType: SLOTS,
  content: {
    timeZone: 'Europe/Paris', earlier: false, later: true,
    days: [
      { date: '2027-03-02', label: 'Tuesday 2 March', slots: [
        { start: '2027-03-02T09:00:00.000Z', label: '10:00' }, { start: '2027-03-02T09:30:00.000Z', label: '10:30' },
        { start: '2027-03-02T13:00:00.000Z', label: '14:00' }, { start: '2027-03-02T15:30:00.000Z', label: '16:30' }] },
      { date: '2027-03-03', label: 'Wednesday 3 March', slots: [
        { start: '2027-03-03T08:30:00.000Z', label: '09:30' }, { start: '2027-03-03T10:00:00.000Z', label: '11:00' }] },
    ],
  },
};
const secondWeek: Attachment = {
  contentType: SLOTS,
  content: {
    timeZone: 'Europe/Paris', earlier: true, later: true,
    days: [
      { date: '2027-03-08', label: 'Monday 8 March', slots: [
        { start: '2027-03-08T08:00:00.000Z', label: '09:00' }, { start: '2027-03-08T12:30:00.000Z', label: '13:30' }] },
      { date: '2027-03-09', label: 'Tuesday 9 March', slots: [{ start: '2027-03-09T16:00:00.000Z', label: '17:00' }] },
    ],
  },
};

/** What the scripted bot answers to a message. */
function answer(message: ClientMessage, convo: Conversation): Reply | null {
  const value = message.value ?? {};
  if (value.choice === 'book') return { text: 'Here are the next free times for a design consultation at Paris Opéra:', attachments: [firstWeek] };
  if (value.action === 'later') return { text: 'And the week after:', attachments: [secondWeek] };
  if (value.action === 'slot') {
    return {
      text: 'Great choice. Who is the appointment for?',
      attachments: [{ contentType: FORM, content: {
        form: 'contact', title: 'Your details', submitLabel: 'Continue',
        fields: [
          { name: 'name', label: 'Full name', type: 'text', required: true, autocomplete: 'name' },
          { name: 'email', label: 'Email', type: 'email', required: true },
          { name: 'phone', label: 'Phone', type: 'tel', required: false },
        ],
      } }],
    };
  }
  if (value.action === 'form' && value.form === 'contact') {
    return {
      text: 'We sent a 6-digit code to your email to confirm it is you.',
      attachments: [{ contentType: FORM, content: {
        form: 'code', title: 'Confirmation code', submitLabel: 'Confirm',
        fields: [{ name: 'code', label: 'Code', type: 'code', required: true }],
        actions: [{ title: 'Send a new code', action: 'resend' }, { title: 'Change my details', action: 'change-contact' }],
      } }],
    };
  }
  if (value.action === 'form' && value.form === 'code') {
    return {
      text: 'You are booked! See you soon.',
      attachments: [{ contentType: 'application/vnd.rendezvous.appointment+json', content: {
        title: 'Kitchen design consultation', status: 'confirmed',
        lines: ['Tuesday 9 March, 17:00–18:00', 'Paris Opéra · 12 rue Auber, 75009 Paris', 'With Camille Martin'],
        links: [
          { label: 'Add to calendar', url: 'https://rdv.example/a/42/calendar.ics' },
          { label: 'Manage my booking', url: 'https://rdv.example/a/42' },
          { label: 'Not a link', url: 'javascript:alert(1)' },
        ],
      } }],
    };
  }
  if (value.action === 'location') return { text: `Thanks! The nearest showroom is Paris Opéra (${String(value.latitude)}, ${String(value.longitude)}).` };
  if (message.text === 'Where is the nearest store?') {
    return { text: '', attachments: [{ contentType: 'application/vnd.rendezvous.location+json', content: { prompt: 'Share your location and I will find the nearest showroom.', buttonLabel: 'Use my location' } }] };
  }
  return { text: convo.locale === 'fr' ? `Vous avez écrit : ${message.text}` : `You said: ${message.text}` };
}

function greeting(locale: 'en' | 'fr'): Reply {
  return locale === 'fr'
    ? { text: 'Bonjour ! Je suis l’assistant d’Atelier Lumière. Que puis-je faire pour vous ?', suggestedActions: [
      { title: 'Réserver un conseil', value: 'book' }, { title: 'Visiter un showroom', value: 'visit' }] }
    : { text: 'Hello! I am the Atelier Lumière assistant. How can I help?', suggestedActions: [
      { title: 'Book a design consultation', value: 'book' }, { title: 'Visit a showroom', value: 'visit' },
      { title: 'Talk to an advisor', value: 'agent' }] };
}

function startChatServer(http: HttpServer) {
  const io = new SocketServer(http);
  const chat: Namespace = io.of('/chat');
  const conversations = new Map<string, Conversation>();
  const auths: ChatAuth[] = [];
  const received: ClientMessage[] = [];
  const control = { swallowNext: false, forceLocale: null as 'en' | 'fr' | null };

  const append = (convo: Conversation, from: ChatActivity['from'], reply: Reply) => {
    const activity: ChatActivity = { seq: convo.activities.length + 1, id: randomUUID(), from, timestamp: new Date().toISOString(), ...reply };
    convo.activities.push(activity);
    chat.to(convo.id).emit('activity', activity);
    return activity.seq;
  };

  // Like the real server: a conversation that cannot be resumed is refused at the handshake.
  chat.use((socket, next) => {
    const auth = socket.handshake.auth as ChatAuth;
    auths.push(auth);
    const known = auth.conversationId ? conversations.get(auth.conversationId) : undefined;
    if (auth.conversationId && known?.token !== auth.token) return next(new Error('unauthorized: this conversation cannot be resumed.'));
    next();
  });

  chat.on('connection', (socket: Socket) => {
    const auth = socket.handshake.auth as ChatAuth;
    let convo = auth.conversationId ? conversations.get(auth.conversationId) : undefined;
    if (!convo) {
      convo = { id: randomUUID(), token: randomBytes(24).toString('base64url'), locale: control.forceLocale ?? auth.locale ?? 'en', activities: [], processed: new Map() };
      conversations.set(convo.id, convo);
    }
    const c = convo;
    void socket.join(c.id);
    socket.emit('session', { conversationId: c.id, token: c.token, locale: c.locale });
    for (const activity of c.activities) if (activity.seq > (auth.lastSeq ?? 0)) socket.emit('activity', activity);
    if (c.activities.length === 0) append(c, 'bot', greeting(c.locale));

    socket.on('message', (message: ClientMessage, ack: (a: MessageAck) => void) => {
      received.push(message);
      if (control.swallowNext) {
        control.swallowNext = false;
        socket.disconnect(true); // lost before it was processed: the client must send it again
        return;
      }
      const done = c.processed.get(message.clientId);
      if (done) return ack({ ok: true, seq: done, duplicate: true });
      if (message.text === 'Please refuse this') return ack({ ok: false, error: { code: 'rate_limited', message: 'Slow down' } });
      const seq = append(c, 'customer', { text: message.text ?? '' });
      c.processed.set(message.clientId, seq);
      ack({ ok: true, seq, duplicate: false });
      if (message.text === 'Trigger an error') {
        socket.emit('chat-error', { code: 'rate_limited', message: 'Too many messages' });
        return;
      }
      const reply = answer(message, c);
      if (!reply) return;
      chat.to(c.id).emit('typing', { from: 'bot', on: true });
      setTimeout(() => {
        append(c, 'bot', reply);
        chat.to(c.id).emit('typing', { from: 'bot', on: false });
      }, 120);
    });
  });
  return { io, conversations, auths, received, control };
}

// ---- harness ----------------------------------------------------------------------------------------

let http: HttpServer;
let chatServer: ReturnType<typeof startChatServer>;
let url: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let built: Awaited<ReturnType<typeof buildWidget>>;
const pageErrors: string[] = [];

async function until(condition: () => boolean, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const lastReceived = () => chatServer.received.at(-1);
const theConversation = () => [...chatServer.conversations.values()][0]!; // the main page's, created first
const shot = (p: Page, name: string) => p.screenshot({ path: new URL(`widget-${name}.png`, ARTIFACTS).pathname });
const shadowActive = (p: Page) => p.evaluate(() => {
  const active = document.querySelector('#rendezvous-chat')?.shadowRoot?.activeElement;
  return active ? { className: active.className, text: active.textContent ?? '' } : null;
});

async function newPage(options: Parameters<Browser['newContext']>[0]) {
  const ctx = await browser.newContext({ reducedMotion: 'reduce', ...options });
  ctx.setDefaultTimeout(5000);
  const p = await ctx.newPage();
  p.on('pageerror', (error) => pageErrors.push(error.message));
  return { ctx, p };
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  built = await buildWidget();
  const [html, js] = await Promise.all([readFile(new URL('../chat-widget/demo-site.html', import.meta.url)), readFile(built.file)]);
  http = createServer((req, res) => {
    if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    else if (req.url === '/widget.js') res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(js);
    else if (!req.url?.startsWith('/socket.io')) res.writeHead(404).end();
  });
  chatServer = startChatServer(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  browser = await launchChromium();
  ({ ctx: context, p: page } = await newPage({
    viewport: { width: 1280, height: 860 }, locale: 'en-US', timezoneId: 'Europe/Paris',
    permissions: ['geolocation'], geolocation: { latitude: 48.8719, longitude: 2.3316 },
  }));
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => chatServer?.io.close(resolve));
});

// ---- the widget in a browser ------------------------------------------------------------------------

describe('chat widget in Chromium', () => {
  test('the demo page embeds the widget once; the launcher opens the dialog and focus moves into it', async () => {
    const html = await readFile(new URL('../chat-widget/demo-site.html', import.meta.url), 'utf8');
    expect(html.match(/<script[^>]*widget\.js/g)).toEqual(['<script src="/widget.js']);

    await page.goto(url);
    const launcher = page.locator('.rdv-launcher');
    await launcher.waitFor();
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    expect(await launcher.getAttribute('aria-controls')).toBe('rdv-panel');

    await launcher.click();
    const panel = page.locator('[role="dialog"]');
    await panel.waitFor();
    expect(await panel.getAttribute('aria-label')).toBe('Book an appointment');
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('[role="log"]').getAttribute('aria-live')).toBe('polite');
    await page.locator('.rdv-bubble', { hasText: 'Atelier Lumière assistant' }).waitFor();
    expect((await shadowActive(page))?.className).toMatch(/rdv-(textarea|panel)/);

    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    expect((await shadowActive(page))?.className).toBe('rdv-launcher');

    // The page's own call to action opens it too (Rendezvous.open()).
    await page.locator('.hero [data-rendezvous-open]').click();
    await panel.waitFor();
    await page.waitForFunction(() => document.querySelector('#rendezvous-chat')?.shadowRoot?.activeElement?.classList.contains('rdv-textarea'));
    expect(await page.evaluate(() => typeof window.Rendezvous === 'object' && 'version' in window.Rendezvous)).toBe(true);
    await shot(page, 'open');
  });

  test('keyboard only: Shift+Tab from the message box reaches a quick reply, Enter picks it', async () => {
    // On a loaded machine the greeting's chips may still be on their way: tabbing before would leave the widget.
    await page.locator('.rdv-chip', { hasText: 'Book a design consultation' }).waitFor();
    let active = await shadowActive(page);
    for (let i = 0; i < 8 && active?.text !== 'Book a design consultation'; i++) {
      await page.keyboard.press('Shift+Tab');
      active = await shadowActive(page);
    }
    expect(active).toEqual({ className: 'rdv-chip', text: 'Book a design consultation' });
    await page.keyboard.press('Enter');

    await until(() => lastReceived()?.text === 'Book a design consultation', 'the quick reply');
    expect(lastReceived()).toEqual({ clientId: expect.stringMatching(/^[0-9a-f-]{32,36}$/), text: 'Book a design consultation', value: { choice: 'book' } });
    await page.locator('.rdv-bubble-out', { hasText: 'Book a design consultation' }).waitFor();
    // Answered: the greeting's quick replies are disabled.
    await page.waitForFunction(() => [...document.querySelector('#rendezvous-chat')!.shadowRoot!.querySelectorAll<HTMLButtonElement>('.rdv-chip')].every((b) => b.disabled));
  });

  test('slot picker: days with their labels, "Later" pages, a slot click sends its start', async () => {
    const picker = page.locator('.rdv-slots').first();
    await picker.waitFor();
    expect(await picker.locator('.rdv-day-label').allTextContents()).toEqual(['Tuesday 2 March', 'Wednesday 3 March']);
    expect(await picker.locator('.rdv-slot').count()).toBe(6);
    expect(await picker.getByRole('button', { name: 'Earlier' }).count()).toBe(0);
    await shot(page, 'slots');

    await picker.getByRole('button', { name: 'Later' }).click();
    await until(() => lastReceived()?.text === 'Later', '"Later"');
    expect(lastReceived()?.value).toEqual({ action: 'later' });

    const next = page.locator('.rdv-slots').nth(1);
    await next.waitFor();
    expect(await picker.locator('.rdv-slot').first().isDisabled()).toBe(true);
    await next.getByRole('button', { name: '17:00' }).click();
    await until(() => lastReceived()?.text === '17:00', 'the slot');
    expect(lastReceived()?.value).toEqual({ action: 'slot', start: '2027-03-09T16:00:00.000Z' });
  });

  test('contact form: a bad email is flagged inline and nothing is sent; fixed, the values are sent', async () => {
    const form = page.locator('form.rdv-form').first();
    await form.waitFor();
    const name = form.getByLabel('Full name');
    const email = form.getByLabel('Email');
    const phone = form.getByLabel('Phone (optional)');
    expect(await name.getAttribute('autocomplete')).toBe('name');
    expect(await email.getAttribute('type')).toBe('email');
    expect(await phone.getAttribute('type')).toBe('tel');
    expect(await email.getAttribute('required')).toBe('');

    const before = chatServer.received.length;
    await name.fill('Ada Lovelace');
    await email.fill('ada@example');
    await form.getByRole('button', { name: 'Continue' }).click();
    const error = form.locator('.rdv-field-error', { hasText: 'valid email' });
    await error.waitFor();
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect((await shadowActive(page))?.className).toBe('rdv-input');
    await shot(page, 'form-invalid');
    expect(chatServer.received.length).toBe(before);

    await email.fill('ada@example.com');
    await phone.fill('+33 6 12 34 56 78');
    await error.waitFor({ state: 'hidden' });
    await form.getByRole('button', { name: 'Continue' }).click();
    await until(() => chatServer.received.length > before, 'the contact form');
    expect(lastReceived()).toMatchObject({
      text: 'Ada Lovelace · ada@example.com · +33 6 12 34 56 78',
      value: { action: 'form', form: 'contact', values: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+33 6 12 34 56 78' } },
    });
  });

  test('code form: the code is sent in the values but never shown in the transcript', async () => {
    const form = page.locator('form.rdv-form').nth(1);
    await form.waitFor();
    const code = form.getByLabel('Code');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    await code.fill('123456');
    await code.press('Enter');
    await until(() => lastReceived()?.value?.form === 'code', 'the code form');
    expect(lastReceived()).toMatchObject({ text: '••••••', value: { action: 'form', form: 'code', values: { code: '123456' } } });
    await page.locator('.rdv-appointment').waitFor();
    const transcript = await page.locator('[role="log"]').innerText();
    expect(transcript).toContain('••••••');
    expect(transcript).not.toContain('123456');
  });

  test('appointment card: title, status badge, safe links opening in a new tab', async () => {
    const card = page.locator('.rdv-appointment');
    expect(await card.locator('.rdv-card-title').textContent()).toBe('Kitchen design consultation');
    expect(await card.locator('.rdv-badge').textContent()).toBe('Confirmed');
    expect(await card.locator('li').allTextContents()).toContain('With Camille Martin');
    const links = card.locator('a');
    expect(await links.count()).toBe(2); // the javascript: URL is dropped
    for (const [i, href] of ['https://rdv.example/a/42/calendar.ics', 'https://rdv.example/a/42'].entries()) {
      expect(await links.nth(i).getAttribute('href')).toBe(href);
      expect(await links.nth(i).getAttribute('target')).toBe('_blank');
      expect(await links.nth(i).getAttribute('rel')).toContain('noopener');
    }
    await page.locator('[role="log"]').evaluate((log) => { log.scrollTop = log.scrollHeight; });
    await shot(page, 'appointment');
  });

  test('free text: Enter sends, Shift+Enter adds a line, server text stays text, errors show inline', async () => {
    const input = page.locator('.rdv-textarea');
    await input.click();
    await page.keyboard.type('Two');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('lines');
    expect(await input.inputValue()).toBe('Two\nlines');
    await input.fill('');

    await page.keyboard.type('<img src=x onerror="window.__xss=1">');
    await page.keyboard.press('Enter');
    await page.locator('.rdv-bubble-in', { hasText: 'You said: <img src=x' }).waitFor();
    expect(await input.inputValue()).toBe('');
    expect(await page.evaluate(() => ('__xss' in window) || document.querySelector('#rendezvous-chat')!.shadowRoot!.querySelector('img') !== null)).toBe(false);

    await input.fill('Trigger an error');
    await input.press('Enter');
    await page.locator('.rdv-notice', { hasText: 'too quickly' }).waitFor();

    await input.fill('Please refuse this');
    await input.press('Enter');
    await page.locator('.rdv-pending-failed', { hasText: 'Not sent.' }).getByRole('button', { name: 'Retry' }).waitFor();
    await shot(page, 'errors');
    expect(await input.isEnabled()).toBe(true); // nothing blocks the conversation
  });

  test('location request: the button sends the browser position', async () => {
    const input = page.locator('.rdv-textarea');
    await input.fill('Where is the nearest store?');
    await input.press('Enter');
    await page.getByRole('button', { name: 'Use my location' }).click();
    await until(() => lastReceived()?.value?.action === 'location', 'the location');
    expect(lastReceived()).toMatchObject({ text: 'Use my location', value: { action: 'location', latitude: 48.8719, longitude: 2.3316 } });
  });

  test('a reload resumes with the saved conversationId/token and the server replays the transcript', async () => {
    const convo = theConversation();
    const stored = await page.evaluate(() => localStorage.getItem('rdv:demo:session'));
    expect(JSON.parse(stored!)).toEqual({ conversationId: convo.id, token: convo.token });

    const connections = chatServer.auths.length;
    await page.reload();
    await until(() => chatServer.auths.length > connections, 'the reconnection');
    expect(chatServer.auths.at(-1)).toEqual({
      brand: 'demo', conversationId: convo.id, token: convo.token, lastSeq: 0, locale: 'en', timeZone: 'Europe/Paris',
    });
    // The panel was open: it is open again, with the whole conversation replayed, once.
    await page.locator('.rdv-appointment').waitFor();
    await page.locator('.rdv-bubble', { hasText: 'Thanks! The nearest showroom' }).waitFor();
    const rows = await page.locator('[role="log"] > .rdv-row').count();
    expect(rows).toBe(convo.activities.length);
    await shot(page, 'replayed');
  });

  test('a server-side disconnect: "Reconnecting…", then the unacked message is resent with the same clientId', async () => {
    const convo = theConversation();
    const seqBefore = convo.activities.length;
    const input = page.locator('.rdv-textarea');
    await input.fill('Is there parking nearby?');
    chatServer.control.swallowNext = true;
    const connections = chatServer.auths.length;
    await input.press('Enter');

    await page.locator('.rdv-status', { hasText: 'Reconnecting…' }).waitFor();
    expect(await input.isDisabled()).toBe(true);
    await shot(page, 'reconnecting');

    await page.locator('.rdv-bubble-in', { hasText: 'You said: Is there parking nearby?' }).waitFor({ timeout: 10_000 });
    const sent = chatServer.received.filter((m) => m.text === 'Is there parking nearby?');
    expect(sent).toHaveLength(2);
    expect(sent[1]!.clientId).toBe(sent[0]!.clientId);
    expect(chatServer.auths.at(-1)).toMatchObject({ conversationId: convo.id, token: convo.token, lastSeq: seqBefore });
    expect(chatServer.auths.length).toBe(connections + 1);
    expect(await page.locator('.rdv-bubble-out', { hasText: 'Is there parking nearby?' }).count()).toBe(1);
    await page.locator('.rdv-status').waitFor({ state: 'hidden' });
    expect(await input.isEnabled()).toBe(true);
    expect((await shadowActive(page))?.className).toBe('rdv-textarea'); // focus given back after the outage
  });

  test('mobile: full-screen panel, 16px inputs, 44px targets; the server\'s locale wins', async () => {
    chatServer.control.forceLocale = 'fr';
    const { ctx, p } = await newPage({ viewport: { width: 390, height: 844 }, locale: 'en-GB', timezoneId: 'America/New_York', hasTouch: true, isMobile: true });
    try {
      await p.goto(url);
      const launcher = p.locator('.rdv-launcher');
      expect(await launcher.textContent()).toBe('Book an appointment');
      await launcher.tap();
      await p.locator('.rdv-bubble', { hasText: 'Bonjour' }).waitFor();
      expect(await p.locator('[role="dialog"]').getAttribute('aria-label')).toBe('Prendre rendez-vous');
      expect(await p.locator('.rdv-textarea').getAttribute('placeholder')).toBe('Écrivez votre message…');
      expect(await p.locator('[role="dialog"]').boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
      expect(await p.locator('.rdv-textarea').evaluate((t) => getComputedStyle(t).fontSize)).toBe('16px');
      for (const box of await Promise.all((await p.locator('.rdv-chip, .rdv-send, .rdv-header button').all()).map((b) => b.boundingBox()))) {
        expect(box!.height).toBeGreaterThanOrEqual(44);
      }
      await p.locator('.rdv-chip').first().tap();
      await p.locator('.rdv-slots .rdv-caption').waitFor(); // times in Paris, visitor in New York
      expect(await p.locator('.rdv-slots .rdv-caption').textContent()).toBe('Horaires affichés en heure de Europe/Paris');
      expect(await p.locator('.rdv-paging-later').textContent()).toBe('Plus tard');
      await shot(p, 'mobile-fr');
      await p.getByRole('button', { name: 'Fermer' }).tap();
      expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    } finally {
      chatServer.control.forceLocale = null;
      await ctx.close();
    }
  });

  test('a saved conversation the server refuses is replaced by a new one, and the visitor is told', async () => {
    const { ctx, p } = await newPage({ locale: 'en-US', timezoneId: 'Europe/Paris' });
    try {
      await p.goto(url);
      const stale = { conversationId: randomUUID(), token: 'a-token-the-server-does-not-know' };
      await p.evaluate((s) => localStorage.setItem('rdv:demo:session', JSON.stringify(s)), stale);
      const connections = chatServer.auths.length;
      await p.reload();
      await p.locator('.rdv-launcher').click();
      await p.locator('.rdv-notice', { hasText: 'previous conversation has expired' }).waitFor();
      await p.locator('.rdv-bubble', { hasText: 'Atelier Lumière assistant' }).waitFor();
      expect(chatServer.auths.slice(connections).map((a) => a.conversationId)).toEqual([stale.conversationId, undefined]);
      const saved = JSON.parse((await p.evaluate(() => localStorage.getItem('rdv:demo:session')))!);
      expect(saved.conversationId).not.toBe(stale.conversationId);
      expect(chatServer.conversations.get(saved.conversationId)?.token).toBe(saved.token);
      expect(await p.locator('.rdv-textarea').isEnabled()).toBe(true);
    } finally {
      await ctx.close();
    }
  });

  test('no script errors on the page, and the bundle stays within its gzip budget', () => {
    expect(pageErrors).toEqual([]);
    expect(built.gzipBytes).toBeLessThan(GZIP_BUDGET_BYTES);
    expect(GZIP_BUDGET_BYTES).toBe(30 * 1024);
  });
});

// ---- the pure parts ---------------------------------------------------------------------------------

describe('widget logic', () => {
  const state = (activities: ChatActivity[]): WidgetState => ({
    open: true, connection: 'online', locale: 'en', session: null, activities, pending: [], typing: 'bot', handoff: null, notices: [], map: null,
  });
  const activity = (seq: number, from: ChatActivity['from'], id = `id${seq}`): ChatActivity => ({ seq, id, from, text: `m${seq}`, timestamp: '2027-03-01T07:00:00Z' });

  test('activities are merged in seq order without duplicates; a bot reply clears the typing dots', () => {
    const merged = mergeActivities(state([activity(1, 'bot'), activity(3, 'bot')]), [activity(3, 'bot'), activity(2, 'customer'), activity(4, 'bot')]);
    expect(merged.activities!.map((a) => a.seq)).toEqual([1, 2, 3, 4]);
    expect(merged.typing).toBeNull();
    expect(mergeActivities(state([activity(1, 'bot')]), [activity(1, 'bot')])).toEqual({});
  });

  test('an ack turns the pending message into its transcript entry; the server copy replaces it later', () => {
    const s = { ...state([activity(1, 'bot')]), pending: [{ clientId: 'c-1234567', text: 'hello', status: 'sending' as const }] };
    expect(answeredThrough(s)).toBe(Infinity);
    const acked = { ...s, ...applyAck(s, 'c-1234567', { ok: true, seq: 2, duplicate: false }, new Date()) };
    expect(acked.pending).toEqual([]);
    expect(acked.activities.map((a) => [a.seq, a.from, a.text])).toEqual([[1, 'bot', 'm1'], [2, 'customer', 'hello']]);
    expect(answeredThrough(acked)).toBe(2);
    const replaced = mergeActivities(acked, [activity(2, 'customer', 'server-2')]);
    expect(replaced.activities!.map((a) => a.id)).toEqual(['id1', 'server-2']);
    const refused = applyAck(s, 'c-1234567', { ok: false, error: { code: 'rate_limited', message: 'x' } }, new Date());
    expect(refused.pending![0]!.status).toBe('failed');
  });

  test("a hand-off message closes the bot's earlier buttons; its own and later ones stay usable", () => {
    const waiting = state([activity(1, 'bot'), activity(2, 'customer'), activity(3, 'bot'), activity(4, 'system')]);
    expect(answeredThrough(waiting)).toBe(3);
    expect(answeredThrough(state([...waiting.activities, activity(5, 'agent'), activity(6, 'bot')]))).toBe(4);
  });

  test('locale: data-locale, else the browser language', () => {
    expect(pickLocale('fr', 'en-US')).toBe('fr');
    expect(pickLocale(null, 'fr-CA')).toBe('fr');
    expect(pickLocale('de', 'de-DE')).toBe('en');
  });

  test('form validation and the transcript summary', () => {
    const t = labelsFor('en');
    expect(validateField({ name: 'e', label: 'E', type: 'email', required: true }, ' ', t)).toBe(t.required);
    expect(validateField({ name: 'e', label: 'E', type: 'email', required: true }, 'a@b', t)).toBe(t.invalidEmail);
    expect(validateField({ name: 'p', label: 'P', type: 'tel', required: false }, '', t)).toBeNull();
    expect(validateField({ name: 'p', label: 'P', type: 'tel', required: false }, 'call me', t)).toBe(t.invalidTel);
    expect(validateField({ name: 'c', label: 'C', type: 'code', required: true }, '123 456', t)).toBeNull();
    const contact = { form: 'contact' as const, title: '', submitLabel: '', fields: [
      { name: 'name', label: '', type: 'text' as const, required: true }, { name: 'phone', label: '', type: 'tel' as const, required: false }] };
    expect(formSummary(contact, { name: 'Ada', phone: '' })).toBe('Ada');
    expect(formSummary({ ...contact, form: 'code' }, { name: 'Ada' })).toBe('••••••');
  });
});
