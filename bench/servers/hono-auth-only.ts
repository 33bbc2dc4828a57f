/**
 * Baseline for the Hono guard's hit path: a Hono middleware that only sets `c.var.auth` to a constant object and
 * awaits `next()`, the least a Hono middleware that sets an auth variable can do.
 */
import type { MiddlewareHandler } from 'hono';
import { readConfig, serve } from './common';
import { buildHonoApp, honoListener } from './hono-common';

const config = readConfig();
const auth = Object.freeze({ userId: 'constant', appId: config.appId, session: Object.freeze({ active: true as const, source: 'cache' as const, checkedAt: 0 }) });
const setAuth: MiddlewareHandler = async (c, next) => {
  c.set('auth', auth);
  await next();
};
await serve(honoListener(buildHonoApp(setAuth)));
