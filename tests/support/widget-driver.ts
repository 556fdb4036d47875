import type { Locator, Page } from 'playwright-core';

/**
 * Drives the chat widget of the demo website in a real browser, as a customer would. The widget
 * renders inside a shadow root; Playwright's CSS locators pierce it.
 */
export interface WidgetDriver {
  /** The widget's host element. */
  chat(): Locator;
  /** The latest button (quick reply, slot, form submit…) with that name. */
  button(name: string | RegExp): Locator;
  /** Waits until the latest message matching `text` is shown. */
  botSays(text: string | RegExp, timeout?: number): Promise<void>;
  /** The message box (the latest text field). */
  input(): Locator;
  /** Types a message and sends it with Enter. */
  say(text: string): Promise<void>;
  /** Fills the contact form, reads the one-time code from the dev outbox, and verifies it. */
  verifyEmail(o: { url: string; name: string; email: string; beforeVerify?: () => Promise<unknown> }): Promise<void>;
}

export function widgetDriver(page: Page): WidgetDriver {
  const chat = () => page.locator('#rendezvous-chat');
  const button = (name: string | RegExp) => chat().getByRole('button', { name }).last();
  const botSays = (text: string | RegExp, timeout = 20_000) => chat().getByText(text).last().waitFor({ timeout });
  const input = () => chat().getByRole('textbox').last();
  return {
    chat,
    button,
    botSays,
    input,
    async say(text) {
      await input().fill(text);
      await input().press('Enter');
    },
    async verifyEmail({ url, name, email, beforeVerify }) {
      await chat().getByLabel(/name/i).last().fill(name);
      await chat().getByLabel(/^email/i).last().fill(email);
      await button('Continue').click();
      await botSays(new RegExp(`sent a 6-digit code to ${email.replace(/[.+]/g, '\\$&')}`));
      await chat().getByLabel(/code/i).last().fill(await outboxCode(url, email));
      await beforeVerify?.();
      await button('Verify').click();
    },
  };
}

interface OutboxEntry {
  id: string;
  kind: string;
  subject: string | null;
  text: string;
}

/** The messages "sent" to `to` (newest first), read as a developer would: from the dev outbox. */
export async function outboxMessages(url: string, to: string, kind?: string): Promise<OutboxEntry[]> {
  const query = new URLSearchParams({ to, ...(kind ? { kind } : {}) });
  const res = await fetch(`${url}/dev/outbox/messages.json?${query}`);
  if (!res.ok) throw new Error(`dev outbox answered ${res.status}`);
  return ((await res.json()) as { messages: OutboxEntry[] }).messages;
}

/** The latest one-time code sent to `to`. */
export async function outboxCode(url: string, to: string): Promise<string> {
  const [otp] = await outboxMessages(url, to, 'otp');
  const code = otp && /\b(\d{6})\b/.exec(otp.text)?.[1];
  if (!code) throw new Error(`no one-time code for ${to} in the dev outbox`);
  return code;
}
