import type { Queryable, Tx } from './database.ts';

/** What notifications and the link pages read to describe one appointment (notifications/appointment-view.ts). */

/** The appointment with its brand, service, store, staff member, customer and workflow status, in one row. */
export interface AppointmentViewRow {
  id: string;
  brand_id: string;
  brand_name: string;
  /** Read through readBrandSettings (models/brand-settings.ts). */
  brand_settings: unknown;
  brand_default_locale: 'en' | 'fr';
  /** The service's own notification settings (notifications/notification-settings.ts reads them over the brand's). */
  service_notification_settings: unknown;
  locale: string;
  state: 'pending' | 'confirmed' | 'cancelled';
  status_name: string | null;
  cancellation_reason: string | null;
  service_names: Partial<Record<string, string>> | null;
  cancelled_by: string | null;
  service_slug: string;
  mode: 'in_store' | 'online' | 'at_home';
  start_at: Date | string;
  end_at: Date | string;
  customer_time_zone: string;
  store_id: string | null;
  store_name: string | null;
  store_address_line: string | null;
  store_postcode: string | null;
  store_city: string | null;
  store_country: string | null;
  store_time_zone: string | null;
  store_phone: string | null;
  store_email: string | null;
  store_routing: 'headquarters' | 'store' | 'salesman' | null;
  home_address: string | null;
  staff_id: string;
  staff_name: string;
  staff_email: string | null;
  customer_id: string;
  customer_name: string;
  customer_email: string | null;
  customer_phone: string | null;
  notes: string;
  version: number;
  conversation_id: string | null;
  /** The channel it was booked on (web, sms, whatsapp…). */
  channel: string;
}

/** The columns of AppointmentViewRow, read from APPOINTMENT_VIEW_FROM (appointment `a`). */
export const APPOINTMENT_VIEW_COLUMNS = `a.id, a.brand_id, b.name AS brand_name,
            b.settings AS brand_settings, b.default_locale AS brand_default_locale,
            s.notification_settings AS service_notification_settings,
            c.locale, a.state, st.name AS status_name, a.cancellation_reason,
            s.names AS service_names, s.slug AS service_slug, a.mode, a.start_at, a.end_at, a.customer_time_zone,
            so.id AS store_id, so.name AS store_name, so.address_line AS store_address_line, so.postcode AS store_postcode,
            so.city AS store_city, so.country AS store_country, so.time_zone AS store_time_zone, so.phone AS store_phone,
            so.email AS store_email, so.notification_routing AS store_routing,
            a.home_address, sf.id AS staff_id, sf.name AS staff_name, sf.email AS staff_email,
            c.id AS customer_id, c.name AS customer_name, c.email AS customer_email, c.phone AS customer_phone,
            a.notes, a.version, a.conversation_id, a.channel,
            (SELECT h.actor FROM appointment_status_history h WHERE h.appointment_id = a.id AND h.to_state = 'cancelled'
              ORDER BY h.at DESC, h.id DESC LIMIT 1) AS cancelled_by`;

/** The appointment `a` joined with what its view shows. */
export const APPOINTMENT_VIEW_FROM = `appointments a
       JOIN brands b ON b.id = a.brand_id
       JOIN services s ON s.id = a.service_id
       JOIN staff sf ON sf.id = a.staff_id
       JOIN customers c ON c.id = a.customer_id
       LEFT JOIN stores so ON so.id = a.store_id
       LEFT JOIN appointment_statuses st ON st.id = a.status_id`;

/** The appointment and everything around it that a message shows; `appointmentId` must be a UUID. */
export async function findAppointmentViewRow(db: Queryable, appointmentId: string): Promise<AppointmentViewRow | null> {
  const [row] = await db.query<AppointmentViewRow>(
    `SELECT ${APPOINTMENT_VIEW_COLUMNS} FROM ${APPOINTMENT_VIEW_FROM} WHERE a.id = $1::uuid`,
    [appointmentId],
  );
  return row ?? null;
}

/** The state before the latest change (its history row is already written) and whether it was ever confirmed. */
export async function appointmentStateHistory(
  tx: Tx, appointmentId: string,
): Promise<{ previousState: 'pending' | 'confirmed' | 'cancelled' | null; everConfirmed: boolean }> {
  const [row] = await tx.query<{ previous_state: 'pending' | 'confirmed' | 'cancelled' | null; ever_confirmed: boolean }>(
    `SELECT (SELECT from_state FROM appointment_status_history WHERE appointment_id = $1 ORDER BY id DESC LIMIT 1) AS previous_state,
            EXISTS (SELECT 1 FROM appointment_status_history WHERE appointment_id = $1 AND to_state = 'confirmed') AS ever_confirmed`,
    [appointmentId],
  );
  return { previousState: row?.previous_state ?? null, everConfirmed: row?.ever_confirmed ?? false };
}
