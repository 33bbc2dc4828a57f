import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, header, type SessionGuard, type SessionGuardOptions } from '../../src/index';
import { redisStore } from '../../src/redis';
import { resolvePolicy } from '../../src/core/authorization-policy';
import { userKeys } from '../../src/redis/keys';
import { gatedFetch } from '../core/fixtures';
import { manualClock } from '../support/frameworks';
import { startRedis, type RedisServer } from './redis-server';
import { clients, guardFactory, inspector, storesUp, until } from './support';

const APP = 'app-1';
const ADMIN = ['admin'];
const READ_REPORTS = { namespace: 'reports', action: 'read', resources: ['q1', 'q2'] };
const ROLES_KEY = resolvePolicy({ roles: ADMIN })!.roles!.key;

/** Role and permission answers shared through Redis, under the rules of session answers. */
describe.each(clients)('authorization answers through Redis ($name)', (client) => {
  let redis: RedisServer;
  let raw: Awaited<ReturnType<typeof inspector>>;
  let fake: FakeGenAuth;
  let clock: ReturnType<typeof manualClock>;
  const factory = guardFactory(() => ({ fake, url: redis.url, client, clock }));
  const replica = (cache: { ttlMs?: number; inactiveTtlMs?: number } = {}, fetch?: ReturnType<typeof gatedFetch>['fetch']) =>
    factory.make({ cache: { ttlMs: 60_000, inactiveTtlMs: 10_000, ...cache }, ...(fetch ? { fetch } : {}) } as Partial<SessionGuardOptions>);
  const keysOf = (userId: string) => userKeys('gsg:v2', fake.host, fake.accessKeyId, userId);
  const roles = (guard: SessionGuard, userId: string, options?: { expiresAt?: number }) =>
    guard.checkRoles(userId, ADMIN, { appId: APP, ...options });

  /** Scripts run by Redis so far (every store call is one). */
  async function scriptCalls(): Promise<number> {
    const info = await raw.info('commandstats');
    let total = 0;
    for (const match of info.matchAll(/cmdstat_eval(?:sha)?:calls=(\d+)/g)) total += Number(match[1]);
    return total;
  }

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
    fake.assignRole('alice', 'admin');
    fake.grantPermission('alice', { namespace: 'reports', action: 'read', resource: 'q1' });
    fake.grantPermission('alice', { namespace: 'reports', action: 'read', resource: 'q2' });
    fake.addUser('bob');
  });
  afterEach(async () => {
    await factory.closeAll();
    await fake.close();
  });

  it('the second replica is served from the store: roles, permissions, allowed and denied, and a route', async () => {
    const a = replica();
    const b = replica();
    await storesUp(a, b);
    for (const userId of ['alice', 'bob']) {
      await roles(a, userId);
      await a.checkPermissions(userId, READ_REPORTS, { appId: APP });
    }
    expect(fake.calls).toMatchObject({ roles: 2, permissions: 2 });
    expect(await roles(b, 'alice')).toBe(true);
    expect(await roles(b, 'bob')).toBe(false);
    expect(await b.checkPermissions('alice', READ_REPORTS, { appId: APP })).toBe(true);
    expect(await b.checkPermissions('bob', READ_REPORTS, { appId: APP })).toBe(false);
    expect(fake.calls).toMatchObject({ roles: 2, permissions: 2 });
    expect(b.stats().authorization).toMatchObject({ storeHits: 4, upstreamCalls: 0, misses: 0 });

    // Through a route: the session and the role, both from the store.
    await fake.login('alice', APP);
    await a.authenticate({ headers: { 'x-user-id': 'alice' } }, APP, { roles: ADMIN });
    const auth = await b.authenticate({ headers: { 'x-user-id': 'alice' } }, APP, { roles: ADMIN });
    expect(auth.session.source).toBe('cache');
    expect(auth.authorization).toMatchObject({ roles: [{ code: 'admin' }], source: 'cache' });
    expect(fake.calls).toMatchObject({ roles: 2, check: 1 });
    // Another policy is another key: not served by the admin answer.
    expect(await b.checkRoles('alice', ['auditor'], { appId: APP })).toBe(false);
    expect(fake.calls.roles).toBe(3);
  });

  it("concurrent identical lookups on two replicas share one call (the store's lock)", async () => {
    const gate = gatedFetch((url) => url.endsWith('/api/v3/has-any-role'));
    const a = replica({}, gate.fetch);
    const b = replica();
    await storesUp(a, b);
    // B's connection has read the epochs and Redis knows the scripts: from here on, one lookup of B is one script call.
    await b.checkPermissions('carol', READ_REPORTS, { appId: APP });
    const first = roles(a, 'alice');
    await until(() => gate.held === 1); // A holds the lock and is asking GenAuth
    const before = await scriptCalls();
    const second = roles(b, 'alice');
    await until(async () => (await scriptCalls()) > before); // B has read, and found the lock taken: it waits
    gate.release();
    expect(await Promise.all([first, second])).toEqual([true, true]);
    expect(fake.calls.roles).toBe(1);
    expect(b.stats().authorization).toMatchObject({ storeHits: 1, upstreamCalls: 1 }); // the 1: carol's permissions
    expect(b.stats().storeWaits).toBe(1);
  });

  it("an answer read from the store serves at most the reader's own TTLs from checkedAt, and never past the exp", async () => {
    const long = replica({ ttlMs: 60_000, inactiveTtlMs: 60_000 });
    const short = replica({ ttlMs: 1_000, inactiveTtlMs: 500 });
    await storesUp(long, short);
    await roles(long, 'alice');
    await roles(long, 'bob');
    clock.advance(600);
    // Allowed: 600 ms old, within the reader's 1 s; denied: past the reader's 500 ms, asked again.
    expect(await roles(short, 'alice')).toBe(true);
    expect(fake.calls.roles).toBe(2);
    expect(await roles(short, 'bob')).toBe(false);
    expect(fake.calls.roles).toBe(3);
    fake.revokeRole('alice', 'admin');
    clock.advance(399);
    expect(await roles(short, 'alice')).toBe(true); // 999 ms after GenAuth answered: still the store's answer
    clock.advance(2);
    expect(await roles(short, 'alice')).toBe(false); // past checkedAt + the reader's ttlMs, whatever the writer's
    expect(fake.calls.roles).toBe(4);

    // A caller whose credential expires in 100 ms does not keep the store's answer past it.
    fake.assignRole('carol', 'admin');
    const expiresAt = clock() + 100;
    await roles(long, 'carol', { expiresAt: clock() + 60_000 });
    expect(await roles(short, 'carol', { expiresAt })).toBe(true);
    const { hits, storeHits } = short.stats().authorization;
    clock.advance(99);
    await roles(short, 'carol', { expiresAt });
    expect(short.stats().authorization).toMatchObject({ hits: hits + 1, storeHits });
    clock.advance(1);
    await roles(short, 'carol', { expiresAt }); // not a hit of its own: read from the store again
    expect(short.stats().authorization).toMatchObject({ hits: hits + 1, storeHits: storeHits + 1 });
    expect(fake.calls.roles).toBe(5);
  });

  it.each([
    ['invalidate(userId)', (guard: SessionGuard) => guard.invalidate('alice'), { alice: true, bob: false, session: true }],
    ['invalidate(userId, appId)', (guard: SessionGuard) => guard.invalidate('alice', APP), { alice: true, bob: false, session: true }],
    ['invalidateAuthorization(userId)', (guard: SessionGuard) => guard.invalidateAuthorization('alice'), { alice: true, bob: false, session: false }],
    ['invalidateAuthorization()', (guard: SessionGuard) => guard.invalidateAuthorization(), { alice: true, bob: true, session: false }],
    ['invalidateAll()', (guard: SessionGuard) => guard.invalidateAll(), { alice: true, bob: true, session: true }],
  ])('%s on one replica drops the answers on the others and in Redis', async (_name, invalidate, expected) => {
    const a = replica();
    const b = replica();
    const late = replica();
    await storesUp(a, b, late);
    await fake.login('alice', APP);
    for (const guard of [a, b]) {
      await roles(guard, 'alice');
      await roles(guard, 'bob');
      await guard.authenticate({ headers: { 'x-user-id': 'alice' } }, APP);
    }
    expect(fake.calls).toMatchObject({ roles: 2, check: 1 });
    fake.revokeRole('alice', 'admin');
    invalidate(a);
    await until(() => b.stats().remoteInvalidations === 1 && late.stats().remoteInvalidations === 1);
    // Here (B), and on a replica that never held them (from Redis): alice's role is asked again, and now denied.
    for (const guard of [b, late]) {
      const before = { ...fake.calls };
      expect(await roles(guard, 'alice')).toBe(!expected.alice);
      await roles(guard, 'bob');
      await guard.authenticate({ headers: { 'x-user-id': 'alice' } }, APP);
      const reasked = { alice: fake.calls.roles > before.roles, session: fake.calls.check > before.check };
      if (guard === b) {
        expect(reasked.alice).toBe(expected.alice);
        expect(fake.calls.roles - before.roles).toBe(expected.bob ? 2 : 1);
        expect(reasked.session).toBe(expected.session);
      }
    }
  });

  it('a webhook-style permission:revoke on roles (users unknown) reaches every replica: invalidateAuthorization()', async () => {
    const a = replica();
    const b = replica();
    await storesUp(a, b);
    await roles(a, 'alice');
    await roles(b, 'alice');
    expect(fake.calls.roles).toBe(1);
    fake.revokeRole('alice', 'admin');
    const outcome = a.applyWebhookEvent({ eventName: 'permission:revoke', data: { targetType: 'ROLE', targetIdentifiers: ['admin'] } });
    expect(outcome).toMatchObject({ outcome: 'authorization', users: [] });
    expect(await outcome.everywhere).toBe(true);
    await until(() => b.stats().remoteInvalidations === 1);
    expect(await roles(b, 'alice')).toBe(false);
  });

  it('a role or permission event while Redis cannot be reached: applied here, `everywhere` (propagated) is false', async () => {
    const guard = createSessionGuard({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      identity: header('x-user-id'),
      store: redisStore({ client: client.create('redis://127.0.0.1:1'), timeoutMs: 50 }),
    });
    try {
      await roles(guard, 'alice');
      for (const data of [{ users: ['alice'] }, { targetType: 'ROLE', targetIdentifiers: ['admin'] }]) {
        const outcome = guard.applyWebhookEvent({ eventName: data.users ? 'role:unassigned' : 'permission:revoke', data });
        expect(outcome.outcome).toBe('authorization');
        expect(await outcome.everywhere).toBe(false);
      }
      expect(guard.stats().authorization.size).toBe(0);
    } finally {
      await guard.close();
    }
  });

  it.each([
    ['not JSON', 'garbage'],
    ['a wrong shape', JSON.stringify({ a: 'yes', c: 1, e: 2 })],
    ['a non-finite time', '{"a":1,"c":1e999,"e":1e999}'],
    ['checkedAt in the future', () => JSON.stringify({ a: 1, c: clock() + 60_000, e: clock() + 120_000 })],
    ['already expired', () => JSON.stringify({ a: 1, c: clock() - 2_000, e: clock() - 1_000 })],
    ['older than the reader\'s TTL', () => JSON.stringify({ a: 1, c: clock() - 61_000, e: clock() + 60_000 })],
  ])('an "allowed" answer in the key that is %s is a miss for that key, not "store down"', async (_case, value) => {
    const a = replica();
    await storesUp(a);
    const key = keysOf('bob').authorization(APP, ROLES_KEY);
    await raw.set(key, typeof value === 'function' ? value() : value, { PX: 60_000 });
    expect(await roles(a, 'bob')).toBe(false);
    expect(fake.calls.roles).toBe(1);
    expect(a.stats()).toMatchObject({ store: 'up', storeErrors: 0 });
    expect(a.stats().authorization).toMatchObject({ storeHits: 0, misses: 1 });
    // GenAuth's answer was written over it.
    expect(JSON.parse((await raw.get(key))!)).toMatchObject({ a: 0 });
  });

  it('a key of another type (a hash) is a miss too', async () => {
    const a = replica();
    await storesUp(a);
    await raw.hSet(keysOf('bob').authorization(APP, ROLES_KEY), 'a', '1');
    expect(await roles(a, 'bob')).toBe(false);
    expect(a.stats()).toMatchObject({ store: 'up', storeErrors: 0 });
  });
});
