import type { Database } from '../models/database.ts';
import { readBrandSettings } from '../models/brand-settings.ts';
import { findBrand, findBrandSettings, insertBrand } from '../models/brands.repository.ts';
import { openTestDatabase } from './support/databases.ts';

const DEFAULTS = {
  minNoticeMinutes: 60,
  maxHorizonDays: 90,
  holdMinutes: 10,
  slotStepMinutes: 30,
  customerChangeNoticeMinutes: 120,
  whatsappTemplates: {},
  headquartersEmail: null,
  notifications: {},
};

test('an empty, missing or malformed settings value reads as the defaults', () => {
  for (const stored of [{}, null, undefined, 'oops', 42, []]) expect(readBrandSettings(stored)).toEqual(DEFAULTS);
});

test('a stored value that does not fit falls back to its default; the others are kept', () => {
  const settings = readBrandSettings({
    holdMinutes: 'ten',
    maxHorizonDays: 30,
    joinWindowMinutes: -5,
    headquartersEmail: '  hq@brand.example ',
    whatsappTemplates: { reminder: 'not a content sid' },
    notifications: { reminders: [] },
  });
  expect(settings).toEqual({ ...DEFAULTS, maxHorizonDays: 30, headquartersEmail: 'hq@brand.example', notifications: { reminders: [] } });
  expect(readBrandSettings({ headquartersEmail: '   ', joinWindowMinutes: 25 })).toMatchObject({ headquartersEmail: null, joinWindowMinutes: 25 });
});

describe('brand settings stored in the database', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase('postgres', 2);
    await insertBrand(db, { id: 'settings-brand', name: 'Settings', defaultLocale: 'en', timeZone: 'Europe/Paris', allowedOrigins: [], settings: {} });
    await db.query(
      `UPDATE brands SET settings = '{"joinWindowMinutes": 25, "holdMinutes": 0, "headquartersEmail": " hq@brand.example"}' WHERE id = 'settings-brand'`,
    );
  });
  afterAll(() => db.close());

  test('read the same through the brand and alone, defaults for an unknown brand', async () => {
    const settings = await findBrandSettings(db, 'settings-brand');
    expect(settings).toEqual({ ...DEFAULTS, joinWindowMinutes: 25, headquartersEmail: 'hq@brand.example' });
    expect((await findBrand(db, 'settings-brand'))?.settings).toEqual(settings);
    expect(await findBrandSettings(db, 'no-such-brand')).toEqual(DEFAULTS);
  });
});
