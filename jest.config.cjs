/** @type {import('jest').Config} */
module.exports = {
  // Node's, with the process warnings tests provoke on purpose kept quiet unless their test fails.
  testEnvironment: '<rootDir>/test/support/quiet-warnings-environment.cjs',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Nest apps written with decorators (legacy ones, as Nest needs; no metadata, as tsup and tsx emit none).
    '/(test|examples)/nestjs/.+\\.ts$': ['@swc/jest', {
      jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: false } },
      module: { type: 'commonjs' },
    }],
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // jose 6 ships ES modules only: let the transformer turn it into CommonJS for Jest.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // The examples import the package by name (as users do); tests run them against the source.
  moduleNameMapper: {
    // Relative imports written for moduleResolution nodenext (`./app.js` for app.ts), as the quoted examples are.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^genauth-session-guard$': '<rootDir>/src/index.ts',
    // Every entry point is src/<name>.ts (package.json "exports" ./<name>).
    '^genauth-session-guard/([a-z]+)$': '<rootDir>/src/$1.ts',
  },
  // Room for a loaded CI machine (2 cores shared): a test that hangs still fails, within a minute. Tests assert
  // counts and ordering, never durations; timeouts of the code under test are set per test.
  testTimeout: 60000,
  // Two test files at a time: both cores of the CI machine (Jest's default there is one worker, in band). The tests
  // hold on a machine far busier than that.
  maxWorkers: 2,
};
