import type { Database } from '../models/database.ts';
import { AppError } from '../models/errors.ts';
import { insertAccount } from '../models/staff-accounts.repository.ts';
import { insertStatus, updateStatus } from '../models/statuses.repository.ts';
import { DATABASE_KINDS, openTestDatabase } from './support/databases.ts';

/**
 * A unique violation (23505) becomes a domain error in the repository that ran the statement, so a
 * use case that lost a race (its own check passed, the index refused) answers 409, never 500.
 */
describe.each(DATABASE_KINDS)('unique violations translated in models/ on %s', (kind) => {
  let db: Database;
  let serviceId: string;
  const staff: string[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    await db.query(`INSERT INTO brands (id, name, time_zone) VALUES ('acme', 'Acme', 'Europe/Paris')`);
    const [service] = await db.query<{ id: string }>(
      `INSERT INTO services (brand_id, slug, names, duration_minutes, modes) VALUES ('acme', 'fitting', '{"en":"Fitting"}', 30, ARRAY['in_store']) RETURNING id`,
    );
    serviceId = service!.id;
    for (const name of ['Ada', 'Grace']) {
      const [row] = await db.query<{ id: string }>(`INSERT INTO staff (brand_id, name, email) VALUES ('acme', $1, $2) RETURNING id`, [name, `${name}@example.com`]);
      staff.push(row!.id);
    }
  });
  afterAll(async () => {
    await db.close();
  });

  const refusal = async (work: Promise<unknown>) => {
    const error = await work.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    const { code, status, message, details } = error as AppError;
    return { code, status, message, details };
  };

  test('a status name the service already has: conflict on the name, when added or renamed', async () => {
    const status = (name: string, position: number) =>
      insertStatus(db, { serviceId, name, description: '', position, kind: 'start', color: '#607d8b' });
    await status('Received', 1);
    const second = await status('Checked', 2);
    const expected = { code: 'conflict', status: 409, message: 'This service already has a status with that name.', details: { field: 'name' } };
    expect(await refusal(status('Received', 3))).toEqual(expected);
    expect(await refusal(db.transaction((tx) => updateStatus(tx, second.id, { name: 'Received' })))).toEqual(expected);
  });

  test('an account for an email taken (in any case) or for a staff member who has one: conflict on the email', async () => {
    const account = (staffId: string, email: string) =>
      insertAccount(db, { staffId, email, role: 'agent', passwordHash: null, inviteTokenHash: null, inviteExpiresAt: null }, new Date());
    await account(staff[0]!, 'ada@example.com');
    const expected = { code: 'conflict', status: 409, message: 'An account with this email exists already.', details: { field: 'email' } };
    expect(await refusal(account(staff[1]!, 'ADA@example.com'))).toEqual(expected);
    expect(await refusal(account(staff[0]!, 'ada.other@example.com'))).toEqual(expected);
  });

  test('other failures pass through untranslated', async () => {
    const error = await insertStatus(db, { serviceId, name: 'Odd', description: '', position: 9, kind: 'start', color: 'not a colour' }).then(() => null, (e: unknown) => e);
    expect(error).not.toBeNull();
    expect(error).not.toBeInstanceOf(AppError);
  });
});
