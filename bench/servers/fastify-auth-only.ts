/**
 * Baseline for the Fastify guard's hit path: a callback-style `onRequest` hook that only sets the decorated
 * `request.auth` to a constant object and calls `done()`, the least a Fastify hook that sets an auth field can do.
 */
import type { onRequestHookHandler } from 'fastify';
import type { SessionAuth } from '../../src/fastify';
import { buildFastifyApp, readConfig, serveFastify } from './fastify-common';

const config = readConfig();
const auth = Object.freeze({ userId: 'constant', appId: config.appId, session: Object.freeze({ active: true as const, source: 'cache' as const, checkedAt: 0 }) }) as SessionAuth;
const setAuth: onRequestHookHandler = (request, _reply, done) => {
  request.auth = auth;
  done();
};
await serveFastify(await buildFastifyApp(setAuth, (app) => {
  app.decorateRequest('auth', null);
}));
