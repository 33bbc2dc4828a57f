/**
 * The clients `redisStore({ client })` accepts, told apart by what each library's own classes are, not by what
 * happens to be callable on them.
 * - `node-redis`: `createClient()` from `redis` (v5);
 * - `node-redis-cluster`: `createCluster({ rootNodes })`;
 * - `node-redis-sentinel`: `createSentinel({ name, sentinelRootNodes })`;
 * - `ioredis`: `new Redis()`;
 * - `ioredis-sentinel`: `new Redis({ sentinels, name })`;
 * - `ioredis-cluster`: `new Redis.Cluster(nodes)`.
 */
export type ClientKind = 'node-redis' | 'node-redis-cluster' | 'node-redis-sentinel' | 'ioredis' | 'ioredis-sentinel' | 'ioredis-cluster';

type Bag = Partial<Record<string, unknown>>;

const fn = (value: unknown): boolean => typeof value === 'function';

/** node-redis `RedisCluster`: routes by key (`sendCommand(firstKey, isReadonly, args)`) and knows its masters. */
function isNodeRedisCluster(client: Bag): boolean {
  return fn(client.sendCommand) && fn(client.connect) && fn(client.duplicate) && fn(client.nodeClient) &&
    fn(client.getSlotMaster) && 'masters' in client && 'isOpen' in client;
}

/** node-redis `RedisSentinel`: leases clients of the current master and names its nodes. */
function isNodeRedisSentinel(client: Bag): boolean {
  return fn(client.sendCommand) && fn(client.connect) && fn(client.acquire) && fn(client.getMasterNode) &&
    fn(client.getSentinelNode) && 'isReady' in client;
}

/** node-redis `RedisClient` (one server). */
function isNodeRedis(client: Bag): boolean {
  return fn(client.sendCommand) && fn(client.connect) && fn(client.duplicate) && 'isReady' in client &&
    'isPubSubActive' in client && !fn(client.nodeClient);
}

/** ioredis `Redis` or `Cluster`: both carry `isCluster`. */
function isIoRedis(client: Bag): boolean {
  return fn(client.call) && fn(client.connect) && fn(client.duplicate) && typeof client.status === 'string' &&
    typeof client.isCluster === 'boolean';
}

const ACCEPTED = 'a node-redis v5 client (createClient(), createCluster() or createSentinel() from "redis") or an ' +
  'ioredis 5 client (new Redis(), new Redis({ sentinels, name }) or new Redis.Cluster())';

/** Which kind of client this is; a `TypeError` naming what is accepted for anything else. */
export function clientKind(client: unknown): ClientKind {
  if (typeof client === 'object' && client !== null) {
    const bag = client as Bag;
    if (isNodeRedisCluster(bag)) return 'node-redis-cluster';
    if (isNodeRedisSentinel(bag)) return 'node-redis-sentinel';
    if (isNodeRedis(bag)) return 'node-redis';
    if (isIoRedis(bag)) {
      if (bag.isCluster === true) return fn(bag.nodes) ? 'ioredis-cluster' : reject(client);
      const { sentinels } = (bag.options ?? {}) as { sentinels?: unknown };
      return Array.isArray(sentinels) && sentinels.length > 0 ? 'ioredis-sentinel' : 'ioredis';
    }
  }
  return reject(client);
}

function reject(client: unknown): never {
  const got = client === null ? 'null' : typeof client === 'object' ? (client.constructor?.name ?? 'an object') : typeof client;
  throw new TypeError(`genauth-session-guard: redisStore({ client }) needs ${ACCEPTED}; got ${got}.`);
}
