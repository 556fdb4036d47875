import type { Database } from '../models/database.ts';
import { insertBrand } from '../models/brands.repository.ts';
import { AppError } from '../models/errors.ts';
import { insertAccount } from '../models/staff-accounts.repository.ts';
import { insertStatus, updateStatus } from '../models/statuses.repository.ts';
import { openTestDatabase } from './support/databases.ts';

let db: Database;
const staffIds: string[] = [];
let serviceId: string;

beforeAll(async () => {
  db = await openTestDatabase('postgres', 4);
  await insertBrand(db, { id: 'accounts-brand', name: 'Accounts', defaultLocale: 'en', timeZone: 'Europe/Paris', allowedOrigins: [], settings: {} });
  for (const name of ['Ana', 'Bo', 'Cy']) {
    const [row] = await db.query<{ id: string }>(`INSERT INTO staff (brand_id, name) VALUES ('accounts-brand', $1) RETURNING id`, [name]);
    staffIds.push(row!.id);
  }
  const [service] = await db.query<{ id: string }>(
    `INSERT INTO services (brand_id, slug, names, duration_minutes, modes) VALUES ('accounts-brand', 'fitting', '{"en":"Fitting"}', 30, '{in_store}') RETURNING id`,
  );
  serviceId = service!.id;
});
afterAll(() => db.close());

/** Unique violations of the statements below are translated by their repositories, once, into catalogue errors. */
const account = (staffId: string, email: string) =>
  ({ staffId, email, role: 'agent' as const, passwordHash: null, inviteTokenHash: null, inviteExpiresAt: null });

test('a second account for an email, in any case, is a conflict on the email field, not a database error', async () => {
  await insertAccount(db, account(staffIds[0]!, 'ana@accounts.example'), new Date());
  const refused = await insertAccount(db, account(staffIds[1]!, 'ANA@accounts.example'), new Date()).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(AppError);
  expect(refused).toMatchObject({ code: 'conflict', status: 409, details: { field: 'email' } });
});

test('inside a transaction the conflict rolls it back and reaches the caller as the same error', async () => {
  const refused = await db.transaction(async (tx) => {
    await insertAccount(tx, account(staffIds[2]!, 'cy@accounts.example'), new Date());
    await insertAccount(tx, account(staffIds[1]!, 'Cy@Accounts.example'), new Date());
  }).catch((e: unknown) => e);
  expect(refused).toMatchObject({ code: 'conflict', details: { field: 'email' } });
  expect(await db.query(`SELECT 1 FROM staff_accounts WHERE email = 'cy@accounts.example'`)).toEqual([]);
});

test('a second status of a service with the same name, added or renamed, is a conflict on the name field', async () => {
  const status = { serviceId, description: '', kind: 'start' as const, color: '#607d8b' };
  await insertStatus(db, { ...status, name: 'New', position: 1 });
  const added = await insertStatus(db, { ...status, name: 'New', position: 2 }).catch((e: unknown) => e);
  expect(added).toMatchObject({ code: 'conflict', status: 409, details: { field: 'name' } });
  const other = await insertStatus(db, { ...status, name: 'Seen', position: 2 });
  const renamed = await db.transaction((tx) => updateStatus(tx, other.id, { name: 'New' })).catch((e: unknown) => e);
  expect(renamed).toBeInstanceOf(AppError);
  expect(renamed).toMatchObject({ code: 'conflict', details: { field: 'name' } });
});
