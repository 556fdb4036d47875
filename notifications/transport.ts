/** The seam between what the product says and what carries it (local outbox, SendGrid, Twilio, a queue). */
export type MessageChannel = 'email' | 'sms' | 'whatsapp';

export interface MessageAttachment {
  filename: string;
  contentType: string;
  contentBase64: string;
}

export interface OutgoingMessage {
  brandId: string;
  channel: MessageChannel;
  /** Email address or E.164 phone number. */
  to: string;
  /** What the message is for: 'otp', 'confirmation', … */
  kind: string;
  /** Email only; null for sms and whatsapp. */
  subject: string | null;
  text: string;
  /** Email only; every interpolated value must already be escaped (see escapeHtml). */
  html: string | null;
  attachments: MessageAttachment[];
  /** The same key twice is the same message: the transport sends it once and returns the first id. */
  idempotencyKey?: string | null;
}

export interface Transport {
  readonly name: string;
  send(message: OutgoingMessage): Promise<{ id: string }>;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text → safe HTML text or attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}
