import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { sentinelClients, topologyGuards } from './cluster-support';
import { ask, until } from './support';
import { startSentinelSet, type OwnSentinelSet } from './topologies';

const APP = 'app-1';
const USERS = ['alice', 'bob', 'carol', 'dave'];

describe.each(sentinelClients)('Redis tier behind Sentinel with $name', (client) => {
  let set: OwnSentinelSet;
  let fake: FakeGenAuth;
  const guards = topologyGuards();
  const guardOf = () => guards.make(fake, client.create(set), { prefix: 'gsg-sentinel', timeoutMs: 1_000, retryAfterMs: 200 });

  beforeAll(async () => {
    set = await startSentinelSet();
  }, 60_000);
  afterAll(async () => {
    await set.stop();
  });
  beforeEach(async () => {
    fake = await createFakeGenAuth();
  });
  afterEach(async () => {
    await guards.closeAll();
    await fake.close();
  });

  it('two guards share answers (one GenAuth call per user) and an invalidation is refused on the other within 100 ms', async () => {
    const a = guardOf();
    const b = guardOf();
    await until(() => a.stats().store === 'up' && b.stats().store === 'up');
    for (const userId of USERS) await fake.login(userId, APP);
    for (const userId of USERS) expect(await ask(a, userId)).toMatchObject({ status: 200, source: 'upstream' });
    for (const userId of USERS) expect(await ask(b, userId)).toMatchObject({ status: 200, source: 'cache' });
    expect(fake.calls.check).toBe(USERS.length);
    fake.kick('alice');
    expect(await a.invalidateEverywhere('alice')).toBe(true);
    await until(() => b.stats().remoteInvalidations === 1, 100, 1);
    expect(await ask(b, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
  });

  it(`a failover loses no invalidation: users kicked after it are refused on every guard within ${client.failoverRefusalMs} ms`, async () => {
    const a = guardOf();
    const b = guardOf();
    await until(() => a.stats().store === 'up' && b.stats().store === 'up');
    for (const userId of USERS) await fake.login(userId, APP);
    for (const userId of USERS) {
      expect(await ask(a, userId)).toMatchObject({ status: 200 });
      expect(await ask(b, userId)).toMatchObject({ status: 200 });
    }
    await set.failover();
    // The store may not know of the new primary yet: each invalidation is sent, or replayed once it does.
    for (const userId of USERS) {
      fake.kick(userId);
      a.invalidate(userId);
    }
    await until(async () => {
      const answers = await Promise.all(USERS.flatMap((userId) => [ask(a, userId), ask(b, userId)]));
      return answers.every((answer) => answer.status === 401);
    }, client.failoverRefusalMs, 20);
    // The old primary made a replica (as the sentinels do within about 10 s): whatever it took after the failover
    // is gone; the invalidations must have reached the new primary.
    await set.rejoinOldPrimary();
    await until(() => a.stats().store === 'up' && b.stats().store === 'up', 20_000);
    // A replica started now has nothing in process: only the store's generations stand between it and the answers
    // stored before the kicks.
    const c = guardOf();
    await until(() => c.stats().store === 'up', 20_000);
    for (const userId of USERS) expect(await ask(c, userId)).toMatchObject({ status: 401 });
    // And the store keeps answering after the failover: a new user is shared again.
    await fake.login('erin', APP);
    const calls = fake.calls.check;
    await until(() => a.stats().store === 'up' && b.stats().store === 'up', 10_000);
    expect(await ask(a, 'erin')).toMatchObject({ status: 200 });
    expect(await ask(b, 'erin')).toMatchObject({ status: 200, source: 'cache' });
    expect(fake.calls.check).toBe(calls + 1);
  }, 60_000);
});
