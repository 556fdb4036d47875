import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One send as the stand-in received it. */
export interface ProviderRequest {
  provider: 'twilio' | 'sendgrid';
  /** Twilio's I-Twilio-Idempotency-Token header; SendGrid's rdv_message_id custom argument. */
  key: string | null;
  to: string;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface ProviderStandIn {
  /** Base URL for both SENDGRID_API_URL and TWILIO_API_URL. */
  url: string;
  requests: ProviderRequest[];
  /** Messages delivered to someone: a key seen again is the same message (a request without one always counts). */
  deliveries(): number;
  /** How many requests carried each key. */
  attemptsByKey(): Map<string, number>;
  /** While true, sends are accepted but never answered (a slow provider); false answers them at once. */
  hold: boolean;
  close(): Promise<void>;
}

/**
 * A local stand-in for SendGrid's Mail Send and Twilio's Messages API that honours idempotency
 * keys the way the product relies on: the first request with a key delivers the message, a repeat
 * gets the first answer and delivers nothing.
 */
export async function startProviderStandIn(): Promise<ProviderStandIn> {
  const requests: ProviderRequest[] = [];
  const ids = new Map<string, string>();
  let unkeyed = 0;
  let counter = 0;

  function answer(res: ServerResponse, provider: ProviderRequest['provider'], id: string) {
    if (provider === 'sendgrid') {
      res.writeHead(202, { 'X-Message-Id': id });
      res.end();
    } else {
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ sid: id, status: 'queued', direction: 'outbound-api', api_version: '2010-04-01' }));
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const sendgrid = req.url === '/v3/mail/send';
      let key: string | null;
      let to: string;
      if (sendgrid) {
        const mail = JSON.parse(body) as { custom_args?: Record<string, string>; personalizations: { to: { email: string }[] }[] };
        key = mail.custom_args?.rdv_message_id ?? null;
        to = mail.personalizations[0]!.to[0]!.email;
      } else {
        const header = req.headers['i-twilio-idempotency-token'];
        key = typeof header === 'string' ? header : null;
        to = new URLSearchParams(body).get('To') ?? '';
      }
      const provider = sendgrid ? 'sendgrid' : 'twilio';
      requests.push({ provider, key, to, headers: req.headers, at: Date.now() });
      let id = key === null ? undefined : ids.get(key);
      if (id === undefined) {
        id = sendgrid ? `sg-${++counter}` : `SM${String(++counter).padStart(32, '0')}`;
        if (key === null) unkeyed++;
        else ids.set(key, id);
      }
      // Held: the response stays open until the stand-in closes or the client goes away.
      if (!standIn.hold) answer(res, provider, id);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const standIn: ProviderStandIn = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    deliveries: () => ids.size + unkeyed,
    attemptsByKey() {
      const counts = new Map<string, number>();
      for (const r of requests) if (r.key !== null) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
      return counts;
    },
    hold: false,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return standIn;
}
