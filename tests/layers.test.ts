import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { inSourceTree, PROJECT_ROOT, sourceFiles } from './support/source-tree.ts';

/**
 * Data flows one way: a module imports its own layer or lower ones (server/ composes, bench/ measures).
 * Browser folders import only the shared browser code (web-ui/) and the typed protocol files
 * (bot/**\/*protocol*.ts); server-side code never imports browser folders. Tests are not counted.
 * The same rules as the review's layer-arrows script, so the rule stays true in CI.
 */
const RANK: Record<string, number> = { models: 1, scheduling: 2, notifications: 3, dialogs: 4, bot: 5, server: 6, bench: 7 };
const BROWSER = new Set(['chat-widget', 'agent-console', 'web-ui', 'customer-page']);
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\s*\(\s*['"](\.[^'"]+)['"]/g;

function allowed(from: string, to: string, target: string): boolean {
  if (BROWSER.has(from)) return to === 'web-ui' || (to === 'bot' && target.includes('protocol'));
  if (BROWSER.has(to)) return false;
  return RANK[to] === undefined || RANK[to] <= RANK[from]!;
}

/** Every "file -> imported file" (relative to root) that goes against the layers. */
function arrowsAgainstLayers(root: string): string[] {
  const bad = new Set<string>();
  for (const top of [...Object.keys(RANK), ...BROWSER]) {
    for (const path of sourceFiles(join(root, top))) {
      for (const match of readFileSync(path, 'utf8').matchAll(IMPORT)) {
        const target = relative(root, normalize(join(dirname(path), match[1] ?? match[2]!)));
        const to = target.split(sep)[0]!;
        if (to === top || to.startsWith('..')) continue;
        if (!allowed(top, to, target)) bad.add(`${relative(root, path)} -> ${target}`);
      }
    }
  }
  return [...bad].sort();
}

test('no import runs up a layer', () => {
  expect(arrowsAgainstLayers(PROJECT_ROOT)).toEqual([]);
});

test('the check finds imports that run up a layer, into the browser or out of it', () => {
  const files = {
    'models/seed.ts': "import { loadConfig } from '../server/config.ts';\nimport type { Db } from './database.ts';\n",
    'dialogs/cards.ts': "export type { Card } from '../bot/web-protocol.ts';\nimport { t } from '../scheduling/booking.ts';\n",
    'server/routes/console.routes.ts': "const r = await import('../../agent-console/static.routes.ts');\nimport { x } from '../../bot/a.ts';\n",
    'agent-console/src/types.ts': "import type { S } from '../../models/catalogue.repository.ts';\nimport type { P } from '../../bot/handoff/console-protocol.ts';\nimport { el } from '../../web-ui/dom.ts';\n",
    'customer-page/src/api.ts': "import { errors } from '../../models/errors.ts';\n",
  };
  expect(inSourceTree(files, arrowsAgainstLayers)).toEqual([
    'agent-console/src/types.ts -> models/catalogue.repository.ts',
    'customer-page/src/api.ts -> models/errors.ts',
    'dialogs/cards.ts -> bot/web-protocol.ts',
    'models/seed.ts -> server/config.ts',
    'server/routes/console.routes.ts -> agent-console/static.routes.ts',
  ]);
});

/**
 * SQL lives in models/: outside it no module calls `.query(` on a database handle (db, tx, this.db…).
 * `this.query(` alone is a class's own method (the booking dialog's slot query), not SQL. bench/
 * measures and sets its fixtures up with SQL, as tests do, so it is not counted.
 */
const SQL_CALL = /([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\.query\s*(?:<(?:[^<>]|<[^<>]*>)*>)?\s*\(/g;
const APP_FOLDERS = ['scheduling', 'notifications', 'dialogs', 'bot', 'server', ...BROWSER];

/** Every file (relative to root) outside models/ that runs SQL itself. */
function sqlOutsideModels(root: string): string[] {
  const found = new Set<string>();
  for (const top of APP_FOLDERS) {
    for (const path of sourceFiles(join(root, top))) {
      for (const match of readFileSync(path, 'utf8').matchAll(SQL_CALL)) {
        if (match[1] !== 'this') found.add(relative(root, path).split(sep).join('/'));
      }
    }
  }
  return [...found].sort();
}

test('no module outside models/ runs SQL', () => {
  expect(sqlOutsideModels(PROJECT_ROOT)).toEqual([]);
});

test('the check finds SQL run on any handle outside models/, and not a method of our own or a request query', () => {
  const files = {
    'models/otp-codes.repository.ts': "await tx.query('SELECT 1');\n",
    'notifications/otp.ts': "const [row] = await tx.query<{ id: string }>(\n  'SELECT id FROM otp_codes');\n",
    'bot/storage.ts': "const rows = await this.db.query('DELETE FROM dialog_state');\n",
    'bot/reader.ts': "const rows = await this.db.query<{ data: Record<string, unknown> }>('SELECT data FROM dialog_state');\n",
    'server/routes/x.routes.ts': "await deps.db.query('SELECT 1');\nconst q = req.query;\n",
    'dialogs/booking.dialog.ts': "const options = { query: this.query(s) };\nconst page = req.query['page'];\n",
  };
  expect(inSourceTree(files, sqlOutsideModels)).toEqual(['bot/reader.ts', 'bot/storage.ts', 'notifications/otp.ts', 'server/routes/x.routes.ts']);
});
