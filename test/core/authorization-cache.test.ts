import { AuthorizationCache } from '../../src/core/authorization-cache';
import { Revocations } from '../../src/core/revocations';
import { manualClock } from '../support/frameworks';

const APP = 'app-1';
const POLICY = '["roles","[\\"admin\\",null]"]';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

function cacheOf(clock = manualClock()) {
  return new AuthorizationCache({ enabled: true, ttlMs: 60_000, deniedTtlMs: 10_000, max: 100, clock });
}

/** The invariant of AuthorizationCache: no answer asked for before an invalidation that covers it serves after it. */
describe('AuthorizationCache invalidation', () => {
  it('an invalidation while the call is under way keeps its answer out; the lookup asks again', async () => {
    const cache = cacheOf();
    const answers = [deferred<boolean>(), deferred<boolean>()];
    let calls = 0;
    const pending = cache.lookup(APP, 'alice', POLICY, undefined, () => answers[calls++]!.promise);
    await new Promise((resolve) => setImmediate(resolve));
    cache.invalidate('alice');
    answers[0]!.resolve(true); // asked before the invalidation: may predate a revocation
    await new Promise((resolve) => setImmediate(resolve));
    answers[1]!.resolve(false);
    await expect(pending).resolves.toMatchObject({ allowed: false, source: 'upstream' });
    expect(calls).toBe(2);
    expect(cache.cached(`${APP.length}:${APP}:5:alice:${POLICY}`)).toBe(false);
  });

  it.each(Array.from({ length: 8 }, (_, hops) => hops))(
    'an invalidation %i microtasks after the answer arrives (before or after lru-cache stores it) keeps it out too',
    async (hops) => {
      const cache = cacheOf();
      const answer = deferred<boolean>();
      let calls = 0;
      const load = () => (++calls === 1 ? answer.promise : Promise.resolve(false));
      const first = cache.lookup(APP, 'alice', POLICY, undefined, load);
      await new Promise((resolve) => setImmediate(resolve));
      // Lands somewhere between the cache's fetch taking the answer and lru-cache storing it, or just after.
      const invalidated = answer.promise.then(async () => {
        for (let i = 0; i < hops; i++) await null;
        cache.invalidate('alice');
      });
      answer.resolve(true);
      await Promise.all([invalidated, first]);
      // The answer asked for before the invalidation must not serve after it.
      await expect(cache.lookup(APP, 'alice', POLICY, undefined, load)).resolves.toMatchObject({ allowed: false });
      expect(calls).toBe(2);
    },
  );

  it('invalidations of users with nothing asked keep nothing, and do not disturb a call under way', async () => {
    const revocations = new Revocations(10);
    const cache = new AuthorizationCache({ enabled: true, ttlMs: 60_000, deniedTtlMs: 10_000, max: 100, clock: manualClock(), revocations });
    const answer = deferred<boolean>();
    let calls = 0;
    const pending = cache.lookup(APP, 'alice', POLICY, undefined, () => (++calls === 1 ? answer.promise : Promise.resolve(false)));
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 10_001; i++) cache.invalidate(`user-${i}`);
    expect(revocations.size).toBe(1); // alice's marks only
    answer.resolve(true);
    await expect(pending).resolves.toMatchObject({ allowed: true, source: 'upstream' });
    expect(calls).toBe(1);
  });

  it('past the users whose marks are kept, a forgotten user\'s cached answer is revoked and asked again (bounded memory)', async () => {
    const revocations = new Revocations(2);
    const cache = new AuthorizationCache({ enabled: true, ttlMs: 60_000, deniedTtlMs: 10_000, max: 100, clock: manualClock(), revocations });
    let calls = 0;
    const load = async () => ++calls === 1;
    await expect(cache.lookup(APP, 'alice', POLICY, undefined, load)).resolves.toMatchObject({ allowed: true });
    // Two other users asked about: alice's marks are forgotten, so nothing could reach her answer: it is revoked.
    await cache.lookup(APP, 'bob', POLICY, undefined, async () => true);
    await cache.lookup(APP, 'carol', POLICY, undefined, async () => true);
    expect(revocations.size).toBe(2);
    await expect(cache.lookup(APP, 'alice', POLICY, undefined, load)).resolves.toMatchObject({ allowed: false, source: 'upstream' });
    expect(calls).toBe(2);
  });

  it('a user with a call under way is never forgotten, however many others are asked about meanwhile', async () => {
    const revocations = new Revocations(2);
    const cache = new AuthorizationCache({ enabled: true, ttlMs: 60_000, deniedTtlMs: 10_000, max: 100, clock: manualClock(), revocations });
    const answer = deferred<boolean>();
    let calls = 0;
    const pending = cache.lookup(APP, 'alice', POLICY, undefined, () => (++calls, answer.promise));
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 50; i++) await cache.lookup(APP, `user-${i}`, POLICY, undefined, async () => true);
    expect(revocations.marksOf('alice')?.dead).toBe(false);
    answer.resolve(true);
    await expect(pending).resolves.toMatchObject({ allowed: true, source: 'upstream' });
    expect(calls).toBe(1);
  });

  it('invalidate(userId) drops that user only; invalidate() everyone', async () => {
    const cache = cacheOf();
    let calls = 0;
    const load = async () => {
      calls++;
      return true;
    };
    for (const user of ['alice', 'bob']) await cache.lookup(APP, user, POLICY, undefined, load);
    expect(cache.invalidate('alice')).toBe(1);
    for (const user of ['alice', 'bob']) await cache.lookup(APP, user, POLICY, undefined, load);
    expect(calls).toBe(3);
    expect(cache.invalidate()).toBe(2);
    for (const user of ['alice', 'bob']) await cache.lookup(APP, user, POLICY, undefined, load);
    expect(calls).toBe(5);
  });

  it('a clock moved back before checkedAt expires the answer (as session answers)', async () => {
    const clock = manualClock();
    const cache = cacheOf(clock);
    let calls = 0;
    const load = async () => {
      calls++;
      return true;
    };
    await cache.lookup(APP, 'alice', POLICY, undefined, load);
    await cache.lookup(APP, 'alice', POLICY, undefined, load);
    expect(calls).toBe(1);
    clock.advance(-1_000);
    await cache.lookup(APP, 'alice', POLICY, undefined, load);
    expect(calls).toBe(2);
  });
});

describe('AuthorizationCache: a user\'s key list', () => {
  it('keeps a key whose lookup is under way when the list is pruned, so invalidate counts and drops every answer', async () => {
    const cache = cacheOf();
    for (let i = 0; i < 7; i++) await cache.lookup(APP, 'alice', `policy-${i}`, undefined, async () => true);
    const held = deferred<boolean>();
    const eighth = cache.lookup(APP, 'alice', 'policy-7', undefined, () => held.promise);
    await new Promise((resolve) => setImmediate(resolve));
    // The ninth key prunes the list (at eight keys) while the eighth lookup is under way.
    await cache.lookup(APP, 'alice', 'policy-8', undefined, async () => true);
    held.resolve(true);
    await eighth;
    expect(cache.size).toBe(9);
    expect(cache.invalidate('alice')).toBe(9);
    expect(cache.size).toBe(0);
  });
});
