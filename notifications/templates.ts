import Mustache from 'mustache';
import type { Queryable } from '../models/database.ts';
import { getTemplate, STAFF_EVENTS, type MessageEvent, type MessageTemplate, type TemplateChannel } from '../models/templates.repository.ts';
import { formatWhenParts, whenParts, type AppointmentView } from './appointment-view.ts';
import { escapeHtml } from './transport.ts';
import { formatStorePhone, frenchSpacing } from './french-typography.ts';
import { gsmFriendly } from './gsm-text.ts';
import { DEFAULT_TEMPLATES, LABELS, type TemplateSource } from './templates/defaults.ts';
import { HTML_PARTIALS, PARTIAL_NAMES, TEXT_PARTIALS } from './templates/partials.ts';

/**
 * Customer and staff messages for every appointment event, per locale and channel, rendered with
 * Mustache from a brand's own template (message_templates) or the shipped default.
 *
 * Safety: in HTML every value is HTML-escaped before Mustache sees it and Mustache's own escaping
 * is off, so `{{var}}`, `{{{var}}}` and `{{&var}}` all print escaped text: a brand template cannot
 * let a customer's name inject markup. Subjects, SMS and WhatsApp are plain text (not escaped).
 */

// The events and channels are the message_templates table's vocabulary (models/), re-exported here.
export { MESSAGE_EVENTS, STAFF_EVENTS, TEMPLATE_CHANNELS, type MessageEvent, type TemplateChannel } from '../models/templates.repository.ts';

export interface RenderedMessage {
  /** Email only. */
  subject: string | null;
  text: string;
  /** Email only: the full responsive document. */
  html: string | null;
}

export type { TemplateSource } from './templates/defaults.ts';

/** The variables a template can use (documented in the console's editor). */
export const TEMPLATE_VARIABLES: readonly string[] = [
  'brandName', 'customerName', 'customerEmail', 'customerPhone',
  'serviceName', 'mode', 'isInStore', 'isOnline', 'isAtHome',
  'when', 'date', 'time', 'endTime', 'timeZone', 'durationMinutes', 'cancelledByCustomer',
  'storeName', 'storeAddress', 'storePhone', 'storeEmail', 'address', 'homeAddress', 'where',
  'staffName', 'staffEmail', 'notes', 'reason', 'statusName', 'isPending', 'isConfirmed', 'isCancelled',
  'links.join', 'links.reschedule', 'links.cancel', 'links.manage', 'links.calendar',
  'links.staffConfirm', 'links.staffReschedule',
  'labels.*',
];

/** Partials a template can include with {{> name}}: HTML in email, text in SMS and WhatsApp. */
export const TEMPLATE_PARTIALS: readonly string[] = PARTIAL_NAMES;

type Locale = 'en' | 'fr';

/** The shipped default of an event (an empty body means: send nothing). */
export function defaultTemplate(event: MessageEvent, locale: Locale, channel: TemplateChannel): TemplateSource {
  return DEFAULT_TEMPLATES[locale][event][channel];
}

/** Why a template cannot be rendered (a Mustache syntax error), or null when it can. */
export function validateTemplate(template: { subject: string | null; body: string }): string | null {
  try {
    if (template.subject) Mustache.parse(template.subject);
    Mustache.parse(template.body);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

// ---- data ------------------------------------------------------------------------------------

type Data = Record<string, unknown>;

function templateData(view: AppointmentView, locale: Locale, staffAudience: boolean): Data {
  const v = locale === view.locale ? view : { ...view, locale };
  // Staff read times where the appointment happens; customers in their own zone.
  const zone = staffAudience ? view.storeTimeZone ?? view.customerTimeZone : view.customerTimeZone;
  const parts = whenParts(v, zone);
  const L = LABELS[locale];
  const storeAddress = view.store?.address ?? null;
  const where = view.mode === 'at_home'
    ? view.homeAddress ?? ''
    : view.mode === 'online' ? L.online
    : view.store ? `${view.store.name}, ${view.store.address}` : '';
  return {
    locale,
    brandName: view.brandName,
    customerName: view.customer.name,
    customerEmail: view.customer.email,
    customerPhone: view.customer.phone,
    // Staff read their messages in their own language, the service's name included.
    serviceName: view.serviceNames[locale] || view.serviceName,
    mode: { in_store: L.inStore, online: L.online, at_home: L.atHome }[view.mode],
    isInStore: view.mode === 'in_store',
    isOnline: view.mode === 'online',
    isAtHome: view.mode === 'at_home',
    isPending: view.state === 'pending',
    isConfirmed: view.state === 'confirmed',
    isCancelled: view.state === 'cancelled',
    cancelledByCustomer: view.cancelledByCustomer,
    statusName: view.statusName,
    when: formatWhenParts(parts),
    date: parts.date,
    time: parts.time,
    endTime: parts.endTime,
    timeZone: parts.timeZone,
    durationMinutes: String(view.durationMinutes),
    storeName: view.store?.name ?? null,
    storeAddress,
    storePhone: view.store?.phone ? formatStorePhone(view.store.phone) : null,
    storeEmail: view.store?.email ?? null,
    address: view.mode === 'at_home' ? view.homeAddress : view.mode === 'in_store' ? storeAddress : null,
    homeAddress: view.homeAddress,
    where,
    staffName: view.staff.name,
    staffEmail: view.staff.email,
    notes: view.notes,
    reason: view.cancellationReason,
    links: { ...view.links },
    labels: { ...L, join: view.mode === 'online' ? L.joinOnline : L.openChat },
  };
}

function escapeDeep(value: unknown): unknown {
  if (typeof value === 'string') return escapeHtml(value);
  if (Array.isArray(value)) return value.map(escapeDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDeep(v)]));
  }
  return value;
}

const asIs = (s: string) => s;

function renderText(template: string, data: Data): string {
  return Mustache.render(template, data, TEXT_PARTIALS, { escape: asIs });
}

function renderHtml(template: string, escapedData: unknown): string {
  return Mustache.render(template, escapedData, HTML_PARTIALS, { escape: asIs });
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

function tidyText(s: string): string {
  return s
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---- HTML → text -----------------------------------------------------------------------------

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** The text alternative of an HTML email: paragraphs, "Label: value" rows and "Button: URL" links. */
export function htmlToText(html: string): string {
  let s = html
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\s+/g, ' ');
  s = s.replace(/<a\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/a\s*>/gi, (_m, dq?: string, sq?: string, inner = '') => {
    const href = (dq ?? sq ?? '').trim();
    const label = String(inner).replace(/<[^>]*>/g, '').trim();
    const target = href.replace(/^(mailto|tel):/i, '');
    if (!label || label === href || label === target) return target;
    return /^(mailto|tel):/i.test(href) ? label : `${label}: ${href}`;
  });
  s = s
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<hr\b[^>]*>/gi, '\n----\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/th\s*>/gi, ': ')
    .replace(/<\/(p|h[1-6]|table|ul|ol|blockquote)\s*>/gi, '\n\n')
    .replace(/<(p|h[1-6]|table|ul|ol|blockquote)\b[^>]*>/gi, '\n\n')
    .replace(/<\/(tr|div|li|section|header|footer)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '');
  return tidyText(decodeEntities(s));
}

// ---- layout ----------------------------------------------------------------------------------

function emailDocument(bodyHtml: string, subject: string, locale: Locale, brandName: string, footer: string): string {
  const font = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:0;background:#f5f7fa;-webkit-text-size-adjust:100%">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f5f7fa">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px">
<tr><td style="padding:20px 24px 0;${font};font-size:15px;font-weight:700;letter-spacing:.02em;color:#1a56db">${escapeHtml(brandName)}</td></tr>
<tr><td style="padding:16px 24px 12px;${font};font-size:16px;line-height:1.5;color:#1f2933">
${bodyHtml}
</td></tr>
<tr><td style="padding:12px 24px 20px;border-top:1px solid #e4e7eb;${font};font-size:13px;line-height:1.4;color:#7b8794">${escapeHtml(footer)}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>`;
}

// ---- rendering -------------------------------------------------------------------------------

interface RenderContext {
  view: AppointmentView;
  locale: Locale;
  channel: TemplateChannel;
  staffAudience: boolean;
  /** Used when an email template has no subject of its own. */
  fallbackSubject: string | null;
}

/**
 * French typography on what was rendered: no-break spaces before : ; ? ! (narrow in HTML and plain
 * text alike); in SMS plain spaces, so a text stays GSM-7.
 */
function typeset(m: RenderedMessage, c: RenderContext): RenderedMessage {
  if (c.channel === 'sms') return { ...m, text: gsmFriendly(m.text) };
  if (c.locale !== 'fr') return m;
  return { subject: m.subject && frenchSpacing(m.subject), text: frenchSpacing(m.text), html: m.html && frenchSpacing(m.html) };
}

function render(template: TemplateSource, c: RenderContext): RenderedMessage {
  return typeset(renderUntypeset(template, c), c);
}

function renderUntypeset(template: TemplateSource, c: RenderContext): RenderedMessage {
  const data = templateData(c.view, c.locale, c.staffAudience);
  if (c.channel !== 'email') {
    return { subject: null, text: tidyText(renderText(template.body, data)), html: null };
  }
  const subjectTemplate = template.subject?.trim() ? template.subject : c.fallbackSubject ?? '{{brandName}}';
  const subject = oneLine(renderText(subjectTemplate, data));
  const body = renderHtml(template.body, escapeDeep(data)).trim();
  const L = LABELS[c.locale];
  const footer = (c.staffAudience ? L.footerStaff : L.footerCustomer).replace('{brand}', c.view.brandName);
  // A brand may supply a whole document; otherwise the body goes into the responsive layout.
  if (/^(<!doctype|<html)/i.test(body)) return { subject, text: htmlToText(body), html: body };
  if (body === '') return { subject, text: '', html: '' };
  return {
    subject,
    text: `${htmlToText(body)}\n\n--\n${footer}`,
    html: emailDocument(body, subject, c.locale, c.view.brandName, footer),
  };
}

const isEmpty = (m: RenderedMessage) => m.text.trim() === '' && !m.html?.trim();

/**
 * The message for an event, from the brand's template for (event, locale, channel) when it has one,
 * else the default. Null when that template is empty (e.g. follow_up until a brand writes one).
 * A brand template that does not parse falls back to the default rather than silencing the message.
 */
export async function renderMessage(
  db: Queryable,
  event: MessageEvent,
  view: AppointmentView,
  channel: 'email' | 'sms' | 'whatsapp',
  audience?: { locale?: 'en' | 'fr' },
): Promise<RenderedMessage | null> {
  const locale: Locale = audience?.locale ?? view.locale;
  return renderWith(await getTemplate(db, { brandId: view.brandId, event, locale, channel }), event, view, channel, locale);
}

/**
 * As renderMessage, with the brand's own template for this event, locale and channel already
 * read (null: none), so that the several messages of one change read their templates at once.
 */
export function renderWith(
  override: MessageTemplate | null, event: MessageEvent, view: AppointmentView, channel: 'email' | 'sms' | 'whatsapp', locale: Locale,
): RenderedMessage | null {
  const fallback = defaultTemplate(event, locale, channel);
  const context: RenderContext = {
    view, locale, channel, staffAudience: STAFF_EVENTS.includes(event), fallbackSubject: fallback.subject,
  };
  let message: RenderedMessage | null = null;
  if (override) {
    if (override.body.trim() === '') return null;
    try {
      message = render({ subject: override.subject, body: override.body }, context);
    } catch {
      message = null;
    }
  }
  if (!message) {
    if (fallback.body.trim() === '') return null;
    message = render(fallback, context);
  }
  return isEmpty(message) ? null : message;
}

/**
 * A template as the console's editor has it, rendered for an appointment (no database, no
 * fallback: Mustache errors are thrown for the editor to show). The event, when given, decides the
 * audience (staff events show times in the store's zone) and the subject used when none is given.
 */
export function renderPreview(
  template: { subject: string | null; body: string },
  view: AppointmentView,
  channel: 'email' | 'sms' | 'whatsapp',
  event?: MessageEvent,
  audience?: { locale?: 'en' | 'fr' },
): RenderedMessage {
  const locale: Locale = audience?.locale ?? view.locale;
  return render(template, {
    view, locale, channel,
    staffAudience: event ? STAFF_EVENTS.includes(event) : false,
    fallbackSubject: event ? defaultTemplate(event, locale, channel).subject : null,
  });
}
