import { randomUUID } from 'node:crypto';
import express from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { storeOption, type HttpRateLimitStores } from './http-rate-limit-store.ts';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Database } from '../models/database.ts';
import type { Config } from './config.ts';
import type { BookingEventSink } from '../scheduling/booking-events.ts';
import { errorHandler, setRetryAfter } from './http-errors.ts';
import { rejectUnsafeBody, rejectUnsafeUrl } from './safe-input.ts';
import { withLogContext } from './logger.ts';
import { AppError, errors } from '../models/errors.ts';
import { pingDatabase } from '../models/operations.repository.ts';
import { catalogueRoutes } from './routes/catalogue.routes.ts';
import { appointmentRoutes } from './routes/appointments.routes.ts';
import { TRUSTED_PROXIES } from '../bot/client-ip.ts';

const REQUEST_ID = /^[\w.:-]{8,128}$/;

export interface AppDeps {
  db: Database;
  config: Config;
  logger: Logger;
  now: () => Date;
  /** Notifications for changes made through the API. */
  events?: BookingEventSink | undefined;
  /** Where HTTP rate limits count (several instances: Redis); default this process's memory. */
  httpRateLimitStores?: HttpRateLimitStores | undefined;
}

/** The HTTP application: API, then the given routers (pages, webhooks…). No listening, no timers. */
export function createApp(deps: AppDeps, routers: express.Router[] = []): express.Express {
  const { db, config, logger, now } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', TRUSTED_PROXIES);
  app.use(helmet());
  app.use(pinoHttp({
    logger,
    genReqId: (req, res) => {
      // A proxy's id is kept when it looks like one, so one request can be followed across services.
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: { ignore: (req) => ['/healthz', '/readyz', '/metrics'].includes(req.url ?? '') },
  }));
  // Everything logged while handling the request names it.
  app.use((req, _res, next) => withLogContext({ requestId: String(req.id) }, next));
  app.use(rejectUnsafeUrl);

  // Load balancers and monitors read the status: 503 (with Retry-After) while the database is unreachable.
  app.get('/healthz', async (_req, res) => {
    try {
      await pingDatabase(db);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 503) throw error;
      setRetryAfter(res, error);
      res.status(503).json({ status: 'unavailable', database: db.kind, error: { code: error.code, message: error.message } });
      return;
    }
    res.json({ status: 'ok', database: db.kind });
  });

  const api = express.Router();
  api.use(rateLimit({
    windowMs: 60_000,
    limit: config.API_RATE_LIMIT_PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...storeOption(deps.httpRateLimitStores, 'api'),
    handler: (_req, _res, next) => next(errors.rateLimited('Too many requests. Please slow down and try again in a minute.')),
  }));
  api.use(express.json({ limit: '64kb' }), rejectUnsafeBody);
  api.use(catalogueRoutes(db, config.DEFAULT_BRAND, now));
  api.use(appointmentRoutes({ db, now, events: deps.events }));
  api.use((req, _res, next) => next(errors.noRoute('API', req.method, req.path)));
  app.use('/api', api);
  for (const router of routers) app.use(router);

  app.use(errorHandler(logger));
  return app;
}
