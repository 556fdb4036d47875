import type { Appointment, AppointmentState } from '../models/appointments.repository.ts';
import { appointmentStateHistory } from '../models/appointment-views.repository.ts';
import { brandDefaultLocale } from '../models/brands.repository.ts';
import type { BookingEvent, BookingEventSink } from '../scheduling/booking-events.ts';
import { loadAppointmentView, type AppointmentView } from './appointment-view.ts';
import { buildInvite } from './calendar-invite.ts';
import type { DeliveryQueue, NotificationPlan } from './delivery-queue.ts';
import { queueMessage } from './message-sender.ts';
import { loadNotificationSettings, type NotificationSettings } from './notification-settings.ts';
import type { SignedLinks } from './signed-links.ts';
import { renderMessage, type MessageEvent } from './templates.ts';
import type { MessageAttachment, MessageChannel } from './transport.ts';

export interface NotificationSinkDeps {
  links: SignedLinks;
  queue: DeliveryQueue;
  now: () => Date;
}

/** What one booking event means for customers, staff and the reminder schedule. */
interface Decision {
  customer: MessageEvent | null;
  /** The calendar invitation attached to the customer's email. */
  invite: 'REQUEST' | 'CANCEL' | null;
  staff: MessageEvent | null;
  /** plan: reminders and follow-ups for the start; replan: drop the old ones first; cancel: drop them. */
  schedule: 'plan' | 'replan' | 'cancel' | null;
}

interface History {
  previousState: AppointmentState | null;
  everConfirmed: boolean;
}

const NOTHING: Decision = { customer: null, invite: null, staff: null, schedule: null };
const CHANNELS: readonly MessageChannel[] = ['email', 'sms', 'whatsapp'];
const MINUTE = 60_000;

function decide(event: BookingEvent, history: History): Decision {
  const confirmed: Decision = { customer: 'confirmed', invite: 'REQUEST', staff: 'staff_confirmed', schedule: 'plan' };
  // A request rejected before it was ever confirmed has no calendar entry to remove.
  const cancelled: Decision = { customer: 'cancelled', invite: history.everConfirmed ? 'CANCEL' : null, staff: 'staff_cancelled', schedule: 'cancel' };
  switch (event.type) {
    case 'booked':
      return event.appointment.state === 'confirmed'
        ? confirmed
        : { customer: 'request_received', invite: null, staff: 'staff_request', schedule: null };
    case 'rescheduled':
      return { customer: 'rescheduled', invite: event.appointment.state === 'confirmed' ? 'REQUEST' : null, staff: null, schedule: 'replan' };
    case 'cancelled':
      return cancelled;
    case 'status_changed':
      if (event.appointment.state === 'cancelled') return cancelled;
      if (event.appointment.state === 'confirmed' && history.previousState !== 'confirmed') return confirmed;
      // Intermediate workflow statuses (kind 'start') tell no one.
      return NOTHING;
  }
}

const addressOf = (view: AppointmentView, channel: MessageChannel) => (channel === 'email' ? view.customer.email : view.customer.phone);

/**
 * The channels the brand confirms on that reach this customer, plus the SMS or WhatsApp they booked
 * on; a customer without email still gets a text.
 */
function customerChannels(settings: NotificationSettings, view: AppointmentView, bookedVia: string): MessageChannel[] {
  const channels = CHANNELS.filter((c) => settings.confirmationChannels[c] && addressOf(view, c));
  const phoneChannel = bookedVia === 'sms' || bookedVia === 'whatsapp' ? bookedVia : null;
  if (phoneChannel && view.customer.phone && !channels.includes(phoneChannel)) channels.push(phoneChannel);
  if (channels.length === 0 && !view.customer.email && view.customer.phone) channels.push('sms');
  return channels;
}

/**
 * Who on the brand's side hears of it. A request goes where the store's routing says (product
 * document 000: headquarters, the store or the salesman), falling back to whoever has an address;
 * confirmations and cancellations go to the booked staff member and the store (document 001).
 */
function staffRecipients(event: MessageEvent, view: AppointmentView): string[] {
  if (event === 'staff_request') {
    const routed = { headquarters: view.brandHeadquartersEmail, store: view.store?.email ?? null, salesman: view.staff.email };
    const first = [routed[view.store?.notificationRouting ?? 'salesman'], routed.store, routed.headquarters, routed.salesman].find(Boolean);
    return first ? [first] : [];
  }
  const all = [view.staff.email, view.store?.email].filter((e): e is string => Boolean(e));
  return all.filter((e, i) => all.findIndex((x) => x.toLowerCase() === e.toLowerCase()) === i);
}

function inviteAttachment(view: AppointmentView, method: 'REQUEST' | 'CANCEL', now: Date): MessageAttachment {
  const invite = buildInvite(view, method, { now });
  return { filename: invite.filename, contentType: invite.contentType, contentBase64: Buffer.from(invite.content).toString('base64') };
}

/** Reminders before the start and follow-ups after the end, as the settings ask. */
function plansFor(a: Appointment, view: AppointmentView, settings: NotificationSettings): NotificationPlan[] {
  const base = { appointmentId: a.id, forStartAt: a.startAt };
  const before = (minutes: number) => new Date(a.startAt.getTime() - minutes * MINUTE);
  const plans: NotificationPlan[] = [];
  if (view.customer.email) {
    settings.reminders.forEach((r, i) => {
      if (r.enabled) plans.push({ ...base, kind: 'reminder', channel: 'email', position: i + 1, sendAt: before(r.offsetMinutes) });
    });
    settings.followUps.forEach((f, i) => {
      if (f.enabled) {
        plans.push({ ...base, kind: 'follow_up', channel: 'email', position: i + 1, sendAt: new Date(a.endAt.getTime() + f.offsetMinutes * MINUTE) });
      }
    });
  }
  const textChannel = textReminderChannel(settings, a.channel);
  if (textChannel && view.customer.phone) {
    plans.push({ ...base, kind: 'reminder', channel: textChannel, position: 1, sendAt: before(settings.smsReminder.offsetMinutes) });
  }
  return plans;
}

/**
 * Where the text reminder goes: the SMS or WhatsApp the appointment was booked on (the channel
 * rules decide at send time: opt-out, WhatsApp window), else what the settings ask (`smsReminder`,
 * off by default); null → no text reminder. Planning and the re-check when it is due both ask here.
 */
export function textReminderChannel(settings: NotificationSettings, bookedVia: string): 'sms' | 'whatsapp' | null {
  if (bookedVia === 'sms' || bookedVia === 'whatsapp') return bookedVia;
  return settings.smsReminder.enabled ? settings.smsReminder.channel : null;
}

/**
 * The transactional outbox for booking events: inside the booking's transaction it renders the
 * messages the event calls for, records them as queued with their delivery jobs, and plans,
 * moves or drops reminders and follow-ups. Everything commits or rolls back with the booking.
 */
export function createNotificationSink(deps: NotificationSinkDeps): BookingEventSink {
  const { queue, links } = deps;

  return {
    async handle(tx, event) {
      const a = event.appointment;
      const history = event.type === 'booked' ? { previousState: null, everConfirmed: a.state === 'confirmed' } : await appointmentStateHistory(tx, a.id);
      const decision = decide(event, history);
      if (decision === NOTHING) return;
      const view = await loadAppointmentView(tx, a.id, links);
      if (!view) return;
      const now = deps.now();
      const settings = await loadNotificationSettings(tx, a.serviceId);

      const send = async (kind: MessageEvent, audience: string, channel: MessageChannel, to: string, locale: 'en' | 'fr', attachments: MessageAttachment[]) => {
        const rendered = await renderMessage(tx, kind, view, channel, { locale });
        if (!rendered) return;
        await queueMessage(tx, queue, {
          brandId: view.brandId, channel, to, kind, subject: rendered.subject, text: rendered.text, html: rendered.html,
          attachments: channel === 'email' ? attachments : [],
          idempotencyKey: `${kind}:${a.id}:${a.version}:${audience}:${channel}`,
        }, now);
      };

      if (decision.customer) {
        const attachments = decision.invite ? [inviteAttachment(view, decision.invite, now)] : [];
        for (const channel of customerChannels(settings, view, a.channel)) {
          await send(decision.customer, 'customer', channel, addressOf(view, channel)!, view.locale, attachments);
        }
      }
      if (decision.staff) {
        const recipients = staffRecipients(decision.staff, view);
        if (recipients.length > 0) {
          const locale = (await brandDefaultLocale(tx, view.brandId)) ?? 'en';
          for (const to of recipients) await send(decision.staff, `staff:${to.toLowerCase()}`, 'email', to, locale, []);
        }
      }

      if (decision.schedule === 'replan' || decision.schedule === 'cancel') await queue.cancelScheduled(tx, a.id);
      if ((decision.schedule === 'plan' || decision.schedule === 'replan') && a.state === 'confirmed') {
        for (const plan of plansFor(a, view, settings)) await queue.scheduleNotification(tx, plan);
      }
    },
  };
}
