import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { inSourceTree, PROJECT_ROOT, sourceFiles } from './support/source-tree.ts';
import { AppError, errors } from '../models/errors.ts';

/**
 * Errors are built only by the factories of models/errors.ts, so the catalogue of codes (and their
 * statuses) stays closed: an ad-hoc `new AppError` anywhere else fails this test.
 */
const CATALOGUE = 'models/errors.ts';
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'tests', '.git']);

/** "file:line" of every `new AppError` outside the catalogue. */
function adHocErrors(root: string): string[] {
  const found: string[] = [];
  for (const path of sourceFiles(root, SKIPPED_DIRS)) {
    const file = relative(root, path).split('\\').join('/');
    if (file === CATALOGUE) continue;
    readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
      if (/\bnew\s+AppError\b/.test(line)) found.push(`${file}:${i + 1}`);
    });
  }
  return found.sort();
}

test('no AppError is built outside the catalogue', () => {
  expect(adHocErrors(PROJECT_ROOT)).toEqual([]);
});

test('the check finds an ad-hoc AppError anywhere but in the catalogue', () => {
  const files = {
    'models/errors.ts': "const make = () => new AppError('conflict', 409, 'x');\n",
    'server/routes/a.routes.ts': "import { errors } from '../../models/errors.ts';\nthrow new AppError('teapot', 418, 'no');\n",
    'dialogs/b.dialog.ts': "const e = new  AppError('conflict', 409, 'x');\n",
    'tests/c.test.ts': "new AppError('conflict', 409, 'x');\n",
  };
  expect(inSourceTree(files, adHocErrors)).toEqual(['dialogs/b.dialog.ts:1', 'server/routes/a.routes.ts:2']);
});

test('factories give each code its status and only the details they are given', () => {
  expect([errors.codeRejected('locked', 0), errors.codeRejected('wrong_code')].map((e) => [e.code, e.status, e.details]))
    .toEqual([['locked', 429, { attemptsLeft: 0 }], ['wrong_code', 401, {}]]);
  expect([errors.badRequest(415, 'Unsupported media type.'), errors.noRoute('API', 'GET', '/x')].map((e) => [e.code, e.status, e.message]))
    .toEqual([['bad_request', 415, 'Unsupported media type.'], ['not_found', 404, 'No API route GET /x.']]);
  expect(errors.conflict('Taken.', 'email')).toBeInstanceOf(AppError);
});
