import type { Queryable, Tx } from '../models/database.ts';
import { findBrand } from '../models/brands.repository.ts';
import { findPhoneContact, messagePhoneFields, noteMessage, setOptOut, type PhoneChannel } from '../models/phone-channels.repository.ts';
import { DeliveryError } from './delivery-errors.ts';
import type { MessageChannel } from './transport.ts';
import { WHATSAPP_WINDOW_MS, type WhatsAppContent } from './whatsapp-content.ts';

/** The columns of a `messages` row the channel rules read. */
export interface RuledRow {
  id: string;
  brand_id: string;
  channel: MessageChannel;
  recipient: string;
  kind: string;
  body_text: string;
}

export type RuledSend =
  | { send: false; reason: string }
  | { send: true; channel: MessageChannel; from: string | null; whatsapp: WhatsAppContent | null };

const isPhone = (c: MessageChannel): c is PhoneChannel => c === 'sms' || c === 'whatsapp';

/** Twilio's codes that say the customer cannot be written to this way: recorded, never retried. */
export const TWILIO_OPTED_OUT = '21610';
export const TWILIO_OUTSIDE_WINDOW = '63016';

/**
 * What the channel rules allow for one message, decided when it is sent (so reminders and
 * follow-ups due later are checked then): nothing to an opted-out number; on WhatsApp outside the
 * 24-hour window only the brand's approved template for this kind of message, else the message goes
 * by SMS instead. A change is written on the row (`note`, and `channel` for the SMS fallback).
 */
export async function applyPhoneRules(tx: Tx, row: RuledRow, now: Date): Promise<RuledSend> {
  if (!isPhone(row.channel)) return { send: true, channel: row.channel, from: null, whatsapp: null };
  const contact = await findPhoneContact(tx, row.brand_id, row.channel, row.recipient);
  if (contact?.optedOutAt) return { send: false, reason: `Not sent: ${row.recipient} opted out of ${row.channel} (${contact.optOutKeyword ?? 'STOP'}).` };
  const { sender, rich } = await messagePhoneFields<WhatsAppContent>(tx, row.id);
  if (row.channel === 'sms') return { send: true, channel: 'sms', from: sender, whatsapp: null };

  const open = contact?.lastInboundAt && now.getTime() - contact.lastInboundAt.getTime() < WHATSAPP_WINDOW_MS;
  if (open) return { send: true, channel: 'whatsapp', from: sender, whatsapp: rich };
  const template = (await findBrand(tx, row.brand_id))?.settings.whatsappTemplates[row.kind];
  if (template) {
    await noteMessage(tx, row.id, `WhatsApp window closed: sent with the approved template ${template}.`);
    // WhatsApp refuses line breaks and long runs of spaces in template variables.
    const text = row.body_text.replace(/\s*\n+\s*/g, ' · ').replace(/\s{4,}/g, ' ');
    return { send: true, channel: 'whatsapp', from: sender, whatsapp: { type: 'template', contentSid: template, variables: { '1': text } } };
  }
  const sms = await findPhoneContact(tx, row.brand_id, 'sms', row.recipient);
  if (sms?.optedOutAt) return { send: false, reason: 'Not sent: the WhatsApp window is closed, no template is set for it and the number opted out of SMS.' };
  await noteMessage(tx, row.id, 'WhatsApp window closed: sent by SMS instead.', 'sms');
  return { send: true, channel: 'sms', from: null, whatsapp: null };
}

/** After a refused send: Twilio's "opted out" (21610) is recorded for the number, so nothing more is tried. */
export async function recordPhoneRefusal(db: Queryable, row: RuledRow, channel: MessageChannel, error: unknown, now: Date): Promise<void> {
  if (!(error instanceof DeliveryError) || !isPhone(channel)) return;
  if (error.providerCode === TWILIO_OPTED_OUT) await setOptOut(db, row.brand_id, channel, row.recipient, true, TWILIO_OPTED_OUT, now);
}
