import type { Router } from 'express';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  /** True when mounted at '/' (router.use(sub) without a path). */
  slash?: boolean;
}

/**
 * Every route of an Express router as "METHOD /path", sub-routers included, read from the router
 * itself: a test table keyed by these fails as soon as a route is added without a row.
 */
export function listRoutes(router: Router): string[] {
  const routes: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) routes.push(`${method.toUpperCase()} ${layer.route.path}`);
      } else if (Array.isArray(layer.handle?.stack)) {
        // A sub-router under a path prefix would need that prefix here: refuse rather than list wrong paths.
        if (!layer.slash) throw new Error('a sub-router is mounted under a path: teach listRoutes its prefix');
        walk(layer.handle.stack);
      }
    }
  };
  walk((router as unknown as { stack: Layer[] }).stack);
  return routes;
}
