import type { Queryable } from './database.ts';

/** Read-mostly tables whose rows a turn may take from memory: settings changed by hand, rarely. */
export const CACHED_TABLES = ['brands', 'services', 'stores', 'brand_faq', 'equipment_type_services', 'equipment_types', 'message_templates'] as const;
export type CachedTable = (typeof CACHED_TABLES)[number];

/** The channel migration 021's (and 024's) triggers notify with the table's name on every change of a cached table. */
export const READ_CACHE_CHANNEL = 'rdv_read_cache';

/** More keys than any brand's catalogue needs: past it the cache starts over rather than grow. */
const MAX_ENTRIES = 10_000;

/** Statement texts whose written tables are remembered (more than the product's own statements). */
const MAX_STATEMENTS = 2_000;

const WRITE = /\b(?:insert\s+into|update|delete\s+from|truncate(?:\s+table)?)\s+(?:only\s+)?"?(\w+)"?/gi;

/**
 * Rows of read-mostly tables kept in memory, dropped when their table changes: at once for writes
 * through this process's own database (the statement text names the table), and within
 * milliseconds for any other writer through PostgreSQL's NOTIFY (several instances, psql, tests).
 * While the change feed is down nothing is served from memory, so a missed notice cannot leave a
 * stale row behind. What is kept is shared, frozen by `cachedRead`, so nobody can change what the next
 * caller reads (a write to it throws), without a copy per read: a turn reads its brand and services several times.
 */
export class ReadCache {
  private readonly entries = new Map<string, { tables: readonly CachedTable[]; value: unknown }>();
  /** Bumped by every change of a table: a read that started before a change does not store its result. */
  private readonly generations = new Map<CachedTable, number>(CACHED_TABLES.map((t) => [t, 0]));
  private feedUp = false;
  /** The cached tables each statement text writes to: texts are few and fixed, so each is scanned once. */
  private readonly writes = new Map<string, readonly CachedTable[]>();

  async read<T>(tables: readonly CachedTable[], key: string, load: () => Promise<T>): Promise<T> {
    if (!this.feedUp) return load();
    const known = this.entries.get(key);
    if (known) return known.value as T;
    const before = tables.map((t) => this.generations.get(t));
    const value = await load();
    if (this.feedUp && tables.every((t, i) => this.generations.get(t) === before[i])) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, { tables, value });
    }
    return value;
  }

  /** A table changed (a notice from the database, or a write seen in a statement's text). */
  changed(table: string): void {
    if (!this.generations.has(table as CachedTable)) return;
    const changed = table as CachedTable;
    this.generations.set(changed, this.generations.get(changed)! + 1);
    for (const [key, entry] of this.entries) if (entry.tables.includes(changed)) this.entries.delete(key);
  }

  /** The cached tables a statement writes to, read from its text. */
  writtenBy(sql: string): readonly CachedTable[] {
    let tables = this.writes.get(sql);
    if (!tables) {
      tables = [...sql.matchAll(WRITE)].map((m) => m[1]!.toLowerCase()).filter((t): t is CachedTable => this.generations.has(t as CachedTable));
      // Dynamic texts (none today) must not grow this without bound.
      if (this.writes.size < MAX_STATEMENTS) this.writes.set(sql, tables);
    }
    return tables;
  }

  /** Drops what a statement about to run, or just run, writes to (called before and after it). */
  wrote(sql: string): void {
    for (const table of this.writtenBy(sql)) this.changed(table);
  }

  /** Whether rows are served from memory: the change feed is listening. */
  get live(): boolean {
    return this.feedUp;
  }

  /** The change feed is listening (serve from memory) or lost (forget everything, read through). */
  setFeed(up: boolean): void {
    this.feedUp = up;
    this.entries.clear();
    for (const t of CACHED_TABLES) this.generations.set(t, this.generations.get(t)! + 1);
  }
}

/** Freezes what a read returned, all the way down (rows: plain objects, arrays, dates). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** What `cachedRead` asks of a database's or a transaction's cache. */
export interface CacheReader {
  read<T>(tables: readonly CachedTable[], key: string, load: () => Promise<T>): Promise<T>;
}

/**
 * The cache as a transaction sees it: rows of tables it has not written come from memory, as a
 * read just before it began would have given them (under READ COMMITTED each statement sees the
 * latest commits anyway); a table it has written is read through, since only the database shows
 * the transaction its own change. `statements`: what the transaction has run so far.
 */
export function transactionReads(cache: ReadCache, statements: readonly string[]): CacheReader {
  const written = (tables: readonly CachedTable[]) => statements.some((sql) => cache.writtenBy(sql).some((t) => tables.includes(t)));
  return { read: (tables, key, load) => (written(tables) ? load() : cache.read(tables, key, load)) };
}

/**
 * `load()`, from the database's (or the transaction's) read cache when it has one; frozen whichever way it
 * came, so that code writing to a read row fails alike with or without the cache.
 */
export function cachedRead<T>(db: Queryable, tables: readonly CachedTable[], key: string, load: () => Promise<T>): Promise<T> {
  const cache = (db as { readCache?: CacheReader }).readCache;
  const frozen = async () => deepFreeze(await load());
  return cache ? cache.read(tables, key, frozen) : frozen();
}
