import { randomUUID } from 'node:crypto';
import type { Appointment, AppointmentState } from '../models/appointments.repository.ts';
import { appointmentStateHistory } from '../models/appointment-views.repository.ts';
import { recordBookedRendering, type BookingEventOutcome, type FoundBookedEvent } from '../models/booking-outbox.repository.ts';
import type { Queryable } from '../models/database.ts';
import { findTemplates } from '../models/templates.repository.ts';
import type { BookingEvent, BookingEventSink } from '../scheduling/booking-events.ts';
import { loadNotificationContext, notificationContextOf, type AppointmentView, type NotificationContext } from './appointment-view.ts';
import { buildInvite } from './calendar-invite.ts';
import type { DeliveryQueue, NotificationPlan } from './delivery-queue.ts';
import { queueMessages } from './message-sender.ts';
import { resolveNotificationSettings, type NotificationSettings } from './notification-settings.ts';
import type { SignedLinks } from './signed-links.ts';
import { renderWith, type MessageEvent } from './templates.ts';
import type { MessageAttachment, MessageChannel, OutgoingMessage } from './transport.ts';

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

const CONFIRMED: Decision = { customer: 'confirmed', invite: 'REQUEST', staff: 'staff_confirmed', schedule: 'plan' };

/** A new appointment: confirmed at once, or a request to confirm. */
const bookedDecision = (state: AppointmentState): Decision =>
  state === 'confirmed' ? CONFIRMED : { customer: 'request_received', invite: null, staff: 'staff_request', schedule: null };

function decide(event: BookingEvent, history: History): Decision {
  // A request rejected before it was ever confirmed has no calendar entry to remove.
  const cancelled: Decision = { customer: 'cancelled', invite: history.everConfirmed ? 'CANCEL' : null, staff: 'staff_cancelled', schedule: 'cancel' };
  switch (event.type) {
    case 'booked':
      return bookedDecision(event.appointment.state);
    case 'rescheduled':
      return { customer: 'rescheduled', invite: event.appointment.state === 'confirmed' ? 'REQUEST' : null, staff: null, schedule: 'replan' };
    case 'cancelled':
      return cancelled;
    case 'status_changed':
      if (event.appointment.state === 'cancelled') return cancelled;
      if (event.appointment.state === 'confirmed' && history.previousState !== 'confirmed') return CONFIRMED;
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
function plansFor(a: AppointmentFacts, view: AppointmentView, settings: NotificationSettings): NotificationPlan[] {
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

/** One message a change calls for, before rendering. */
interface Send {
  kind: MessageEvent;
  audience: string;
  channel: MessageChannel;
  to: string;
  locale: 'en' | 'fr';
  attachments: MessageAttachment[];
}

/** The appointment as a decision and its reminders need it. */
type AppointmentFacts = Pick<Appointment, 'id' | 'state' | 'version' | 'channel' | 'startAt' | 'endAt'>;

/** A message a change calls for, rendered. */
type Rendered = OutgoingMessage & { idempotencyKey: string };

/** The sink of booking events, and the renderer of the booked events the outbox finds (booking-outbox.ts). */
export interface NotificationSink extends BookingEventSink {
  /**
   * Renders a booked event found undone and records its messages, their deliveries and its reminders
   * and marks it done, in one statement (models/booking-outbox.repository.ts recordBookedRendering).
   */
  recordBooked(db: Queryable, event: FoundBookedEvent): Promise<BookingEventOutcome | null>;
}

/**
 * Renders booking events into messages and reminders. A change's (reschedule, cancellation, status
 * change) in its own transaction: it records the messages as queued with their delivery jobs and
 * plans, moves or drops reminders and follow-ups, everything committing or rolling back together.
 * A booking's after its commit, as the outbox finds it: one statement records it all.
 * Reads are gathered: one query for the appointment, its settings and brand locale (the brand's
 * templates come from the read cache); writes too: one insert for the messages, one for their jobs
 * and one for the reminders.
 */
export function createNotificationSink(deps: NotificationSinkDeps): NotificationSink {
  const { queue, links } = deps;

  /** The messages a decision calls for, rendered, and the reminders it plans (none whose time has passed). */
  async function compose(db: Queryable, a: AppointmentFacts, decision: Decision, context: NotificationContext, now: Date) {
    const { view } = context;
    const settings = resolveNotificationSettings(context.storedSettings.brand, context.storedSettings.service);
    const sends: Send[] = [];
    if (decision.customer) {
      const attachments = decision.invite ? [inviteAttachment(view, decision.invite, now)] : [];
      for (const channel of customerChannels(settings, view, a.channel)) {
        sends.push({ kind: decision.customer, audience: 'customer', channel, to: addressOf(view, channel)!, locale: view.locale, attachments });
      }
    }
    if (decision.staff) {
      for (const to of staffRecipients(decision.staff, view)) {
        sends.push({ kind: decision.staff, audience: `staff:${to.toLowerCase()}`, channel: 'email', to, locale: context.brandLocale, attachments: [] });
      }
    }
    const templates = await findTemplates(db, view.brandId, sends.map((m) => ({ event: m.kind, locale: m.locale, channel: m.channel })));
    const templateOf = (m: Send) => templates.find((t) => t.event === m.kind && t.locale === m.locale && t.channel === m.channel) ?? null;
    const messages = sends.flatMap((m): Rendered[] => {
      const rendered = renderWith(templateOf(m), m.kind, view, m.channel, m.locale);
      return rendered
        ? [{
            brandId: view.brandId, channel: m.channel, to: m.to, kind: m.kind, subject: rendered.subject, text: rendered.text, html: rendered.html,
            attachments: m.channel === 'email' ? m.attachments : [],
            idempotencyKey: `${m.kind}:${a.id}:${a.version}:${m.audience}:${m.channel}`,
          }]
        : [];
    });
    const reminders = (decision.schedule === 'plan' || decision.schedule === 'replan') && a.state === 'confirmed'
      ? plansFor(a, view, settings).filter((p) => p.sendAt.getTime() > now.getTime())
      : [];
    return { messages, reminders };
  }

  return {
    async handle(tx, event) {
      const a = event.appointment;
      const history = event.type === 'booked' ? { previousState: null, everConfirmed: a.state === 'confirmed' } : await appointmentStateHistory(tx, a.id);
      const decision = decide(event, history);
      if (decision === NOTHING) return;
      const context = await loadNotificationContext(tx, a.id, links);
      if (!context) return;
      const now = deps.now();
      const { messages, reminders } = await compose(tx, a, decision, context, now);
      await queueMessages(tx, queue, messages, now);
      if (decision.schedule === 'replan' || decision.schedule === 'cancel') await queue.cancelScheduled(tx, a.id);
      if (reminders.length > 0) await queue.scheduleNotifications(tx, reminders);
    },

    async recordBooked(db, event) {
      const at = deps.now();
      const row = event.appointment;
      const context = notificationContextOf(row, links);
      const a: AppointmentFacts = { id: row.id, state: row.state, version: row.version, channel: row.channel, startAt: context.view.startAt, endAt: context.view.endAt };
      // Changed since it was booked: that change's own notification told the customer.
      if (a.version !== event.version) return recordBookedRendering(db, { eventId: event.id, at, messages: [], deliveries: null, reminders: [] });
      const { messages, reminders } = await compose(db, a, bookedDecision(a.state), context, at);
      const queued = messages.map((m) => ({ ...m, id: randomUUID() }));
      const deliveries = queued.length > 0 ? await queue.deliveriesStatement(queued.map((m) => m.id)) : null;
      const outcome = await recordBookedRendering(db, { eventId: event.id, at, messages: queued, deliveries, reminders });
      if (outcome === 'rendered' && queued.length > 0) queue.wakeDeliveries();
      return outcome;
    },
  };
}
