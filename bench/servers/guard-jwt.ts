/**
 * Our guard with an RS256 bearer JWT: `bearerJwt({ issuer, audience })` (keys found through the fake's OIDC
 * discovery and JWKS), then the session check through the cache (defaults unless the runner sets `ttlMs` /
 * `cacheMax`), token auth (the default).
 */
import { bearerJwt, createSessionGuard, requireActiveSession } from '../../src/index';
import { buildApp, readConfig, serve } from './common';

const config = readConfig();
const guard = createSessionGuard({
  host: config.host,
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  identity: bearerJwt({ issuer: config.issuer, audience: config.appId }),
  // Defaults, unless the runner sets them (bench:instructions gives a 1 h TTL: time runs slowly under valgrind).
  cache: {
    ...(config.ttlMs !== undefined ? { ttlMs: config.ttlMs } : {}),
    ...(config.cacheMax !== undefined ? { max: config.cacheMax } : {}),
  },
});
await serve(buildApp(requireActiveSession(config.appId, { guard })), () => guard.close());
