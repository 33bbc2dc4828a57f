const { tmpdir } = require('node:os');
const { join } = require('node:path');

// Under test (NODE_ENV=test), Egg's logs and run files go to the temporary directory, not into the example.
module.exports = () => ({
  rundir: join(tmpdir(), 'genauth-session-guard-egg-example', 'run'),
  logger: { dir: join(tmpdir(), 'genauth-session-guard-egg-example', 'logs'), consoleLevel: 'NONE' },
});
