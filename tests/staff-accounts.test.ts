import type { Database } from '../models/database.ts';
import { insertBrand } from '../models/brands.repository.ts';
import { AppError } from '../models/errors.ts';
import { insertAccount } from '../models/staff-accounts.repository.ts';
import { openTestDatabase } from './support/databases.ts';

let db: Database;
const staffIds: string[] = [];

beforeAll(async () => {
  db = await openTestDatabase('postgres', 4);
  await insertBrand(db, { id: 'accounts-brand', name: 'Accounts', defaultLocale: 'en', timeZone: 'Europe/Paris', allowedOrigins: [], settings: {} });
  for (const name of ['Ana', 'Bo', 'Cy']) {
    const [row] = await db.query<{ id: string }>(`INSERT INTO staff (brand_id, name) VALUES ('accounts-brand', $1) RETURNING id`, [name]);
    staffIds.push(row!.id);
  }
});
afterAll(() => db.close());

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
