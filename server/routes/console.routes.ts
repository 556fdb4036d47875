import { Router } from 'express';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../models/database.ts';
import type { BookingEventSink } from '../../scheduling/booking-events.ts';
import { AppError } from '../../models/errors.ts';
import { consoleApiRoutes } from './console-api.routes.ts';

const asset = (path: string) => fileURLToPath(new URL(`../../agent-console/${path}`, import.meta.url));
const ASSETS: Record<string, { file: string; type: string }> = {
  '/console/': { file: asset('index.html'), type: 'html' },
  '/console/console.js': { file: asset('dist/console.js'), type: 'application/javascript' },
  '/console/console.css': { file: asset('console.css'), type: 'text/css' },
};

export interface ConsoleRoutesDeps {
  db: Database;
  now: () => Date;
  config: { PUBLIC_URL: string };
  events?: BookingEventSink | undefined;
  onChange?: ((brandId: string, appointmentId: string) => void) | undefined;
}

/** The agent console: its JSON API under /console/api and the browser app under /console/. */
export function consoleRoutes(deps: ConsoleRoutesDeps): Router {
  const router = Router();
  router.use('/console/api', consoleApiRoutes(deps));
  router.get('/console', (_req, res) => res.redirect(301, '/console/'));
  for (const [path, { file, type }] of Object.entries(ASSETS)) {
    router.get(path, async (_req, res) => {
      const body = await readFile(file).catch(() => null);
      if (!body) throw new AppError('console_not_built', 404, 'The console is not built yet: run `npm run build:console`.');
      res.set('Cache-Control', 'no-cache');
      res.type(type).send(body);
    });
  }
  return router;
}
