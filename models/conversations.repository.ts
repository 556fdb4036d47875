import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from './database.ts';
import type { Locale } from './catalogue.repository.ts';
import { isUuid } from './ids.ts';
import { asParts, type Statement } from './statement-gate.ts';

export type ConversationChannel = 'web' | 'sms' | 'whatsapp';
export type Sender = 'customer' | 'bot' | 'agent' | 'system';

export interface Conversation {
  id: string;
  brandId: string;
  channel: ConversationChannel;
  externalId: string | null;
  customerId: string | null;
  locale: Locale;
  timeZone: string | null;
  lastSeq: number;
}

export interface TranscriptEntry {
  seq: number;
  id: string;
  sender: Sender;
  senderName: string | null;
  text: string;
  content: Record<string, unknown>;
  clientId: string | null;
  createdAt: Date;
}

const COLUMNS = `id, brand_id AS "brandId", channel, external_id AS "externalId", customer_id AS "customerId",
  locale, time_zone AS "timeZone", last_seq AS "lastSeq"`;
const ENTRY_COLUMNS = `seq, id, sender, sender_name AS "senderName", text, content, client_id AS "clientId", created_at AS "createdAt"`;

const hashToken = (token: string) => createHash('sha256').update(token).digest();

/** A new web conversation and its secret token (256 random bits; only its hash is stored). */
export async function createWebConversation(
  db: Queryable, brandId: string, locale: Locale, timeZone: string | null,
): Promise<{ conversation: Conversation; token: string }> {
  const token = randomBytes(32).toString('base64url');
  const [row] = await db.query<Conversation>(
    `INSERT INTO conversations (brand_id, channel, token_hash, locale, time_zone) VALUES ($1, 'web', $2, $3, $4) RETURNING ${COLUMNS}`,
    [brandId, hashToken(token).toString('hex'), locale, timeZone],
  );
  return { conversation: row!, token };
}

/**
 * The conversation if the token opens it: its own token (constant-time comparison) or a device
 * token issued later (conversation_tokens, e.g. by a Join link on another device); else null.
 */
export async function authenticateConversation(db: Queryable, brandId: string, id: string, token: string): Promise<Conversation | null> {
  if (!isUuid(id)) return null;
  const given = hashToken(token);
  const [row] = await db.query<Conversation & { tokenHash: string | null; device: boolean }>(
    `SELECT ${COLUMNS}, token_hash AS "tokenHash",
       EXISTS (SELECT 1 FROM conversation_tokens t WHERE t.conversation_id = c.id AND t.token_hash = $3) AS device
     FROM conversations c WHERE id = $1 AND brand_id = $2`,
    [id, brandId, given.toString('hex')],
  );
  if (!row) return null;
  const { tokenHash, device, ...conversation } = row;
  if (device) return conversation;
  if (!tokenHash) return null;
  const expected = Buffer.from(tokenHash, 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return conversation;
}

/**
 * A further token to the conversation (256 random bits; only its hash is stored), so another
 * device can open it without the first device's token. `label` says why (e.g. "join:<appointment>").
 */
export async function createConversationToken(db: Queryable, conversationId: string, label: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query('INSERT INTO conversation_tokens (conversation_id, token_hash, label) VALUES ($1, $2, $3)', [
    conversationId, hashToken(token).toString('hex'), label.slice(0, 200),
  ]);
  return token;
}

export async function findConversation(db: Queryable, id: string): Promise<Conversation | null> {
  const [row] = await db.query<Conversation>(`SELECT ${COLUMNS} FROM conversations WHERE id = $1`, [id]);
  return row ?? null;
}

export async function updateConversation(db: Queryable, id: string, change: { locale?: Locale; timeZone?: string | null; customerId?: string | null }) {
  await db.query(
    `UPDATE conversations SET locale = COALESCE($2, locale), time_zone = COALESCE($3, time_zone),
       customer_id = COALESCE($4, customer_id), updated_at = now() WHERE id = $1`,
    [id, change.locale ?? null, change.timeZone ?? null, change.customerId ?? null],
  );
}

export interface NewEntry {
  /** Chosen by the caller when it must be known before the entry is stored (saveTurn, a turn begun first); else the database's. */
  id?: string;
  sender: Sender;
  senderName?: string | null;
  text: string;
  content?: Record<string, unknown>;
  clientId?: string | null;
  /** Stored instead of `text` when the bot's last message asked for a one-time code (decided in the same statement). */
  textIfCodeAsked?: string | null;
  /** The entry asks for a bot turn (a customer message): it takes the next number in the conversation's turn order. */
  asksTurn?: boolean;
  /** With `asksTurn`: dialog state keys read in the same statement (the turn then need not read them). */
  stateKeys?: readonly string[];
}

/** Where a new entry that asked for a turn stands in the conversation's turn order (migration 021). */
export interface TurnOrder {
  /** Its number among the conversation's turns (1, 2, 3…). */
  turn: number;
  /** How many turns had finished when it was stored (its own runs at once when that is turn − 1). */
  done: number;
  /** The conversation was with the bot (no live agent awaited or chatting) when it was stored. */
  withBot: boolean;
  /** Turns done as of the statement's snapshot: when that is turn − 1, `states` is what this turn will find. */
  doneBefore: number;
  /** The dialog states asked for (`stateKeys`), as of the same snapshot: stored JSON and eTag, or null when none is stored. */
  states: Record<string, { etag: string; data: Record<string, unknown> } | null>;
}

/**
 * Appends to the transcript with the next sequence number, atomically. A customer message whose
 * clientId was seen already is not stored again: the first entry is returned with `duplicate`.
 */
export async function appendEntry(
  db: Queryable, conversationId: string, entry: NewEntry,
): Promise<{ entry: TranscriptEntry; duplicate: boolean; order: TurnOrder | null }> {
  // One round trip: the entry with this clientId if there is one, else the next seq and the insert
  // (the seq is only taken when nothing was seen, so a resend leaves no gap). Which text is stored
  // may depend on the bot's last message (a code it asked for is masked): read in the same statement.
  const [row] = await db.query<TranscriptEntry & {
    duplicate: boolean; turns_asked: number | null; turns_done: number | null; with_bot: boolean | null;
    done_before: number | null; states: TurnOrder['states'] | null;
  }>(
    `WITH seen AS (
       SELECT ${ENTRY_COLUMNS} FROM conversation_messages WHERE conversation_id = $1 AND client_id = $6
     ), asked AS (
       SELECT asks_for_code(content) AS yes FROM conversation_messages
       WHERE $7::text IS NOT NULL AND conversation_id = $1 AND sender = 'bot' ORDER BY seq DESC LIMIT 1
     ), next AS (
       UPDATE conversations SET last_seq = last_seq + 1, turns_asked = turns_asked + CASE WHEN $8 THEN 1 ELSE 0 END, updated_at = now()
       WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM seen)
       RETURNING last_seq, turns_asked, turns_done, handoff_state = 'bot' AND NOT handoff_awaiting_message AS with_bot
     ), added AS (
       INSERT INTO conversation_messages (conversation_id, seq, id, sender, sender_name, text, content, client_id)
       SELECT $1, next.last_seq, COALESCE($10::uuid, gen_random_uuid()), $2, $3, CASE WHEN (SELECT yes FROM asked) THEN $7 ELSE $4 END, $5, $6 FROM next
       ON CONFLICT (conversation_id, client_id) DO NOTHING
       RETURNING ${ENTRY_COLUMNS}
     )
     SELECT added.*, false AS duplicate, next.turns_asked, next.turns_done, next.with_bot,
       (SELECT turns_done FROM conversations WHERE id = $1) AS done_before,
       (SELECT jsonb_object_agg(key, jsonb_build_object('etag', etag::text, 'data', data)) FROM dialog_state WHERE key = ANY($9::text[])) AS states
     FROM added, next
     UNION ALL SELECT seen.*, true AS duplicate, NULL, NULL, NULL, NULL, NULL FROM seen`,
    [
      conversationId, entry.sender, entry.senderName ?? null, entry.text, JSON.stringify(entry.content ?? {}), entry.clientId ?? null,
      entry.textIfCodeAsked ?? null, entry.asksTurn === true, entry.stateKeys ?? [], entry.id ?? null,
    ],
  );
  if (row) {
    const { duplicate, turns_asked: turn, turns_done: done, with_bot: withBot, done_before: doneBefore, states, ...stored } = row;
    return {
      entry: stored, duplicate,
      order: entry.asksTurn && !duplicate
        ? { turn: turn!, done: done!, withBot: withBot!, doneBefore: doneBefore!, states: Object.fromEntries((entry.stateKeys ?? []).map((k) => [k, states?.[k] ?? null])) }
        : null,
    };
  }
  // Lost a race with the same clientId: the other insert is the message.
  const [seen] = await db.query<TranscriptEntry>(
    `SELECT ${ENTRY_COLUMNS} FROM conversation_messages WHERE conversation_id = $1 AND client_id = $2`,
    [conversationId, entry.clientId],
  );
  return { entry: seen!, duplicate: true, order: null };
}

/**
 * A write of a conversation's dialog state (botbuilder's storage key, JSON data): eTag '*'
 * overwrites, no eTag creates only, any other must still be the stored one (optimistic concurrency).
 */
export interface StateWrite {
  key: string;
  data: string;
  eTag: string | undefined;
}

/** The state write as a statement on parameters $4 (key), $5 (data) and $6 (eTag, only when it is checked). */
function stateStatement(write: StateWrite): { sql: string; params: unknown[] } {
  const base = [write.key, write.data];
  if (write.eTag === '*') {
    return {
      sql: `INSERT INTO dialog_state (key, data) VALUES ($4, $5)
            ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, etag = dialog_state.etag + 1, updated_at = now() RETURNING etag::text AS etag`,
      params: base,
    };
  }
  if (!write.eTag) return { sql: 'INSERT INTO dialog_state (key, data) VALUES ($4, $5) ON CONFLICT (key) DO NOTHING RETURNING etag::text AS etag', params: base };
  return {
    sql: 'UPDATE dialog_state SET data = $5, etag = etag + 1, updated_at = now() WHERE key = $4 AND etag = $6::bigint RETURNING etag::text AS etag',
    params: [...base, write.eTag],
  };
}

/** Replies as the saving statements read them (jsonb_array_elements: id, sender, senderName, text, content). */
const repliesJson = (replies: readonly NewEntry[]) =>
  JSON.stringify(replies.map((r) => ({ id: r.id ?? null, sender: r.sender, senderName: r.senderName ?? null, text: r.text, content: r.content ?? {} })));

/**
 * What a bot turn leaves behind, in one statement (one round trip, one transaction): its replies
 * appended to the transcript with the next sequence numbers, if given the new dialog state, and
 * if it answered a customer message, its number in the turn order as done. A state write refused
 * by its eTag writes nothing at all: `etag` is then null. (No conversation and no replies: the
 * dialog state alone, for a storage key of any kind.)
 */
export async function saveTurn(
  db: Queryable, conversationId: string | null, replies: readonly NewEntry[], state: StateWrite | null, turnDone: number | null = null,
): Promise<{ etag: string | null; entries: TranscriptEntry[] }> {
  const write = state ? stateStatement(state) : { sql: 'SELECT NULL::text AS etag', params: [] };
  const rows = await db.query<{ etag: string | null } & Partial<TranscriptEntry>>(
    `WITH state AS (${write.sql}),
     next AS (
       UPDATE conversations SET last_seq = last_seq + jsonb_array_length($2::jsonb),
         turns_done = GREATEST(turns_done, COALESCE($3::integer, 0)), updated_at = now()
       WHERE id = $1 AND (jsonb_array_length($2::jsonb) > 0 OR $3::integer IS NOT NULL) AND EXISTS (SELECT 1 FROM state)
       RETURNING last_seq - jsonb_array_length($2::jsonb) AS base
     ), added AS (
       INSERT INTO conversation_messages (conversation_id, seq, id, sender, sender_name, text, content)
       SELECT $1, next.base + e.n, COALESCE((e.item->>'id')::uuid, gen_random_uuid()), e.item->>'sender', e.item->>'senderName', e.item->>'text', e.item->'content'
       FROM next, jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(item, n)
       RETURNING ${ENTRY_COLUMNS}
     )
     SELECT s.etag, a.* FROM state s LEFT JOIN added a ON true ORDER BY a.seq`,
    [
      conversationId, repliesJson(replies),
      turnDone, ...write.params,
    ],
  );
  if (rows.length === 0) return { etag: null, entries: [] };
  const entries = rows.filter((r) => r.seq !== null && r.seq !== undefined).map(({ etag: _etag, ...entry }) => entry as TranscriptEntry);
  return { etag: rows[0]!.etag, entries };
}

/** A customer message as saveCustomerTurn stores it (its text masked as appendEntry would). */
export interface CustomerEntry {
  id: string;
  clientId: string;
  text: string;
  textIfCodeAsked?: string | null;
  content: Record<string, unknown>;
}

/** What saveCustomerTurn did: the whole turn stored, the message alone (the turn must run again), or nothing (a resend). */
export type CustomerTurnSaved =
  | { outcome: 'stands'; etag: string; turn: number; entries: TranscriptEntry[] }
  | { outcome: 'refused'; entry: TranscriptEntry; order: TurnOrder }
  | { outcome: 'duplicate'; entry: TranscriptEntry };

/**
 * A customer message and the turn that answered it on the dialog state `state.eTag`, in one
 * statement (migration 028): the message, the replies and the new state (`state.data`, null when
 * unchanged) are stored together if the turn stands (no resend, no other turn unfinished, no live
 * agent, the state unchanged since); else the message alone, with its place in the turn order.
 * `finish` false (migration 029): a turn that stands takes its number without being marked done.
 */
export async function saveCustomerTurn(
  db: Queryable, conversationId: string, message: CustomerEntry, state: { key: string; eTag: string; data: string | null },
  replies: readonly NewEntry[], stateKeys: readonly string[], options: { finish: boolean } = { finish: true },
): Promise<CustomerTurnSaved> {
  const rows = await db.query<CustomerTurnRow>(
    'SELECT * FROM save_customer_turn($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, p_finish => $12)',
    [...customerTurnParams(conversationId, message, state, replies, stateKeys), options.finish],
  );
  return customerTurnSaved(conversationId, rows, stateKeys);
}

/** The columns of save_customer_turn's rows. */
const CUSTOMER_TURN_COLUMNS = [
  'outcome', 'etag', 'turn', 'done', 'with_bot', 'states', 'seq', 'id', 'sender', 'senderName', 'text', 'content', 'clientId', 'createdAt',
] as const;
type CustomerTurnRow = {
  outcome: 'stands' | 'refused' | 'duplicate'; etag: string | null; turn: number | null; done: number | null; with_bot: boolean | null;
  states: TurnOrder['states'] | null;
} & TranscriptEntry;

const customerTurnParams = (
  conversationId: string, message: CustomerEntry, state: { key: string; eTag: string; data: string | null },
  replies: readonly NewEntry[], stateKeys: readonly string[],
) => [
  conversationId, message.id, message.clientId, message.text, message.textIfCodeAsked ?? null, JSON.stringify(message.content),
  state.key, state.eTag, state.data, repliesJson(replies),
  stateKeys,
];

function customerTurnSaved(conversationId: string, rows: CustomerTurnRow[], stateKeys: readonly string[]): CustomerTurnSaved {
  const [first] = rows;
  if (!first) throw new Error(`conversation ${conversationId} not found`);
  const entries = rows.map(({ outcome: _o, etag: _e, turn: _t, done: _d, with_bot: _w, states: _s, ...entry }) => entry as TranscriptEntry);
  if (first.outcome === 'duplicate') return { outcome: 'duplicate', entry: entries[0]! };
  if (first.outcome === 'refused') {
    return {
      outcome: 'refused', entry: entries[0]!,
      order: {
        turn: first.turn!, done: first.done!, withBot: first.with_bot!, doneBefore: first.done!,
        states: Object.fromEntries(stateKeys.map((k) => [k, first.states?.[k] ?? null])),
      },
    };
  }
  return { outcome: 'stands', etag: first.etag!, turn: first.turn!, entries };
}

/** Marks the columns of a write run together with a customer message (saveCustomerMessageWith). */
const WROTE = 'with$wrote';
const messageColumn = (column: string) => `message$${column}`;

/**
 * A customer message stored as the start of the turn it asks for, in the same statement as that
 * turn's first write (`write`, a composable statement: models/statement-gate.ts). The write runs
 * only if the turn stands, as saveCustomerTurn decides, and then its number is taken but not done
 * (the turn's own save finishes it). Gives what was stored and the write's rows (none unless it ran).
 * If the write fails, nothing at all is stored.
 */
export async function saveCustomerMessageWith(
  db: Queryable, conversationId: string, message: CustomerEntry, state: { key: string; eTag: string }, stateKeys: readonly string[],
  write: Statement,
): Promise<{ saved: CustomerTurnSaved; rows: Record<string, unknown>[] }> {
  const turnParams = customerTurnParams(conversationId, message, { ...state, data: null }, [], stateKeys);
  // The write's placeholders follow the message's. Inside, the message's columns all have names of their own, so that
  // none can stand for a name the write left unresolved. OFFSET 0 keeps the write a subquery of its own, so that its
  // condition on the message stays a one-time filter above it: when the turn does not stand, it is never run.
  const { texts: [, writeSql], params } = asParts([{ sql: '', params: turnParams }, write]);
  const rows = await db.query<Record<string, unknown>>(
    `WITH "message$" AS MATERIALIZED (
       SELECT ${CUSTOMER_TURN_COLUMNS.map((c) => `t."${c}" AS "${messageColumn(c)}"`).join(', ')}
       FROM save_customer_turn(${turnParams.map((_, i) => `$${i + 1}`).join(', ')}, p_finish => false) t)
     SELECT "message$".*, w.* FROM "message$" LEFT JOIN LATERAL (
       SELECT true AS "${WROTE}", x.* FROM (${writeSql}) x WHERE "${messageColumn('outcome')}" = 'stands' OFFSET 0) w ON true`,
    params,
  );
  // The message's columns, named back as saveCustomerTurn reads them.
  const stored = rows.slice(0, 1).map((row) => Object.fromEntries(CUSTOMER_TURN_COLUMNS.map((c) => [c, row[messageColumn(c)]])) as unknown as CustomerTurnRow);
  const written = rows.filter((row) => row[WROTE] === true).map((row) => Object.fromEntries(
    Object.entries(row).filter(([column]) => column !== WROTE && !CUSTOMER_TURN_COLUMNS.some((c) => column === messageColumn(c))),
  ));
  return { saved: customerTurnSaved(conversationId, stored, stateKeys), rows: written };
}

/** Turn `turn` of the conversation is done (a turn that stored nothing else); numbers only grow. */
export async function markTurnDone(db: Queryable, conversationId: string, turn: number): Promise<void> {
  await db.query('UPDATE conversations SET turns_done = GREATEST(turns_done, $2) WHERE id = $1', [conversationId, turn]);
}

/** How many of the conversation's turns are done (another instance may be running the one before ours). */
export async function turnsDone(db: Queryable, conversationId: string): Promise<number> {
  const [row] = await db.query<{ done: number }>('SELECT turns_done AS done FROM conversations WHERE id = $1', [conversationId]);
  return row?.done ?? 0;
}

/** The latest entries before a sequence number, newest first. */
export async function entriesBefore(db: Queryable, conversationId: string, beforeSeq: number, limit: number): Promise<TranscriptEntry[]> {
  return db.query<TranscriptEntry>(
    `SELECT ${ENTRY_COLUMNS} FROM conversation_messages WHERE conversation_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
    [conversationId, beforeSeq, limit],
  );
}

export async function entriesAfter(db: Queryable, conversationId: string, afterSeq: number, limit = 1000): Promise<TranscriptEntry[]> {
  return db.query<TranscriptEntry>(
    `SELECT ${ENTRY_COLUMNS} FROM conversation_messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [conversationId, afterSeq, limit],
  );
}
