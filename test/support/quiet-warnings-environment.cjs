'use strict';
// Jest's Node environment, quiet: many tests provoke the process warnings the guard gives on purpose
// (GENAUTH_SESSION_GUARD_CREDENTIALS_REFUSED and the other configuration warnings), and Node printed each one, which
// made a passing `npm test` look failing. Here `process.emitWarning` of the test sandbox keeps them instead, and they
// are printed (to stderr, with the test's name) only when the test they were given in fails. Tests that assert
// warnings replace `process.emitWarning` themselves (jest.spyOn or assignment) and see every call as before.
// Warnings Node itself emits on the real process (not through the sandbox's emitWarning) are printed as usual.
const { TestEnvironment } = require('jest-environment-node');

class QuietWarningsEnvironment extends TestEnvironment {
  /** Warnings given since the last test ended (its hooks included). */
  kept = [];

  constructor(config, context) {
    super(config, context);
    const kept = this.kept;
    this.global.process.emitWarning = function keepWarning(warning, options, code) {
      const name = typeof options === 'string' ? options : options?.type ?? (warning instanceof Error ? warning.name : 'Warning');
      const warningCode = typeof options === 'object' && options !== null ? options.code : code;
      const message = warning instanceof Error ? warning.message : String(warning);
      kept.push(`${warningCode ? `[${warningCode}] ` : ''}${name}: ${message}`);
    };
  }

  handleTestEvent(event) {
    if (event.name !== 'test_done') return;
    if (event.test.errors.length > 0 && this.kept.length > 0) {
      process.stderr.write(`process warnings given during the failed test "${fullName(event.test)}":\n${this.kept.map((line) => `  ${line}\n`).join('')}`);
    }
    this.kept.length = 0;
  }
}

function fullName(test) {
  const names = [];
  for (let block = test; block && block.name !== 'ROOT_DESCRIBE_BLOCK'; block = block.parent) names.unshift(block.name);
  return names.join(' > ');
}

module.exports = QuietWarningsEnvironment;
