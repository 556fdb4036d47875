import type { Queryable, Tx } from './database.ts';
import type { Locale, Mode, ServiceRow } from './catalogue.repository.ts';

/** Services as the console's settings see them: inactive ones too, with their place in the list. */

export type ServiceRecord = ServiceRow & { position: number; active: boolean };

export async function findServiceRecord(db: Queryable, brandId: string, id: string): Promise<ServiceRecord | null> {
  const [row] = await db.query<ServiceRecord>('SELECT * FROM services WHERE brand_id = $1 AND id = $2', [brandId, id]);
  return row ?? null;
}

/** The service, locked for the rest of the transaction (changes to it and its workflow queue behind). */
export async function lockServiceRecord(tx: Tx, brandId: string, id: string): Promise<ServiceRecord | null> {
  const [row] = await tx.query<ServiceRecord>('SELECT * FROM services WHERE brand_id = $1 AND id = $2 FOR UPDATE', [brandId, id]);
  return row ?? null;
}

export async function listServiceRecords(db: Queryable, brandId: string): Promise<ServiceRecord[]> {
  return db.query<ServiceRecord>('SELECT * FROM services WHERE brand_id = $1 ORDER BY position, slug', [brandId]);
}

/** The brand's first service, active ones first (null: it has none). */
export async function firstServiceRecord(db: Queryable, brandId: string): Promise<ServiceRecord | null> {
  const [row] = await db.query<ServiceRecord>('SELECT * FROM services WHERE brand_id = $1 ORDER BY active DESC, position, slug LIMIT 1', [brandId]);
  return row ?? null;
}

export async function setStatusWorkflow(tx: Tx, id: string, enabled: boolean): Promise<ServiceRecord> {
  const [row] = await tx.query<ServiceRecord>('UPDATE services SET status_workflow = $2 WHERE id = $1 RETURNING *', [id, enabled]);
  return row!;
}

export interface ServiceChanges {
  names?: Partial<Record<Locale, string>> | undefined;
  descriptions?: Partial<Record<Locale, string>> | undefined;
  durationMinutes?: number | undefined;
  bufferBeforeMinutes?: number | undefined;
  bufferAfterMinutes?: number | undefined;
  modes?: Mode[] | undefined;
  bookingMode?: 'direct' | 'request' | undefined;
  slotStepMinutes?: number | null | undefined;
  position?: number | undefined;
  active?: boolean | undefined;
}

const SERVICE_COLUMNS = {
  durationMinutes: 'duration_minutes', bufferBeforeMinutes: 'buffer_before_minutes', bufferAfterMinutes: 'buffer_after_minutes',
  modes: 'modes', bookingMode: 'booking_mode', slotStepMinutes: 'slot_step_minutes', position: 'position', active: 'active',
} as const satisfies Partial<Record<keyof ServiceChanges, string>>;

/** Applies the given changes (names and descriptions are merged per locale); null when nothing was given. */
export async function updateServiceRecord(tx: Tx, id: string, changes: ServiceChanges): Promise<ServiceRecord | null> {
  const values: unknown[] = [id];
  const sets: string[] = [];
  for (const [key, column] of Object.entries(SERVICE_COLUMNS)) {
    const value = changes[key as keyof typeof SERVICE_COLUMNS];
    if (value === undefined) continue;
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  }
  if (changes.names) { values.push(JSON.stringify(changes.names)); sets.push(`names = names || $${values.length}::jsonb`); }
  if (changes.descriptions) { values.push(JSON.stringify(changes.descriptions)); sets.push(`descriptions = descriptions || $${values.length}::jsonb`); }
  if (sets.length === 0) return null;
  const [row] = await tx.query<ServiceRecord>(`UPDATE services SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, values);
  return row!;
}
