import { Redis } from 'ioredis'; // the named export: a default import does not construct under nodenext
import { createSessionGuard, type SessionGuard, type SessionGuardOptions } from 'genauth-session-guard';
import { redisStore } from 'genauth-session-guard/redis';

/**
 * A guard whose shared tier is the primary that Sentinel names `name`. `sentinels`: the sentinels' addresses; the
 * store follows a failover. With node-redis: `redisStore({ client: createSentinel({ name, sentinelRootNodes }) })`.
 */
export function sentinelGuard(options: SessionGuardOptions, sentinels: { host: string; port: number }[], name: string): SessionGuard {
  return createSessionGuard({
    ...options,
    // lazyConnect: this client is never connected; the store opens connections of its own with its settings.
    store: redisStore({ client: new Redis({ sentinels, name, lazyConnect: true }) }),
  });
}
