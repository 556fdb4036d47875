import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../models/database.ts';
import { seedDemo } from '../models/seed.ts';

/**
 * Seeds the demo brand once and keeps its API key in DATA_DIR (mode 0600), so every start can
 * print it: the database only holds its hash.
 */
export async function ensureDemo(db: Database, dataDir: string, allowedOrigins: string[]): Promise<string | null> {
  const file = join(dataDir, 'demo-api-key.txt');
  const { apiKey } = await seedDemo(db, { allowedOrigins });
  if (apiKey) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, apiKey + '\n', { mode: 0o600 });
    return apiKey;
  }
  return (await readFile(file, 'utf8').catch(() => '')).trim() || null;
}
