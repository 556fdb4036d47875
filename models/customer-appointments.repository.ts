import type { Queryable } from './database.ts';
import { findAppointment, type Appointment } from './appointments.repository.ts';

/**
 * The active appointments still to come of whoever books with this email or phone, soonest first.
 * For a customer who has proven the address (the chat's "change my appointment").
 */
export async function listUpcomingForContact(
  db: Queryable,
  brandId: string,
  contact: { channel: 'email' | 'sms'; to: string },
  now: Date,
  limit = 10,
): Promise<Appointment[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT a.id FROM appointments a JOIN customers c ON c.id = a.customer_id
     WHERE a.brand_id = $1 AND a.state <> 'cancelled' AND a.start_at > $2
       AND CASE WHEN $3::text = 'email' THEN lower(c.email) = lower($4::text) ELSE c.phone = $4::text END
     ORDER BY a.start_at LIMIT $5`,
    [brandId, now, contact.channel, contact.to, limit],
  );
  const found = await Promise.all(rows.map((r) => findAppointment(db, brandId, r.id)));
  return found.filter((a): a is Appointment => a !== null);
}
