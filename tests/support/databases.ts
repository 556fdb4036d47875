import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../models/database.ts';
import { migrate } from '../../models/migrate.ts';

export type DatabaseKind = 'pglite' | 'postgres';
export const DATABASE_KINDS: DatabaseKind[] = ['pglite', 'postgres'];
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A migrated database of the given kind for one test file: PGlite in memory, or a fresh schema
 * on the real PostgreSQL server (dropped on close), so test files never see each other's rows.
 */
export async function openTestDatabase(kind: DatabaseKind, poolSize = 20): Promise<Database> {
  if (kind === 'pglite') {
    const db = await openDatabase({});
    await migrate(db);
    return db;
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const db = await openDatabase({ url: TEST_DATABASE_URL, schema, poolSize });
  await migrate(db);
  return {
    ...db,
    async close() {
      await db.query(`DROP SCHEMA "${schema}" CASCADE`);
      await db.close();
    },
  };
}

/** A DATABASE_URL that puts a server process in the same schema as `db` (a test database on PostgreSQL). */
export async function databaseUrlOf(db: Database): Promise<{ url: string; schema: string }> {
  const [row] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${row!.schema},public`);
  return { url: url.toString(), schema: row!.schema };
}

/** The job queue's schema for a test database: its own beside the file's schema on PostgreSQL, pg-boss's default on PGlite. */
export async function jobQueueSchemaOf(db: Database, kind: DatabaseKind): Promise<string> {
  if (kind === 'pglite') return 'pgboss';
  const [current] = await db.query<{ schema: string }>('SELECT current_schema() AS schema');
  return `${current!.schema}_boss`;
}
