import { randomInt } from 'node:crypto';
import type { Database } from './database.ts';
import { DEMO_BRAND_ID } from './seed.ts';
import { insertAccount, type StaffRole } from './staff-accounts.repository.ts';
import { hashPassword, type ScryptParams } from './passwords.ts';

/** Console accounts for the demo brand: an admin, a manager per store, the other advisors as agents. */

export const DEMO_ADMIN = { name: 'Admin Atelier', email: 'admin@atelier-lumiere.example' };

export interface DemoLogin {
  email: string;
  password: string;
  role: string;
  /** Slugs of the stores the account sees (every store for the admin). */
  stores: string[];
}

// No look-alike characters (0/O, 1/l/I): these passwords get read off a terminal.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function randomPassword(length = 16): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

interface DemoStaffRow {
  id: string;
  name: string;
  email: string;
  store_slugs: string[];
}

/**
 * Creates the demo console accounts once, with random 16-character passwords returned in clear
 * (only their scrypt hashes are stored). Returns [] when the brand has accounts already.
 * `passwordParams` exists for tests, which cannot afford a second of scrypt per login.
 */
export async function seedDemoStaffAccounts(db: Database, options: { passwordParams?: ScryptParams } = {}): Promise<DemoLogin[]> {
  const hasAccounts = async (q: Pick<Database, 'query'>) =>
    (await q.query('SELECT 1 FROM staff_accounts a JOIN staff s ON s.id = a.staff_id WHERE s.brand_id = $1 LIMIT 1', [DEMO_BRAND_ID])).length > 0;
  if (await hasAccounts(db)) return [];
  const brand = await db.query('SELECT 1 FROM brands WHERE id = $1', [DEMO_BRAND_ID]);
  if (brand.length === 0) throw new Error('Seed the demo brand (seedDemo) before its staff accounts.');

  const staff = await db.query<DemoStaffRow>(
    `SELECT s.id, s.name, s.email,
            array_agg(DISTINCT st.slug ORDER BY st.slug) AS store_slugs
     FROM staff s JOIN staff_hours h ON h.staff_id = s.id JOIN stores st ON st.id = h.store_id
     WHERE s.brand_id = $1 AND s.email IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM staff_accounts a WHERE lower(a.email) = lower(s.email))
     GROUP BY s.id, s.name, s.email ORDER BY s.name`,
    [DEMO_BRAND_ID],
  );
  const allStores = await db.query<{ slug: string }>('SELECT slug FROM stores WHERE brand_id = $1 ORDER BY slug', [DEMO_BRAND_ID]);

  // The first advisor of each store (by name) manages it; the others are agents.
  const managed = new Set<string>();
  const plan: { staffId: string | null; name: string; email: string; role: StaffRole; stores: string[] }[] = [
    { staffId: null, name: DEMO_ADMIN.name, email: DEMO_ADMIN.email, role: 'admin', stores: allStores.map((s) => s.slug) },
  ];
  for (const s of staff) {
    const home = s.store_slugs[0]!;
    const role: StaffRole = managed.has(home) ? 'agent' : 'store_manager';
    managed.add(home);
    plan.push({ staffId: s.id, name: s.name, email: s.email.toLowerCase(), role, stores: s.store_slugs });
  }

  // Hashing takes about a second each: done before the transaction, not inside it.
  const hashed = await Promise.all(plan.map(async (p) => {
    const password = randomPassword();
    return { ...p, password, hash: await hashPassword(password, options.passwordParams) };
  }));

  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727003)');
    if (await hasAccounts(tx)) return [];
    const now = new Date();
    for (const p of hashed) {
      let staffId = p.staffId;
      if (!staffId) {
        const [row] = await tx.query<{ id: string }>('INSERT INTO staff (brand_id, name, email) VALUES ($1,$2,$3) RETURNING id', [DEMO_BRAND_ID, p.name, p.email]);
        staffId = row!.id;
      }
      await insertAccount(tx, { staffId, email: p.email, role: p.role, passwordHash: p.hash, inviteTokenHash: null, inviteExpiresAt: null }, now);
    }
    return hashed.map((p) => ({ email: p.email, password: p.password, role: p.role, stores: p.stores }));
  });
}
