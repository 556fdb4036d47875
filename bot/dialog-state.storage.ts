import { ConversationState, calculateChangeHash, type Storage, type StoreItems, type TurnContext } from 'botbuilder-core';
import type { Queryable } from '../models/database.ts';

export class ETagConflictError extends Error {
  constructor(key: string) {
    super(`Dialog state "${key}" was changed by another turn.`);
    this.name = 'ETagConflictError';
  }
}

/**
 * botbuilder Storage in PostgreSQL with optimistic concurrency: a write naming the eTag it read
 * fails if another write came first; '*' overwrites; no eTag creates only.
 */
export class PostgresStorage implements Storage {
  constructor(private readonly db: Queryable) {}

  async read(keys: string[]): Promise<StoreItems> {
    if (keys.length === 0) return {};
    const rows = await this.db.query<{ key: string; etag: string; data: Record<string, unknown> }>(
      'SELECT key, etag::text AS etag, data FROM dialog_state WHERE key = ANY($1::text[])',
      [keys],
    );
    return Object.fromEntries(rows.map((r) => [r.key, { ...r.data, eTag: r.etag }]));
  }

  async write(changes: StoreItems): Promise<void> {
    for (const [key, item] of Object.entries(changes)) {
      const { eTag, ...data } = item as { eTag?: string } & Record<string, unknown>;
      const json = JSON.stringify(data);
      let rows: { etag: string }[];
      if (eTag === '*') {
        rows = await this.db.query(
          `INSERT INTO dialog_state (key, data) VALUES ($1, $2)
           ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, etag = dialog_state.etag + 1, updated_at = now()
           RETURNING etag::text`,
          [key, json],
        );
      } else if (!eTag) {
        rows = await this.db.query('INSERT INTO dialog_state (key, data) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING etag::text', [key, json]);
      } else {
        rows = await this.db.query(
          'UPDATE dialog_state SET data = $2, etag = etag + 1, updated_at = now() WHERE key = $1 AND etag = $3::bigint RETURNING etag::text',
          [key, json, eTag],
        );
      }
      if (!rows[0]) throw new ETagConflictError(key);
      // The caller's object now carries the eTag of what is stored, for its next write.
      (item as { eTag?: string }).eTag = rows[0].etag;
    }
  }

  async delete(keys: string[]): Promise<void> {
    await this.db.query('DELETE FROM dialog_state WHERE key = ANY($1::text[])', [keys]);
  }
}

/**
 * ConversationState that writes back the eTag it read (botbuilder's own always writes '*', last
 * write wins), so two turns racing on one conversation cannot silently overwrite each other.
 */
export class ConcurrencySafeConversationState extends ConversationState {
  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    // botbuilder keeps the loaded state under a private key; reach it the way BotState itself does.
    const stateKey = (this as unknown as { stateKey: symbol }).stateKey;
    const cached = context.turnState.get(stateKey) as { state: Record<string, unknown>; hash: string } | undefined;
    if (!cached || (!force && cached.hash === calculateChangeHash(cached.state))) return;
    const key = await this.storageKey(context);
    await this.storage.write({ [key]: cached.state });
    cached.hash = calculateChangeHash(cached.state);
  }
}
