import { loadConfig } from '../server/config.ts';
import { openDatabase } from './database.ts';
import { migrate } from './migrate.ts';
import { ensureDemo } from '../server/demo-credentials.ts';

/** `npm run seed`: migrates and loads the demo brand into the configured database. */
const config = loadConfig();
const db = await openDatabase({ url: config.DATABASE_URL, dataDir: `${config.DATA_DIR}/pglite` });
await migrate(db);
const key = await ensureDemo(db, config.DATA_DIR, [config.PUBLIC_URL]);
process.stdout.write(key ? `Demo brand ready. API key: ${key}\n` : 'Demo brand already present.\n');
await db.close();
