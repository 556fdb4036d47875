import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Queryable } from '../../models/database.ts';
import { errors } from '../../models/errors.ts';
import { findOutboxMessage, listOutbox, type OutboxMessage } from '../../notifications/outbox.transport.ts';
import { escapeHtml } from '../../notifications/transport.ts';

/**
 * The local outbox for developers and testers: every message the product "sent", newest first.
 * For development only: it shows one-time codes in clear. Never mount it in production.
 */

const PAGE_SIZE = 100;
const REFRESH_SECONDS = 5;

const outboxQuery = z.object({
  to: z.string().trim().max(320).optional(),
  kind: z.string().trim().max(60).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
const messageParam = z.object({ id: z.uuid() });

/** The page: no scripts at all, inline styles, frames only from here. */
const PAGE_CSP = [
  "default-src 'none'", "style-src 'unsafe-inline'", "img-src 'self' data:", "frame-src 'self'",
  "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
].join('; ');
/** A message's own HTML: sandboxed (no scripts, no forms, an opaque origin), no fetches but images. */
const MESSAGE_CSP = [
  "default-src 'none'", "style-src 'unsafe-inline'", 'img-src data: https:', "font-src 'none'",
  "form-action 'none'", "base-uri 'none'", "frame-ancestors 'self'", 'sandbox',
].join('; ');

function noStore(res: Response, csp: string): void {
  res.set({
    'Cache-Control': 'no-store',
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
}

function filterOf(q: z.infer<typeof outboxQuery>, limit: number) {
  return {
    ...(q.to ? { recipient: q.to } : {}),
    ...(q.kind ? { kind: q.kind } : {}),
    limit: q.limit ?? limit,
  };
}

function messageJson(m: OutboxMessage) {
  return {
    id: m.id,
    brandId: m.brandId,
    channel: m.channel,
    to: m.to,
    kind: m.kind,
    subject: m.subject,
    text: m.text,
    hasHtml: m.html !== null,
    attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType })),
    status: m.status,
    provider: m.provider,
    createdAt: m.createdAt.toISOString(),
  };
}

function messageCard(m: OutboxMessage, base: string): string {
  const e = escapeHtml;
  const attachments = m.attachments.length === 0 ? '' : `<p class="meta">📎 ${m.attachments
    .map((a) => `${e(a.filename)} <span class="muted">(${e(a.contentType)})</span>`).join(', ')}</p>`;
  const html = m.html === null ? '' : `<details><summary>HTML version</summary>
<iframe src="${e(base)}/${e(m.id)}/html" sandbox="" loading="lazy" title="${e(m.subject ?? 'HTML body')}" referrerpolicy="no-referrer"></iframe>
<p><a href="${e(base)}/${e(m.id)}/html" target="_blank" rel="noopener noreferrer">Open in a new tab</a></p></details>`;
  return `<article class="msg">
<p class="meta"><time datetime="${e(m.createdAt.toISOString())}">${e(m.createdAt.toISOString().replace('T', ' ').slice(0, 19))} UTC</time>
 <span class="tag ${e(m.channel)}">${e(m.channel)}</span> <span class="tag">${e(m.kind)}</span>
 <span class="muted">${e(m.brandId)} · ${e(m.status)}</span></p>
<p class="to">To: <strong>${e(m.to)}</strong></p>
${m.error === null ? '' : `<p class="error">${e(m.error)}</p>`}
${m.subject === null ? '' : `<p class="subject">${e(m.subject)}</p>`}
<pre>${e(m.text)}</pre>
${attachments}${html}
</article>`;
}

function page(messages: OutboxMessage[], q: z.infer<typeof outboxQuery>, base: string): string {
  const e = escapeHtml;
  const body = messages.length === 0 ? '<p class="muted">No messages yet.</p>' : messages.map((m) => messageCard(m, base)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<meta name="referrer" content="no-referrer">
<title>Dev outbox</title>
<style>
:root { color-scheme: light dark; --line: #d9dee4; --muted: #6b7785; }
* { box-sizing: border-box; }
body { margin: 0; padding: 12px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 860px; margin-inline: auto; }
h1 { font-size: 1.3rem; margin: 0 0 4px; }
form { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0 12px; }
input { flex: 1 1 160px; padding: 8px; font: inherit; border: 1px solid var(--line); border-radius: 6px; }
button, .clear { padding: 8px 14px; font: inherit; border-radius: 6px; border: 1px solid var(--line); text-decoration: none; color: inherit; background: transparent; }
.msg { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; margin: 0 0 10px; overflow-wrap: anywhere; }
.meta, .to, .subject { margin: 0 0 4px; }
.subject { font-weight: 600; }
.error { margin: 0 0 4px; color: #b42318; }
.muted { color: var(--muted); font-size: .9em; }
.tag { display: inline-block; padding: 0 6px; border-radius: 4px; background: #e4e7eb; color: #1f2933; font-size: .85em; }
.tag.email { background: #dbeafe; } .tag.sms { background: #dcfce7; } .tag.whatsapp { background: #fef3c7; }
pre { white-space: pre-wrap; word-break: break-word; margin: 6px 0; padding: 8px; border-radius: 6px; background: rgba(127,127,127,.12); font: 14px/1.4 ui-monospace, Menlo, Consolas, monospace; }
iframe { width: 100%; height: 420px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
</style></head>
<body>
<h1>Dev outbox</h1>
<p class="muted">Messages recorded by the local transport, newest first (${messages.length} shown). Refreshes every ${REFRESH_SECONDS} s.
 Development only: one-time codes appear here in clear.</p>
<form method="get" action="${e(base)}">
<input name="to" placeholder="Recipient" value="${e(q.to ?? '')}" inputmode="email" autocomplete="off">
<input name="kind" placeholder="Kind (otp, confirmation…)" value="${e(q.kind ?? '')}" autocomplete="off">
<button type="submit">Filter</button> <a class="clear" href="${e(base)}">Clear</a>
</form>
${body}
</body></html>`;
}

/** GET /dev/outbox (HTML), /dev/outbox/messages.json and /dev/outbox/:id/html. Mount outside production only. */
export function devOutboxRoutes(db: Queryable): Router {
  const router = Router();

  router.get('/dev/outbox', async (req, res) => {
    const q = outboxQuery.parse(req.query);
    const messages = await listOutbox(db, filterOf(q, PAGE_SIZE));
    noStore(res, PAGE_CSP);
    // Absolute links that still work wherever the router is mounted, with or without a trailing slash.
    res.type('html').send(page(messages, q, `${req.baseUrl}/dev/outbox`));
  });

  router.get('/dev/outbox/messages.json', async (req, res) => {
    const q = outboxQuery.parse(req.query);
    const messages = await listOutbox(db, filterOf(q, PAGE_SIZE));
    noStore(res, "default-src 'none'; frame-ancestors 'none'");
    res.json({ messages: messages.map(messageJson) });
  });

  router.get('/dev/outbox/:id/html', async (req, res) => {
    const parsed = messageParam.safeParse(req.params);
    const message = parsed.success ? await findOutboxMessage(db, parsed.data.id) : null;
    if (!message || message.html === null) throw errors.notFound('Message');
    noStore(res, MESSAGE_CSP);
    res.type('html').send(message.html);
  });

  return router;
}
