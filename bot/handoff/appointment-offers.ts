import { randomBytes } from 'node:crypto';
import * as repo from '../../models/handoff.repository.ts';
import type { Handoff, HandoffAppointment } from '../../models/handoff.repository.ts';
import type { DurableTimers } from '../../notifications/delivery-queue.ts';
import { scopeOfStaffMember, seesAppointment } from '../../scheduling/staff-access.ts';
import { APPOINTMENT } from '../web-protocol.ts';
import { consoleRooms } from './console-rooms.ts';
import { requestEvent, serviceName } from './console-views.ts';
import type { HandoffContext } from './handoff-context.ts';
import { CHOICE_LEAVE_MESSAGE, CHOICE_RESCHEDULE, firstName, formatWhen, handoffTexts } from './handoff-texts.ts';
import { onlineOf } from './presence.ts';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 24 random base32 characters (120 bits). */
function meetingRoomName(): string {
  const bytes = randomBytes(15);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** Sends the request to those it is offered to (the whole brand for the queue). */
export async function emitRequest(ctx: HandoffContext, h: Handoff, appointment: HandoffAppointment | null): Promise<void> {
  const event = await requestEvent(ctx.db, ctx.now(), h, appointment);
  ctx.fanOut.toConsoles(appointment ? h.offeredTo.map(consoleRooms.staff) : [consoleRooms.brand(h.brandId)], 'handoff:request', event);
}

export interface AppointmentOffersOptions {
  /** How long the assigned advisor has to join before others are asked (ms). */
  graceMs: number;
  /** The grace periods' ends: durable jobs (any instance runs them) or this process's timers. */
  graceTimers: DurableTimers;
  /** Video meetings of online appointments: `${base}/rendezvous-<random>`. */
  videoBase: string;
}

/**
 * A customer joining their appointment: the assigned advisor is asked first; busy, offline or silent
 * past the grace period, every available advisor of the store offering the service is asked; with
 * nobody at all, the customer may reschedule or leave a message. Advisors who become available
 * later are offered the requests still waiting.
 */
export class AppointmentOffers {
  constructor(private readonly ctx: HandoffContext, private readonly options: AppointmentOffersOptions) {}

  /** Runs this process's share of the grace periods' ends. */
  listenForGrace(): Promise<void> {
    return this.options.graceTimers.listen((conversationId) => this.graceOver(conversationId));
  }

  async request(h: Handoff, appointment: HandoffAppointment): Promise<void> {
    const { db, now, notices } = this.ctx;
    const assignedAvailable = await this.isAvailable(appointment.staffId, h.brandId);
    // The request and its grace's timer commit together: an instance dying at any point leaves both or neither.
    const waiting = await db.transaction(async (tx) => {
      const started = await repo.startWaiting(tx, h.conversationId, { appointmentId: appointment.id, offeredTo: [appointment.staffId], now: now() });
      if (started && assignedAvailable) {
        await repo.startGrace(tx, h.conversationId, this.options.graceMs);
        await this.options.graceTimers.start(tx, h.conversationId, this.options.graceMs);
      }
      return started;
    });
    if (!waiting) return;
    if (appointment.mode === 'online') {
      appointment.meetingUrl = await repo.ensureMeetingUrl(db, appointment.id, `${this.options.videoBase}/rendezvous-${meetingRoomName()}`);
    }
    const texts = handoffTexts(waiting.locale);
    const content: Record<string, unknown> = {};
    if (appointment.meetingUrl) {
      const zone = waiting.timeZone ?? appointment.customerTimeZone;
      content.attachments = [{
        contentType: APPOINTMENT,
        content: {
          title: texts.videoTitle,
          status: appointment.state,
          lines: [serviceName(appointment, waiting.locale), formatWhen(appointment.startAt, zone, waiting.locale)],
          links: [{ label: texts.videoLink, url: appointment.meetingUrl }],
        },
      }];
    }
    await notices.system(h.conversationId, texts.requesting(firstName(appointment.staffName)), content);
    await notices.sendStatus(h.conversationId);
    await emitRequest(this.ctx, waiting, appointment);
    if (!assignedAvailable) await this.widen(h.conversationId);
  }

  /** A grace timer fired (on whichever instance): the first to end the grace widens the request. */
  private async graceOver(conversationId: string): Promise<void> {
    if (await repo.endGrace(this.ctx.db, conversationId)) await this.widen(conversationId);
  }

  /** The assigned advisor cannot or did not come: every available advisor of the store is asked. */
  private async widen(conversationId: string): Promise<void> {
    const { db, notices } = this.ctx;
    const h = await repo.findHandoff(db, conversationId);
    if (!h || h.state !== 'waiting' || !h.appointmentId) return;
    const appointment = await repo.findHandoffAppointment(db, h.brandId, h.appointmentId);
    if (!appointment) return;
    const candidates = (await repo.staffForStoreService(db, h.brandId, appointment.storeId, appointment.serviceId))
      .filter((id) => id !== appointment.staffId);
    const available = await this.allowedToSee(appointment, await this.availableAmong(candidates, h.brandId));
    if (available.length > 0) {
      const offeredTo = await repo.addOffers(db, conversationId, available);
      if (offeredTo) await emitRequest(this.ctx, { ...h, offeredTo }, appointment);
      return;
    }
    // Nobody else: the customer may reschedule or leave a message; the request stays open meanwhile.
    const texts = handoffTexts(h.locale);
    await notices.system(conversationId, texts.nobody, {
      suggestedActions: [
        { title: texts.reschedule, value: CHOICE_RESCHEDULE },
        { title: texts.leaveMessage, value: CHOICE_LEAVE_MESSAGE },
      ],
    });
  }

  /**
   * An agent became available (came online, or left a customer): waiting appointment requests of
   * their store and service are offered to them too — once the assigned advisor's grace is over.
   */
  async offerWaitingTo(staffId: string, brandId: string): Promise<void> {
    const { db } = this.ctx;
    if (!(await this.isAvailable(staffId, brandId))) return;
    for (const h of await repo.waitingRequests(db, brandId)) {
      if (!h.appointmentId || h.offeredTo.includes(staffId) || h.inGrace) continue;
      const appointment = await repo.findHandoffAppointment(db, brandId, h.appointmentId);
      if (!appointment) continue;
      const eligible = await repo.staffForStoreService(db, brandId, appointment.storeId, appointment.serviceId);
      if (!eligible.includes(staffId) || (await this.allowedToSee(appointment, [staffId])).length === 0) continue;
      const offeredTo = await repo.addOffers(db, h.conversationId, [staffId]);
      if (offeredTo) await emitRequest(this.ctx, { ...h, offeredTo }, appointment);
    }
  }

  private async isAvailable(staffId: string, brandId: string): Promise<boolean> {
    return (await this.availableAmong([staffId], brandId)).length === 1;
  }

  /** Those among these staff whose console access shows them the appointment: nobody is offered a customer they may not see. */
  private async allowedToSee(appointment: HandoffAppointment, staffIds: string[]): Promise<string[]> {
    const allowed: string[] = [];
    for (const id of staffIds) {
      const scope = await scopeOfStaffMember(this.ctx.db, appointment.brandId, id);
      if (scope && seesAppointment(scope, appointment)) allowed.push(id);
    }
    return allowed;
  }

  /** Online (a tab says so, on any instance) and not already with a customer. */
  private async availableAmong(staffIds: string[], brandId: string): Promise<string[]> {
    const onlineNow = await onlineOf(this.ctx.presence, brandId);
    const online = staffIds.filter((id) => onlineNow.includes(id));
    const busy = await repo.busyStaff(this.ctx.db, online);
    return online.filter((id) => !busy.has(id));
  }
}
