import type { Queryable } from './database.ts';
import type { Locale } from './catalogue.repository.ts';

export interface Customer {
  id: string;
  brandId: string;
  name: string;
  email: string | null;
  phone: string | null;
  emailVerifiedAt: Date | null;
  phoneVerifiedAt: Date | null;
  locale: Locale;
  timeZone: string | null;
}

const COLUMNS = `id, brand_id AS "brandId", name, email, phone, email_verified_at AS "emailVerifiedAt",
  phone_verified_at AS "phoneVerifiedAt", locale, time_zone AS "timeZone"`;

export interface CustomerDetails {
  name: string;
  email: string | null;
  phone: string | null;
  locale: Locale;
  timeZone: string | null;
}

export async function findCustomer(db: Queryable, id: string): Promise<Customer | null> {
  const [row] = await db.query<Customer>(`SELECT ${COLUMNS} FROM customers WHERE id = $1`, [id]);
  return row ?? null;
}

/** An email, or a phone reached by SMS, as codes are sent to it. */
export interface ContactAddress {
  channel: 'email' | 'sms';
  to: string;
}

/**
 * Stamps an address as proven (a code sent there was typed back) on the brand's customers using it.
 * A phone is matched in E.164, an email case-insensitively.
 */
export async function markContactVerified(
  db: Queryable,
  brandId: string,
  contact: ContactAddress,
  at: Date,
): Promise<void> {
  // The statements live in migration 019 (mark_contact_verified), which the booking functions call too.
  await db.query('SELECT mark_contact_verified($1, $2, $3, $4)', [brandId, contact.channel, contact.to, at]);
}
