import { createHash } from 'node:crypto';
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import twilio from 'twilio';
import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import type { Queryable } from '../../models/database.ts';
import { errors } from '../../models/errors.ts';
import type { MessageStatus } from '../../notifications/outbox.transport.ts';
import { SENDGRID_ARG_IDEMPOTENCY_KEY, SENDGRID_ARG_MESSAGE_ID } from '../../notifications/sendgrid.transport.ts';
import { TWILIO_CALLBACK_MESSAGE_PARAM } from '../../notifications/twilio.transport.ts';
import { rejectUnsafeBody, unsafeTextAt, UNSAFE_TEXT_MESSAGE } from '../safe-input.ts';
import { TWILIO_OPTED_OUT } from '../../notifications/phone-rules.ts';
import { setOptOut } from '../../models/phone-channels.repository.ts';
import {
  advanceMessageStatus, existingMessageId, insertDeliveryEvent, messageIdByIdempotencyKey, messageIdByProviderId, messageRecipient,
  type DeliveryEvent,
} from '../../models/delivery-events.repository.ts';
import { isUuid } from '../../models/ids.ts';

/**
 * Delivery-status webhooks: Twilio status callbacks and the SendGrid Event Webhook.
 * Every request is authenticated (Twilio's HMAC signature, SendGrid's ECDSA signature) before
 * anything is read from it. Each provider event is recorded once in `delivery_events`
 * (UNIQUE (provider, provider_event_id)) and moves its message's status forward only:
 * queued/sending → sent → delivered → failed, never back, so replays and out-of-order events are
 * harmless. A recorded event also tells the sender the provider has the message: it is never resent.
 *
 * Mount it on the app itself, before any body parser (it parses its own bodies: the SendGrid
 * signature covers the raw bytes), and outside /api (no API key, no API rate limit).
 */

export interface ProviderWebhookDeps {
  db: Queryable;
  now: () => Date;
  /** Absent → POST /webhooks/twilio/status answers 503 (nothing unauthenticated is accepted). */
  twilioAuthToken?: string;
  /** The public origin Twilio calls (https://book.example.com): the signature covers the full URL. */
  publicUrl: string;
  /** SendGrid's Event Webhook verification key (base64 DER or PEM ECDSA P-256 public key); absent → 503. */
  sendgridVerificationKey?: string;
}

export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';
export const SENDGRID_EVENTS_PATH = '/webhooks/sendgrid/events';
/** SendGrid's signed timestamp may be this far from our clock, either way. */
export const SENDGRID_TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

const MAX_ERROR_LENGTH = 1000;

interface Outcome {
  status: MessageStatus;
  error?: string;
}

/** Twilio MessageStatus → our status; undefined for statuses that say nothing about delivery. */
function twilioOutcome(status: string, errorCode: string | undefined, errorMessage: string | undefined): Outcome | undefined {
  switch (status) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
    case 'sent':
      return { status: 'sent' };
    case 'delivered':
    case 'read':
      return { status: 'delivered' };
    case 'failed':
    case 'undelivered':
    case 'canceled': {
      const code = errorCode ? `Twilio error ${errorCode}` : 'no error code';
      return { status: 'failed', error: `${status} (${code})${errorMessage ? `: ${errorMessage}` : ''}` };
    }
    default:
      return undefined;
  }
}

/** SendGrid event → our status; undefined for engagement events that say nothing new. */
function sendgridOutcome(event: SendgridEvent): Outcome | undefined {
  switch (event.event) {
    case 'processed':
    case 'deferred':
      return { status: 'sent' };
    case 'delivered':
    case 'open':
    case 'click':
      return { status: 'delivered' };
    case 'bounce':
    case 'dropped': {
      const reason = [event.type, event.status, event.reason].filter((x) => typeof x === 'string' && x !== '').join(' ');
      return { status: 'failed', error: `${event.event}: ${reason || 'no reason given'}` };
    }
    default:
      return undefined;
  }
}

/** Records one provider event (once) and moves its message forward. Idempotent: replays change nothing. */
async function recordEvent(db: Queryable, now: Date, e: DeliveryEvent & { outcome: Outcome | undefined }): Promise<void> {
  await insertDeliveryEvent(db, e, now);
  // Applied even to a replay, so a request that failed between the two statements heals on retry;
  // the forward-only status order makes it a no-op once applied.
  if (e.messageId === null || e.outcome === undefined) return;
  const { status, error } = e.outcome;
  await advanceMessageStatus(db, e.messageId, status, error?.slice(0, MAX_ERROR_LENGTH) ?? null, now);
}

const twilioStatusBody = z.object({
  MessageSid: z.string().trim().min(1).max(64),
  MessageStatus: z.string().trim().min(1).max(32).transform((s) => s.toLowerCase()),
  ErrorCode: z.string().trim().max(16).optional(),
  ErrorMessage: z.string().trim().max(500).optional(),
});

const sendgridEvent = z.looseObject({
  event: z.string().min(1).max(64),
  sg_event_id: z.string().min(1).max(200).optional(),
  sg_message_id: z.string().min(1).max(500).optional(),
  reason: z.string().optional(),
  status: z.string().optional(),
  type: z.string().optional(),
});
type SendgridEvent = z.infer<typeof sendgridEvent>;
const sendgridBatch = z.array(sendgridEvent).min(1).max(10_000);


function header(req: Request, name: string): string | undefined {
  const value = req.get(name);
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Which of our messages a SendGrid event is about: our custom_args first, then SendGrid's message id. */
async function sendgridMessageId(db: Queryable, event: SendgridEvent): Promise<string | null> {
  const ourId = event[SENDGRID_ARG_MESSAGE_ID];
  if (typeof ourId === 'string' && isUuid(ourId)) {
    const found = await existingMessageId(db, ourId);
    if (found) return found;
  }
  const key = event[SENDGRID_ARG_IDEMPOTENCY_KEY];
  if (typeof key === 'string' && key !== '') {
    const found = await messageIdByIdempotencyKey(db, key);
    if (found) return found;
  }
  // sg_message_id is the X-Message-Id the send returned, then ".filter…" added by SendGrid.
  const sgId = event.sg_message_id?.split('.')[0];
  if (sgId) {
    return messageIdByProviderId(db, 'sendgrid', sgId);
  }
  return null;
}

/**
 * Which of our messages a Twilio status callback is about: the id our transport put in the
 * (signed) callback URL, which works even before the send recorded the SID; else the SID.
 */
async function twilioMessageId(db: Queryable, hinted: unknown, messageSid: string): Promise<string | null> {
  if (typeof hinted === 'string' && isUuid(hinted)) {
    const found = await existingMessageId(db, hinted);
    if (found) return found;
  }
  return messageIdByProviderId(db, 'twilio', messageSid);
}

/** Twilio said the message's recipient opted out: recorded for its brand, channel and number. */
async function recordOptOutOf(db: Queryable, messageId: string, at: Date): Promise<void> {
  const m = await messageRecipient(db, messageId);
  if (m && (m.channel === 'sms' || m.channel === 'whatsapp') && /^\+[1-9]\d{6,14}$/.test(m.recipient)) await setOptOut(db, m.brandId, m.channel, m.recipient, true, TWILIO_OPTED_OUT, at);
}

export function providerWebhookRoutes(deps: ProviderWebhookDeps): Router {
  const { db, now } = deps;
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  const router = Router();

  // ── Twilio status callbacks ───────────────────────────────────────────────────────────────
  router.post(
    TWILIO_STATUS_PATH,
    express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }),
    rejectUnsafeBody,
    async (req, res) => {
      const authToken = deps.twilioAuthToken;
      if (!authToken) throw errors.webhookNotConfigured('TWILIO_AUTH_TOKEN');
      if (!req.is('application/x-www-form-urlencoded') || req.body === null || typeof req.body !== 'object') {
        throw errors.invalidBody('Expected an application/x-www-form-urlencoded body.');
      }
      const params = req.body as Record<string, unknown>;
      const signature = header(req, 'X-Twilio-Signature');
      if (!signature) throw errors.invalidSignature('The X-Twilio-Signature header is missing.');
      if (!twilio.validateRequest(authToken, signature, publicUrl + req.originalUrl, params)) {
        throw errors.invalidSignature('The X-Twilio-Signature header does not match this request.');
      }
      const parsed = twilioStatusBody.safeParse(params);
      if (!parsed.success) throw errors.invalidBody('A status callback needs MessageSid and MessageStatus.');
      const { MessageSid, MessageStatus, ErrorCode, ErrorMessage } = parsed.data;
      const messageId = await twilioMessageId(db, req.query[TWILIO_CALLBACK_MESSAGE_PARAM], MessageSid);
      await recordEvent(db, now(), {
        provider: 'twilio',
        providerEventId: `${MessageSid}:${MessageStatus}`,
        messageId,
        event: MessageStatus,
        payload: { ...params },
        outcome: twilioOutcome(MessageStatus, ErrorCode || undefined, ErrorMessage || undefined),
      });
      // "Unsubscribed recipient": nothing more goes to that number on that channel until it opts in again.
      if (ErrorCode === TWILIO_OPTED_OUT && messageId) await recordOptOutOf(db, messageId, now());
      res.status(200).json({ received: 1 });
    },
  );

  // ── SendGrid Event Webhook ────────────────────────────────────────────────────────────────
  const eventWebhook = new EventWebhook();
  // Parsed once, at startup: a malformed key fails the boot, not every webhook.
  const sendgridKey = deps.sendgridVerificationKey ? eventWebhook.convertPublicKeyToECDSA(deps.sendgridVerificationKey) : null;

  router.post(
    SENDGRID_EVENTS_PATH,
    express.raw({ type: 'application/json', limit: '1mb' }),
    async (req, res) => {
      if (!sendgridKey) throw errors.webhookNotConfigured('SENDGRID_WEBHOOK_PUBLIC_KEY');
      const raw: unknown = req.body;
      if (!Buffer.isBuffer(raw)) throw errors.invalidBody('Expected an application/json body.');
      const signature = header(req, EventWebhookHeader.SIGNATURE());
      const timestamp = header(req, EventWebhookHeader.TIMESTAMP());
      if (!signature || !timestamp) {
        throw errors.invalidSignature(`The ${EventWebhookHeader.SIGNATURE()} and ${EventWebhookHeader.TIMESTAMP()} headers are required.`);
      }
      const seconds = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : NaN;
      if (!Number.isFinite(seconds) || Math.abs(now().getTime() / 1000 - seconds) > SENDGRID_TIMESTAMP_TOLERANCE_SECONDS) {
        throw errors.invalidSignature('The webhook timestamp is missing, malformed or more than 5 minutes away from our clock.');
      }
      let valid = false;
      try {
        valid = eventWebhook.verifySignature(sendgridKey, raw, signature, timestamp);
      } catch {
        valid = false;
      }
      if (!valid) throw errors.invalidSignature('The event webhook signature does not match this request.');

      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        throw errors.invalidBody('The request body is not valid JSON.');
      }
      const unsafe = unsafeTextAt(json, 'events');
      if (unsafe !== null) throw errors.invalidBody(`${unsafe}: ${UNSAFE_TEXT_MESSAGE}.`);
      const parsed = sendgridBatch.safeParse(json);
      if (!parsed.success) throw errors.invalidBody('Expected a JSON array of events, each with an "event" name.');

      const at = now();
      for (const event of parsed.data) {
        await recordEvent(db, at, {
          provider: 'sendgrid',
          providerEventId: event.sg_event_id ?? `sha256:${createHash('sha256').update(JSON.stringify(event)).digest('hex')}`,
          messageId: await sendgridMessageId(db, event),
          event: event.event,
          payload: event,
          outcome: sendgridOutcome(event),
        });
      }
      res.status(200).json({ received: parsed.data.length });
    },
  );

  return router;
}
