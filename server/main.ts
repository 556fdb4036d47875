import { createServer } from 'node:http';
import { join } from 'node:path';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { openDatabase } from '../models/database.ts';
import { migrate } from '../models/migrate.ts';
import { sweepExpiredHolds } from '../models/appointments.repository.ts';
import { createApp } from './app.ts';
import { ensureDemo } from './demo-credentials.ts';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const now = () => new Date();

const db = await openDatabase({ url: config.DATABASE_URL, dataDir: join(config.DATA_DIR, 'pglite') });
const applied = await migrate(db);
if (applied.length) logger.info({ applied }, 'migrations applied');

const seed = config.SEED_DEMO === 'true' || (config.SEED_DEMO === 'auto' && !config.DATABASE_URL);
const demoKey = seed ? await ensureDemo(db, config.DATA_DIR, [config.PUBLIC_URL]) : null;

const app = createApp({ db, config, logger, now });
const server = createServer(app);
// Holds expire by themselves (queries ignore them); this only keeps the table small.
const sweeper = setInterval(() => {
  sweepExpiredHolds(db, now()).catch((err) => logger.warn({ err }, 'hold sweep failed'));
}, config.HOLD_SWEEP_SECONDS * 1000);
sweeper.unref();

server.listen(config.PORT, config.HOST, () => {
  const url = config.PUBLIC_URL;
  const lines = [
    '',
    `Rendezvous is running (${db.kind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL'})`,
    `  API health:      ${url}/healthz`,
    `  Services:        ${url}/api/services`,
    ...(demoKey ? [`  Demo API key:    ${demoKey}`] : []),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
});

async function shutdown(signal: string) {
  logger.info({ signal }, 'shutting down');
  clearInterval(sweeper);
  server.close();
  await db.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
