import { createHash } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import twilio from 'twilio';
import type { ContentCreateRequest } from 'twilio/lib/rest/content/v1/content.js';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import {
  idempotentSends, isPermanentStatus, PermanentDeliveryError, providerIdempotencyToken, TransientDeliveryError,
  type ProviderOutgoingMessage,
} from './delivery-errors.ts';
import { gsmFriendly } from './gsm-text.ts';
import type { Transport } from './transport.ts';
import type { WhatsAppContent } from './whatsapp-content.ts';

/**
 * SMS and WhatsApp through Twilio's Programmable Messaging API
 * (POST /2010-04-01/Accounts/{AccountSid}/Messages.json) with the `twilio` package.
 * Delivery statuses come back on statusCallbackUrl (server/routes/provider-webhooks.routes.ts),
 * matched by the message SID this transport returns. Every attempt at one message carries the same
 * I-Twilio-Idempotency-Token (our message id), so a retry after an interrupted send is recognizable.
 */

export interface TwilioTransportOptions {
  accountSid: string;
  authToken: string;
  /** E.164 number (or Messaging Service-enabled sender) SMS go out from. */
  smsFrom: string;
  /** E.164 WhatsApp sender, without the `whatsapp:` prefix (it is added); absent → WhatsApp is refused. */
  whatsappFrom?: string;
  /** Public URL of POST /webhooks/twilio/status (our message id is added as ?message_id=…). */
  statusCallbackUrl?: string;
  /** Replaces https://api.twilio.com (tests point it at a local stand-in server). */
  baseUrl?: string;
  /** Request timeout in milliseconds (default 15 000). */
  timeoutMs?: number;
}

/** Query parameter of the status callback URL carrying our message id (Twilio signs the whole URL). */
export const TWILIO_CALLBACK_MESSAGE_PARAM = 'message_id';

/** The status callback URL for one message: with our id when we have one. */
function callbackFor(base: string, messageId: string | null | undefined): string {
  if (!messageId) return base;
  const url = new URL(base);
  url.searchParams.set(TWILIO_CALLBACK_MESSAGE_PARAM, messageId);
  return url.toString();
}

/** Twilio error codes that come with a 4xx but clear up by themselves: worth a retry. */
const RETRYABLE_TWILIO_CODES = new Set([
  20429, // too many requests
  14107, // SMS send rate limit exceeded
  21611, // the From number has too many queued messages
  30001, // queue overflow
]);

/** Twilio's API hosts (api.twilio.com, content.twilio.com): their paths do not overlap. */
const TWILIO_HOST = /^https:\/\/[a-z]+\.twilio\.com(?=\/)/;

/** Twilio's header for a request that may be a retry: one token, one message. */
export const TWILIO_IDEMPOTENCY_HEADER = 'I-Twilio-Idempotency-Token';

/** Headers of the send running in this async context (twilio's message API takes none of its own). */
const sendHeaders = new AsyncLocalStorage<Record<string, string>>();

/**
 * twilio's own RequestClient, adding the running send's headers and sending requests meant for
 * Twilio's hosts to another base URL when one is given.
 */
function requestClient(timeout: number, baseUrl: string | undefined): twilio.RequestClient {
  const base = baseUrl?.replace(/\/+$/, '');
  class SendRequestClient extends twilio.RequestClient {
    override request<TData>(opts: RequestClient.RequestOptions<TData>) {
      const uri = base ? opts.uri.replace(TWILIO_HOST, base) : opts.uri;
      return super.request({ ...opts, uri, headers: { ...opts.headers, ...sendHeaders.getStore() } });
    }
  }
  return new SendRequestClient({ timeout });
}

interface TwilioErrorLike {
  status?: unknown;
  code?: unknown;
  message?: unknown;
}

function classify(error: unknown): Error {
  const e = error as TwilioErrorLike | null;
  const status = typeof e?.status === 'number' ? e.status : null;
  const code = typeof e?.code === 'number' ? e.code : null;
  const reason = typeof e?.message === 'string' ? e.message : String(error);
  if (status === null) {
    return new TransientDeliveryError('twilio', `Twilio could not be reached: ${reason}`, null, null, { cause: error });
  }
  const message = `Twilio answered ${status}${code !== null ? ` (error ${code})` : ''}: ${reason}`;
  const providerCode = code !== null ? String(code) : null;
  return isPermanentStatus(status) && !(code !== null && RETRYABLE_TWILIO_CODES.has(code))
    ? new PermanentDeliveryError('twilio', message, status, providerCode, { cause: error })
    : new TransientDeliveryError('twilio', message, status, providerCode, { cause: error });
}

export function twilioTransport(opts: TwilioTransportOptions): Transport {
  const client = twilio(opts.accountSid, opts.authToken, {
    httpClient: requestClient(opts.timeoutMs ?? 15_000, opts.baseUrl),
  });
  const once = idempotentSends();
  const whatsapp = (number: string) => (number.startsWith('whatsapp:') ? number : `whatsapp:${number}`);
  /** Interactive content is made once per distinct content (Content API), then sent by its SID. */
  const contents = new Map<string, Promise<string>>();
  const contentSid = (content: WhatsAppContent): Promise<string> => {
    if (content.type === 'template') return Promise.resolve(content.contentSid);
    const { type, ...body } = content;
    const key = JSON.stringify(content);
    let sid = contents.get(key);
    if (!sid) {
      sid = client.content.v1.contents.create({
        friendlyName: `rendezvous_${createHash('sha256').update(key).digest('hex').slice(0, 16)}`,
        language: 'en',
        types: { [type]: body, 'twilio/text': { body: content.body } } as ContentCreateRequest['types'],
      }).then((created) => created.sid);
      sid.catch(() => contents.delete(key));
      contents.set(key, sid);
    }
    return sid;
  };

  return {
    name: 'twilio',
    async send(message: ProviderOutgoingMessage) {
      let to: string;
      let from: string;
      if (message.channel === 'sms') {
        to = message.to;
        from = message.from ?? opts.smsFrom;
      } else if (message.channel === 'whatsapp') {
        const sender = message.from ?? opts.whatsappFrom;
        if (!sender) throw new PermanentDeliveryError('twilio', 'No WhatsApp sender is configured (TWILIO_WHATSAPP_FROM).');
        to = whatsapp(message.to);
        from = whatsapp(sender);
      } else {
        throw new PermanentDeliveryError('twilio', `Twilio sends sms and whatsapp, not ${message.channel}.`);
      }
      const token = providerIdempotencyToken(message);
      return once(message.idempotencyKey, async () => {
        try {
          const rich = message.channel === 'whatsapp' ? message.whatsapp : null;
          const content = rich
            ? { contentSid: await contentSid(rich), ...(rich.type === 'template' ? { contentVariables: JSON.stringify(rich.variables) } : {}) }
            : { body: message.channel === 'sms' ? gsmFriendly(message.text) : message.text };
          const sent = await sendHeaders.run(token ? { [TWILIO_IDEMPOTENCY_HEADER]: token } : {}, () => client.messages.create({
            to,
            from,
            ...content,
            ...(opts.statusCallbackUrl ? { statusCallback: callbackFor(opts.statusCallbackUrl, message.messageId) } : {}),
          }));
          return { id: sent.sid };
        } catch (error) {
          throw classify(error);
        }
      });
    },
  };
}
