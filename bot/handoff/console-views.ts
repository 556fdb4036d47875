import type { Database } from '../../models/database.ts';
import type { Locale } from '../../models/catalogue.repository.ts';
import { findConversation } from '../../models/conversations.repository.ts';
import { findCustomer } from '../../models/customers.repository.ts';
import * as repo from '../../models/handoff.repository.ts';
import type { Handoff, HandoffAppointment } from '../../models/handoff.repository.ts';
import { findPhoneContact, type PhoneContact } from '../../models/phone-channels.repository.ts';
import { WHATSAPP_WINDOW_MS } from '../../notifications/whatsapp-content.ts';
import { seesAppointment, type StaffScope } from '../../scheduling/staff-access.ts';
import type { AttachedConversation, ConsoleChannel, HandoffAppointmentSummary, HandoffRequestEvent } from './console-protocol.ts';

/** What consoles are shown of a hand-off: requests, conversations an agent is in, their appointments. */

export const serviceName = (a: HandoffAppointment, locale: Locale): string =>
  a.serviceNames[locale] ?? a.serviceNames.en ?? a.serviceNames.fr ?? '';

export function summarize(a: HandoffAppointment): HandoffAppointmentSummary {
  return {
    id: a.id,
    serviceName: serviceName(a, a.brandLocale),
    mode: a.mode,
    startAt: a.startAt.toISOString(),
    endAt: a.endAt.toISOString(),
    storeId: a.storeId,
    storeName: a.storeName,
    staffId: a.staffId,
    staffName: a.staffName,
    meetingUrl: a.meetingUrl,
  };
}

export async function customerName(db: Database, h: Handoff, appointment: HandoffAppointment | null): Promise<string | null> {
  if (appointment) return appointment.customerName;
  return h.customerId ? (await findCustomer(db, h.customerId))?.name ?? null : null;
}

/** The customer's channel and, on a phone, what its rules allow now. */
async function channelOf(db: Database, h: Handoff, now: Date): Promise<{ channel: ConsoleChannel; channelNotice: string | null }> {
  const channel: ConsoleChannel = h.channel === 'sms' || h.channel === 'whatsapp' ? h.channel : 'web';
  const conversation = channel === 'web' ? null : await findConversation(db, h.conversationId);
  if (channel === 'web' || !conversation?.externalId) return { channel, channelNotice: null };
  return { channel, channelNotice: phoneNotice(channel, await findPhoneContact(db, h.brandId, channel, conversation.externalId), now) };
}

/** Why the agent's messages may not reach a phone as typed: opted out, or WhatsApp's 24-hour window closed. */
function phoneNotice(channel: 'sms' | 'whatsapp', contact: PhoneContact | null, now: Date): string | null {
  if (contact?.optedOutAt) return `The customer opted out of ${channel === 'sms' ? 'SMS' : 'WhatsApp'} (${contact.optOutKeyword ?? 'STOP'}): nothing can be sent to this number.`;
  if (channel === 'whatsapp' && (!contact?.lastInboundAt || now.getTime() - contact.lastInboundAt.getTime() >= WHATSAPP_WINDOW_MS)) {
    return 'WhatsApp window closed (no message from the customer for 24 hours): your messages go by template or SMS.';
  }
  return null;
}

/** A waiting customer as the consoles it is offered to see it (queue requests with their place in line). */
export async function requestEvent(db: Database, now: Date, h: Handoff, appointment: HandoffAppointment | null): Promise<HandoffRequestEvent> {
  const position = appointment ? null : (await repo.queueOrder(db, h.brandId)).indexOf(h.conversationId) + 1 || null;
  return {
    conversationId: h.conversationId,
    kind: appointment ? 'appointment' : 'queue',
    customerName: await customerName(db, h, appointment),
    appointment: appointment ? summarize(appointment) : null,
    waitingSince: (h.requestedAt ?? now).toISOString(),
    offeredTo: h.offeredTo,
    position,
    ...await channelOf(db, h, now),
  };
}

/** A conversation an agent is in, as their console shows it beside the chat. */
export async function attachedSummary(
  db: Database, now: Date, scope: StaffScope, h: Handoff, appointment: HandoffAppointment | null,
): Promise<AttachedConversation> {
  // A customer who booked in this chat and then asked for a person: the advisor sees what they booked.
  const booked = (await repo.conversationAppointments(db, h.brandId, h.conversationId)).filter((a) => seesAppointment(scope, a));
  return {
    conversationId: h.conversationId,
    customerName: await customerName(db, h, appointment) ?? booked[0]?.customerName ?? null,
    appointment: appointment ? summarize(appointment) : null,
    appointments: booked.map(summarize),
    locale: h.locale,
    lastSeq: h.lastSeq,
    customerReadSeq: h.customerReadSeq,
    agentReadSeq: h.agentReadSeq,
    ...await channelOf(db, h, now),
  };
}
