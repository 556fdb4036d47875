import { build, transform } from 'esbuild';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PAGE_BUNDLE } from '../web-ui/bundle-options.ts';
import { gzipSync } from 'node:zlib';

/**
 * Builds the agent console into agent-console/dist/: console.js (one minified IIFE with its
 * dependencies), console.css (minified) and index.html. Serve the folder at /console/ (see
 * server/routes/console-static.routes.ts).
 */

const here = fileURLToPath(new URL('.', import.meta.url));
export const CONSOLE_DIST = `${here}dist/`;

export interface BuiltFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export async function buildConsole(): Promise<{ js: BuiltFile; css: BuiltFile; html: string }> {
  await mkdir(CONSOLE_DIST, { recursive: true });
  const jsFile = `${CONSOLE_DIST}console.js`;
  await build({
    entryPoints: [`${here}src/main.ts`],
    outfile: jsFile,
    ...PAGE_BUNDLE,
  });
  const cssFile = `${CONSOLE_DIST}console.css`;
  const { code } = await transform(await readFile(`${here}console.css`, 'utf8'), { loader: 'css', minify: true, target: ['chrome100', 'safari15', 'firefox100'] });
  await writeFile(cssFile, code);
  const html = `${CONSOLE_DIST}index.html`;
  await copyFile(`${here}index.html`, html);
  const sized = async (file: string): Promise<BuiltFile> => {
    const content = await readFile(file);
    return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
  };
  return { js: await sized(jsFile), css: await sized(cssFile), html };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { js, css } = await buildConsole();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  for (const f of [js, css]) console.log(`${f.file}: ${kb(f.bytes)} raw, ${kb(f.gzipBytes)} gzipped`);
}
