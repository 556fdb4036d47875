import type { Database } from '../models/database.ts';
import { localTransports, type Transports } from './message-sender.ts';
import { sendgridTransport } from './sendgrid.transport.ts';
import { twilioTransport } from './twilio.transport.ts';

/** The provider settings the transports need, as the server's configuration names them (server/config.ts). */
export interface TransportSettings {
  PUBLIC_URL: string;
  SENDGRID_API_KEY?: string | undefined;
  SENDGRID_FROM?: string | undefined;
  SENDGRID_FROM_NAME?: string | undefined;
  SENDGRID_API_URL?: string | undefined;
  TWILIO_ACCOUNT_SID?: string | undefined;
  TWILIO_AUTH_TOKEN?: string | undefined;
  TWILIO_SMS_FROM?: string | undefined;
  TWILIO_WHATSAPP_FROM?: string | undefined;
  TWILIO_API_URL?: string | undefined;
  PROVIDER_TIMEOUT_SECONDS: number;
}

/** The transport per channel: a configured provider, else the local outbox. */
export function transportsFromConfig(config: TransportSettings, db: Database, now: () => Date): Transports {
  const transports = localTransports(db, now);
  if (config.SENDGRID_API_KEY && config.SENDGRID_FROM) {
    transports.email = sendgridTransport({
      apiKey: config.SENDGRID_API_KEY,
      from: { email: config.SENDGRID_FROM, ...(config.SENDGRID_FROM_NAME ? { name: config.SENDGRID_FROM_NAME } : {}) },
      ...(config.SENDGRID_API_URL ? { baseUrl: config.SENDGRID_API_URL } : {}),
      timeoutMs: config.PROVIDER_TIMEOUT_SECONDS * 1000,
    });
  }
  if (config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_SMS_FROM) {
    const twilio = twilioTransport({
      accountSid: config.TWILIO_ACCOUNT_SID,
      authToken: config.TWILIO_AUTH_TOKEN,
      smsFrom: config.TWILIO_SMS_FROM,
      ...(config.TWILIO_WHATSAPP_FROM ? { whatsappFrom: config.TWILIO_WHATSAPP_FROM } : {}),
      statusCallbackUrl: `${config.PUBLIC_URL}/webhooks/twilio/status`,
      ...(config.TWILIO_API_URL ? { baseUrl: config.TWILIO_API_URL } : {}),
      timeoutMs: config.PROVIDER_TIMEOUT_SECONDS * 1000,
    });
    transports.sms = twilio;
    transports.whatsapp = twilio;
  }
  return transports;
}
