import { createCluster } from 'redis';
import { createSessionGuard, type SessionGuard, type SessionGuardOptions } from 'genauth-session-guard';
import { redisStore } from 'genauth-session-guard/redis';

/**
 * A guard whose shared tier is a Redis Cluster. `rootNodes`: a few of its nodes (`redis://host:port`); the client
 * finds the others. With ioredis: `redisStore({ client: new Cluster([{ host, port }]) })` (`import { Cluster } from 'ioredis'`).
 */
export function clusterGuard(options: SessionGuardOptions, rootNodes: string[]): SessionGuard {
  return createSessionGuard({
    ...options,
    store: redisStore({ client: createCluster({ rootNodes: rootNodes.map((url) => ({ url })) }) }),
  });
}
