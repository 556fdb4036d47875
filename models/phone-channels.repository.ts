import type { Queryable, Tx } from './database.ts';
import type { Conversation } from './conversations.repository.ts';
import type { Locale } from './catalogue.repository.ts';

export type PhoneChannel = 'sms' | 'whatsapp';

/** A Twilio address ("+E164" or "whatsapp:+E164") → its channel and bare number. */
export function parsePhoneAddress(address: string): { channel: PhoneChannel; phone: string } | null {
  const m = /^(whatsapp:)?(\+[1-9]\d{6,14})$/.exec(address.trim());
  return m ? { channel: m[1] ? 'whatsapp' : 'sms', phone: m[2]! } : null;
}

export const phoneAddress = (channel: PhoneChannel, phone: string) => (channel === 'whatsapp' ? `whatsapp:${phone}` : phone);

// ---- the brands' numbers -------------------------------------------------------------------------

export async function addPhoneNumber(db: Queryable, brandId: string, address: string): Promise<void> {
  await db.query('INSERT INTO phone_numbers (address, brand_id) VALUES ($1, $2) ON CONFLICT (address) DO NOTHING', [address, brandId]);
}

/** The brand's numbers as Twilio writes them, oldest first (the first of a channel speaks by default). */
export async function listBrandNumbers(db: Queryable, brandId: string): Promise<string[]> {
  const rows = await db.query<{ address: string }>('SELECT address FROM phone_numbers WHERE brand_id = $1 ORDER BY created_at, address', [brandId]);
  return rows.map((r) => r.address);
}

/**
 * Makes `addresses` the brand's numbers in one statement: the others go, the new ones come, those
 * kept keep their age. Answers the addresses another brand holds (left untouched, to be refused).
 */
export async function replaceBrandNumbers(tx: Tx, brandId: string, addresses: readonly string[]): Promise<{ takenElsewhere: string[] }> {
  const ours = await tx.query<{ address: string }>(
    `WITH gone AS (DELETE FROM phone_numbers WHERE brand_id = $1 AND NOT (address = ANY($2::text[])))
     INSERT INTO phone_numbers (address, brand_id) SELECT unnest($2::text[]), $1
     ON CONFLICT (address) DO UPDATE SET brand_id = phone_numbers.brand_id WHERE phone_numbers.brand_id = EXCLUDED.brand_id
     RETURNING address`,
    [brandId, addresses],
  );
  const kept = new Set(ours.map((r) => r.address));
  return { takenElsewhere: addresses.filter((a) => !kept.has(a)) };
}

export async function brandOfNumber(db: Queryable, address: string): Promise<string | null> {
  const [row] = await db.query<{ brand_id: string }>('SELECT brand_id FROM phone_numbers WHERE address = $1', [address]);
  return row?.brand_id ?? null;
}

/** The brand's number a phone conversation speaks from: the one the customer last wrote to, else the brand's first. */
export async function conversationSender(db: Queryable, conversation: Pick<Conversation, 'id' | 'brandId' | 'channel'>): Promise<string | null> {
  const [row] = await db.query<{ address: string }>(
    `SELECT to_address AS address FROM inbound_messages WHERE conversation_id = $1
     UNION ALL
     (SELECT address FROM phone_numbers WHERE brand_id = $2 AND (address LIKE 'whatsapp:%') = ($3 = 'whatsapp') ORDER BY created_at, address)
     LIMIT 1`,
    [conversation.id, conversation.brandId, conversation.channel],
  );
  return row?.address ?? null;
}

// ---- the durable inbound queue -------------------------------------------------------------------

export interface InboundMessage {
  seq: string;
  messageSid: string;
  brandId: string;
  channel: PhoneChannel;
  toAddress: string;
  fromAddress: string;
  params: Record<string, string>;
  attempts: number;
}

const INBOUND_COLUMNS = `seq::text AS seq, message_sid AS "messageSid", brand_id AS "brandId", channel, to_address AS "toAddress",
  from_address AS "fromAddress", params, attempts`;

/** Stores an inbound message once per MessageSid; false when it was stored already (a retry or duplicate). */
export async function storeInbound(
  db: Queryable, m: Omit<InboundMessage, 'seq' | 'attempts'>, now: Date,
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO inbound_messages (message_sid, brand_id, channel, to_address, from_address, params, received_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) ON CONFLICT (message_sid) DO NOTHING RETURNING seq`,
    [m.messageSid, m.brandId, m.channel, m.toAddress, m.fromAddress, JSON.stringify(m.params), now],
  );
  return rows.length > 0;
}

/** The messages of one (brand number, customer number) not processed yet, oldest first. */
export async function pendingInbound(db: Queryable, toAddress: string, fromAddress: string, limit = 20): Promise<InboundMessage[]> {
  return db.query<InboundMessage>(
    `SELECT ${INBOUND_COLUMNS} FROM inbound_messages
      WHERE to_address = $1 AND from_address = $2 AND status = 'received' ORDER BY seq LIMIT $3`,
    [toAddress, fromAddress, limit],
  );
}

/** Every (brand number, customer number) with messages waiting (after a restart). */
export async function pendingInboundPairs(db: Queryable): Promise<{ toAddress: string; fromAddress: string }[]> {
  return db.query(
    `SELECT DISTINCT to_address AS "toAddress", from_address AS "fromAddress" FROM inbound_messages WHERE status = 'received'`,
  );
}

export async function settleInbound(
  db: Queryable, seq: string, outcome: { status: 'processed' | 'failed' | 'received'; conversationId?: string | null; error?: string | null }, now: Date,
): Promise<void> {
  await db.query(
    `UPDATE inbound_messages SET status = $2, conversation_id = COALESCE($3, conversation_id), error = $4,
            attempts = attempts + 1, processed_at = CASE WHEN $2 = 'received' THEN NULL ELSE $5::timestamptz END
      WHERE seq = $1::bigint`,
    [seq, outcome.status, outcome.conversationId ?? null, outcome.error?.slice(0, 1000) ?? null, now],
  );
}

// ---- the customer's phone: opt-out and the WhatsApp window ----------------------------------------

export interface PhoneContact {
  lastInboundAt: Date | null;
  optedOutAt: Date | null;
  optOutKeyword: string | null;
}

export async function findPhoneContact(db: Queryable, brandId: string, channel: PhoneChannel, phone: string): Promise<PhoneContact | null> {
  const [row] = await db.query<PhoneContact>(
    `SELECT last_inbound_at AS "lastInboundAt", opted_out_at AS "optedOutAt", opt_out_keyword AS "optOutKeyword"
       FROM phone_contacts WHERE brand_id = $1 AND channel = $2 AND phone = $3`,
    [brandId, channel, phone],
  );
  return row ? { ...row, lastInboundAt: row.lastInboundAt && new Date(row.lastInboundAt), optedOutAt: row.optedOutAt && new Date(row.optedOutAt) } : null;
}

/** The customer wrote now: the WhatsApp window opens again. */
export async function touchPhoneContact(db: Queryable, brandId: string, channel: PhoneChannel, phone: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO phone_contacts (brand_id, channel, phone, last_inbound_at, updated_at) VALUES ($1, $2, $3, $4, $4)
     ON CONFLICT (brand_id, channel, phone) DO UPDATE
       SET last_inbound_at = GREATEST(phone_contacts.last_inbound_at, EXCLUDED.last_inbound_at), updated_at = EXCLUDED.updated_at`,
    [brandId, channel, phone, at],
  );
}

/** Records an opt-out (STOP, ARRET, a 21610 refusal…) or an opt-in (START), with the word that did it. */
export async function setOptOut(
  db: Queryable, brandId: string, channel: PhoneChannel, phone: string, optedOut: boolean, keyword: string, at: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO phone_contacts (brand_id, channel, phone, opted_out_at, opt_out_keyword, updated_at)
     VALUES ($1, $2, $3, CASE WHEN $4 THEN $6::timestamptz END, $5, $6)
     ON CONFLICT (brand_id, channel, phone) DO UPDATE
       SET opted_out_at = CASE WHEN $4 THEN COALESCE(phone_contacts.opted_out_at, $6::timestamptz) END,
           opt_out_keyword = $5, updated_at = $6`,
    [brandId, channel, phone, optedOut, keyword.slice(0, 40), at],
  );
}

// ---- phone conversations -------------------------------------------------------------------------

const COLUMNS = `id, brand_id AS "brandId", channel, external_id AS "externalId", customer_id AS "customerId",
  locale, time_zone AS "timeZone", last_seq AS "lastSeq"`;

/** The conversation of a customer phone on one channel of a brand, if they wrote before. */
export async function findPhoneConversation(db: Queryable, brandId: string, channel: PhoneChannel, phone: string): Promise<Conversation | null> {
  const [row] = await db.query<Conversation>(
    `SELECT ${COLUMNS} FROM conversations WHERE brand_id = $1 AND channel = $2 AND external_id = $3`, [brandId, channel, phone],
  );
  return row ?? null;
}

/** The conversation of a customer's first message (or theirs, when two first messages race). */
export async function createPhoneConversation(
  db: Queryable, brandId: string, channel: PhoneChannel, phone: string, locale: Locale,
): Promise<Conversation> {
  const inserted = await db.query<Conversation>(
    `INSERT INTO conversations (brand_id, channel, external_id, locale) VALUES ($1, $2, $3, $4)
     ON CONFLICT (brand_id, channel, external_id) WHERE external_id IS NOT NULL DO NOTHING RETURNING ${COLUMNS}`,
    [brandId, channel, phone, locale],
  );
  const row = inserted[0] ?? await findPhoneConversation(db, brandId, channel, phone);
  if (!row) throw new Error('phone conversation insert returned nothing');
  return row;
}

// ---- outbound phone messages (the `messages` columns of migration 015) -------------------------------

/** A phone reply's sender number, WhatsApp content and conversation, set in the transaction that queued it. */
export async function setMessagePhoneFields(
  tx: Queryable, id: string, fields: { sender: string | null; rich: unknown; conversationId: string },
): Promise<void> {
  await tx.query('UPDATE messages SET sender = $2, rich = $3::jsonb, conversation_id = $4 WHERE id = $1', [
    id, fields.sender, fields.rich === null ? null : JSON.stringify(fields.rich), fields.conversationId,
  ]);
}

export async function messagePhoneFields<R>(db: Queryable, id: string): Promise<{ sender: string | null; rich: R | null }> {
  const [row] = await db.query<{ sender: string | null; rich: R | string | null }>('SELECT sender, rich FROM messages WHERE id = $1', [id]);
  const rich = row?.rich ?? null;
  return { sender: row?.sender ?? null, rich: typeof rich === 'string' ? (JSON.parse(rich) as R) : rich };
}

/** What the channel rules did to a message; `channel` when it goes another way (WhatsApp → SMS). */
export async function noteMessage(tx: Queryable, id: string, note: string, channel?: PhoneChannel): Promise<void> {
  await tx.query('UPDATE messages SET note = $2, channel = COALESCE($3, channel) WHERE id = $1', [id, note, channel ?? null]);
}

/** A message the channel rules forbid (an opted-out number): failed, with the reason, never sent. */
export async function refuseMessage(tx: Queryable, id: string, reason: string): Promise<void> {
  await tx.query(`UPDATE messages SET status = 'failed', provider = 'rules', error = $2 WHERE id = $1`, [id, reason]);
}
