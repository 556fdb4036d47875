import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';

/** The one stylesheet of the appointment pages (they run no scripts), cached by ETag. */

const CSS = readFileSync(new URL('./pages.css', import.meta.url), 'utf8');
const CSS_ETAG = `"${createHash('sha256').update(CSS).digest('base64url').slice(0, 16)}"`;

export const STYLESHEET_PATH = '/a/assets/pages.css';

export const serveStylesheet: RequestHandler = (req, res) => {
  res.set({ 'Cache-Control': 'public, max-age=3600', ETag: CSS_ETAG, 'X-Content-Type-Options': 'nosniff' });
  if (req.get('if-none-match') === CSS_ETAG) {
    res.status(304).end();
    return;
  }
  res.type('text/css').send(CSS);
};
