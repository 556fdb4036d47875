import { Router } from 'express';
import type { Database } from '../../models/database.ts';
import type { BookingEventSink } from '../../scheduling/booking-events.ts';
import { consoleStaticRoutes } from './console-static.routes.ts';
import { consoleApiRoutes } from './console-api.routes.ts';
import type { HttpRateLimitStores } from '../http-rate-limit-store.ts';

export interface ConsoleRoutesDeps {
  db: Database;
  now: () => Date;
  config: { PUBLIC_URL: string };
  events?: BookingEventSink | undefined;
  onChange?: ((brandId: string, appointmentId: string) => void) | undefined;
  /** Where HTTP rate limits count (several instances: Redis); default this process's memory. */
  httpRateLimitStores?: HttpRateLimitStores | undefined;
}

/** The agent console: its JSON API under /console/api and the built browser app under /console/. */
export function consoleRoutes(deps: ConsoleRoutesDeps): Router {
  const router = Router();
  router.use('/console/api', consoleApiRoutes(deps));
  router.use(consoleStaticRoutes());
  return router;
}
