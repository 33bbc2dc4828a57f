/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // jose 6 ships ES modules only: let the transformer turn it into CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // The examples import the package by name (as users do); tests run them against the source.
  moduleNameMapper: {
    '^genauth-session-guard$': '<rootDir>/src/index.ts',
    '^genauth-session-guard/(koa|testing|redis|fastify)$': '<rootDir>/src/$1.ts',
  },
  // Room for a loaded CI machine (2 cores shared): a test that hangs still fails, within a minute. Tests assert
  // counts and ordering, never durations; timeouts of the code under test are set per test.
  testTimeout: 60000,
  // Two test files at a time: both cores of the CI machine (Jest's default there is one worker, in band). The tests
  // hold on a machine far busier than that.
  maxWorkers: 2,
};
