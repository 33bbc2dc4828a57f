import Redis from 'ioredis';
import { createClient, createCluster, createSentinel } from 'redis';
import { redisStore } from '../../src/redis';
import { clientKind } from '../../src/redis/client-kind';

const ACCEPTED = /needs a node-redis v5 client \(createClient\(\), createCluster\(\) or createSentinel\(\) from "redis"\) or an ioredis 5 client \(new Redis\(\), new Redis\(\{ sentinels, name \}\) or new Redis\.Cluster\(\)\)/;

describe('redisStore({ client }): which clients, told apart deliberately', () => {
  // None of these connects: the store only duplicates (or, for node-redis Sentinel, connects) when a guard attaches.
  const cluster = [{ url: 'redis://127.0.0.1:1' }];
  const sentinels = [{ host: '127.0.0.1', port: 1 }];
  it.each([
    ['node-redis createClient()', () => createClient(), 'node-redis'],
    ['node-redis createCluster()', () => createCluster({ rootNodes: cluster }), 'node-redis-cluster'],
    ['node-redis createSentinel()', () => createSentinel({ name: 'mymaster', sentinelRootNodes: sentinels }), 'node-redis-sentinel'],
    ['ioredis new Redis()', () => new Redis({ lazyConnect: true }), 'ioredis'],
    ['ioredis new Redis({ sentinels, name })', () => new Redis({ lazyConnect: true, sentinels, name: 'mymaster' }), 'ioredis-sentinel'],
    ['ioredis new Redis.Cluster()', () => new Redis.Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true }), 'ioredis-cluster'],
  ])('%s is accepted (its kind is told apart)', (_label, make, kind) => {
    const client = make();
    expect(clientKind(client)).toBe(kind);
    expect(() => redisStore({ client })).not.toThrow();
    if (client instanceof Redis) client.disconnect();
  });

  const zero = (): number => 0;
  it.each<[string, unknown]>([
    ['null', null],
    ['a URL string', 'redis://127.0.0.1:6379'],
    ['an object with duplicate() only (the old duck typing)', { duplicate: () => ({}) as object }],
    ['an ioredis-like object without isCluster', { call: zero, connect: zero, duplicate: zero, status: 'wait' }],
    ['a node-redis-like object without isReady', { sendCommand: zero, connect: zero, duplicate: zero }],
    ['a cluster-like object without nodes()', { call: zero, connect: zero, duplicate: zero, status: 'wait', isCluster: true }],
  ])('%s is a TypeError that says what is accepted', (_label, client) => {
    expect(() => redisStore({ client } as never)).toThrow(TypeError);
    expect(() => redisStore({ client } as never)).toThrow(ACCEPTED);
  });
});
