const base = require('./jest.config');
const { E2E } = require('./test/setup/suites');

/** `npm run test:e2e`: the end-to-end test files (test/setup/suites.js says what each runs for real). */
module.exports = {
  ...base,
  testMatch: Object.keys(E2E).map((f) => `<rootDir>/${f}`),
  testPathIgnorePatterns: ['/node_modules/'],
};
