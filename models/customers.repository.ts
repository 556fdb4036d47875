import type { Queryable, Tx } from './database.ts';
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

/**
 * The customer with this email (else this phone) in the brand, created or refreshed with the
 * details given, race-free. A changed phone loses its verification stamp.
 */
export async function upsertCustomer(tx: Tx, brandId: string, d: CustomerDetails): Promise<Customer> {
  // The statement lives in migration 019 (upsert_customer), which book_slot calls too.
  const [row] = await tx.query<Customer>(
    `SELECT ${COLUMNS} FROM upsert_customer($1, $2, $3, $4, $5, $6)`,
    [brandId, d.name, d.email, d.phone, d.locale, d.timeZone],
  );
  return row!;
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
  // The statements live in migration 019 (mark_contact_verified), which book_slot calls too.
  await db.query('SELECT mark_contact_verified($1, $2, $3, $4)', [brandId, contact.channel, contact.to, at]);
}
