import { openDatabase, type Database } from '../models/database.ts';
import { findService, listServices } from '../models/catalogue.repository.ts';
import { findBrand } from '../models/brands.repository.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import { DATABASE_KINDS, databaseUrlOf, openTestDatabase } from './support/databases.ts';
import { until } from './support/wait.ts';

describe.each(DATABASE_KINDS)('read cache of read-mostly rows on %s', (kind) => {
  let db: Database;
  let slug: string;
  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await seedDemo(db, { allowedOrigins: [] });
    slug = (await listServices(db, DEMO_BRAND_ID))[0]!.slug;
    // On PostgreSQL the change feed connects in the background: until it listens, every read goes to the database.
    await until(() => db.readCache!.live, 30_000);
  });
  afterAll(() => db.close());

  const nameOf = async () => (await findService(db, DEMO_BRAND_ID, slug))!.names.en;

  test('a row read once is served from memory until its table changes', async () => {
    const before = await nameOf();
    // A change the database does not announce (its trigger off, written by text the cache cannot see) stays unseen…
    await db.query('ALTER TABLE services DISABLE TRIGGER services_read_cache');
    await db.query(`DO $$ BEGIN EXECUTE 'UPD' || 'ATE services SET names = names || ''{"en": "Unannounced"}'' WHERE slug = ''${slug}'''; END $$`);
    await db.query('ALTER TABLE services ENABLE TRIGGER services_read_cache');
    expect(await nameOf()).toBe(before);
    // …until any announced change of the table drops it.
    await db.query(`UPDATE services SET names = names || '{"en": "Announced"}' WHERE slug = $1`, [slug]);
    expect(await nameOf()).toBe('Announced');
  });

  test('a write inside a transaction is seen by the next read once committed', async () => {
    expect((await findBrand(db, DEMO_BRAND_ID))!.name).not.toBe('Renamed');
    await db.transaction(async (tx) => {
      await tx.query(`UPDATE brands SET name = 'Renamed' WHERE id = $1`, [DEMO_BRAND_ID]);
    });
    expect((await findBrand(db, DEMO_BRAND_ID))!.name).toBe('Renamed');
  });

  test('callers get copies: changing what one read returned does not change the next read', async () => {
    const first = await listServices(db, DEMO_BRAND_ID);
    first[0]!.names.en = 'Scribbled';
    expect((await listServices(db, DEMO_BRAND_ID))[0]!.names.en).not.toBe('Scribbled');
  });

  if (kind === 'postgres') {
    test("another instance's change reaches this instance's cache through NOTIFY", async () => {
      const other = await openDatabase({ url: (await databaseUrlOf(db)).url });
      try {
        await nameOf();
        await other.query(`UPDATE services SET names = names || '{"en": "From elsewhere"}' WHERE slug = $1`, [slug]);
        await until(async () => (await nameOf()) === 'From elsewhere', 20_000);
      } finally {
        await other.close();
      }
    });
  }
});
