import { build, transform, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The budget a brand's page pays for the embed, gzipped. */
export const GZIP_BUDGET_BYTES = 30 * 1024;

const here = fileURLToPath(new URL('.', import.meta.url));

/** `import css from './x.css'` gives the stylesheet minified, as a string for a <style> in the shadow root. */
const cssAsText: Plugin = {
  name: 'css-as-text',
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, async ({ path }) => {
      const { code } = await transform(await readFile(path, 'utf8'), { loader: 'css', minify: true });
      return { contents: code, loader: 'text' };
    });
  },
};

/** Bundles the loader and everything it uses into dist/widget.js (one minified IIFE), and the map bundle. */
export async function buildWidget(): Promise<{ file: string; bytes: number; gzipBytes: number }> {
  const file = `${here}dist/widget.js`;
  await bundle('src/loader.ts', file);
  // dist/widget-map.js: Leaflet and its stylesheet, loaded by the widget only when it shows a pin card (outside the budget).
  await bundle('src/map/widget-map.ts', `${here}dist/widget-map.js`);
  const code = await readFile(file);
  return { file, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

/** One entry and everything it uses as one minified IIFE. */
async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [`${here}${entry}`],
    outfile,
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2019'],
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [cssAsText],
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { file, bytes, gzipBytes } = await buildWidget();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(`${file}: ${kb(bytes)} raw, ${kb(gzipBytes)} gzipped (budget ${kb(GZIP_BUDGET_BYTES)})`);
  if (gzipBytes > GZIP_BUDGET_BYTES) {
    console.error('widget.js is over its size budget');
    process.exit(1);
  }
}
