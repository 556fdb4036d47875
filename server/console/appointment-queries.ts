import { DateTime } from 'luxon';
import type { Queryable } from '../../models/database.ts';
import {
  appointmentFileExtras, findAppointmentListRow, historyNewestFirst, listAppointmentRows, type AppointmentListRow, type ListFilters,
} from '../../models/console-appointments.repository.ts';
import { serviceName } from '../../models/catalogue.repository.ts';
import { findCustomer } from '../../models/customers.repository.ts';
import { entriesAfter, findConversation } from '../../models/conversations.repository.ts';
import { listStatuses } from '../../models/statuses.repository.ts';
import { staffNames } from '../../models/staff-profiles.repository.ts';
import { canReadConversation, type StaffScope } from '../../scheduling/staff-access.ts';
import { isUuid } from '../../models/ids.ts';

/** The console's reads of appointments as it shows them: the filtered, paginated list and one appointment's file. */

const localIso = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toISO({ suppressMilliseconds: true });

function listItem(r: AppointmentListRow) {
  return {
    id: r.id,
    mode: r.mode,
    state: r.state,
    status: r.status_id ? { id: r.status_id, name: r.status_name, color: r.status_color, kind: r.status_kind } : null,
    isRequest: r.is_request,
    customer: { id: r.customer_id, name: r.customer_name },
    service: { id: r.service_id, slug: r.service_slug, name: serviceName(r.service_names, r.service_slug), names: r.service_names },
    store: r.store_id ? { id: r.store_id, name: r.store_name, timeZone: r.store_time_zone } : null,
    homeAddress: r.home_address,
    staff: { id: r.staff_id, name: r.staff_name },
    start: r.start_at.toISOString(),
    end: r.end_at.toISOString(),
    /** The zone of the store (or of the advisor's home store): what staff read. */
    timeZone: r.zone,
    localStart: localIso(r.start_at, r.zone),
    localEnd: localIso(r.end_at, r.zone),
    customerTimeZone: r.customer_time_zone,
    customerLocalStart: localIso(r.start_at, r.customer_time_zone),
    channel: r.channel,
    createdAt: r.created_at.toISOString(),
  };
}

export type AppointmentListItem = ReturnType<typeof listItem>;

export async function listAppointments(db: Queryable, scope: StaffScope, f: ListFilters, now: Date) {
  const { rows, total } = await listAppointmentRows(db, scope, f, now);
  return { appointments: rows.map(listItem), total, limit: f.limit, offset: f.offset };
}

/** One appointment as the list shows it (no scope check: the caller has done it). */
export async function appointmentListItem(db: Queryable, brandId: string, id: string): Promise<AppointmentListItem | null> {
  const row = await findAppointmentListRow(db, brandId, id);
  return row ? listItem(row) : null;
}


/** Who made a change, from the history's actor label ('staff:<id>', 'api-key:<label>', 'customer', 'system'). */
function actorOf(label: string, staffNames: Map<string, string>, customerName: string) {
  if (label.startsWith('staff:')) {
    const id = label.slice('staff:'.length);
    return { kind: 'staff' as const, id, name: staffNames.get(id) ?? 'Former staff member' };
  }
  if (label.startsWith('api-key:')) return { kind: 'api' as const, id: null, name: `API key "${label.slice('api-key:'.length)}"` };
  if (label === 'customer') return { kind: 'customer' as const, id: null, name: customerName };
  return { kind: 'system' as const, id: null, name: 'System' };
}

/**
 * The whole file of an appointment (the caller has checked the user sees it): contact, statuses,
 * history newest first, and the chat transcript when the user may read that conversation.
 */
export async function appointmentDetail(db: Queryable, scope: StaffScope, id: string) {
  const { brandId } = scope;
  const item = await appointmentListItem(db, brandId, id);
  if (!item) return null;
  const extra = await appointmentFileExtras(db, id);
  const customer = (await findCustomer(db, item.customer.id))!;
  const statuses = await listStatuses(db, item.service.id);
  const statusById = new Map(statuses.map((s) => [s.id, s]));
  const history = await historyNewestFirst(db, id);
  const staffIds = [...new Set(history.map((h) => h.actor).filter((a) => a.startsWith('staff:')).map((a) => a.slice(6)).filter((s) => isUuid(s)))];
  const names = await staffNames(db, staffIds);
  const statusJson = (sid: string | null) => {
    if (!sid) return null;
    const s = statusById.get(sid);
    return s ? { id: s.id, name: s.name, color: s.color, kind: s.kind } : { id: sid, name: null, color: null, kind: null };
  };

  let transcript = null;
  const conversationId = extra?.conversation_id ?? null;
  if (conversationId && isUuid(conversationId) && (await canReadConversation(db, scope, conversationId))) {
    const conversation = await findConversation(db, conversationId);
    if (conversation) {
      const entries = await entriesAfter(db, conversationId, 0, 1000);
      transcript = {
        conversationId,
        channel: conversation.channel,
        entries: entries.map((e) => ({
          seq: e.seq, sender: e.sender, senderName: e.senderName, text: e.text, content: e.content,
          at: new Date(e.createdAt).toISOString(),
        })),
      };
    }
  }

  return {
    appointment: {
      ...item,
      notes: extra?.notes ?? '',
      cancellationReason: extra?.cancellation_reason ?? null,
      version: extra?.version ?? 1,
      // Only with its transcript: an id of a conversation the user may not read is not theirs either.
      conversationId: transcript ? conversationId : null,
      updatedAt: extra?.updated_at.toISOString() ?? null,
      service: { ...item.service, statusWorkflow: extra?.status_workflow ?? false, bookingMode: extra?.booking_mode ?? 'direct' },
      customer: {
        id: customer.id,
        name: customer.name,
        email: customer.email,
        phone: customer.phone,
        emailVerified: customer.emailVerifiedAt !== null,
        phoneVerified: customer.phoneVerifiedAt !== null,
        locale: customer.locale,
        timeZone: customer.timeZone,
      },
      /** The workflow the status picker offers (empty without one). */
      statuses: extra?.status_workflow ? statuses : [],
    },
    history: history.map((h) => ({
      at: h.at.toISOString(),
      fromState: h.fromState,
      toState: h.toState,
      fromStatus: statusJson(h.fromStatusId),
      toStatus: statusJson(h.toStatusId),
      actor: actorOf(h.actor, names, customer.name),
      reason: h.reason,
    })),
    transcript,
  };
}
