/** Tests run as ES modules, transpiled by ts-jest (type checking is `tsc --noEmit` in `npm test`). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // Its ES build imports JSON without an import attribute, which jest's ESM loader warns about on every load.
    '^libphonenumber-js$': '<rootDir>/node_modules/libphonenumber-js/index.cjs',
  },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  // Generous: two test files run at once, and a test must pass on a busy machine (a hung one only fails later).
  testTimeout: 180000,
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.cjs'],
};
