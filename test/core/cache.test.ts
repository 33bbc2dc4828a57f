import { SessionCheckUnavailableError, SessionInactiveError, type IdentityExtractor } from '../../src/index';
import { APP, asUser, rejectionOf, until, useHarness } from './fixtures';

describe('session cache', () => {
  const h = useHarness();

  it('an inactive answer is kept inactiveTtlMs: a user who signs in again waits at most that long', async () => {
    const { fake, clock } = h();
    const guard = h().guard({ cache: { ttlMs: 5_000, inactiveTtlMs: 1_000 } });
    fake.addUser('alice');
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionInactiveError);
    await fake.login('alice', APP);
    clock.advance(999);
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionInactiveError);
    expect(fake.calls.check).toBe(1);
    clock.advance(2);
    await expect(h().ask(guard, 'alice')).resolves.toMatchObject({ session: { source: 'upstream' } });
    expect(fake.calls.check).toBe(2);
  });

  it('an unknown user (apiCode 2004) is an inactive answer, cached like one', async () => {
    const { fake } = h();
    const guard = h().guard();
    expect(await rejectionOf(h().ask(guard, 'ghost'))).toBeInstanceOf(SessionInactiveError);
    expect(await rejectionOf(h().ask(guard, 'ghost'))).toBeInstanceOf(SessionInactiveError);
    expect(fake.calls.check).toBe(1);
    expect(guard.stats()).toMatchObject({ hits: 1, misses: 1, errors: 0 });
  });

  it('evicts the least recently used answer beyond max', async () => {
    const { fake } = h();
    const guard = h().guard({ cache: { max: 2 } });
    for (const user of ['a', 'b', 'c']) await fake.login(user, APP);
    await h().ask(guard, 'a');
    await h().ask(guard, 'b');
    await h().ask(guard, 'a'); // a is now the most recently used
    await h().ask(guard, 'c'); // evicts b
    expect(guard.stats().size).toBe(2);
    expect(fake.calls.check).toBe(3);
    await h().ask(guard, 'a');
    expect(fake.calls.check).toBe(3);
    await h().ask(guard, 'b');
    expect(fake.calls.check).toBe(4);
  });

  it('an active answer never outlives the credential exp (claims.exp of the identity)', async () => {
    const { fake, clock } = h();
    const exp = Math.floor(clock() / 1000) + 2; // two seconds from now
    const identity: IdentityExtractor = (req) => ({ userId: String(req.headers['x-user-id']), claims: { exp } });
    const guard = h().guard({ identity, cache: { ttlMs: 60_000, refreshAheadMs: 0 } });
    await fake.login('alice', APP);
    await h().ask(guard, 'alice');
    clock.advance(1_999);
    expect((await h().ask(guard, 'alice')).session.source).toBe('cache');
    clock.advance(2);
    expect((await h().ask(guard, 'alice')).session.source).toBe('upstream');
    expect(fake.calls.check).toBe(2);
  });

  it('refresh ahead does not keep re-asking for an answer cut short by the credential exp', async () => {
    const { fake, clock } = h();
    const exp = Math.floor(clock() / 1000) + 3;
    const identity: IdentityExtractor = (req) => ({ userId: String(req.headers['x-user-id']), claims: { exp } });
    const guard = h().guard({ identity, cache: { ttlMs: 5_000, refreshAheadMs: 500 } });
    await fake.login('alice', APP);
    await h().ask(guard, 'alice'); // cached for 3 s (the exp), refresh due at 2.5 s
    clock.advance(2_600);
    expect((await h().ask(guard, 'alice')).session.source).toBe('cache'); // starts one background refresh
    await until(() => guard.stats().inFlight === 0 && fake.calls.check === 2, 'refresh done');
    // The refreshed answer lives only until the exp (0.4 s), inside the refresh window: it must not be refreshed
    // again on every hit (one call per round trip per user until the exp).
    for (let i = 0; i < 5; i++) {
      expect((await h().ask(guard, 'alice')).session.source).toBe('cache');
      await until(() => guard.stats().inFlight === 0, 'no refresh under way');
    }
    expect(fake.calls.check).toBe(2);
    expect(guard.stats().refreshes).toBe(1);
  });

  describe("onUpstreamError: 'allow-stale'", () => {
    it('does not serve a stale answer dropped by invalidate (a kicked user is not let in during an outage)', async () => {
      const { fake, clock } = h();
      const guard = h().guard({ onUpstreamError: 'allow-stale', staleIfErrorMs: 60_000, cache: { ttlMs: 1_000 }, circuitBreaker: false });
      await fake.login('alice', APP);
      await h().ask(guard, 'alice');
      clock.advance(2_000);
      fake.fault({ kind: 'http-status', status: 503 });
      expect((await h().ask(guard, 'alice')).session.source).toBe('stale');
      fake.kick('alice');
      guard.invalidate('alice');
      expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionCheckUnavailableError);
      expect(guard.stats().stale).toBe(1);
    });

    it('does not serve stale answers after close()', async () => {
      const { fake, clock } = h();
      const guard = h().guard({ onUpstreamError: 'allow-stale', cache: { ttlMs: 1_000 } });
      await fake.login('alice', APP);
      await h().ask(guard, 'alice');
      clock.advance(2_000);
      await guard.close();
      expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionCheckUnavailableError);
      expect(guard.stats().stale).toBe(0);
    });

    it('serves a stale answer to every waiter of a failed shared lookup', async () => {
      const { fake, clock } = h();
      const guard = h().guard({ onUpstreamError: 'allow-stale', cache: { ttlMs: 1_000 }, circuitBreaker: false });
      await fake.login('alice', APP);
      await h().ask(guard, 'alice');
      clock.advance(2_000);
      fake.fault({ kind: 'http-status', status: 502 }, { times: 1 });
      const results = await Promise.all(Array.from({ length: 20 }, () => guard.authenticate(asUser('alice'), APP)));
      expect(results.every((auth) => auth.session.source === 'stale')).toBe(true);
      expect(fake.calls.check).toBe(2);
    });
  });
});
