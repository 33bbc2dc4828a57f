/** bench/servers/nest-guard-header.ts on platform-fastify: `ActiveSessionGuard`, header identity, cache hit. */
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
await serveNest(ActiveSessionGuard, { imports: [SessionGuardModule.forRoot({ guard, appId: config.appId })] }, () => guard.close(), 'fastify');
