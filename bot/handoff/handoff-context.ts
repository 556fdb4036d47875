import type { Logger } from 'pino';
import type { Database } from '../../models/database.ts';
import type { CustomerNotices } from './customer-notices.ts';
import type { FanOut } from './fan-out.ts';
import type { Presence } from './presence.ts';

/** What every part of the hand-off works with: the database, where events go, who is at the console. */
export interface HandoffContext {
  db: Database;
  logger: Logger;
  now: () => Date;
  fanOut: FanOut;
  notices: CustomerNotices;
  presence: Presence;
}
