import { createCluster } from 'redis';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { clusterSlot } from '../../src/redis/cluster-slot';
import { authorizationEpochKey, epochKey, generationFields, invalidationChannel, userKeys } from '../../src/redis/keys';
import { EPOCH, INVALIDATE, INVALIDATE_ALL, READ, RELEASE, WRITE } from '../../src/redis/scripts';
import { clusterClients, ownPrefix, topologyGuards } from './cluster-support';
import { manualClock } from '../support/frameworks';
import { ask, until } from './support';
import { sharedCluster, type ClusterTopology } from './topologies';

const APP = 'app-1';

let cluster: ClusterTopology;
beforeAll(async () => {
  cluster = await sharedCluster();
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

/** One user per primary (and a few more): the cases below cover every node. */
async function usersOnEveryNode(prefix: string, fake: FakeGenAuth): Promise<Map<string, number>> {
  const owners = new Map<string, number>();
  const ports = new Set<number>();
  for (let i = 0; owners.size < 6 || ports.size < cluster.nodes.length; i++) {
    const userId = `user-${i}`;
    const port = await cluster.slotOwner(userKeys(prefix, fake.host, fake.accessKeyId, userId).generation);
    owners.set(userId, port);
    ports.add(port);
  }
  return owners;
}

describe.each(clusterClients)('Redis Cluster tier with $name', (client) => {
  let fake: FakeGenAuth;
  let prefix: string;
  // A clock that moves only when told, as in the standalone tests: with real clocks, a reader whose `now` was taken
  // just before another replica's answer (checkedAt after it) does not serve it and asks GenAuth itself (the same on
  // one Redis).
  let clock: ReturnType<typeof manualClock>;
  const guards = topologyGuards();
  const guardOf = () => guards.make(fake, client.create(cluster), { prefix }, { clock });
  const up = (...all: ReturnType<typeof guardOf>[]) => until(() => all.every((guard) => guard.stats().store === 'up'));

  beforeEach(async () => {
    clock = manualClock();
    fake = await createFakeGenAuth({ clock });
    prefix = ownPrefix();
  });
  afterEach(async () => {
    await guards.closeAll();
    await fake.close();
  });

  it('two guards share answers on every node: one GenAuth call per user', async () => {
    const a = guardOf();
    const b = guardOf();
    await up(a, b);
    const users = [...(await usersOnEveryNode(prefix, fake)).keys()];
    for (const userId of users) await fake.login(userId, APP);
    for (const userId of users) expect(await ask(a, userId)).toMatchObject({ status: 200, source: 'upstream' });
    for (const userId of users) expect(await ask(b, userId)).toMatchObject({ status: 200, source: 'cache' });
    expect(fake.calls.check).toBe(users.length);
    expect(b.stats()).toMatchObject({ storeHits: users.length, upstreamCalls: 0, storeErrors: 0, store: 'up' });
  });

  it('the lock: two guards missing the same users at once make one GenAuth call per user', async () => {
    const a = guardOf();
    const b = guardOf();
    await up(a, b);
    const users = [...(await usersOnEveryNode(prefix, fake)).keys()];
    for (const userId of users) await fake.login(userId, APP);
    const answers = await Promise.all(users.flatMap((userId) => [ask(a, userId), ask(b, userId)]));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect({ calls: fake.calls.check, storeErrors: a.stats().storeErrors + b.stats().storeErrors }).toEqual({ calls: users.length, storeErrors: 0 });
    expect(a.stats().storeHits + b.stats().storeHits).toBe(users.length);
  });

  it('an invalidation on one guard is refused on the other within 100 ms, for users on every node', async () => {
    const a = guardOf();
    const b = guardOf();
    await up(a, b);
    const users = [...(await usersOnEveryNode(prefix, fake)).keys()];
    for (const userId of users) await fake.login(userId, APP);
    for (const userId of users) expect(await ask(b, userId)).toMatchObject({ status: 200 });
    for (const [index, userId] of users.entries()) {
      fake.kick(userId);
      expect(await a.invalidateEverywhere(userId)).toBe(true);
      await until(() => b.stats().remoteInvalidations === index + 1, 100, 1);
      expect(await ask(b, userId)).toMatchObject({ status: 401, code: 'session_inactive' });
    }
    expect(b.stats().storeErrors).toBe(0);
  });

  it('role and permission answers are shared on every node, and invalidateAuthorization() reaches the other guard', async () => {
    const a = guardOf();
    const b = guardOf();
    await up(a, b);
    const users = [...(await usersOnEveryNode(prefix, fake)).keys()];
    for (const userId of users) fake.assignRole(userId, 'admin');
    const permission = { namespace: 'reports', action: 'read', resources: ['q1'] };
    for (const userId of users) {
      expect(await a.checkRoles(userId, ['admin'], { appId: APP })).toBe(true);
      expect(await a.checkPermissions(userId, permission, { appId: APP })).toBe(false);
    }
    for (const userId of users) {
      expect(await b.checkRoles(userId, ['admin'], { appId: APP })).toBe(true);
      expect(await b.checkPermissions(userId, permission, { appId: APP })).toBe(false);
    }
    expect(fake.calls).toMatchObject({ roles: users.length, permissions: users.length });
    expect(b.stats().authorization).toMatchObject({ storeHits: 2 * users.length, upstreamCalls: 0 });
    for (const userId of users) fake.revokeRole(userId, 'admin');
    a.invalidateAuthorization();
    await until(() => b.stats().remoteInvalidations === 1, 1_000);
    for (const userId of users) expect(await b.checkRoles(userId, ['admin'], { appId: APP })).toBe(false);
    expect(fake.calls.roles).toBe(2 * users.length);
  });

  it('invalidateAll on one guard: the other serves no answer stored before it, from its cache or from Redis', async () => {
    const a = guardOf();
    const b = guardOf();
    await up(a, b);
    const users = [...(await usersOnEveryNode(prefix, fake)).keys()];
    for (const userId of users) await fake.login(userId, APP);
    for (const userId of users) await ask(a, userId);
    expect(fake.calls.check).toBe(users.length);
    a.invalidateAll();
    await until(() => b.stats().remoteInvalidations === 1, 1_000);
    for (const userId of users) expect(await ask(b, userId)).toMatchObject({ status: 200, source: 'upstream' });
    expect(fake.calls.check).toBe(2 * users.length);
    // Answers written after it serve again.
    for (const userId of users) expect(await ask(a, userId)).toMatchObject({ status: 200 });
    expect(fake.calls.check).toBe(2 * users.length);
  });
});

describe('every script touches keys of one slot only', () => {
  const host = 'https://core.example.com';
  const accessKeyId = 'key-1';

  it('the cluster refuses a script whose keys are in two slots (the check below can fail)', async () => {
    const raw = createCluster({ rootNodes: cluster.rootNodes });
    await raw.connect();
    try {
      const one = userKeys(ownPrefix(), host, accessKeyId, 'alice').answer(APP);
      const other = userKeys(ownPrefix(), host, accessKeyId, 'bob').answer(APP);
      expect(clusterSlot(one)).not.toBe(clusterSlot(other));
      await expect(raw.sendCommand(one, false, ['EVAL', 'return 1', '2', one, other])).rejects.toThrow(/CROSSSLOT/);
    } finally {
      raw.destroy();
    }
  });

  it('each script of scripts.ts runs on the real cluster with the keys the store gives it', async () => {
    const raw = createCluster({ rootNodes: cluster.rootNodes });
    await raw.connect();
    const prefix = ownPrefix();
    const keys = userKeys(prefix, host, accessKeyId, 'alice');
    const nonce = () => `n${ownPrefix().replace(/-/g, '_')}`;
    const channel = invalidationChannel(prefix, host, accessKeyId);
    const run = async (script: { source: string }, scriptKeys: string[], args: string[]) => {
      // The slot this package computes is the one Redis computes.
      for (const key of scriptKeys) expect(Number(await raw.sendCommand(key, true, ['CLUSTER', 'KEYSLOT', key]))).toBe(clusterSlot(key));
      expect(new Set(scriptKeys.map(clusterSlot)).size).toBe(1);
      return raw.sendCommand(scriptKeys[0], false, ['EVAL', script.source, String(scriptKeys.length), ...scriptKeys, ...args]);
    };
    try {
      const token = await run(EPOCH, [epochKey(prefix, host, accessKeyId)], [nonce()]);
      await run(EPOCH, [authorizationEpochKey(prefix, host, accessKeyId)], [nonce()]);
      const read = await run(READ, [keys.answer(APP), keys.lock(APP), keys.generation],
        ['lock-1', '5000', String(Date.now()), '', '60000', '60000', '65000', String(token), generationFields.user, nonce(), generationFields.app(APP), nonce()]) as unknown as unknown[];
      expect(read[0]).toBe(2);
      const answer = JSON.stringify({ a: 1, c: Date.now(), e: Date.now() + 60_000, g: read[3], t: token });
      expect(await run(WRITE, [keys.answer(APP), keys.lock(APP), keys.answers, keys.generation],
        [answer, String(Number(read[4]) + 60_000), String(read[3]), 'lock-1', generationFields.user, generationFields.app(APP)])).toBe(1);
      await run(RELEASE, [keys.lock(APP)], ['lock-1']);
      const message = JSON.stringify({ o: 'test', u: 'alice' });
      expect(await run(INVALIDATE, [keys.generation, keys.authorizations, keys.answers],
        ['60000', channel, message, 'user', generationFields.user, nonce(), generationFields.authorization, nonce()])).toBe(1);
      await run(INVALIDATE, [keys.generation, keys.authorizations, keys.answers, keys.answer(APP)],
        ['60000', channel, message, 'app', generationFields.app(APP), nonce(), generationFields.authorization, nonce()]);
      await run(INVALIDATE, [keys.generation, keys.authorizations], ['60000', channel, message, 'authz', generationFields.authorization, nonce()]);
      await run(INVALIDATE_ALL, [epochKey(prefix, host, accessKeyId)], [channel, 'test', 'all', nonce()]);
    } finally {
      raw.destroy();
    }
  });
});
