import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import type { Database } from '../../models/database.ts';
import { jobQueueInstalled, pingDatabase } from '../../models/operations.repository.ts';
import type { Metrics } from '../metrics.ts';

export interface OperationsDeps {
  db: Database;
  metrics: Metrics;
  /** pg-boss's schema: its tables answering is what "job queue reachable" means. */
  jobQueueSchema: string;
  /** Bearer token for /metrics; unset → only direct loopback requests may read them. */
  metricsToken?: string | undefined;
  /** Whether the shared Redis answers (several instances, REDIS_URL); absent → no Redis to check. */
  redisReachable?: (() => Promise<boolean>) | undefined;
  /** True once the process is shutting down: the load balancer must stop sending it work. */
  draining: () => boolean;
}

/** A check that takes longer than this counts as down (a hung connection must not hang the probe). */
const CHECK_TIMEOUT_MS = 2000;
const RETRY_AFTER_SECONDS = 5;

async function check(probe: () => Promise<boolean>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS); });
  try {
    return (await Promise.race([probe(), timeout])) ? 'ok' : 'down';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function mayReadMetrics(req: Request, token: string | undefined): boolean {
  if (token) {
    const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    return given !== undefined && timingSafeEqual(digest(given), digest(token));
  }
  // Without a token: a scraper on this host, never a request relayed by a proxy.
  const address = req.socket.remoteAddress ?? '';
  return ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(address) && !req.get('x-forwarded-for');
}

/** Readiness for load balancers (database, job queue, Redis if shared, not draining) and Prometheus metrics (liveness is /healthz). */
export function operationsRoutes(deps: OperationsDeps): Router {
  const router = Router();

  router.get('/readyz', async (_req, res) => {
    const { redisReachable } = deps;
    const [database, jobQueue, redis] = await Promise.all([
      check(() => pingDatabase(deps.db)),
      check(() => jobQueueInstalled(deps.db, deps.jobQueueSchema)),
      redisReachable ? check(redisReachable) : undefined,
    ]);
    // Without Redis an instance would fan out to no one and count budgets alone: not ready for traffic.
    const checks = { database, jobQueue, ...(redis ? { redis } : {}), accepting: deps.draining() ? 'draining' : 'ok' };
    const ready = Object.values(checks).every((c) => c === 'ok');
    if (!ready) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(ready ? 200 : 503).set('Cache-Control', 'no-store').json({ status: ready ? 'ready' : 'unready', checks });
  });

  router.get('/metrics', async (req, res) => {
    if (!mayReadMetrics(req, deps.metricsToken)) {
      res.status(401).json({ error: { code: 'unauthorized', message: 'Metrics need the METRICS_TOKEN bearer token.' } });
      return;
    }
    res.set('Content-Type', deps.metrics.registry.contentType).set('Cache-Control', 'no-store');
    res.send(await deps.metrics.registry.metrics());
  });

  return router;
}
