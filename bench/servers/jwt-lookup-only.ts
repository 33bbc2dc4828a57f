/**
 * Baseline for the guard's JWT hit path: a middleware that reads `Authorization: Bearer <token>`, looks the token up
 * in a Map (filled on first sight, nothing verified) and sets `req.auth` to what it finds. The least any middleware
 * that answers a bearer JWT from a cache can do (issue 12's ceiling for scenario 3). No session check.
 */
import type { RequestHandler } from 'express';
import { buildApp, readConfig, serve } from './common';

const config = readConfig();
const known = new Map<string, object>();
const lookUp: RequestHandler = (req, res, next) => {
  const value = req.headers.authorization;
  if (value === undefined || !value.startsWith('Bearer ')) {
    res.status(401).json({ error: 'missing_credentials' });
    return;
  }
  const token = value.slice(7);
  let auth = known.get(token);
  if (auth === undefined) {
    auth = Object.freeze({ userId: 'constant', appId: config.appId });
    known.set(token, auth);
  }
  req.auth = auth as never;
  next();
};
await serve(buildApp(lookUp));
