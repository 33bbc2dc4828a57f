import type { SessionGuard } from '../../src/index';
import { authorizationEpochKey, epochKey, userKeys } from '../../src/redis/keys';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { manualClock } from '../support/frameworks';
import { startRedis, type RedisServer } from './redis-server';
import { ask, clients, guardFactory, inspector, storesUp, until } from './support';

const APP = 'app-1';
// A prefix of the tests' own, so that the keys named here are the store's whatever its default.
const PREFIX = 'loss';

/**
 * Redis loses keys (FLUSHALL, a restart without persistence, eviction under an `allkeys-*` policy): no replica may
 * serve an answer older than an invalidation another replica made, whichever keys were lost (issue 18, item 2).
 */
describe.each(clients)('Redis data loss ($name)', (client) => {
  let redis: RedisServer;
  let raw: Awaited<ReturnType<typeof inspector>>;
  let fake: FakeGenAuth;
  let clock: ReturnType<typeof manualClock>;
  const factory = guardFactory(() => ({ fake, url: redis.url, client, clock }));
  const replica = () => factory.make({}, { prefix: PREFIX });
  const keysOf = (userId: string) => userKeys(PREFIX, fake.host, fake.accessKeyId, userId);
  const allKey = () => epochKey(PREFIX, fake.host, fake.accessKeyId);
  const authzKey = () => authorizationEpochKey(PREFIX, fake.host, fake.accessKeyId);
  const roles = (guard: SessionGuard, userId: string) => guard.checkRoles(userId, ['admin'], { appId: APP });

  beforeAll(async () => {
    redis = await startRedis();
    raw = await inspector(redis.url);
  });

  afterAll(async () => {
    raw.destroy();
    await redis.stop();
  });

  beforeEach(async () => {
    await raw.flushAll();
    clock = manualClock();
    fake = await createFakeGenAuth({ clock });
  });

  afterEach(async () => {
    await factory.closeAll();
    await fake.close();
  });

  /** `invalidateAll()` (or `invalidateAuthorization()`) on `guard`, resolved once Redis holds its result. */
  async function everyone(guard: SessionGuard, kind: 'all' | 'authz' = 'all'): Promise<void> {
    const key = kind === 'all' ? allKey() : authzKey();
    const before = await raw.get(key);
    if (kind === 'all') guard.invalidateAll();
    else guard.invalidateAuthorization();
    await until(async () => (await raw.get(key)) !== before);
  }

  /** Replica A knows a raised epoch (two invalidateAll), then Redis loses it (`lose`), then replica B starts. */
  async function split(lose: () => Promise<unknown>, kind: 'all' | 'authz' = 'all'): Promise<[SessionGuard, SessionGuard]> {
    const a = replica();
    await storesUp(a);
    await everyone(a, kind);
    await everyone(a, kind);
    // A lookup through the store: A's connection has read the epoch (once per connection) before the loss.
    fake.addUser('warm-up');
    expect(await ask(a, 'warm-up')).toMatchObject({ status: 401 });
    await lose();
    const b = replica();
    await storesUp(b);
    return [a, b];
  }

  it.each([
    ['FLUSHALL', () => raw.flushAll()],
    ['the invalidateAll key evicted (DEL)', () => raw.del(allKey())],
  ])('after %s, an invalidation on the replica that kept the old epoch reaches the store reads of a new one', async (_label, lose) => {
    const [a, b] = await split(lose);
    await fake.login('alice', APP);
    expect(await ask(a, 'alice')).toMatchObject({ status: 200 });
    expect(await ask(b, 'alice')).toMatchObject({ status: 200 });
    fake.kick('alice');
    expect(a.invalidate('alice')).toBe(1);
    // The message drops B's own copy: B's next request reads the store.
    await until(() => b.stats().remoteInvalidations === 1);
    expect(b.stats().size).toBe(0);
    const before = fake.calls.check;
    expect(await ask(b, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
    expect(fake.calls.check).toBe(before + 1); // nothing usable in the store: GenAuth was asked
    expect(await ask(a, 'alice')).toMatchObject({ status: 401 });
  });

  it('invalidateAll, after a flush, from the replica that knows the lower epoch covers answers the other wrote', async () => {
    const [a, b] = await split(() => raw.flushAll());
    await fake.login('alice', APP);
    expect(await ask(a, 'alice')).toMatchObject({ status: 200, source: 'upstream' }); // written by A
    fake.kick('alice');
    b.invalidateAll();
    await until(() => a.stats().remoteInvalidations === 1);
    expect(a.stats().size).toBe(0);
    const before = fake.calls.check;
    expect(await ask(a, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
    expect(fake.calls.check).toBe(before + 1);
    expect(await ask(b, 'alice')).toMatchObject({ status: 401 });
    // A replica started afterwards too.
    const late = replica();
    await storesUp(late);
    expect(await ask(late, 'alice')).toMatchObject({ status: 401 });
  });

  it('invalidateAuthorization(), after a flush, from the replica that knows the lower epoch covers role answers the other wrote', async () => {
    fake.assignRole('alice', 'admin');
    const [a, b] = await split(() => raw.flushAll(), 'authz');
    expect(await roles(a, 'alice')).toBe(true); // written by A
    fake.revokeRole('alice', 'admin');
    b.invalidateAuthorization();
    await until(() => a.stats().remoteInvalidations === 1);
    const before = fake.calls.roles;
    expect(await roles(a, 'alice')).toBe(false);
    expect(fake.calls.roles).toBe(before + 1);
  });

  it('replicas split by a flush converge: after a couple of users, one GenAuth call serves both again', async () => {
    const [a, b] = await split(() => raw.flushAll());
    const costs: number[] = [];
    for (let i = 0; i < 6; i++) {
      const user = `user-${i}`;
      await fake.login(user, APP);
      // Each replica asks first in turn: the one that kept its token reads the other's answers too.
      const [first, second] = i % 2 === 0 ? [a, b] : [b, a];
      const before = fake.calls.check;
      expect(await ask(first, user)).toMatchObject({ status: 200 });
      expect(await ask(second, user)).toMatchObject({ status: 200 });
      costs.push(fake.calls.check - before);
    }
    expect(costs.indexOf(1)).toBeGreaterThanOrEqual(0);
    expect(costs.indexOf(1)).toBeLessThanOrEqual(2);
    expect(costs.slice(costs.indexOf(1))).toEqual(costs.slice(costs.indexOf(1)).map(() => 1));
    expect(a.stats().storeErrors + b.stats().storeErrors).toBe(0);
  });

  it("a user's generation lost (evicted): the user's stored answer is not served, one GenAuth call", async () => {
    const a = replica();
    const b = replica();
    await storesUp(a, b);
    await fake.login('alice', APP);
    expect(await ask(a, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
    fake.kick('alice'); // GenAuth knows, the guards do not: only the store's answer could let alice through
    expect(await raw.del(keysOf('alice').generation)).toBe(1);
    const before = fake.calls.check;
    expect(await ask(b, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
    expect(fake.calls.check).toBe(before + 1);
  });

  it("a user's generation lost: the user's stored role answer is not served either", async () => {
    fake.assignRole('alice', 'admin');
    const a = replica();
    const b = replica();
    await storesUp(a, b);
    expect(await roles(a, 'alice')).toBe(true);
    fake.revokeRole('alice', 'admin');
    expect(await raw.del(keysOf('alice').generation)).toBe(1);
    const before = fake.calls.roles;
    expect(await roles(b, 'alice')).toBe(false);
    expect(fake.calls.roles).toBe(before + 1);
  });

  it("an invalidation of one app replaces that app's generation only: the user's other apps still serve from the store", async () => {
    const a = replica();
    await storesUp(a);
    await fake.login('alice', APP);
    await fake.login('alice', 'app-2');
    expect(await ask(a, 'alice', APP)).toMatchObject({ status: 200, source: 'upstream' });
    expect(await ask(a, 'alice', 'app-2')).toMatchObject({ status: 200, source: 'upstream' });
    expect(await a.invalidateEverywhere('alice', APP)).toBe(true);
    const late = replica(); // no copy of its own: every answer it gets is read from the store or asked
    await storesUp(late);
    const before = fake.calls.check;
    expect(await ask(late, 'alice', 'app-2')).toMatchObject({ status: 200, source: 'cache' });
    expect(fake.calls.check).toBe(before);
    expect(await ask(late, 'alice', APP)).toMatchObject({ status: 200, source: 'upstream' });
    expect(fake.calls.check).toBe(before + 1);
  });

  it("the user's answer set lost (evicted), then an invalidation: the answer it could not find is not served", async () => {
    const a = replica();
    const b = replica();
    await storesUp(a, b);
    await fake.login('alice', APP);
    expect(await ask(a, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
    expect(await raw.del(keysOf('alice').answers)).toBe(1);
    fake.kick('alice');
    expect(await a.invalidateEverywhere('alice')).toBe(true);
    expect(await raw.exists(keysOf('alice').answer(APP))).toBe(1); // not found, so not deleted
    const before = fake.calls.check;
    expect(await ask(b, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
    expect(fake.calls.check).toBe(before + 1);
  });

  it("the user's authorization answer set lost, then invalidateAuthorization(userId): the role answer is not served", async () => {
    fake.assignRole('alice', 'admin');
    const a = replica();
    const b = replica();
    await storesUp(a, b);
    expect(await roles(a, 'alice')).toBe(true);
    expect(await raw.del(keysOf('alice').authorizations)).toBe(1);
    fake.revokeRole('alice', 'admin');
    a.invalidateAuthorization('alice');
    await until(() => b.stats().remoteInvalidations === 1); // published by the script, after its changes
    expect(await roles(b, 'alice')).toBe(false);
  });
});
