import express from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Database } from '../models/database.ts';
import type { Config } from './config.ts';
import { errorHandler } from './http-errors.ts';
import { AppError } from '../models/errors.ts';
import { catalogueRoutes } from './routes/catalogue.routes.ts';
import { appointmentRoutes } from './routes/appointments.routes.ts';

export interface AppDeps {
  db: Database;
  config: Config;
  logger: Logger;
  now: () => Date;
}

/** The HTTP application: API and pages. No listening, no timers: main.ts owns the process. */
export function createApp(deps: AppDeps): express.Express {
  const { db, config, logger, now } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet());
  app.use(pinoHttp({ logger, autoLogging: { ignore: (req) => req.url === '/healthz' } }));

  app.get('/healthz', async (_req, res) => {
    await db.query('SELECT 1');
    res.json({ status: 'ok', database: db.kind });
  });

  const api = express.Router();
  api.use(rateLimit({
    windowMs: 60_000,
    limit: config.API_RATE_LIMIT_PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new AppError('rate_limited', 429, 'Too many requests. Please slow down and try again in a minute.')),
  }));
  api.use(express.json({ limit: '64kb' }));
  api.use(catalogueRoutes(db, config.DEFAULT_BRAND, now));
  api.use(appointmentRoutes({ db, now }));
  api.use((req, _res, next) => next(new AppError('not_found', 404, `No API route ${req.method} ${req.path}.`)));
  app.use('/api', api);

  app.use(errorHandler(logger));
  return app;
}
