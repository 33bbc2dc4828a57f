/**
 * Our guard with an RS256 bearer JWT: `bearerJwt({ issuer, audience })` (keys found through the fake's OIDC
 * discovery and JWKS), then the session check through the cache (defaults unless the runner sets `ttlMs` /
 * `cacheMax`), token auth (the default).
 */
import { bearerJwt, createSessionGuard, requireActiveSession } from '../../src/index';
import { buildApp, cacheOptionsOf, readConfig, serve } from './common';

const config = readConfig();
const guard = createSessionGuard({
  host: config.host,
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  identity: bearerJwt({ issuer: config.issuer, audience: config.appId }),
  cache: cacheOptionsOf(config),
});
await serve(buildApp(requireActiveSession(config.appId, { guard })), () => guard.close());
