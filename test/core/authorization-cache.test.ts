import { AuthorizationCache } from '../../src/core/authorization-cache';
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
    await expect(pending).resolves.toEqual({ allowed: false, source: 'upstream' });
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

  it('past the remembered users, invalidations of others still supersede a call under way (bounded memory)', async () => {
    const cache = cacheOf();
    const answer = deferred<boolean>();
    let calls = 0;
    const pending = cache.lookup(APP, 'alice', POLICY, undefined, () => (++calls === 1 ? answer.promise : Promise.resolve(false)));
    await new Promise((resolve) => setImmediate(resolve));
    cache.invalidate('alice');
    for (let i = 0; i < 10_001; i++) cache.invalidate(`user-${i}`);
    answer.resolve(true);
    await expect(pending).resolves.toEqual({ allowed: false, source: 'upstream' });
    expect(calls).toBe(2);
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
