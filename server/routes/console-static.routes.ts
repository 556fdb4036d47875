import express, { Router } from 'express';
import { fileURLToPath } from 'node:url';
import { errors } from '../../models/errors.ts';

/**
 * Serves the built console (agent-console/dist, made by `npm run build:console`) at /console/:
 * index.html, console.js(.map) and console.css. Under helmet's default CSP (script-src 'self'):
 * the page has no inline script or style.
 */

export const CONSOLE_DIST_DIR = fileURLToPath(new URL('../../agent-console/dist/', import.meta.url));

export function consoleStaticRoutes(options: { dist?: string } = {}): Router {
  const router = Router();
  const dist = options.dist ?? CONSOLE_DIST_DIR;
  // "/console" → "/console/": the page's relative links and its cookie path expect the slash.
  // Express routing is not strict, so '/console' also matches '/console/': compare the path itself.
  router.get('/console', (req, res, next) => {
    if (req.path !== '/console') return next();
    res.redirect(301, '/console/');
  });
  router.use('/console', express.static(dist, {
    index: 'index.html',
    redirect: false,
    fallthrough: true,
    // Revalidate every time: a deployment must reach staff without a hard refresh.
    setHeaders: (res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.setHeader('X-Robots-Tag', 'noindex');
    },
  }));
  // Reached only when dist/ has no index.html.
  router.get('/console/', () => {
    throw errors.consoleNotBuilt();
  });
  return router;
}
