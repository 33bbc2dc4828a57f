import { SessionCheckUnavailableError } from '../../src/index';
import { APP, asUser, useHarness } from './fixtures';

describe('coalescing of concurrent lookups (counted at the fake)', () => {
  const h = useHarness();

  it('1,000 concurrent cold authenticate calls for one user make exactly one check-session-status call', async () => {
    const { fake } = h();
    const guard = h().guard({ timeoutMs: 10_000 });
    await fake.login('alice', APP);
    fake.fault({ kind: 'latency', ms: 50 }, { times: 1 }); // the one call is still under way when the last caller arrives
    const results = await Promise.all(Array.from({ length: 1_000 }, () => guard.authenticate(asUser('alice'), APP)));
    expect(results.every((auth) => auth.userId === 'alice' && auth.session.source === 'upstream')).toBe(true);
    expect(fake.calls.check).toBe(1);
    const stats = guard.stats();
    expect(stats.misses).toBe(1);
    expect(stats.coalesced + stats.misses).toBe(1_000);
    expect(stats.hits).toBe(0);
    expect(stats.upstreamCalls).toBe(1);
    expect(stats.size).toBe(1);
  });

  // 1,000 real calls, 64 at a time (maxInFlight): a few seconds on a quiet machine, tens of seconds on a loaded
  // one. The later calls wait for a slot up to timeoutMs (real time), so it is roomy: the cap is not what this test
  // is about (test/resilience/circuit-breaker.test.ts is), and a busy machine must not make it refuse.
  it.each(['token', 'signature'] as const)(
    '1,000 concurrent cold calls for 1,000 distinct users make 1,000 check calls and at most one token call (auth %s)',
    async (auth) => {
      const { fake } = h();
      const guard = h().guard({ auth, timeoutMs: 150_000 });
      const users = Array.from({ length: 1_000 }, (_, i) => `user-${i}`);
      for (const user of users) await fake.login(user, APP);
      const results = await Promise.all(users.map((user) => guard.authenticate(asUser(user), APP)));
      expect(results.map((auth) => auth.userId)).toEqual(users);
      expect(fake.calls.check).toBe(1_000);
      expect(fake.calls.token).toBeLessThanOrEqual(1);
      expect(fake.calls.token).toBe(auth === 'token' ? 1 : 0);
      expect(fake.calls.refused).toBe(0);
      expect(guard.stats()).toMatchObject({ misses: 1_000, coalesced: 0, upstreamCalls: 1_000, size: 1_000, tokenFetches: auth === 'token' ? 1 : 0 });
    },
    180_000,
  );

  it('one user in two apps: one call per (app, user), never shared across apps', async () => {
    const { fake } = h();
    const guard = h().guard({ timeoutMs: 10_000 });
    await fake.login('alice', 'app-a');
    fake.addUser('alice');
    fake.fault({ kind: 'latency', ms: 50 }, { times: 2 });
    const a = Array.from({ length: 100 }, () => guard.authenticate(asUser('alice'), 'app-a'));
    const b = Array.from({ length: 100 }, () => guard.authenticate(asUser('alice'), 'app-b').then(() => 'passed', (e: Error) => e.constructor.name));
    await Promise.all(a);
    expect(new Set(await Promise.all(b))).toEqual(new Set(['SessionInactiveError']));
    expect(fake.calls.check).toBe(2);
  });

  it('a failed shared lookup fails every waiter with a 503, is not cached, and the next request asks again', async () => {
    const { fake } = h();
    const guard = h().guard({ timeoutMs: 10_000, circuitBreaker: false });
    await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 502, html: true }, { times: 1 });
    const outcomes = await Promise.allSettled(Array.from({ length: 100 }, () => guard.authenticate(asUser('alice'), APP)));
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof SessionCheckUnavailableError)).toBe(true);
    expect(fake.calls.check).toBe(1);
    expect(guard.stats().size).toBe(0);
    await expect(guard.authenticate(asUser('alice'), APP)).resolves.toMatchObject({ session: { source: 'upstream' } });
    expect(fake.calls.check).toBe(2);
  });

  it('with cache: false nothing is kept: only lookups under way at the same moment share a call', async () => {
    const { fake } = h();
    const guard = h().guard({ cache: false, timeoutMs: 10_000 });
    await fake.login('alice', APP);
    await Promise.all(Array.from({ length: 20 }, () => guard.authenticate(asUser('alice'), APP)));
    expect(fake.calls.check).toBe(1);
    expect(guard.stats()).toMatchObject({ misses: 1, hits: 0, coalesced: 19, size: 0 });
    for (let i = 0; i < 3; i++) await guard.authenticate(asUser('alice'), APP);
    expect(fake.calls.check).toBe(4);
  });
});
