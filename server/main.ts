import { join } from 'node:path';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { openDatabase } from '../models/database.ts';
import { migrate } from '../models/migrate.ts';
import { findBrand } from '../models/brands.repository.ts';
import { sweepExpiredHolds } from '../models/appointments.repository.ts';
import { ensureDemo } from './demo-credentials.ts';
import { appSecret } from './secrets.ts';
import { createRendezvous } from './composition.ts';
import { DEV_PHONE_PATH, devPhoneEnabled } from './dev-phone/dev-phone.routes.ts';
import { warmUpDateUnderstanding } from '../dialogs/date-understanding.ts';
import { DEMO_FIELD_CUSTOMER } from '../models/seed-field.ts';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const now = () => new Date();

const db = await openDatabase({ url: config.DATABASE_URL, dataDir: join(config.DATA_DIR, 'pglite') });
const applied = await migrate(db);
if (applied.length) logger.info({ applied }, 'migrations applied');

const seed = config.SEED_DEMO === 'true' || (config.SEED_DEMO === 'auto' && !config.DATABASE_URL);
const demo = seed ? await ensureDemo(db, config.DATA_DIR, [new URL(config.PUBLIC_URL).origin]) : null;
const brandMissing = !demo && !(await findBrand(db, config.DEFAULT_BRAND));
const secret = await appSecret(config.APP_SECRET, config.DATA_DIR);

// The date recognizers take seconds to load: do it now rather than on a customer's first date.
void Promise.resolve().then(() => warmUpDateUnderstanding()).catch((err) => logger.warn({ err }, 'date understanding warm-up failed'));
const rendezvous = await createRendezvous({ db, config, logger, now, secret });
// Holds expire by themselves (queries ignore them); this only keeps the table small.
const sweeper = setInterval(() => {
  sweepExpiredHolds(db, now()).catch((err) => logger.warn({ err }, 'hold sweep failed'));
}, config.HOLD_SWEEP_SECONDS * 1000);
sweeper.unref();

rendezvous.http.listen(config.PORT, config.HOST, () => {
  const url = config.PUBLIC_URL;
  const lines = [
    '',
    `Rendezvous is running (${db.kind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL'})`,
    `  Demo website (chat widget):  ${url}/`,
    ...(config.NODE_ENV === 'production' ? [] : [`  Dev outbox (emails, SMS, codes): ${url}/dev/outbox`]),
    ...(devPhoneEnabled(config) ? [`  Dev phone (SMS, WhatsApp):   ${url}${DEV_PHONE_PATH}`] : []),
    `  Agent console:               ${url}/console/`,
    `  API:                         ${url}/api/services`,
    ...(demo?.apiKey ? [`  Demo API key:                ${demo.apiKey}`] : []),
    ...(demo ? [`  Customer page (on-site visits): ${url}/visit/   demo customer ${DEMO_FIELD_CUSTOMER.email} (the code lands in the dev outbox)`] : []),
    ...(demo?.logins.length ? ['  Demo console logins:', ...demo.logins.map((l) => `    ${l.email.padEnd(40)} ${l.password}   ${l.role}${l.stores.length ? ` (${l.stores.join(', ')})` : ''}`)] : []),
    ...(brandMissing ? [`  No brand "${config.DEFAULT_BRAND}" on this database yet (SEED_DEMO=auto seeds only the embedded one): \`npm run seed\` loads the demo.`] : []),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
});

async function shutdown(signal: string) {
  logger.info({ signal }, 'shutting down');
  // Past the deadline, exit anyway: the orchestrator's own kill would lose the log line.
  setTimeout(() => {
    logger.error({ signal, seconds: config.SHUTDOWN_TIMEOUT_SECONDS }, 'shutdown deadline passed, exiting');
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_SECONDS * 1000).unref();
  clearInterval(sweeper);
  await rendezvous.close();
  await db.close();
  logger.info({ signal }, 'stopped');
  process.exit(0);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
