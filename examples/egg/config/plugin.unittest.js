// Under test, nothing that outlives app.close() and would keep the test process alive: no file watcher, no timers
// of scheduled jobs (log rotation is one).
module.exports = { development: false, watcher: false, schedule: false, logrotator: false };
