import { header, type SessionGuard, type SessionGuardOptions } from 'genauth-session-guard';
import { createFakeGenAuth, type FakeGenAuth } from 'genauth-session-guard/testing';
import { clusterGuard } from '../../examples/redis-topologies/cluster';
import { sentinelGuard } from '../../examples/redis-topologies/sentinel';
import { ask, until } from '../redis/support';
import { sharedCluster, sharedSentinelSet, type ClusterTopology, type SentinelTopology } from '../redis/topologies';

let cluster: ClusterTopology;
let set: SentinelTopology;
let fake: FakeGenAuth;
const guards: SessionGuard[] = [];

beforeAll(async () => {
  [cluster, set] = await Promise.all([sharedCluster(), sharedSentinelSet()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([cluster.stop(), set.stop()]);
});
beforeEach(async () => {
  fake = await createFakeGenAuth();
});
afterEach(async () => {
  await Promise.all(guards.splice(0).map((guard) => guard.close()));
  await fake.close();
});

const options = (): SessionGuardOptions => ({
  host: fake.host,
  accessKeyId: fake.accessKeyId,
  accessKeySecret: fake.accessKeySecret,
  identity: header('x-user-id'),
});

describe.each([
  ['examples/redis-topologies/cluster.ts', () => clusterGuard(options(), cluster.rootNodes.map(({ url }) => url))],
  ['examples/redis-topologies/sentinel.ts', () => sentinelGuard(options(), set.sentinels, set.name)],
])('%s', (_example, make) => {
  it('two replicas share one GenAuth call, and a kick on one is refused by the other', async () => {
    const [a, b] = [make(), make()];
    guards.push(a, b);
    await until(() => a.stats().store === 'up' && b.stats().store === 'up');
    const userId = `example-${Date.now()}`;
    await fake.login(userId, 'app-1');
    expect(await ask(a, userId)).toMatchObject({ status: 200, source: 'upstream' });
    expect(await ask(b, userId)).toMatchObject({ status: 200, source: 'cache' });
    expect(fake.calls.check).toBe(1);
    fake.kick(userId);
    expect(await a.invalidateEverywhere(userId)).toBe(true);
    await until(() => b.stats().remoteInvalidations === 1, 1_000);
    expect(await ask(b, userId)).toMatchObject({ status: 401 });
  });
});
