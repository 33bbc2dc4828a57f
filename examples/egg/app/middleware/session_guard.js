const { requireActiveSession } = require('genauth-session-guard/koa');

// An Egg.js middleware is a factory (options, app) => Koa middleware: the Koa adapter is one as it is. Options come
// from config.sessionGuard (app-wide, with Egg's `match` / `ignore`) or from the router (per route: pass `app` too).
module.exports = ({ appId, roles }, app) => requireActiveSession(appId, { guard: app.sessionGuard, ...(roles ? { roles } : {}) });
