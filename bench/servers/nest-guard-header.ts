/**
 * The NestJS `ActiveSessionGuard`, identity from a header set by a trusted proxy (`header('x-user-id')`), token
 * auth, the cache at its defaults unless the runner sets `ttlMs` / `cacheMax`.
 */
import { createSessionGuard, header } from '../../src/index';
import { ActiveSessionGuard, SessionGuardModule } from '../../src/nestjs';
import { cacheOptionsOf, readConfig } from './common';
import { serveNest } from './nest-common';

const config = readConfig();
const guard = createSessionGuard({
  host: config.host,
  accessKeyId: config.accessKeyId,
  accessKeySecret: config.accessKeySecret,
  identity: header('x-user-id'),
  cache: cacheOptionsOf(config),
});
await serveNest(ActiveSessionGuard, { imports: [SessionGuardModule.forRoot({ guard, appId: config.appId })] }, () => guard.close());
