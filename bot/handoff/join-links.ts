import { findBrandSettings, type Brand } from '../../models/brands.repository.ts';
import type { Locale } from '../../models/catalogue.repository.ts';
import {
  authenticateConversation, createConversationToken, createWebConversation, findConversation, updateConversation, type Conversation,
} from '../../models/conversations.repository.ts';
import * as repo from '../../models/handoff.repository.ts';
import type { SignedLinks } from '../../notifications/signed-links.ts';
import type { AppointmentOffers } from './appointment-offers.ts';
import type { HandoffContext } from './handoff-context.ts';
import { formatWhen, handoffTexts } from './handoff-texts.ts';
import { isUuid } from '../../models/ids.ts';

export type JoinOpened =
  | { ok: true; conversation: Conversation; token: string; lastSeq: number; appointmentId: string }
  | { ok: false; reason: 'invalid' | 'cancelled' | 'moved'; message: string };

const MINUTE = 60_000;

/**
 * Join links: open the appointment's conversation on any device and, in the join window, ask for
 * its advisor (AppointmentOffers); before or after it, tell the customer when the appointment is.
 */
export class JoinLinks {
  constructor(
    private readonly ctx: HandoffContext,
    private readonly offers: AppointmentOffers,
    private readonly links: SignedLinks,
    /** Minutes before the start from which an appointment can be joined (brand.settings.joinWindowMinutes wins). */
    private readonly joinWindowMinutes: number,
  ) {}

  /**
   * Checks a Join link and opens its appointment's conversation: the one it was booked in, else a
   * new web conversation linked to it. The device gets its own token unless it already holds one
   * for that conversation.
   */
  async openJoin(
    brand: Brand,
    joinToken: string,
    client: { conversationId?: string | undefined; token?: string | undefined; lastSeq: number; locale?: Locale | undefined; timeZone: string | null },
  ): Promise<JoinOpened> {
    const claims = this.links.verify(joinToken);
    const invalid = { ok: false, reason: 'invalid', message: 'this join link is not valid or has expired.' } as const;
    if (!claims || claims.action !== 'join') return invalid;
    const appointment = await repo.findHandoffAppointment(this.ctx.db, brand.id, claims.appointmentId);
    if (!appointment) return invalid;
    if (appointment.state === 'cancelled') return { ok: false, reason: 'cancelled', message: 'this appointment was cancelled.' };
    if (appointment.version !== claims.version) {
      return { ok: false, reason: 'moved', message: 'this appointment has changed: use the Join link of the latest message about it.' };
    }

    let conversation = await this.webConversation(brand.id, appointment.conversationId);
    if (!conversation) {
      const created = await createWebConversation(
        this.ctx.db, brand.id, client.locale ?? appointment.customerLocale, client.timeZone ?? appointment.customerTimeZone,
      );
      const linked = await repo.linkAppointmentConversation(this.ctx.db, appointment.id, appointment.conversationId, created.conversation.id);
      conversation = linked === created.conversation.id ? created.conversation : await this.webConversation(brand.id, linked);
      if (!conversation) return invalid;
    }
    if (!conversation.customerId) {
      await updateConversation(this.ctx.db, conversation.id, { customerId: appointment.customerId });
      conversation = { ...conversation, customerId: appointment.customerId };
    }

    const ownToken = client.conversationId === conversation.id && client.token
      && (await authenticateConversation(this.ctx.db, brand.id, conversation.id, client.token)) !== null;
    if (ownToken) return { ok: true, conversation, token: client.token!, lastSeq: client.lastSeq, appointmentId: appointment.id };
    const token = await createConversationToken(this.ctx.db, conversation.id, `join:${appointment.id}`);
    return { ok: true, conversation, token, lastSeq: 0, appointmentId: appointment.id };
  }

  private async webConversation(brandId: string, id: string | null): Promise<Conversation | null> {
    if (!id || !isUuid(id)) return null;
    const conversation = await findConversation(this.ctx.db, id);
    // An SMS or WhatsApp conversation opens on the web too: the customer keeps its whole history.
    return conversation && conversation.brandId === brandId ? conversation : null;
  }

  private async joinWindow(brandId: string): Promise<number> {
    return (await findBrandSettings(this.ctx.db, brandId)).joinWindowMinutes ?? this.joinWindowMinutes;
  }

  /**
   * After a Join link opened the conversation: in the join window, the advisor is asked for;
   * before or after it, the customer is told when the appointment is.
   */
  async afterJoin(conversationId: string, appointmentId: string): Promise<void> {
    const h = await repo.findHandoff(this.ctx.db, conversationId);
    if (!h || h.state !== 'bot') return; // already waiting or with an agent: nothing to add
    const appointment = await repo.findHandoffAppointment(this.ctx.db, h.brandId, appointmentId);
    if (!appointment || appointment.state === 'cancelled') return;
    const now = this.ctx.now().getTime();
    const window = await this.joinWindow(h.brandId);
    const texts = handoffTexts(h.locale);
    const when = formatWhen(appointment.startAt, h.timeZone ?? appointment.customerTimeZone, h.locale);
    if (now < appointment.startAt.getTime() - window * MINUTE) {
      await this.ctx.notices.system(conversationId, texts.early(when, window));
    } else if (now >= appointment.endAt.getTime()) {
      await this.ctx.notices.system(conversationId, texts.ended(when));
    } else {
      await this.offers.request(h, appointment);
    }
  }
}
