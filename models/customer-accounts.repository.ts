import type { Queryable } from './database.ts';
import { findCustomer, type Customer } from './customers.repository.ts';

/** Where a customer's equipment is, with the pin they may have corrected and how to get in. */
export interface CustomerAddress {
  id: string;
  customerId: string;
  label: string;
  addressLine: string;
  postcode: string;
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  correctedByCustomer: boolean;
  accessComment: string;
}

const ADDRESS_COLUMNS = `id, customer_id AS "customerId", label, address_line AS "addressLine", postcode, city, country,
  latitude, longitude, corrected_by_customer AS "correctedByCustomer", access_comment AS "accessComment"`;

export async function findCustomerByEmail(db: Queryable, brandId: string, email: string): Promise<Customer | null> {
  const [row] = await db.query<{ id: string }>('SELECT id FROM customers WHERE brand_id = $1 AND lower(email) = lower($2)', [brandId, email.trim()]);
  return row ? findCustomer(db, row.id) : null;
}

export async function listAddresses(db: Queryable, customerId: string): Promise<CustomerAddress[]> {
  return db.query<CustomerAddress>(`SELECT ${ADDRESS_COLUMNS} FROM customer_addresses WHERE customer_id = $1 ORDER BY created_at, id`, [customerId]);
}

/** One of this customer's addresses; another customer's id answers null. */
export async function findAddress(db: Queryable, customerId: string, id: string): Promise<CustomerAddress | null> {
  const [row] = await db.query<CustomerAddress>(`SELECT ${ADDRESS_COLUMNS} FROM customer_addresses WHERE customer_id = $1 AND id = $2`, [customerId, id]);
  return row ?? null;
}

export type NewAddress = Omit<CustomerAddress, 'id' | 'customerId' | 'correctedByCustomer'>;

export async function insertAddress(db: Queryable, customerId: string, a: NewAddress): Promise<CustomerAddress> {
  const [row] = await db.query<CustomerAddress>(
    `INSERT INTO customer_addresses (customer_id, label, address_line, postcode, city, country, latitude, longitude, access_comment)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING ${ADDRESS_COLUMNS}`,
    [customerId, a.label, a.addressLine, a.postcode, a.city, a.country, a.latitude, a.longitude, a.accessComment],
  );
  return row!;
}

/** The customer moved the pin and/or wrote how to get in; a moved pin is flagged as theirs. */
export async function correctAddress(
  db: Queryable, customerId: string, id: string, c: { latitude: number; longitude: number; accessComment: string },
): Promise<CustomerAddress | null> {
  const [row] = await db.query<CustomerAddress>(
    `UPDATE customer_addresses SET
       corrected_by_customer = corrected_by_customer OR latitude <> $3 OR longitude <> $4,
       latitude = $3, longitude = $4, access_comment = $5
     WHERE customer_id = $1 AND id = $2 RETURNING ${ADDRESS_COLUMNS}`,
    [customerId, id, c.latitude, c.longitude, c.accessComment],
  );
  return row ?? null;
}

// ---- customer-page sessions (token stored as SHA-256) -------------------------------------------

export async function insertCustomerSession(db: Queryable, tokenHash: string, customerId: string, expiresAt: Date): Promise<void> {
  await db.query('INSERT INTO customer_sessions (token_hash, customer_id, expires_at) VALUES ($1, $2, $3)', [tokenHash, customerId, expiresAt]);
}

/** The signed-in customer of a live session, else null. */
export async function sessionCustomer(db: Queryable, tokenHash: string, now: Date): Promise<Customer | null> {
  const [row] = await db.query<{ customer_id: string }>(
    'SELECT customer_id FROM customer_sessions WHERE token_hash = $1 AND expires_at > $2', [tokenHash, now],
  );
  return row ? findCustomer(db, row.customer_id) : null;
}

export async function deleteCustomerSession(db: Queryable, tokenHash: string): Promise<void> {
  await db.query('DELETE FROM customer_sessions WHERE token_hash = $1', [tokenHash]);
}
