import { createSessionGuard, header } from '../../src/index';
import { redisStore } from '../../src/redis';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { userKeys } from '../../src/redis/keys';
import { manualClock } from '../support/frameworks';
import { startRedis, type RedisServer } from './redis-server';
import { ask, clients, guardFactory, inspector, storeEvents, storesUp, until } from './support';

const APP = 'app-1';

describe.each(clients)('Redis tier with $name', (client) => {
  let redis: RedisServer;
  let raw: Awaited<ReturnType<typeof inspector>>;
  let fake: FakeGenAuth;
  let clock: ReturnType<typeof manualClock>;
  const factory = guardFactory(() => ({ fake, url: redis.url, client, clock }));
  const guardOf = factory.make;

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

  const keysOf = (userId: string) => userKeys('gsg:v2', fake.host, fake.accessKeyId, userId);

  describe('shared answers', () => {
    it('an answer one guard got serves the other: one check call for two guards', async () => {
      const a = guardOf();
      const b = guardOf();
      await storesUp(a, b);
      await fake.login('alice', APP);
      const first = await ask(a, 'alice');
      const second = await ask(b, 'alice');
      expect(first).toEqual({ status: 200, source: 'upstream', checkedAt: clock() });
      expect(second).toEqual({ status: 200, source: 'cache', checkedAt: first.checkedAt });
      expect(fake.calls.check).toBe(1);
      expect(a.stats()).toMatchObject({ misses: 1, upstreamCalls: 1, storeHits: 0, store: 'up' });
      expect(b.stats()).toMatchObject({ misses: 0, upstreamCalls: 0, storeHits: 1, hits: 0, storeErrors: 0 });
      // The second guard keeps it in its own cache now.
      expect(await ask(b, 'alice')).toMatchObject({ status: 200, source: 'cache' });
      expect(b.stats()).toMatchObject({ hits: 1, storeHits: 1 });
    });

    it('an answer read from Redis serves only for what is left of its life, then is asked again', async () => {
      const a = guardOf({ cache: { ttlMs: 5_000, refreshAheadMs: 0 } });
      const b = guardOf({ cache: { ttlMs: 5_000, refreshAheadMs: 0 } });
      await storesUp(a, b);
      await fake.login('alice', APP);
      expect(await ask(a, 'alice')).toMatchObject({ status: 200 });
      clock.advance(3_000);
      expect(await ask(b, 'alice')).toMatchObject({ status: 200, source: 'cache' });
      fake.kick('alice');
      clock.advance(1_999); // 4,999 ms after GenAuth answered: still within the TTL everywhere
      expect(await ask(b, 'alice')).toMatchObject({ status: 200, source: 'cache' });
      expect(fake.calls.check).toBe(1);
      clock.advance(2); // 5,001 ms: B's copy expired with the original answer, not 5,000 ms after B read it
      expect(await ask(b, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
      expect(fake.calls.check).toBe(2);
      // A's own copy expired too; it reads B's inactive answer from Redis instead of asking.
      expect(await ask(a, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
      expect(fake.calls.check).toBe(2);
      expect(a.stats().storeHits).toBe(1);
    });

    it('inactive answers are shared for inactiveTtlMs; GenAuth errors are never written', async () => {
      // Locks live a minute here: a lock gone within the wait below was released, not expired.
      const a = guardOf({ cache: { ttlMs: 5_000, inactiveTtlMs: 1_000 } }, { lockMs: 60_000 });
      const b = guardOf({ cache: { ttlMs: 5_000, inactiveTtlMs: 1_000 } }, { lockMs: 60_000 });
      await storesUp(a, b);
      await fake.login('alice', APP);
      fake.logout('alice', APP);
      expect(await ask(a, 'alice')).toMatchObject({ status: 401 });
      expect(await ask(b, 'alice')).toMatchObject({ status: 401 });
      expect(fake.calls.check).toBe(1);
      expect(await raw.pTTL(keysOf('alice').answer(APP))).toBeLessThanOrEqual(1_000);

      await fake.login('bob', APP);
      fake.fault({ kind: 'http-status', status: 503 }, { times: 1 });
      expect(await ask(a, 'bob')).toMatchObject({ status: 503, code: 'session_check_unavailable' });
      expect(await raw.exists(keysOf('bob').answer(APP))).toBe(0);
      // The lock is released (in the background), so B does not wait for it to expire.
      await until(async () => (await raw.exists(keysOf('bob').lock(APP))) === 0);
      expect(await ask(b, 'bob')).toMatchObject({ status: 200, source: 'upstream' });
      expect(fake.calls.check).toBe(3);
    });

    it("never keeps a shared active answer past the credential's exp", async () => {
      const a = guardOf({ cache: { ttlMs: 60_000, refreshAheadMs: 0 } });
      const b = guardOf({ cache: { ttlMs: 60_000, refreshAheadMs: 0 } });
      await storesUp(a, b);
      await fake.login('alice', APP);
      await a.checkSession('alice', APP, clock() + 2_000);
      const left = await raw.pTTL(keysOf('alice').answer(APP));
      expect(left).toBeGreaterThan(1_000);
      expect(left).toBeLessThanOrEqual(2_000);
      // B's credential has no exp of its own, yet the answer ends with A's.
      expect((await b.checkSession('alice', APP)).source).toBe('cache');
      clock.advance(2_001);
      expect((await b.checkSession('alice', APP)).source).toBe('upstream');
      expect(fake.calls.check).toBe(2);
    });

    it('keys are kept apart per host and user pool, and hold ids, booleans and times only', async () => {
      const other = await createFakeGenAuth({ clock, accessKeyId: 'other-pool-key' });
      try {
        const a = guardOf();
        const c = guardOf({ host: other.host, accessKeyId: other.accessKeyId, accessKeySecret: other.accessKeySecret });
        await storesUp(a, c);
        await fake.login('alice', APP);
        await other.login('alice', APP);
        const token = await fake.login('bob', APP);
        expect(await ask(a, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
        expect(await ask(c, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
        expect(await ask(a, 'bob')).toMatchObject({ status: 200 });
        expect(fake.calls.check + other.calls.check).toBe(3);

        const keys = await raw.keys('*');
        expect(keys.length).toBeGreaterThan(0);
        for (const key of keys) {
          // A user's keys, or one of the two tokens of a (host, user pool) (invalidateAll, invalidateAuthorization()).
          expect(key.startsWith('gsg:v2:{') || /^gsg:v2:epoch(-authz)?:[^{}]+$/.test(key)).toBe(true);
          const type = await raw.type(key);
          const values = type === 'string' ? [await raw.get(key)] : type === 'hash' ? Object.values(await raw.hGetAll(key)) : await raw.sMembers(key);
          for (const value of [key, ...values]) {
            for (const secret of [fake.accessKeySecret, other.accessKeySecret, token]) expect(value).not.toContain(secret);
          }
          // Besides the answer and its times, the generation it was written under and its writer's token: random.
          const nonce = expect.stringMatching(/^[A-Za-z0-9_-]{16}$/);
          if (key.includes(':answer:')) {
            expect(JSON.parse(values[0]!)).toEqual({ a: 1, c: expect.any(Number), e: expect.any(Number), g: expect.stringMatching(/^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{16}$/), t: nonce });
          } else if ((type === 'string' && !key.includes(':lock:')) || type === 'hash') {
            // A token, or a user's generations (of every app, and of app-1).
            expect(values).toEqual(type === 'string' ? [nonce] : [nonce, nonce]);
          }
        }
        expect(keys.filter((key) => !key.startsWith('gsg:v2:{'))).toHaveLength(4); // two tokens per user pool
        expect(new Set(keys.filter((key) => key.includes(':answer:'))).size).toBe(3);
      } finally {
        await other.close();
      }
    });
  });

  describe('invalidation across replicas', () => {
    it('invalidate on one replica: the other refuses as soon as the message reaches it (pushed, not a TTL)', async () => {
      const a = guardOf();
      const b = guardOf();
      await storesUp(a, b);
      await fake.login('alice', APP);
      expect(await ask(a, 'alice')).toMatchObject({ status: 200 });
      expect(await ask(b, 'alice')).toMatchObject({ status: 200, source: 'cache' });
      expect(await ask(b, 'alice')).toMatchObject({ status: 200, source: 'cache' });
      fake.kick('alice');
      expect(await ask(b, 'alice')).toMatchObject({ status: 200 }); // B has no way to know yet

      const checkedAt = clock();
      expect(a.invalidate('alice')).toBe(1); // sync: this replica's copy is gone at once
      expect(await ask(a, 'alice')).toMatchObject({ status: 401 });
      // Ordering, not timing: B keeps its copy until the message arrives (it has no way to know), and refuses the
      // first request that starts after it arrived.
      const outcomes: Array<{ before: number; after: number; status: number }> = [];
      await until(async () => {
        const before = b.stats().remoteInvalidations;
        const { status } = await ask(b, 'alice');
        outcomes.push({ before, after: b.stats().remoteInvalidations, status });
        return before > 0;
      });
      expect(outcomes.filter((o) => o.after === 0).every((o) => o.status === 200)).toBe(true);
      expect(outcomes.filter((o) => o.before > 0)).toEqual([{ before: 1, after: 1, status: 401 }]);
      expect(clock()).toBe(checkedAt); // the clock never moved: no TTL ran out, the message did it
      expect(b.stats().remoteInvalidations).toBe(1);
      expect(a.stats().remoteInvalidations).toBe(0); // its own message is skipped
    });

    it('invalidateEverywhere resolves once Redis dropped the answers; appId narrows it to one app', async () => {
      const a = guardOf();
      const b = guardOf();
      await storesUp(a, b);
      await fake.login('alice', APP);
      await fake.login('alice', 'app-2');
      for (const guard of [a, b]) {
        expect(await ask(guard, 'alice', APP)).toMatchObject({ status: 200 });
        expect(await ask(guard, 'alice', 'app-2')).toMatchObject({ status: 200 });
      }
      expect(fake.calls.check).toBe(2);
      const keys = keysOf('alice');
      expect(await raw.sMembers(keys.answers)).toHaveLength(2);

      expect(await a.invalidateEverywhere('alice', APP)).toBe(true);
      expect(await raw.exists(keys.answer(APP))).toBe(0);
      expect(await raw.exists(keys.answer('app-2'))).toBe(1);
      await until(() => b.stats().remoteInvalidations === 1);
      expect(await ask(b, 'alice', 'app-2')).toMatchObject({ status: 200, source: 'cache' });
      expect(await ask(b, 'alice', APP)).toMatchObject({ status: 200, source: 'upstream' });

      expect(await b.invalidateEverywhere('alice')).toBe(true);
      expect(await raw.exists([keys.answer(APP), keys.answer('app-2'), keys.answers])).toBe(0);
      await until(() => a.stats().remoteInvalidations === 1);
      expect(a.stats().size).toBe(0);
    });

    it('an answer asked for before an invalidation is not written after it', async () => {
      let settled = 0;
      const counted: typeof fetch = (input, init) => {
        const call = fetch(input, init);
        if (String(input).endsWith('/check-session-status')) void call.finally(() => settled++).catch(() => undefined);
        return call;
      };
      const a = guardOf({ fetch: counted });
      const b = guardOf();
      await storesUp(a, b);
      await fake.login('alice', APP);
      fake.fault({ kind: 'latency', ms: 150 }, { times: 1 });
      const pending = ask(a, 'alice'); // A holds the lock while GenAuth takes 150 ms to say "active"
      await until(() => fake.calls.check === 1);
      fake.kick('alice');
      expect(await b.invalidateEverywhere('alice')).toBe(true);
      // A's lookup was dropped by the message and asked again: it sees the kick.
      expect(await pending).toMatchObject({ status: 401, code: 'session_inactive' });
      // The slow "active" answer has come back (or its call was aborted), and A is done with it.
      await until(() => settled === 2 && a.stats().inFlight === 0);
      const stored = await raw.get(keysOf('alice').answer(APP));
      expect(stored === null || JSON.parse(stored).a === 0).toBe(true);
      expect(await ask(b, 'alice')).toMatchObject({ status: 401 });
    });
  });

  describe('cross-replica coalescing', () => {
    it('four replicas missing the same user at once make one check call', async () => {
      const replicas = [guardOf(), guardOf(), guardOf(), guardOf()];
      await storesUp(...replicas);
      await fake.login('alice', APP);
      fake.fault({ kind: 'latency', ms: 100 }, { times: 1 });
      const outcomes = await Promise.all(replicas.map((guard) => ask(guard, 'alice')));
      expect(outcomes.every((outcome) => outcome.status === 200)).toBe(true);
      expect(fake.calls.check).toBe(1);
      const stats = replicas.map((guard) => guard.stats());
      expect(stats.reduce((sum, s) => sum + s.upstreamCalls, 0)).toBe(1);
      expect(stats.reduce((sum, s) => sum + s.storeWaits, 0)).toBe(3);
      expect(stats.reduce((sum, s) => sum + s.storeHits, 0)).toBe(3);
    });

    it('a holder that died does not block the others past its lock expiry', async () => {
      // Each check call records the lock as it stands in Redis when GenAuth is asked.
      const lockSeenByCalls: Array<string | null> = [];
      const recording: typeof fetch = async (input, init) => {
        if (String(input).endsWith('/check-session-status')) lockSeenByCalls.push(await raw.get(keysOf('alice').lock(APP)));
        return fetch(input, init);
      };
      const a = guardOf({ fetch: recording }, { lockMs: 60_000 });
      const b = guardOf({ fetch: recording }, { lockMs: 60_000 });
      await storesUp(a, b);
      await fake.login('alice', APP);
      // A replica took the lock and crashed: it never answers, never releases.
      await raw.set(keysOf('alice').lock(APP), 'crashed-replica', { PX: 400 });
      const outcomes = await Promise.all([ask(a, 'alice'), ask(b, 'alice')]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual([200, 200]);
      // Ordering, not timing: GenAuth was asked only once the crashed lock had expired in Redis. (Their own lock
      // lifetime is a minute: giving up after two of them cannot be what let them through.)
      expect(lockSeenByCalls).toHaveLength(1);
      expect(lockSeenByCalls[0]).not.toBe('crashed-replica');

      // After the expiry one of them took the lock and asked; the other read its answer.
      expect(fake.calls.check).toBe(1);
      expect(a.stats().storeWaits + b.stats().storeWaits).toBe(1);
    });

    it('a lock with no expiry at all holds a replica at most two lock lifetimes (lockMs)', async () => {
      const lockSeenByCalls: Array<string | null> = [];
      const recording: typeof fetch = async (input, init) => {
        if (String(input).endsWith('/check-session-status')) lockSeenByCalls.push(await raw.get(keysOf('alice').lock(APP)));
        return fetch(input, init);
      };
      const a = guardOf({ fetch: recording }, { lockMs: 200 });
      await storesUp(a);
      await fake.login('alice', APP);
      await raw.set(keysOf('alice').lock(APP), 'broken');
      const started = performance.now();
      expect(await ask(a, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
      // It waited the two lifetimes (a lower bound the guard keeps on real time; a busy machine only adds to it),
      // then asked GenAuth itself with the broken lock still in place: it gave up on the lock, nothing removed it.
      expect(performance.now() - started).toBeGreaterThanOrEqual(390);
      expect(lockSeenByCalls).toEqual(['broken']);
      expect(fake.calls.check).toBe(1);
    });
  });

  describe('Redis trouble is not an outage', () => {
    it('Redis stopped mid-run: answers go on through GenAuth, stats and events tell, and Redis is used again once back', async () => {
      const events = storeEvents();
      try {
        const a = guardOf({}, { retryAfterMs: 100 });
        const b = guardOf({}, { retryAfterMs: 100 });
        await storesUp(a, b);
        await fake.login('alice', APP);
        await fake.login('bob', APP);
        expect(await ask(a, 'alice')).toMatchObject({ status: 200 });
        expect(await ask(b, 'alice')).toMatchObject({ status: 200, source: 'cache' });

        await redis.stop();
        await until(() => a.stats().store === 'down' && b.stats().store === 'down');
        // Every request gets an answer from GenAuth: no 500, no pass without GenAuth's word.
        const calls = fake.calls.check;
        expect(await ask(a, 'bob')).toMatchObject({ status: 200, source: 'upstream' });
        expect(await ask(b, 'bob')).toMatchObject({ status: 200, source: 'upstream' });
        expect(fake.calls.check).toBe(calls + 2);
        fake.kick('alice');
        expect(a.invalidate('alice')).toBe(1);
        expect(await a.invalidateEverywhere('alice')).toBe(false);
        expect(await ask(a, 'alice')).toMatchObject({ status: 401 });
        expect(a.stats().storeErrors).toBeGreaterThan(0);
        expect(b.stats().storeErrors).toBeGreaterThan(0);
        expect(events.seen).toContainEqual({ event: 'down' });
        await until(() => events.seen.some((event) => event.event === 'error' && event.operation === 'connect'));

        await redis.start();
        await until(() => a.stats().store === 'up' && b.stats().store === 'up', 10_000);
        expect(events.seen.filter((event) => event.event === 'up').length).toBeGreaterThanOrEqual(2);
        // B may have missed the invalidation while Redis was away: its copy of alice is gone all the same (the
        // invalidation is sent again, and B empties its cache when its subscription comes back).
        await until(async () => (await ask(b, 'alice')).status === 401);
        // Shared again: a new user costs one call for both replicas.
        await fake.login('carol', APP);
        const before = fake.calls.check;
        expect(await ask(a, 'carol')).toMatchObject({ status: 200, source: 'upstream' });
        expect(await ask(b, 'carol')).toMatchObject({ status: 200, source: 'cache' });
        expect(fake.calls.check).toBe(before + 1);
      } finally {
        events.stop();
        await redis.start();
      }
    });

    it('a frozen Redis costs one store timeout, then is skipped until it answers again', async () => {
      // retryAfterMs is roomy so that u2 surely comes within it, on a loaded machine too.
      const a = guardOf({}, { timeoutMs: 500, retryAfterMs: 2_000 });
      await storesUp(a);
      for (const user of ['u1', 'u2']) await fake.login(user, APP);
      const events = storeEvents();
      redis.pause();
      try {
        expect(await ask(a, 'u1')).toMatchObject({ status: 200, source: 'upstream' });
        // One store timeout (counted, not timed), then one call to the fake.
        expect(a.stats()).toMatchObject({ store: 'down', storeErrors: 1 });
        expect(events.seen.filter((event) => event.event === 'error')).toEqual([
          { event: 'error', operation: 'read', message: expect.stringMatching(/no answer within 500 ms/) },
        ]);
        expect(fake.calls.check).toBe(1);
        expect(await ask(a, 'u2')).toMatchObject({ status: 200, source: 'upstream' });
        // Skipped, not waited for: no second timeout.
        expect(events.seen.filter((event) => event.event === 'error')).toHaveLength(1);
        expect(a.stats().storeErrors).toBe(2);
      } finally {
        redis.resume();
        events.stop();
      }
      // Once retryAfterMs has passed, a cold lookup probes Redis, which answers again: new users are asked until
      // then (a cached one would not reach the store), every one answered.
      const statuses: number[] = [];
      await until(async () => {
        const user = `probe-${statuses.length}`;
        await fake.login(user, APP);
        statuses.push((await ask(a, user)).status);
        return a.stats().store === 'up';
      }, 15_000, 50);
      expect(new Set(statuses)).toEqual(new Set([200]));
    });

    it('a read given up on that Redis runs later leaves no lock behind: the next replica asks at once, not after lockMs', async () => {
      // A lock left behind lives lockMs (far longer than this test): the next lookup of the user would wait for it.
      const a = guardOf({}, { timeoutMs: 300, retryAfterMs: 60_000, lockMs: 60_000 });
      const b = guardOf({}, { lockMs: 60_000 });
      await storesUp(a, b);
      await fake.login('alice', APP);
      const keys = keysOf('alice');
      redis.pause();
      try {
        // A's read waits in the frozen Redis; A gives up on it at its timeout and asks GenAuth itself.
        expect(await ask(a, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
        expect(a.stats()).toMatchObject({ store: 'down', storeErrors: 1 });
      } finally {
        redis.resume();
      }
      // Thawed, Redis answers the token reads, then runs the read A gave up on (it makes the user's generations and
      // takes the lock), then the release A sends once that read is done.
      await until(async () => (await raw.exists(keys.generation)) === 1);
      await until(async () => (await raw.exists(keys.lock(APP))) === 0, 5_000);
      expect(await ask(b, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
      expect(b.stats()).toMatchObject({ storeWaits: 0, storeErrors: 0 });
      expect(fake.calls.check).toBe(2);
    });

    it('an invalidation Redis refused is replayed once Redis takes it, with no lookup on that replica to try it again', async () => {
      const a = guardOf({}, { retryAfterMs: 200 });
      const b = guardOf();
      await storesUp(a, b);
      await fake.login('alice', APP);
      expect(await ask(b, 'alice')).toMatchObject({ status: 200 });
      // Redis refuses writes (noeviction, its memory limit reached): the invalidation fails and A's store is down,
      // its connections up.
      await raw.configSet({ maxmemory: '1', 'maxmemory-policy': 'noeviction' });
      try {
        fake.kick('alice');
        expect(await a.invalidateEverywhere('alice')).toBe(false);
        expect(a.stats().store).toBe('down');
      } finally {
        await raw.configSet({ maxmemory: '0' });
      }
      // Nothing is asked of A: its replay alone tries Redis again; B drops alice when the message comes.
      await until(() => b.stats().remoteInvalidations === 1, 5_000);
      expect(await ask(b, 'alice')).toMatchObject({ status: 401, code: 'session_inactive' });
      await until(() => a.stats().store === 'up');
    });

    it('lookups right after the guards were created wait (briefly) for the first connection and share', async () => {
      await fake.login('alice', APP);
      const a = guardOf();
      const b = guardOf();
      expect(a.stats().store).toBe('connecting');
      expect(await ask(a, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
      expect(await ask(b, 'alice')).toMatchObject({ status: 200, source: 'cache' });
      expect(fake.calls.check).toBe(1);
    });

    it('Redis unreachable from the start: one store timeout, then answers from GenAuth', async () => {
      const gone = await startRedis();
      await gone.stop(); // a port nobody listens on now
      const c = createSessionGuard({
        host: fake.host,
        accessKeyId: fake.accessKeyId,
        accessKeySecret: fake.accessKeySecret,
        identity: header('x-user-id'),
        clock,
        store: redisStore({ client: client.create(gone.url), timeoutMs: 100 }),
      });
      factory.guards.push(c);
      await fake.login('alice', APP);
      const events = storeEvents();
      try {
        expect(await ask(c, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
        // The wait for a connection (one, counted), then the fake: no store call waited for its timeout as well.
        // (The client's own connection errors, ECONNREFUSED, are reported too, as many as it retried.)
        expect(c.stats()).toMatchObject({ store: 'down', storeErrors: 1 });
        expect(events.seen.filter((event) => event.event === 'error' && / within \d+ ms$/.test(event.message ?? ''))).toEqual([
          { event: 'error', operation: 'connect', message: 'no connection within 100 ms' },
        ]);
        expect(await ask(c, 'alice')).toMatchObject({ status: 200, source: 'cache' });
        c.invalidate('alice');
        expect(await ask(c, 'alice')).toMatchObject({ status: 200, source: 'upstream' });
        // Waited for the connection once only; later lookups and the invalidation skipped the store at once.
        expect(events.seen.filter((event) => event.message?.startsWith('no connection within'))).toHaveLength(1);
        await until(() => c.stats().storeErrors === 3);
      } finally {
        events.stop();
      }
    });

    it('close() closes the connections the store opened, and nothing else', async () => {
      const before = (await raw.clientList()).length;
      const a = guardOf();
      const b = guardOf();
      await storesUp(a, b);
      expect((await raw.clientList()).length).toBe(before + 4);
      await factory.closeAll();
      await until(async () => (await raw.clientList()).length === before);
      expect(await ask(a, 'alice')).toMatchObject({ status: 503 });
    });
  });
});
