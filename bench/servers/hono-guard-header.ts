/**
 * The Hono guard on `@hono/node-server`, identity `header('x-user-id')`: it reads Node's request (`c.env.incoming`).
 * `BENCH_HONO_WEB=1` (the hono-guard-header-web server) serves it without `c.env`, so it reads the Web `Request`.
 */
import { createSessionGuard, header } from '../../src/index';
import { requireActiveSession } from '../../src/hono';
import { cacheOptionsOf, readConfig, serve } from './common';
import { buildHonoApp, honoListener } from './hono-common';

const config = readConfig();
const guard = createSessionGuard({
  host: config.host,
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  identity: header('x-user-id'),
  cache: cacheOptionsOf(config),
});
const app = buildHonoApp(requireActiveSession(config.appId, { guard }));
await serve(honoListener(app, { web: process.env.BENCH_HONO_WEB === '1' }), () => guard.close());
