import { Router } from 'express';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { errors } from '../../models/errors.ts';
import { tileImageSource } from '../map-tiles.ts';

const WIDGET_DIST = fileURLToPath(new URL('../../chat-widget/dist/', import.meta.url));
const DEMO_SITE = fileURLToPath(new URL('../../chat-widget/demo-site.html', import.meta.url));

/**
 * The demo brand website at /, the widget bundle any brand site embeds, and the map bundle
 * (Leaflet) the widget loads only when it shows a pin to move.
 */
export function siteRoutes(tiles: { url: string }): Router {
  const router = Router();

  for (const name of ['widget.js', 'widget-map.js']) {
    router.get(`/${name}`, async (_req, res) => {
      const body = await readFile(`${WIDGET_DIST}${name}`).catch(() => null);
      if (!body) throw errors.widgetNotBuilt();
      // Brand sites on other origins load these scripts.
      res.set('Cross-Origin-Resource-Policy', 'cross-origin');
      res.set('Cache-Control', 'public, max-age=300');
      res.type('application/javascript').send(body);
    });
  }

  router.get('/', async (_req, res) => {
    // helmet's policy, plus the map's tiles for the widget's pin card.
    const policy = String(res.getHeader('Content-Security-Policy') ?? '');
    res.setHeader('Content-Security-Policy', policy.replace(/img-src ([^;]*)/, `img-src $1 ${tileImageSource(tiles.url)}`));
    res.type('html').send(await readFile(DEMO_SITE, 'utf8'));
  });

  return router;
}
