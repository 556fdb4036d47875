import { randomUUID } from 'node:crypto';
import { Client } from '@sendgrid/client';
import { MailService, type MailDataRequired } from '@sendgrid/mail';
import {
  idempotentSends, isPermanentStatus, PermanentDeliveryError, TransientDeliveryError, type ProviderOutgoingMessage,
} from './delivery-errors.ts';
import type { MessageAttachment, Transport } from './transport.ts';

/**
 * Email through SendGrid's v3 Mail Send API (POST /v3/mail/send) with @sendgrid/mail.
 * Every message carries custom_args that SendGrid echoes on each Event Webhook event, so
 * server/routes/provider-webhooks.routes.ts can match events back to our `messages` rows. Mail Send
 * takes no idempotency key: our message id and attempt number in custom_args let the event webhook
 * show an accepted send (the sender then never resends it) and recognize a duplicate.
 */

/** custom_args names (prefixed so they never collide with SendGrid's own event fields). */
export const SENDGRID_ARG_MESSAGE_ID = 'rdv_message_id';
export const SENDGRID_ARG_IDEMPOTENCY_KEY = 'rdv_idempotency_key';
export const SENDGRID_ARG_BRAND = 'rdv_brand_id';
export const SENDGRID_ARG_KIND = 'rdv_kind';
/** Which attempt at the message: two attempts' events for one message id are a recognized duplicate. */
export const SENDGRID_ARG_ATTEMPT = 'rdv_attempt';

export interface SendgridTransportOptions {
  apiKey: string;
  from: { email: string; name?: string };
  /** Replaces https://api.sendgrid.com/ (tests point it at a local stand-in server). */
  baseUrl?: string;
  /** Request timeout in milliseconds (default 15 000). */
  timeoutMs?: number;
}

/** The .ics of an invitation must say its iTIP method in the MIME type (RFC 6047 §2.4). */
function attachmentType(a: MessageAttachment): string {
  const type = a.contentType.trim();
  if (!/^text\/calendar\s*(;|$)/i.test(type) || /;\s*method=/i.test(type)) return type;
  const method = /^METHOD:([A-Z-]+)\s*$/im.exec(Buffer.from(a.contentBase64, 'base64').toString('utf8'))?.[1];
  return method ? `${type}; method=${method.toUpperCase()}` : type;
}

interface SendgridResponseError {
  code?: unknown;
  message?: unknown;
  response?: { body?: { errors?: { message?: string; field?: string | null }[] } };
}

function classify(error: unknown): Error {
  const e = error as SendgridResponseError | null;
  const status = typeof e?.code === 'number' ? e.code : null;
  if (status === null) {
    const reason = error instanceof Error ? error.message : String(error);
    return new TransientDeliveryError('sendgrid', `SendGrid could not be reached: ${reason}`, null, null, { cause: error });
  }
  const details = (e?.response?.body?.errors ?? [])
    .map((x) => (x.field ? `${x.field}: ${x.message ?? ''}` : (x.message ?? '')))
    .filter((x) => x !== '')
    .join('; ');
  const message = `SendGrid answered ${status}${details ? `: ${details}` : ''}`;
  return isPermanentStatus(status)
    ? new PermanentDeliveryError('sendgrid', message, status, null, { cause: error })
    : new TransientDeliveryError('sendgrid', message, status, null, { cause: error });
}

function headerValue(headers: unknown, name: string): string | null {
  if (headers === null || typeof headers !== 'object') return null;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const value = typeof h.get === 'function' ? h.get(name) : (h[name] ?? h[name.toLowerCase()]);
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : null;
}

export function sendgridTransport(opts: SendgridTransportOptions): Transport {
  const client = new Client();
  client.setApiKey(opts.apiKey);
  // setApiKey picks the region's base URL, so an override comes after it.
  if (opts.baseUrl) client.setDefaultRequest('baseUrl', opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`);
  const mail = new MailService();
  mail.setClient(client);
  mail.setTimeout(opts.timeoutMs ?? 15_000);
  const once = idempotentSends();

  async function deliver(message: ProviderOutgoingMessage): Promise<{ id: string }> {
    const customArgs: Record<string, string> = { [SENDGRID_ARG_BRAND]: message.brandId, [SENDGRID_ARG_KIND]: message.kind };
    if (message.messageId) customArgs[SENDGRID_ARG_MESSAGE_ID] = message.messageId;
    if (message.idempotencyKey) customArgs[SENDGRID_ARG_IDEMPOTENCY_KEY] = message.idempotencyKey;
    if (message.attempt !== undefined) customArgs[SENDGRID_ARG_ATTEMPT] = String(message.attempt);
    const data: MailDataRequired = {
      to: message.to,
      from: opts.from.name ? { email: opts.from.email, name: opts.from.name } : opts.from.email,
      subject: message.subject ?? '',
      content: [
        { type: 'text/plain', value: message.text },
        ...(message.html !== null ? [{ type: 'text/html', value: message.html }] : []),
      ],
      customArgs,
      ...(message.attachments.length > 0
        ? {
            attachments: message.attachments.map((a) => ({
              content: a.contentBase64,
              filename: a.filename,
              type: attachmentType(a),
              disposition: 'attachment',
            })),
          }
        : {}),
    };
    let response: unknown;
    try {
      [response] = await mail.send(data);
    } catch (error) {
      throw classify(error);
    }
    // SendGrid always answers 202 with X-Message-Id; without one the mail is still accepted, and
    // its events still match by custom_args, so a retry (a duplicate email) would be worse.
    const id = headerValue((response as { headers?: unknown } | undefined)?.headers, 'x-message-id');
    return { id: id ?? `unknown-${randomUUID()}` };
  }

  return {
    name: 'sendgrid',
    async send(message: ProviderOutgoingMessage) {
      if (message.channel !== 'email') {
        throw new PermanentDeliveryError('sendgrid', `SendGrid only sends email, not ${message.channel}.`);
      }
      if (message.subject === null || message.subject.trim() === '') {
        throw new PermanentDeliveryError('sendgrid', 'An email needs a subject.');
      }
      return once(message.idempotencyKey, () => deliver(message));
    },
  };
}
