import { Router } from 'express';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../models/errors.ts';

const WIDGET_FILE = fileURLToPath(new URL('../../chat-widget/dist/widget.js', import.meta.url));
const DEMO_SITE = fileURLToPath(new URL('../../chat-widget/demo-site.html', import.meta.url));

/** The demo brand website at / and the widget bundle any brand site embeds. */
export function siteRoutes(): Router {
  const router = Router();

  router.get('/widget.js', async (_req, res) => {
    const body = await readFile(WIDGET_FILE).catch(() => null);
    if (!body) throw new AppError('widget_not_built', 404, 'The widget is not built yet: run `npm run build:widget`.');
    // Brand sites on other origins load this script.
    res.set('Cross-Origin-Resource-Policy', 'cross-origin');
    res.set('Cache-Control', 'public, max-age=300');
    res.type('application/javascript').send(body);
  });

  router.get('/', async (_req, res) => {
    res.type('html').send(await readFile(DEMO_SITE, 'utf8'));
  });

  return router;
}
