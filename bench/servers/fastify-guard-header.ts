/**
 * The Fastify guard, identity from a header set by a trusted proxy: the `sessionGuard` plugin with
 * `header('x-user-id')`, `requireActiveSession(appId)` as the route's `onRequest` hook, the cache at its defaults
 * unless the runner sets `ttlMs` / `cacheMax`.
 */
import { createSessionGuard, header, requireActiveSession, sessionGuard } from '../../src/fastify';
import { buildFastifyApp, cacheOptionsOf, readConfig, serveFastify } from './fastify-common';

const config = readConfig();
const guard = createSessionGuard({
  host: config.host,
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  identity: header('x-user-id'),
  cache: cacheOptionsOf(config),
});
const app = await buildFastifyApp(requireActiveSession(config.appId), (instance) => instance.register(sessionGuard, { guard }));
await serveFastify(app, () => guard.close());
