import { execFile } from 'node:child_process';
import { cp, readdir, rm } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * The production build: the server compiled to JavaScript under dist/ (plain `node dist/server/main.js`,
 * no TypeScript runner), with the files it reads at run time beside its modules: migrations, templates'
 * CSS, place lists and the built widget and console bundles. Run after build:widget and build:console.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
export const SERVER_DIST = join(root, 'dist');
/** Folders whose non-TypeScript files the server reads next to its modules (via import.meta.url). */
const ASSET_DIRS = ['bot', 'dialogs', 'models', 'scheduling', 'notifications', 'server', 'chat-widget', 'agent-console', 'web-ui'];
/** Sources and build inputs that the running server never reads. */
const SKIP = new Set(['node_modules', 'src', 'tests']);

async function copyAssets(dir: string): Promise<number> {
  let copied = 0;
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name)) copied += await copyAssets(path);
    } else if (!['.ts', '.md'].includes(extname(entry.name))) {
      await cp(join(root, path), join(SERVER_DIST, path));
      copied++;
    }
  }
  return copied;
}

export async function buildServer(): Promise<{ dir: string; assets: number }> {
  await rm(SERVER_DIST, { recursive: true, force: true });
  await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root });
  let assets = 0;
  for (const dir of ASSET_DIRS) assets += await copyAssets(dir);
  return { dir: relative(root, SERVER_DIST) || '.', assets };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { dir, assets } = await buildServer();
  console.log(`${dir}/: server compiled to JavaScript, ${assets} runtime files copied; start with \`npm run start:prod\``);
}
