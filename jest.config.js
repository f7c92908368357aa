const { E2E } = require('./test/setup/suites');

/**
 * `npm test`: every test file but the end-to-end ones (test/setup/suites.js), which `npm run test:e2e` runs
 * (jest.e2e.config.js).
 * @type {import('jest').Config}
 */
module.exports = {
  // Jest's node environment plus one CloudFormation Validate engine per worker instead of one per test file
  // (test/setup/environment.js); aws-cdk-lib reaches it through the mapped package below.
  testEnvironment: '<rootDir>/test/setup/environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...Object.keys(E2E).map((f) => `<rootDir>/${f.replace(/\./g, '\\.')}$`)],
  // swc strips types only; `npm run typecheck` (tsc --noEmit) checks them.
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    // jose (token verification in the reference server) ships ES modules only; Jest runs CommonJS.
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@aws/cloudformation-validate$': '<rootDir>/test/setup/cloudformation-validate.js',
    // One esbuild bundle per worker, not per test file (test/setup/environment.js).
    '^esbuild$': '<rootDir>/test/setup/esbuild.js',
  },
  snapshotSerializers: ['<rootDir>/test/setup/mask-asset-hashes.js'],
  testTimeout: 120000,
  // Two cores, three workers: the failover drills of `npm run test:e2e` (which inherits this) spend most of their
  // time waiting on real timers (probe intervals, alarm periods), and files of both commands wait on child
  // processes (npm, the CLIs, cfn-guard, openssl, servers), so a third worker keeps both cores busy meanwhile.
  maxWorkers: 3,
};
