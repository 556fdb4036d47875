import { randomBytes } from 'node:crypto';
import express, { Router, type Request } from 'express';

/**
 * A local stand-in for the two Twilio APIs the product calls (Programmable Messaging's
 * Messages.json and the Content API), for the dev phone and for tests: it checks the account's
 * Basic credentials, records every request exactly as received, and answers like Twilio.
 * Mount it at a base URL given to the Twilio transport (TWILIO_API_URL). Never in production.
 */

export interface CapturedRequest {
  method: string;
  /** The path below the stand-in's mount point, e.g. /2010-04-01/Accounts/AC…/Messages.json. */
  path: string;
  /** Form or JSON body as received. */
  body: Record<string, unknown>;
  at: Date;
}

/** A message Twilio would have sent, with its content resolved (what the phone shows). */
export interface StandInMessage {
  sid: string;
  to: string;
  from: string;
  body: string | null;
  contentSid: string | null;
  contentVariables: string | null;
  /** The interactive content (quick replies, list picker) behind contentSid, when it was made here. */
  content: Record<string, unknown> | null;
  at: Date;
}

export interface TwilioStandIn {
  router: Router;
  requests: CapturedRequest[];
  messages: StandInMessage[];
  /** Makes the next sends fail with a Twilio error (e.g. 21610 opted out, 63016 outside the window). */
  failNext(code: number, status?: number, message?: string): void;
}

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');

export function twilioStandIn(
  credentials: { accountSid: string; authToken: string },
  options: { onMessage?: (message: StandInMessage) => void } = {},
): TwilioStandIn {
  const requests: CapturedRequest[] = [];
  const messages: StandInMessage[] = [];
  const contents = new Map<string, Record<string, unknown>>();
  const failures: { code: number; status: number; message: string }[] = [];
  const router = Router();
  const expected = `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`;

  const authorized = (req: Request) => req.get('authorization') === expected;
  const capture = (req: Request) => {
    const body = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
    requests.push({ method: req.method, path: req.path, body: { ...body }, at: new Date() });
    return body;
  };
  const twilioError = (status: number, code: number, message: string) => ({ status, code, message, more_info: `https://www.twilio.com/docs/errors/${code}` });

  router.post('/2010-04-01/Accounts/:account/Messages.json', express.urlencoded({ extended: false, limit: '256kb' }), (req, res) => {
    if (!authorized(req) || req.params.account !== credentials.accountSid) return void res.status(401).json(twilioError(401, 20003, 'Authenticate'));
    const body = capture(req);
    const failure = failures.shift();
    if (failure) return void res.status(failure.status).json(twilioError(failure.status, failure.code, failure.message));
    const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : null);
    const message: StandInMessage = {
      sid: sid('SM'), to: text('To') ?? '', from: text('From') ?? '', body: text('Body'),
      contentSid: text('ContentSid'), contentVariables: text('ContentVariables'),
      content: contents.get(text('ContentSid') ?? '') ?? null, at: new Date(),
    };
    messages.push(message);
    options.onMessage?.(message);
    res.status(201).json({
      sid: message.sid, account_sid: credentials.accountSid, to: message.to, from: message.from, body: message.body ?? '',
      status: 'queued', num_segments: '1', direction: 'outbound-api', date_created: message.at.toUTCString(),
    });
  });

  router.post('/v1/Content', express.json({ limit: '256kb' }), (req, res) => {
    if (!authorized(req)) return void res.status(401).json(twilioError(401, 20003, 'Authenticate'));
    const body = capture(req);
    const contentSid = sid('HX');
    contents.set(contentSid, (body['types'] as Record<string, unknown> | undefined) ?? {});
    res.status(201).json({ sid: contentSid, account_sid: credentials.accountSid, friendly_name: body['friendlyName'], language: body['language'], types: body['types'], variables: body['variables'] ?? {} });
  });

  return {
    router,
    requests,
    messages,
    failNext(code, status = 400, message = `Twilio error ${code}`) {
      failures.push({ code, status, message });
    },
  };
}
