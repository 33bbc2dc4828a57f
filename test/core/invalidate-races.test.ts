import { SessionCheckUnavailableError, SessionInactiveError, type SessionGuard } from '../../src/index';
import { GuardEvents } from '../../src/core/events';
import { SessionCache } from '../../src/core/session-cache';
import { APP, gatedFetch, manualClock, until, useHarness } from './fixtures';

/** Runs `fn` exactly `depth` microtasks from now. */
function atMicrotask(depth: number, fn: () => void): Promise<void> {
  let step = Promise.resolve();
  for (let i = 0; i < depth; i++) step = step.then(() => undefined);
  return step.then(fn);
}

describe('invalidate and lookups under way', () => {
  describe('an invalidate between the fetch resolving and lru-cache storing its answer (loader under test control)', () => {
    // The gap is a few microtasks wide; every offset from the loader's answer is tried, so that the test does not
    // depend on how many microtasks lru-cache and the cache take today.
    it.each([undefined, APP])('is never lost, at any microtask after the loader answers (appId: %s)', async (appId) => {
      const clock = manualClock();
      for (let depth = 0; depth <= 40; depth++) {
        let kicked = false;
        let answerFirst!: (active: boolean) => void;
        let calls = 0;
        const load = () => {
          calls++;
          if (calls === 1) return new Promise<boolean>((resolve) => (answerFirst = resolve));
          return Promise.resolve(!kicked);
        };
        const cache = new SessionCache({
          enabled: true, ttlMs: 60_000, inactiveTtlMs: 1_000, max: 100, refreshAheadMs: 0, staleIfErrorMs: 0,
          clock, load, events: new GuardEvents(undefined),
        });
        const first = cache.lookup(APP, 'alice', undefined).catch((error: unknown) => error);
        await until(() => calls === 1, 'loader called');
        // GenAuth said "active"; the user is kicked right after, and the app invalidates `depth` microtasks later.
        answerFirst(true);
        kicked = true;
        await atMicrotask(depth, () => cache.invalidate('alice', appId));
        await first;
        // Whatever the first lookup got, nothing asked before the invalidate serves after it.
        expect({ depth, cached: cache.cached(APP, 'alice', undefined)?.active }).not.toEqual({ depth, cached: true });
        const next = await cache.lookup(APP, 'alice', undefined);
        expect({ depth, active: next.session.active }).toEqual({ depth, active: false });
      }
    });
  });

  describe('a lookup invalidated again while it is asked again: cache on and cache: false agree', () => {
    const h = useHarness();

    /**
     * One request; `invalidations` invalidates, each while a check call is held (the answer "active" on its way
     * back). Before the second one the user is kicked: the answers asked before it are pre-kick answers.
     */
    async function invalidatedWhileAsked(cache: false | undefined, invalidations: number) {
      const { fake } = h();
      const gate = gatedFetch();
      const guard: SessionGuard = h().guard({ fetch: gate.fetch, timeoutMs: 10_000, circuitBreaker: false, ...(cache === false ? { cache } : {}) });
      await fake.login('alice', APP);
      const outcome = h().ask(guard, 'alice').then((auth) => auth.session, (error: unknown) => error);
      for (let i = 1; i <= invalidations; i++) {
        await until(() => gate.held === i, `check call ${i} held`);
        if (i === 2) fake.kick('alice');
        guard.invalidate('alice');
        gate.releaseHeld();
      }
      gate.release();
      return { outcome: await outcome, calls: fake.calls.check };
    }

    it.each([['cache on', undefined], ['cache: false', false]] as const)(
      '%s: invalidated twice, the lookup asks a third time and answers with what GenAuth says now (401)',
      async (_label, cache) => {
        const { outcome, calls } = await invalidatedWhileAsked(cache, 2);
        expect(outcome).toBeInstanceOf(SessionInactiveError);
        expect(calls).toBe(3);
      },
    );

    it.each([['cache on', undefined], ['cache: false', false]] as const)(
      '%s: invalidated on every ask, the lookup gives up after three asks with a 503, never an older answer',
      async (_label, cache) => {
        const { outcome, calls } = await invalidatedWhileAsked(cache, 3);
        expect(outcome).toBeInstanceOf(SessionCheckUnavailableError);
        expect(calls).toBe(3);
      },
    );
  });
});
