/**
 * Our guard, identity from a header set by a trusted proxy: `header('x-user-id')`, token auth (the default),
 * the cache at its defaults unless the runner sets `ttlMs` / `cacheMax` (the expiry scenario does).
 */
import { createSessionGuard, header, requireActiveSession } from '../../src/index';
import { buildApp, readConfig, serve } from './common';

const config = readConfig();
const guard = createSessionGuard({
  host: config.host,
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  identity: header('x-user-id'),
  cache: {
    ...(config.ttlMs !== undefined ? { ttlMs: config.ttlMs } : {}),
    ...(config.cacheMax !== undefined ? { max: config.cacheMax } : {}),
  },
});
await serve(buildApp(requireActiveSession(config.appId, { guard })), () => guard.close());
