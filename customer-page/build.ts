import { build, transform } from 'esbuild';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PAGE_BUNDLE } from '../web-ui/bundle-options.ts';

/**
 * Builds the customer page into customer-page/dist/: visit.js (one minified IIFE with Leaflet),
 * visit.css (the page's styles after Leaflet's) and index.html. Served at /visit/.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
export const CUSTOMER_PAGE_DIST = `${here}dist/`;

export async function buildCustomerPage(): Promise<void> {
  await mkdir(CUSTOMER_PAGE_DIST, { recursive: true });
  await build({
    entryPoints: [`${here}src/main.ts`],
    outfile: `${CUSTOMER_PAGE_DIST}visit.js`,
    ...PAGE_BUNDLE,
  });
  const leafletCss = await readFile(createRequire(import.meta.url).resolve('leaflet/dist/leaflet.css'), 'utf8');
  const { code } = await transform(leafletCss + '\n' + await readFile(`${here}visit.css`, 'utf8'), { loader: 'css', minify: true });
  await writeFile(`${CUSTOMER_PAGE_DIST}visit.css`, code);
  await copyFile(`${here}index.html`, `${CUSTOMER_PAGE_DIST}index.html`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildCustomerPage();
  console.log(`customer page built in ${CUSTOMER_PAGE_DIST}`);
}
