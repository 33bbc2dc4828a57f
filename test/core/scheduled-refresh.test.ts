import { SessionCheckUnavailableError, SessionInactiveError, type SessionGuard } from '../../src/index';
import { GuardEvents } from '../../src/core/events';
import { SessionCache } from '../../src/core/session-cache';
import { APP, gatedFetch, manualClock, rejectionOf, until, useHarness } from './fixtures';

/**
 * Scheduled refresh (issue 12, scenario 5): an active answer served from the cache at least once during its life is
 * refreshed at its `refreshAt` (ttlMs - refreshAheadMs) by a sweep that runs on cache reads (any user's) or on an
 * unref'd timer, without waiting for a request of that user inside the window. Counted on the fake GenAuth with an
 * injected clock, never timed.
 */
describe('scheduled refresh of used answers', () => {
  const h = useHarness();
  const T = 1_000;
  const W = 100;
  /** Steps of the injected clock; the sweep's buckets are W / 4 = 25 ms wide. */
  const STEP = 25;

  /** Waits until no call is under way and lru-cache has stored what came back. */
  async function settle(guard: SessionGuard): Promise<void> {
    await until(() => guard.stats().inFlight === 0, 'calls done');
    await new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * A guard whose cache events are counted per user, and a "ticker": a user GenAuth does not know (an inactive
   * answer, never refreshed, cached for the whole test: one call) whose requests stand for the app's other traffic,
   * so every tick is a cache read, hence a chance to sweep.
   */
  async function setUp(overrides: Record<string, unknown> = {}) {
    const { fake, clock } = h();
    const events: Array<{ userId: string; event: string }> = [];
    const logger = {
      debug(message: string, details: Record<string, unknown>) {
        if (message === 'genauth-session-guard cache') events.push({ userId: String(details.userId), event: String(details.event) });
      },
    };
    const guard = h().guard({ cache: { ttlMs: T, refreshAheadMs: W, inactiveTtlMs: 3_600_000 }, circuitBreaker: false, logger, ...overrides });
    fake.addUser('ticker');
    await fake.login('alice', APP);
    const tick = async () => {
      expect(await rejectionOf(h().ask(guard, 'ticker'))).toBeInstanceOf(SessionInactiveError);
      await settle(guard);
    };
    /** Moves the clock by `ms` in STEP steps, the ticker's request at every step. */
    const run = async (ms: number) => {
      for (let elapsed = 0; elapsed < ms; elapsed += STEP) {
        clock.advance(STEP);
        await tick();
      }
    };
    const count = (userId: string, event: string) => events.filter((e) => e.userId === userId && e.event === event).length;
    await tick(); // the ticker's one call
    return { fake, clock, guard, tick, run, count };
  }

  it('a user hit once early in each answer\'s life never waits again: one miss, then one call per ttlMs - refreshAheadMs', async () => {
    const { fake, guard, run, count } = await setUp();
    const D = 18_000;
    let passed = 0;
    // Alice comes every 500 ms (the bench's average gap): never inside the last 100 ms of an answer's life on purpose,
    // and often not at all there (each answer lives 900 ms before its refresh point).
    for (let elapsed = 0; elapsed <= D; elapsed += 500) {
      const auth = await h().ask(guard, 'alice');
      passed++;
      if (elapsed > 0) expect(auth.session.source).toBe('cache');
      await settle(guard);
      await run(500);
    }
    expect(passed).toBe(D / 500 + 1);
    expect(count('alice', 'miss')).toBe(1);
    expect(count('alice', 'hit')).toBe(D / 500);
    const aliceCalls = fake.calls.check - 1; // the ticker's one call
    expect(aliceCalls).toBeGreaterThanOrEqual(D / (T - W));
    expect(aliceCalls).toBeLessThanOrEqual(D / (T - W) + 2);
    expect(guard.stats().refreshes).toBe(aliceCalls - 1);
  });

  it('an answer nobody uses is not refreshed: a user who stops costs at most one more call', async () => {
    const { fake, guard, run } = await setUp();
    await fake.login('bob', APP);
    await h().ask(guard, 'alice'); // miss
    await h().ask(guard, 'bob'); // miss, never a hit: never scheduled
    await run(100);
    expect((await h().ask(guard, 'alice')).session.source).toBe('cache'); // used: scheduled for 900 ms
    await run(10 * T);
    // Alice: her answer and the one refresh of it (never used, so never refreshed again); Bob: his answer only.
    expect(fake.calls.check).toBe(1 + 2 + 1);
    expect(guard.stats().refreshes).toBe(1);
  });

  it.each([
    ['invalidate(userId)', undefined],
    ['invalidate(userId, appId)', APP],
  ])('a kick and %s between the hit and the refresh point: no refresh call, the next request asks and is refused', async (_label, appId) => {
    const { fake, guard, run } = await setUp();
    await h().ask(guard, 'alice');
    await run(100);
    expect((await h().ask(guard, 'alice')).session.source).toBe('cache'); // scheduled
    fake.kick('alice');
    expect(guard.invalidate('alice', appId)).toBe(1);
    await run(T);
    expect(fake.calls.check).toBe(1 + 1);
    expect(guard.stats().refreshes).toBe(0);
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionInactiveError);
    expect(fake.calls.check).toBe(1 + 2);
  });

  it('a kick without invalidate is picked up by the scheduled refresh: refused without a call at the next request', async () => {
    const { fake, guard, run } = await setUp();
    await h().ask(guard, 'alice');
    await run(100);
    await h().ask(guard, 'alice'); // scheduled
    fake.kick('alice');
    await run(900);
    expect(guard.stats().refreshes).toBe(1);
    expect(fake.calls.check).toBe(1 + 2);
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionInactiveError);
    expect(fake.calls.check).toBe(1 + 2);
  });

  it('a scheduled refresh answered "active" before a kick and an invalidate is never served', async () => {
    const { fake, clock } = h();
    const gate = gatedFetch();
    fake.addUser('ticker');
    await fake.login('alice', APP);
    const guard = h().guard({ fetch: gate.fetch, cache: { ttlMs: T, refreshAheadMs: W, inactiveTtlMs: 3_600_000 }, circuitBreaker: false });
    const asked = async (userId: string, held: number) => {
      const outcome = h().ask(guard, userId).then((auth) => auth.session.source, (error: unknown) => error);
      await until(() => gate.held === held, `check call ${held} held`);
      gate.releaseHeld();
      return outcome;
    };
    expect(await asked('ticker', 1)).toBeInstanceOf(SessionInactiveError);
    expect(await asked('alice', 2)).toBe('upstream');
    clock.advance(100);
    expect((await h().ask(guard, 'alice')).session.source).toBe('cache'); // scheduled for 900 ms
    clock.advance(800);
    await expect(h().ask(guard, 'ticker')).rejects.toBeInstanceOf(SessionInactiveError); // sweeps: the refresh starts
    await until(() => gate.held === 3, 'the refresh answered "active"');
    fake.kick('alice');
    guard.invalidate('alice');
    gate.releaseHeld();
    await settle(guard);
    expect(guard.stats().refreshes).toBe(1);
    expect(await asked('alice', 4)).toBeInstanceOf(SessionInactiveError);
  });

  it('a scheduled refresh that fails is counted, and leaves the answer to expire at its own time (no stale serving)', async () => {
    const { fake, guard, run } = await setUp();
    await h().ask(guard, 'alice');
    await run(100);
    await h().ask(guard, 'alice'); // scheduled
    fake.fault({ kind: 'http-status', status: 503 });
    await run(875); // the refresh fails at 900 ms
    expect(guard.stats().refreshes).toBe(1);
    expect(fake.calls.check).toBe(1 + 2);
    // The answer still serves until 1000 ms (a hit in the window tries once more, and fails too).
    expect((await h().ask(guard, 'alice')).session.source).toBe('cache');
    await settle(guard);
    expect(guard.stats().refreshes).toBe(2);
    expect(fake.calls.check).toBe(1 + 3);
    await run(25);
    // Expired: asked again (the fault still on), refused with a 503, not served from the old answer.
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionCheckUnavailableError);
    expect(fake.calls.check).toBe(1 + 4);
    expect(guard.stats().stale).toBe(0);
  });

  it("with onUpstreamError 'allow-stale', a failed scheduled refresh leaves the answer to the stale rules", async () => {
    const { fake, guard, run } = await setUp({ onUpstreamError: 'allow-stale', staleIfErrorMs: 30_000 });
    await h().ask(guard, 'alice');
    await run(100);
    await h().ask(guard, 'alice');
    fake.fault({ kind: 'http-status', status: 503 });
    await run(1_000);
    expect(guard.stats().refreshes).toBe(1);
    expect((await h().ask(guard, 'alice')).session.source).toBe('stale');
  });

  it("sweeps ride on any request: another user's miss refreshes an answer due", async () => {
    const { fake, clock } = h();
    const guard = h().guard({ cache: { ttlMs: T, refreshAheadMs: W } });
    await fake.login('alice', APP);
    await fake.login('bob', APP);
    await h().ask(guard, 'alice');
    clock.advance(100);
    await h().ask(guard, 'alice'); // scheduled
    clock.advance(850);
    expect((await h().ask(guard, 'bob')).session.source).toBe('upstream'); // a miss, and the sweep
    await settle(guard);
    expect(fake.calls.check).toBe(3);
    expect(guard.stats().refreshes).toBe(1);
    clock.advance(500); // 1,450 ms: past the first answer's expiry, inside the refreshed one's life
    expect((await h().ask(guard, 'alice')).session.source).toBe('cache');
    expect(guard.stats().misses).toBe(2);
  });

  it('with no request at all, the timer sweeps (a quiet app refreshes too)', async () => {
    const { fake, clock } = h();
    // A short TTL so that the timer (armed for the injected clock's distance to the bucket) fires within ~100 ms.
    const guard = h().guard({ cache: { ttlMs: 200, refreshAheadMs: 100 } });
    await fake.login('alice', APP);
    await h().ask(guard, 'alice');
    clock.advance(10);
    await h().ask(guard, 'alice'); // scheduled for 100 ms
    clock.advance(140);
    await until(() => fake.calls.check === 2, 'the timer refreshed the answer');
    await settle(guard);
    expect(guard.stats().refreshes).toBe(1);
    expect((await h().ask(guard, 'alice')).session.source).toBe('cache');
    expect(guard.stats().misses).toBe(1);
  });

  it('a clock moved back an hour, then a day ahead: no hang, no call for expired answers, refreshes go on', async () => {
    const { fake, clock, guard, tick, run } = await setUp();
    const users = Array.from({ length: 50 }, (_, i) => `user-${i}`);
    for (const user of users) await fake.login(user, APP);
    for (const user of users) await h().ask(guard, user);
    await run(50);
    for (const user of users) expect((await h().ask(guard, user)).session.source).toBe('cache'); // 50 scheduled
    const before = fake.calls.check;
    // Back an hour: no answer serves (asked "in the future"); the 50 scheduled ones are due an hour from now.
    clock.advance(-3_600_000);
    await tick(); // the ticker's answer is asked again
    expect((await h().ask(guard, 'alice')).session.source).toBe('upstream');
    await run(100);
    expect((await h().ask(guard, 'alice')).session.source).toBe('cache'); // scheduled before every other bucket
    await run(900);
    expect(guard.stats().refreshes).toBe(1); // alice's, on time
    expect(fake.calls.check).toBe(before + 3);
    // A day ahead: the sweep goes through the buckets once (not 3.5 million steps); every answer is expired.
    clock.advance(24 * 3_600_000);
    await tick(); // the ticker's answer (an hour) expired: asked again
    expect(guard.stats().refreshes).toBe(1);
    expect(fake.calls.check).toBe(before + 4);
    // And on from there as usual.
    expect((await h().ask(guard, 'alice')).session.source).toBe('upstream');
    await run(100);
    await h().ask(guard, 'alice');
    await run(900);
    expect(guard.stats().refreshes).toBe(2);
    expect(fake.calls.check).toBe(before + 6);
  });
});

describe('the schedule (SessionCache)', () => {
  const T = 1_000;

  function cacheWith(clock: ReturnType<typeof manualClock>) {
    let calls = 0;
    const cache = new SessionCache({
      enabled: true, ttlMs: T, inactiveTtlMs: 1_000, max: 200_000, refreshAheadMs: 100, staleIfErrorMs: 0,
      clock, events: new GuardEvents(undefined),
      load: () => {
        calls++;
        return Promise.resolve(true);
      },
    });
    return { cache, calls: () => calls };
  }

  it('stays empty when answers are asked for but never served from the cache (no hits, nothing held)', async () => {
    const clock = manualClock();
    const { cache, calls } = cacheWith(clock);
    for (let i = 0; i < 1_000; i++) await cache.lookup(APP, `user-${i}`, undefined);
    expect(cache.scheduledRefreshes).toBe(0);
    expect(cache.cached(APP, 'user-1', undefined)).toBeDefined();
    expect(cache.cached(APP, 'user-1', undefined)).toBeDefined(); // the same answer: listed once
    expect(cache.scheduledRefreshes).toBe(1);
    cache.clear();
    expect(cache.scheduledRefreshes).toBe(0);
    expect(calls()).toBe(1_000);
  });

  it('a clock jumping decades ahead sweeps once through the buckets instead of stepping (no hang)', async () => {
    const clock = manualClock();
    const { cache, calls } = cacheWith(clock);
    for (let i = 0; i < 100; i++) {
      await cache.lookup(APP, `user-${i}`, undefined);
      clock.advance(7); // spread over many buckets
      cache.cached(APP, `user-${i}`, undefined);
    }
    expect(cache.scheduledRefreshes).toBe(100);
    clock.advance(1e12); // stepping 25 ms buckets would take 4e10 steps
    await cache.lookup(APP, 'zed', undefined); // a miss: sweeps
    expect(cache.scheduledRefreshes).toBe(0);
    expect(calls()).toBe(101);
    expect(cache.counters.refreshes).toBe(0);
  });

  it('an answer cut short by its credential is not refreshed by the schedule (the refresh would end at the same exp)', async () => {
    const clock = manualClock();
    const { cache, calls } = cacheWith(clock);
    const exp = clock() + 600; // the answer lives 600 ms, refresh point at 500 ms
    await cache.lookup(APP, 'alice', exp);
    clock.advance(100);
    expect(cache.cached(APP, 'alice', exp)).toBeDefined();
    expect(cache.scheduledRefreshes).toBe(1);
    clock.advance(450);
    await cache.lookup(APP, 'bob', undefined); // sweeps: alice is due, but a refresh could not extend her answer
    expect(cache.scheduledRefreshes).toBe(0);
    expect(calls()).toBe(2);
  });
});
