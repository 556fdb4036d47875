import { loadConfig } from './config.ts';
import { openDatabase } from '../models/database.ts';
import { migrate } from '../models/migrate.ts';
import { ensureDemo } from './demo-credentials.ts';

/** `npm run seed`: migrates and loads the demo brand into the configured database. */
const config = loadConfig();
const db = await openDatabase({ url: config.DATABASE_URL, dataDir: `${config.DATA_DIR}/pglite` });
await migrate(db);
const demo = await ensureDemo(db, config.DATA_DIR, [new URL(config.PUBLIC_URL).origin]);
process.stdout.write(`Demo brand ready. API key: ${demo.apiKey ?? '(created earlier; see DATA_DIR/demo-api-key.txt)'}\n`);
for (const login of demo.logins) process.stdout.write(`  console login: ${login.email}  ${login.password}  (${login.role})\n`);
await db.close();
