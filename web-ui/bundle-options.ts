import type { BuildOptions } from 'esbuild';

/** How the staff console and the customer page are bundled: one minified IIFE each, for current browsers. */
export const PAGE_BUNDLE = {
  bundle: true,
  minify: true,
  sourcemap: 'external',
  format: 'iife',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'safari15', 'firefox100'],
  legalComments: 'none',
  logLevel: 'warning',
} as const satisfies BuildOptions;
