import { APP, asUser, useHarness } from './fixtures';

/**
 * The session answer kept for one request object (src/core/request-answers.ts) with `cache: false`: the later
 * middlewares of that request use it, but an object reused across requests (a WebSocket upgrade request checked for
 * every message) is asked about again once KEPT_WITHOUT_CACHE_MS (1 s) has passed, as `cache: false` promises.
 */
describe('a request object reused with cache: false', () => {
  const h = useHarness();

  it('reuses the answer within 1 s, then asks GenAuth again; a kick is then refused', async () => {
    const { fake, clock } = h();
    await fake.login('alice', APP);
    const guard = h().guard({ cache: false });
    const upgrade = asUser('alice');
    await guard.authenticate(upgrade, APP);
    await guard.authenticate(upgrade, APP); // the same request's later middleware
    expect(fake.calls.check).toBe(1);
    clock.advance(999);
    await guard.authenticate(upgrade, APP);
    expect(fake.calls.check).toBe(1);
    clock.advance(1);
    fake.kick('alice'); // no invalidate(): only asking GenAuth again can see it
    await expect(guard.authenticate(upgrade, APP)).rejects.toMatchObject({ code: 'session_inactive' });
    expect(fake.calls.check).toBe(2);
  });

  it('a clock moved back before the answer was checked does not serve it', async () => {
    const { fake, clock } = h();
    await fake.login('alice', APP);
    const guard = h().guard({ cache: false });
    const upgrade = asUser('alice');
    await guard.authenticate(upgrade, APP);
    clock.advance(-5_000);
    await guard.authenticate(upgrade, APP);
    expect(fake.calls.check).toBe(2);
  });
});
