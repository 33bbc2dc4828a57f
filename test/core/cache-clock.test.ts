import { SessionCheckUnavailableError, SessionInactiveError } from '../../src/index';
import { APP, manualClock, rejectionOf, useHarness } from './fixtures';

/**
 * The cache's clock rule (src/core/session-cache.ts, isFresh): an answer serves while checkedAt <= now < expiresAt,
 * whatever lru-cache thinks of the entry. Injected clocks only; the fake keeps its own clock.
 */
describe('cached answers and the clock', () => {
  const h = useHarness();

  it('an answer stored when the injected clock reads 0 expires after ttlMs like any other', async () => {
    const { fake } = h();
    const clock = manualClock(0);
    const guard = h().guard({ clock, cache: { ttlMs: 1_000, refreshAheadMs: 0 } });
    await fake.login('alice', APP);
    expect((await h().ask(guard, 'alice')).session).toMatchObject({ source: 'upstream', checkedAt: 0 });
    fake.kick('alice');
    clock.advance(999);
    expect((await h().ask(guard, 'alice')).session.source).toBe('cache');
    clock.advance(2);
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionInactiveError);
    expect(fake.calls.check).toBe(2);
  });

  it('an inactive answer stored at clock 0 expires after inactiveTtlMs', async () => {
    const { fake } = h();
    const clock = manualClock(0);
    const guard = h().guard({ clock, cache: { ttlMs: 5_000, inactiveTtlMs: 1_000 } });
    fake.addUser('alice');
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionInactiveError);
    await fake.login('alice', APP);
    clock.advance(1_001);
    expect((await h().ask(guard, 'alice')).session.source).toBe('upstream');
  });

  it('a clock stepping back does not stretch an answer past ttlMs: it is asked again', async () => {
    const { fake } = h();
    const clock = manualClock(Date.UTC(2026, 10, 26, 12, 0, 0));
    const guard = h().guard({ clock, cache: { ttlMs: 1_000, refreshAheadMs: 0 } });
    await fake.login('alice', APP);
    await h().ask(guard, 'alice');
    clock.advance(500);
    expect((await h().ask(guard, 'alice')).session.source).toBe('cache');
    fake.kick('alice');
    // The wall clock is set back an hour (NTP, a VM resumed): how long the answer has been held is unknown.
    clock.advance(-3_600_000);
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionInactiveError);
    expect(fake.calls.check).toBe(2);
    // The answer asked after the step serves by the new readings, for ttlMs.
    await fake.login('alice', APP);
    clock.advance(999);
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionInactiveError);
    clock.advance(2);
    expect((await h().ask(guard, 'alice')).session.source).toBe('upstream');
  });

  it("with 'allow-stale', a clock stepping back does not make an old answer young enough to serve as stale", async () => {
    const { fake } = h();
    const clock = manualClock(Date.UTC(2026, 10, 26, 12, 0, 0));
    const guard = h().guard({ clock, onUpstreamError: 'allow-stale', staleIfErrorMs: 10_000, cache: { ttlMs: 1_000, refreshAheadMs: 0 }, circuitBreaker: false });
    await fake.login('alice', APP);
    await h().ask(guard, 'alice');
    clock.advance(60_000); // long past staleIfErrorMs
    fake.fault({ kind: 'http-status', status: 503 });
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionCheckUnavailableError);
    clock.advance(-3_600_000);
    expect(await rejectionOf(h().ask(guard, 'alice'))).toBeInstanceOf(SessionCheckUnavailableError);
    expect(guard.stats().stale).toBe(0);
  });
});
