import Redis from 'ioredis';
import * as core from '../../scripts/redis-topologies-core.cjs';
import { clusterSlot } from '../../src/redis/cluster-slot';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { authorizationEpochKey, epochKey, invalidationChannel, userKeys } from '../../src/redis/keys';
import { clusterClients, topologyGuards } from './cluster-support';
import { ask, storeEvents, until } from './support';
import { startCluster, type OwnCluster } from './topologies';

const APP = 'app-1';
const PREFIX = 'gsg-faults';

/** Users by the port of the primary that holds their keys, at least `perNode` on each. */
async function usersByNode(cluster: OwnCluster, fake: FakeGenAuth, perNode = 2): Promise<Map<number, string[]>> {
  const byNode = new Map<number, string[]>(cluster.nodes.map((node) => [node.port, []]));
  for (let i = 0; [...byNode.values()].some((users) => users.length < perNode); i++) {
    const userId = `user-${i}`;
    const port = await cluster.slotOwner(userKeys(PREFIX, fake.host, fake.accessKeyId, userId).generation);
    const users = byNode.get(port)!;
    if (users.length < perNode) users.push(userId);
  }
  return byNode;
}

/** How many clients of `port` are subscribed to `channel` (PUBSUB NUMSUB answers for the node asked). */
async function subscribersOn(port: number, channel: string): Promise<number> {
  const node = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  node.on('error', () => undefined);
  try {
    await node.connect();
    const reply = await node.pubsub('NUMSUB', channel) as [string, number];
    return Number(reply[1]);
  } finally {
    node.disconnect();
  }
}

describe.each(clusterClients)('Redis Cluster faults with $name', (client) => {
  let cluster: OwnCluster;
  let fake: FakeGenAuth;
  const guards = topologyGuards();
  const guardOf = (retryAfterMs = 60_000) => guards.make(fake, client.create(cluster), { prefix: PREFIX, timeoutMs: 1_000, retryAfterMs });

  beforeEach(async () => {
    cluster = await startCluster();
    fake = await createFakeGenAuth();
  }, 60_000);
  afterEach(async () => {
    await guards.closeAll();
    await fake.close();
    await cluster.stop();
  });

  it('a lost node is no outage: users of the other nodes keep the shared tier, its users fall back to GenAuth', async () => {
    const a = guardOf();
    await until(() => a.stats().store === 'up');
    const byNode = await usersByNode(cluster, fake);
    // The node lost holds neither token (losing that one is covered in docs/replicas.md: no shared tier for a
    // replica that connects or resubscribes meanwhile).
    const tokenNodes = new Set([
      await cluster.slotOwner(epochKey(PREFIX, fake.host, fake.accessKeyId)),
      await cluster.slotOwner(authorizationEpochKey(PREFIX, fake.host, fake.accessKeyId)),
    ]);
    const lost = cluster.nodes.map((node) => node.port).find((port) => !tokenNodes.has(port))!;
    const users = [...byNode.values()].flat();
    for (const userId of users) await fake.login(userId, APP);
    for (const userId of users) expect(await ask(a, userId)).toMatchObject({ status: 200 });
    expect(fake.calls.check).toBe(users.length);

    await cluster.kill(lost);
    await cluster.waitFailed(lost);
    const b = guardOf();
    await until(() => b.stats().store !== 'connecting' && b.stats().store !== 'down', 10_000);
    // Its users first: the failure there must not keep the guard off the other nodes.
    for (const userId of byNode.get(lost)!) expect(await ask(b, userId)).toMatchObject({ status: 200, source: 'upstream' });
    expect(b.stats().store).toBe('partial');
    expect(b.health().ok).toBe(true);
    const elsewhere = [...byNode].filter(([port]) => port !== lost).flatMap(([, ids]) => ids);
    for (const userId of elsewhere) expect(await ask(b, userId)).toMatchObject({ status: 200, source: 'cache' });
    expect(b.stats().storeHits).toBe(elsewhere.length);
    expect(fake.calls.check).toBe(users.length + byNode.get(lost)!.length);
    // Failing closed on GenAuth as always, for the lost node's users.
    const [victim] = byNode.get(lost)!;
    fake.kick(victim!);
    b.invalidate(victim!);
    expect(await ask(b, victim!)).toMatchObject({ status: 401 });
  }, 60_000);

  it('a frozen node that held the subscription: found by PING, moved, and every kicked user refused', async () => {
    const b = guardOf();
    await until(() => b.stats().store === 'up');
    const channel = invalidationChannel(PREFIX, fake.host, fake.accessKeyId);
    const counts = await Promise.all(cluster.nodes.map((node) => subscribersOn(node.port, channel)));
    const frozen = cluster.nodes[counts.findIndex((count) => count === 1)]!.port;
    const a = guardOf();
    await until(() => a.stats().store === 'up');
    const byNode = await usersByNode(cluster, fake, 8);
    // Users whose keys live elsewhere: their invalidations succeed, and their messages never reach the frozen node.
    const users = [...byNode].filter(([port]) => port !== frozen).flatMap(([, ids]) => ids);
    for (const userId of users) await fake.login(userId, APP);
    for (const userId of users) expect(await ask(b, userId)).toMatchObject({ status: 200 });
    const events = storeEvents();
    let killed = false;
    try {
      cluster.pause(frozen);
      for (const userId of users) {
        fake.kick(userId);
        expect(await a.invalidateEverywhere(userId)).toBe(true);
      }
      // Detected within two heartbeats (200 ms), subscribed again on another node, then every copy dropped.
      await until(async () => (await Promise.all(users.map((userId) => ask(b, userId)))).every((answer) => answer.status === 401), 5_000, 50);
      expect(events.seen.some((event) => event.event === 'resubscribed')).toBe(true);
      expect(events.seen.some((event) => event.event === 'down')).toBe(true);
      await cluster.kill(frozen);
      killed = true;
      for (const userId of users) expect(await ask(b, userId)).toMatchObject({ status: 401 });
    } finally {
      events.stop();
      if (!killed) cluster.resume(frozen);
    }
  }, 60_000);

  it('an invalidation that could not reach a frozen node is replayed once it answers, and reaches the other guard', async () => {
    const a = guardOf(300);
    const b = guardOf(300);
    await until(() => a.stats().store === 'up' && b.stats().store === 'up');
    const byNode = await usersByNode(cluster, fake, 1);
    const tokenNodes = new Set([
      await cluster.slotOwner(epochKey(PREFIX, fake.host, fake.accessKeyId)),
      await cluster.slotOwner(authorizationEpochKey(PREFIX, fake.host, fake.accessKeyId)),
    ]);
    const frozen = cluster.nodes.map((node) => node.port).find((port) => !tokenNodes.has(port))!;
    const [victim] = byNode.get(frozen)!;
    await fake.login(victim!, APP);
    expect(await ask(a, victim!)).toMatchObject({ status: 200 });
    expect(await ask(b, victim!)).toMatchObject({ status: 200, source: 'cache' });
    const events = storeEvents();
    cluster.pause(frozen);
    try {
      fake.kick(victim!);
      expect(await a.invalidateEverywhere(victim!)).toBe(false);
      expect(a.stats().store).toBe('partial');
      // A leaves the store out for that user meanwhile, and GenAuth refuses.
      expect(await ask(a, victim!)).toMatchObject({ status: 401 });
    } finally {
      cluster.resume(frozen);
    }
    // Replayed by A once the node answers: B, which kept its copy meanwhile, is told.
    await until(() => b.stats().remoteInvalidations >= 1, 10_000);
    expect(await ask(b, victim!)).toMatchObject({ status: 401 });
    await until(() => a.stats().store === 'up', 10_000).catch((error) => {
      throw new Error(`${(error as Error).message}: ${a.stats().store} ${JSON.stringify(events.seen.slice(-8))}`);
    });
    events.stop();
  }, 60_000);

  it('a node restarted empty (tokens included): no kicked user passes anywhere, and the guards share again', async () => {
    const a = guardOf(200);
    const b = guardOf(200);
    await until(() => a.stats().store === 'up' && b.stats().store === 'up');
    const byNode = await usersByNode(cluster, fake, 2);
    const restarted = await cluster.slotOwner(epochKey(PREFIX, fake.host, fake.accessKeyId));
    const users = [...byNode.values()].flat();
    for (const userId of users) await fake.login(userId, APP);
    for (const userId of users) {
      expect(await ask(a, userId)).toMatchObject({ status: 200 });
      expect(await ask(b, userId)).toMatchObject({ status: 200 });
    }
    await cluster.kill(restarted);
    await cluster.restart(restarted);
    await cluster.waitOk();
    const kicked = byNode.get(restarted)!.concat(users.filter((userId) => !byNode.get(restarted)!.includes(userId)).slice(0, 1));
    for (const userId of kicked) {
      fake.kick(userId);
      a.invalidate(userId);
    }
    await until(async () => (await Promise.all(kicked.flatMap((userId) => [ask(a, userId), ask(b, userId)]))).every((answer) => answer.status === 401), 10_000, 50);
    // Back to sharing: a guard started now made the lost token afresh; A, which kept the old one, meets answers
    // under the new one, reads the tokens again, and is then served what C wrote.
    await until(() => a.stats().store === 'up' && b.stats().store === 'up', 10_000);
    const c = guardOf(200);
    await until(() => c.stats().store === 'up');
    const hitsBefore = a.stats().storeHits;
    let round = 0;
    await until(async () => {
      const userId = `late-${round++}`;
      await fake.login(userId, APP);
      expect(await ask(c, userId)).toMatchObject({ status: 200 });
      expect(await ask(a, userId)).toMatchObject({ status: 200 });
      return a.stats().storeHits > hitsBefore;
    }, 10_000, 250);
    expect(round).toBeLessThanOrEqual(3);
  }, 60_000);

  it("the tokens' node frozen: a guard that must read them asks GenAuth, blames that node once, and keeps no user's node off", async () => {
    const frozen = await cluster.slotOwner(epochKey(PREFIX, fake.host, fake.accessKeyId));
    const byNode = await usersByNode(cluster, fake, 2);
    const users = [...byNode].filter(([port]) => port !== frozen).flatMap(([, ids]) => ids);
    for (const userId of users) await fake.login(userId, APP);
    cluster.pause(frozen);
    const events = storeEvents();
    try {
      const c = guardOf();
      await until(() => c.stats().store === 'up', 10_000);
      for (const userId of users) expect(await ask(c, userId)).toMatchObject({ status: 200, source: 'upstream' });
      const errors = events.seen.filter((event) => event.event === 'error' && event.operation === 'read');
      // One read waited for the tokens (most of one store timeout), the others failed at once.
      expect(errors.filter((event) => /no token from .*:\d+ in time/.test(event.message ?? ''))).toHaveLength(1);
      expect(errors.filter((event) => /tokens unavailable/.test(event.message ?? ''))).toHaveLength(users.length - 1);
      expect(c.stats()).toMatchObject({ store: 'partial', storeHits: 0, upstreamCalls: users.length });
      expect(c.health().ok).toBe(true);
    } finally {
      events.stop();
      cluster.resume(frozen);
    }
  }, 60_000);

  it("a user's slot moved to another node (resharding): followed through MOVED, no store error, invalidations still reach the other guard", async () => {
    const a = guardOf();
    const b = guardOf();
    await until(() => a.stats().store === 'up' && b.stats().store === 'up');
    const byNode = await usersByNode(cluster, fake, 1);
    const [from, [userId]] = [...byNode][0]! as [number, string[]];
    const to = cluster.nodes.map((node) => node.port).find((port) => port !== from)!;
    await fake.login(userId!, APP);
    expect(await ask(a, userId!)).toMatchObject({ status: 200, source: 'upstream' });

    // The moves `redis-cli --cluster reshard` makes, for the user's one slot: its keys go with it.
    const slot = clusterSlot(userKeys(PREFIX, fake.host, fake.accessKeyId, userId!).generation);
    const [fromId, toId] = [await core.command(from, ['CLUSTER', 'MYID']), await core.command(to, ['CLUSTER', 'MYID'])];
    await core.command(to, ['CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId]);
    await core.command(from, ['CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId]);
    const keys = await core.command(from, ['CLUSTER', 'GETKEYSINSLOT', slot, 100]) as string[];
    expect(keys.length).toBeGreaterThan(0);
    await core.command(from, ['MIGRATE', '127.0.0.1', to, '', 0, 5_000, 'KEYS', ...keys]);
    for (const node of cluster.nodes) await core.command(node.port, ['CLUSTER', 'SETSLOT', slot, 'NODE', toId]);
    await until(async () => (await cluster.slotOwner(userKeys(PREFIX, fake.host, fake.accessKeyId, userId!).generation)) === to);

    expect(await ask(b, userId!)).toMatchObject({ status: 200, source: 'cache' });
    expect(fake.calls.check).toBe(1);
    fake.kick(userId!);
    expect(await a.invalidateEverywhere(userId!)).toBe(true);
    await until(() => b.stats().remoteInvalidations === 1, 1_000);
    expect(await ask(b, userId!)).toMatchObject({ status: 401 });
    for (const guard of [a, b]) expect(guard.stats()).toMatchObject({ store: 'up', storeErrors: 0 });
  }, 60_000);
});
