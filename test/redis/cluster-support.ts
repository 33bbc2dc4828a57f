import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { createCluster, createSentinel } from 'redis';
import { createSessionGuard, header, type SessionGuard, type SessionGuardOptions } from '../../src/index';
import { redisStore, type RedisClientLike, type RedisStoreOptions } from '../../src/redis';
import type { FakeGenAuth } from '../../src/testing';
import type { ClusterTopology, SentinelTopology } from './topologies';

/** A cluster client as an app would create it, per library: every cluster table runs through both. */
export interface ClusterClientUnderTest {
  name: string;
  create(cluster: ClusterTopology): RedisClientLike;
}

export const clusterClients: ClusterClientUnderTest[] = [
  { name: 'node-redis v5 createCluster', create: (cluster) => createCluster({ rootNodes: cluster.rootNodes }) },
  { name: 'ioredis Cluster', create: (cluster) => new Redis.Cluster(cluster.ioredisNodes, { lazyConnect: true }) },
];

/** A Sentinel client as an app would create it, per library. */
export interface SentinelClientUnderTest {
  name: string;
  create(set: SentinelTopology): RedisClientLike;
  /**
   * How long after a failover an invalidation may take to be refused everywhere. node-redis's Sentinel client sleeps
   * a fixed 1000 ms when the sentinels name no usable primary during a failover, and holds every call meanwhile
   * (RedisSentinelInternal#connect): its calls, the invalidation's included, wait for that. Measured: 0.05-1.06 s
   * after `failover()` returns (mostly just over 1 s, all of it that hold); 2 s leaves room for a loaded machine. Up
   * to 11.6 s before locks taken by reads the guard had given up on were released (they held lookups for lockMs).
   */
  failoverRefusalMs: number;
}

export const sentinelClients: SentinelClientUnderTest[] = [
  {
    name: 'node-redis v5 createSentinel',
    create: (set) => {
      const client = createSentinel(set.nodeRedisOptions());
      client.on('error', () => undefined);
      return client;
    },
    failoverRefusalMs: 2_000,
  },
  { name: 'ioredis { sentinels, name }', create: (set) => new Redis({ ...set.ioredisOptions(), lazyConnect: true }), failoverRefusalMs: 1_000 },
];

/** A key prefix of the test's own: tests on the shared cluster never see each other's keys. */
export function ownPrefix(): string {
  return `gsg-t-${randomBytes(6).toString('hex')}`;
}

/** Builds guards on one fake GenAuth, each with a store on a client of its own, and closes them after each test. */
export function topologyGuards() {
  const guards: SessionGuard[] = [];
  return {
    make(fake: FakeGenAuth, client: RedisClientLike, storeOptions: Partial<RedisStoreOptions> = {}, overrides: Partial<SessionGuardOptions> = {}): SessionGuard {
      const guard = createSessionGuard({
        host: fake.host,
        accessKeyId: fake.accessKeyId,
        accessKeySecret: fake.accessKeySecret,
        identity: header('x-user-id'),
        timeoutMs: 10_000,
        retries: 0,
        // Roomy timeouts for a loaded 2-core machine; a short heartbeat so that a lost subscriber is found quickly.
        store: redisStore({ client, timeoutMs: 5_000, heartbeatMs: 200, ...storeOptions }),
        ...overrides,
      } as SessionGuardOptions);
      guards.push(guard);
      return guard;
    },
    async closeAll() {
      await Promise.all(guards.splice(0).map((guard) => guard.close()));
    },
  };
}
