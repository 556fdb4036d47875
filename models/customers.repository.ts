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
  const conflictTarget = d.email ? '(brand_id, lower(email)) WHERE email IS NOT NULL' : '(brand_id, phone) WHERE email IS NULL';
  const [row] = await tx.query<Customer>(
    `INSERT INTO customers AS c (brand_id, name, email, phone, locale, time_zone) VALUES ($1,$2,$3,$4,$5,$6)
     ON CONFLICT ${conflictTarget} DO UPDATE SET
       name = EXCLUDED.name, locale = EXCLUDED.locale,
       phone = COALESCE(EXCLUDED.phone, c.phone),
       time_zone = COALESCE(EXCLUDED.time_zone, c.time_zone),
       phone_verified_at = CASE WHEN EXCLUDED.phone IS NULL OR EXCLUDED.phone = c.phone THEN c.phone_verified_at END
     RETURNING ${COLUMNS}`,
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
  if (contact.channel === 'email') {
    await db.query('UPDATE customers SET email_verified_at = $3 WHERE brand_id = $1 AND lower(email) = lower($2)', [brandId, contact.to, at]);
  } else {
    await db.query('UPDATE customers SET phone_verified_at = $3 WHERE brand_id = $1 AND phone = $2', [brandId, contact.to, at]);
  }
}
