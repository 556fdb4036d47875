import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';
import { seedDemoStaffAccounts, type DemoLogin } from '../models/seed-staff.ts';
import { seedFieldServiceDemo } from '../models/seed-field.ts';

export interface DemoCredentials {
  apiKey: string | null;
  logins: DemoLogin[];
}

/** Writes a secret file only its owner can read. */
async function writeSecret(file: string, content: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, content, { mode: 0o600 });
}

/**
 * Seeds the demo brand and its console accounts once, and keeps the API key and the demo passwords
 * in DATA_DIR (mode 0600) so every start can print them: the database only holds their hashes.
 */
export async function ensureDemo(db: Database, dataDir: string, allowedOrigins: string[]): Promise<DemoCredentials> {
  const keyFile = join(dataDir, 'demo-api-key.txt');
  const loginsFile = join(dataDir, 'demo-console-logins.json');
  const { apiKey } = await seedDemo(db, { allowedOrigins });
  if (apiKey) await writeSecret(keyFile, apiKey + '\n');
  await seedFieldServiceDemo(db, new Date().toISOString().slice(0, 10));
  const logins = await seedDemoStaffAccounts(db);
  if (logins.length) await writeSecret(loginsFile, JSON.stringify(logins, null, 2) + '\n');
  return {
    apiKey: apiKey ?? ((await readFile(keyFile, 'utf8').catch(() => '')).trim() || null),
    logins: logins.length ? logins : JSON.parse(await readFile(loginsFile, 'utf8').catch(() => '[]')) as DemoLogin[],
  };
}
