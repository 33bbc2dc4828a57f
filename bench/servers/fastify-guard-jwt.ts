/**
 * The Fastify guard with an RS256 bearer JWT: `bearerJwt({ issuer, audience })` (keys by OIDC discovery and JWKS),
 * then the session check through the cache; the `sessionGuard` plugin and `requireActiveSession(appId)` on onRequest.
 */
import { bearerJwt, createSessionGuard, requireActiveSession, sessionGuard } from '../../src/fastify';
import { buildFastifyApp, cacheOptionsOf, readConfig, serveFastify } from './fastify-common';

const config = readConfig();
const guard = createSessionGuard({
  host: config.host,
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  identity: bearerJwt({ issuer: config.issuer, audience: config.appId }),
  cache: cacheOptionsOf(config),
});
const app = await buildFastifyApp(requireActiveSession(config.appId), (instance) => instance.register(sessionGuard, { guard }));
await serveFastify(app, () => guard.close());
