/** The Hono guard with an RS256 bearer JWT (`bearerJwt`, keys through the fake's discovery and JWKS), on `@hono/node-server`. */
import { bearerJwt, createSessionGuard } from '../../src/index';
import { requireActiveSession } from '../../src/hono';
import { cacheOptionsOf, readConfig, serve } from './common';
import { buildHonoApp, honoListener } from './hono-common';

const config = readConfig();
const guard = createSessionGuard({
  host: config.host,
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  identity: bearerJwt({ issuer: config.issuer, audience: config.appId }),
  cache: cacheOptionsOf(config),
});
await serve(honoListener(buildHonoApp(requireActiveSession(config.appId, { guard }))), () => guard.close());
