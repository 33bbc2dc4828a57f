/**
 * Our guard, identity from a header set by a trusted proxy: `header('x-user-id')`, token auth (the default),
 * the cache at its defaults unless the runner sets `ttlMs` / `cacheMax` (the expiry scenario does).
 */
import { createSessionGuard, header, requireActiveSession } from '../../src/index';
import { buildApp, cacheOptionsOf, readConfig, serve } from './common';

const config = readConfig();
const guard = createSessionGuard({
  host: config.host,
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  identity: header('x-user-id'),
  cache: cacheOptionsOf(config),
});
await serve(buildApp(requireActiveSession(config.appId, { guard })), () => {
  // How the cache answered over the whole life of the server (warm-ups and probes included): in scenario 5, whether
  // refresh ahead kept the expiring side off the miss path.
  const { hits, misses, coalesced, refreshes, upstreamCalls } = guard.stats();
  process.stderr.write(`[bench] guard-header ttlMs ${config.ttlMs ?? 'default'}: hits ${hits}, misses ${misses}, coalesced ${coalesced}, refreshes ${refreshes}, upstream calls ${upstreamCalls}\n`);
  return guard.close();
});
