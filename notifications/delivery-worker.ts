import type { Database, Tx } from '../models/database.ts';
import {
  customerBookedAgain, lockScheduled, scheduledAppointmentId, settleScheduled, shareLockReminderAppointment,
  type ReminderAppointmentFacts, type ScheduledRow,
} from '../models/scheduled-notifications.repository.ts';
import { loadAppointmentView } from './appointment-view.ts';
import { buildInvite } from './calendar-invite.ts';
import type { DeliveryQueue, JobAttempt, QueueWorkers } from './delivery-queue.ts';
import { createMessageSender, queueMessage, type MessageSender, type Transports } from './message-sender.ts';
import { loadNotificationSettings, type NotificationSettings } from './notification-settings.ts';
import { textReminderChannel } from './notification-sink.ts';
import type { SignedLinks } from './signed-links.ts';
import { renderMessage } from './templates.ts';
import type { MessageAttachment } from './transport.ts';

export interface DeliveryWorkerDeps {
  db: Database;
  links: SignedLinks;
  queue: Pick<DeliveryQueue, 'enqueueDelivery'>;
  now: () => Date;
  /** Per channel; every channel goes to the local outbox when absent. */
  transports?: Transports | undefined;
}

const time = (d: Date | string) => new Date(d).getTime();

/** Whether the settings, as they are now, still ask for this reminder or follow-up. */
function stillWanted(settings: NotificationSettings, row: ScheduledRow, bookedVia: string): boolean {
  if (row.kind === 'follow_up') return settings.followUps[row.position - 1]?.enabled ?? false;
  if (row.channel === 'email') return settings.reminders[row.position - 1]?.enabled ?? false;
  return textReminderChannel(settings, bookedVia) === row.channel;
}

/** Why a due reminder or follow-up must not go out, re-checked when it runs; null → send it. */
async function skipReason(tx: Tx, row: ScheduledRow, a: ReminderAppointmentFacts | null, now: Date): Promise<string | null> {
  if (!a || a.state === 'cancelled') return 'appointment cancelled';
  if (a.state !== 'confirmed') return 'appointment not confirmed';
  if (time(a.start_at) !== time(row.for_start_at)) return 'appointment moved';
  if (row.kind === 'reminder' && now.getTime() >= time(a.start_at)) return 'appointment already started';
  const settings = await loadNotificationSettings(tx, a.service_id);
  if (!stillWanted(settings, row, a.channel)) return 'turned off in the settings';
  if (row.kind === 'follow_up' && settings.followUps[row.position - 1]?.onlyIfNotRebooked) {
    if (await customerBookedAgain(tx, a)) return 'customer booked again';
  }
  return null;
}

/**
 * The handlers behind the queues: (a) deliver a queued message through its channel's transport,
 * exactly once; (b) run a due reminder or follow-up, re-checking that it still makes sense, and
 * queue its message for (a).
 */
export function createDeliveryWorkers(deps: DeliveryWorkerDeps): QueueWorkers & { sender: MessageSender } {
  const { db, links, now } = deps;
  const sender = createMessageSender({ db, now, transports: deps.transports });

  const settle = (tx: Tx, id: string, status: 'sent' | 'skipped' | 'failed', note: string | null, messageId: string | null = null) =>
    settleScheduled(tx, id, { status, note, messageId }, now());

  async function runScheduled(scheduledId: string): Promise<void> {
    await db.transaction(async (tx) => {
      const appointmentId = await scheduledAppointmentId(tx, scheduledId);
      if (!appointmentId) return;
      // Locks in the booking's order (appointment, then its schedule), so a concurrent
      // reschedule or cancellation either comes before this run or after it, whole.
      const appointment = await shareLockReminderAppointment(tx, appointmentId);
      const row = await lockScheduled(tx, scheduledId);
      if (!row || row.status !== 'scheduled') return;
      const reason = await skipReason(tx, row, appointment, now());
      if (reason) {
        await settle(tx, row.id, 'skipped', reason);
        return;
      }

      const view = await loadAppointmentView(tx, row.appointment_id, links);
      const to = row.channel === 'email' ? view?.customer.email : view?.customer.phone;
      const rendered = view && to ? await renderMessage(tx, row.kind, view, row.channel) : null;
      if (!view || !to || !rendered) {
        await settle(tx, row.id, 'skipped', !view || !to ? 'no address for this channel' : 'empty template');
        return;
      }

      // Reminder emails carry the invitation again, as the confirmation did.
      const attachments: MessageAttachment[] = [];
      if (row.kind === 'reminder' && row.channel === 'email') {
        const invite = buildInvite(view, 'REQUEST', { now: now() });
        attachments.push({ filename: invite.filename, contentType: invite.contentType, contentBase64: Buffer.from(invite.content).toString('base64') });
      }
      const forStart = new Date(row.for_start_at).toISOString();
      const messageId = await queueMessage(tx, deps.queue, {
        brandId: view.brandId, channel: row.channel, to, kind: row.kind,
        subject: rendered.subject, text: rendered.text, html: rendered.html, attachments,
        idempotencyKey: `${row.kind}:${row.appointment_id}:${row.channel}:${row.position}:${forStart}`,
      }, now());
      await settle(tx, row.id, 'sent', null, messageId);
    });
  }

  return {
    sender,

    async deliver(messageId: string, attempt: JobAttempt) {
      const outcome = await sender.send(messageId, { final: attempt.final });
      // Thrown to the queue, which retries with backoff; the row shows the error meanwhile.
      if (outcome.status === 'retry') throw outcome.error;
    },

    async runScheduled(scheduledId: string, attempt: JobAttempt) {
      try {
        await runScheduled(scheduledId);
      } catch (error) {
        if (attempt.final) {
          const note = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
          await db.transaction(async (tx) => {
            await settle(tx, scheduledId, 'failed', note);
          });
        }
        throw error;
      }
    },
  };
}
