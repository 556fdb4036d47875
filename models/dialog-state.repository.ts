import type { Queryable } from './database.ts';

/** A conversation's stored dialog state with the eTag its next write must name. */
export interface StoredDialogState {
  key: string;
  etag: string;
  data: Record<string, unknown>;
}

export function readDialogStates(db: Queryable, keys: readonly string[]): Promise<StoredDialogState[]> {
  return db.query<StoredDialogState>('SELECT key, etag::text AS etag, data FROM dialog_state WHERE key = ANY($1::text[])', [keys]);
}

export async function deleteDialogStates(db: Queryable, keys: readonly string[]): Promise<void> {
  await db.query('DELETE FROM dialog_state WHERE key = ANY($1::text[])', [keys]);
}
