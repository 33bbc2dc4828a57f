/**
 * Baseline for the guard's hit path: a middleware that only sets `req.auth` to a constant object and calls `next()`,
 * the least any middleware that must set `req.auth` can do (issue 12's reference for scenario 1).
 */
import type { RequestHandler } from 'express';
import { buildApp, readConfig, serve } from './common';

const config = readConfig();
const auth = Object.freeze({ userId: 'constant', appId: config.appId, session: Object.freeze({ active: true as const, source: 'cache' as const, checkedAt: 0 }) });
const setAuth: RequestHandler = (req, _res, next) => {
  req.auth = auth;
  next();
};
await serve(buildApp(setAuth));
