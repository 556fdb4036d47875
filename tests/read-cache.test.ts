import { openDatabase, type Database } from '../models/database.ts';
import { findService, listServices } from '../models/catalogue.repository.ts';
import { findBrand } from '../models/brands.repository.ts';
import { DEMO_BRAND_ID, seedDemo } from '../models/seed.ts';
import { listEquipmentTypes, upsertEquipmentType } from '../models/equipment.repository.ts';
import { getTemplate, upsertTemplate, type MessageTemplateKey } from '../models/templates.repository.ts';
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
    // Seeding's notices may still be on their way on a busy machine (one arriving during the first test drops what
    // it has just read): a change only a notice announces, once seen, was delivered after them.
    await findService(db, DEMO_BRAND_ID, slug);
    await db.query(`DO $$ BEGIN EXECUTE 'UPD' || 'ATE services SET names = names || ''{"en": "Settled"}'' WHERE slug = ''${slug}'''; END $$`);
    await until(async () => (await findService(db, DEMO_BRAND_ID, slug))!.names.en === 'Settled', 20_000);
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

  test('what a read returned cannot be changed: a write to it throws, and the next read is as stored', async () => {
    const first = await listServices(db, DEMO_BRAND_ID);
    const stored = first[0]!.names.en;
    expect(() => { first[0]!.names.en = 'Scribbled'; }).toThrow(TypeError);
    expect(() => { first.pop(); }).toThrow(TypeError);
    expect((await listServices(db, DEMO_BRAND_ID))[0]!.names.en).toBe(stored);
    expect(Object.isFrozen((await findBrand(db, DEMO_BRAND_ID))!)).toBe(true);
  });

  const TEMPLATE: MessageTemplateKey = { brandId: DEMO_BRAND_ID, event: 'confirmed', locale: 'en', channel: 'sms' };
  const templateBody = async (db: Database | Parameters<typeof getTemplate>[0]) => (await getTemplate(db, TEMPLATE))?.body ?? null;

  test("the chat's menu sees equipment types added by the console at its next read", async () => {
    const slugs = async () => (await listEquipmentTypes(db, DEMO_BRAND_ID)).map((t) => t.slug);
    const before = await slugs();
    expect(await slugs()).toEqual(before);
    // What the console's PUT /field/equipment-types/:slug runs.
    await upsertEquipmentType(db, DEMO_BRAND_ID, { slug: 'heat-pump-cache', names: { en: 'Heat pump', fr: 'Pompe à chaleur' }, active: true });
    expect(await slugs()).toEqual([...before, 'heat-pump-cache'].sort());
  });

  test('a transaction reads cached rows, but a table it wrote from the database (its own change shows)', async () => {
    await upsertTemplate(db, { ...TEMPLATE, subject: null, body: 'Before {{ref}}' });
    expect(await templateBody(db)).toBe('Before {{ref}}');
    await db.transaction(async (tx) => {
      expect(await templateBody(tx)).toBe('Before {{ref}}');
      await upsertTemplate(tx, { ...TEMPLATE, subject: null, body: 'Inside {{ref}}' });
      // On PostgreSQL a reader outside puts the committed row back in memory meanwhile (PGlite runs one thing at a time).
      if (kind === 'postgres') expect(await templateBody(db)).toBe('Before {{ref}}');
      expect(await templateBody(tx)).toBe('Inside {{ref}}');
    });
    expect(await templateBody(db)).toBe('Inside {{ref}}');
  });

  if (kind === 'postgres') {
    test("another instance's change of equipment types or templates reaches this instance's cache through NOTIFY", async () => {
      const other = await openDatabase({ url: (await databaseUrlOf(db)).url });
      try {
        await listEquipmentTypes(db, DEMO_BRAND_ID);
        await other.query(`UPDATE equipment_types SET names = names || '{"en": "Renamed elsewhere"}' WHERE brand_id = $1`, [DEMO_BRAND_ID]);
        await until(async () => (await listEquipmentTypes(db, DEMO_BRAND_ID)).some((t) => t.names.en === 'Renamed elsewhere'), 20_000);
        await templateBody(db);
        await other.query('UPDATE message_templates SET body = $2 WHERE brand_id = $1', [DEMO_BRAND_ID, 'Elsewhere {{ref}}']);
        await until(async () => (await templateBody(db)) === 'Elsewhere {{ref}}', 20_000);
      } finally {
        await other.close();
      }
    });

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
