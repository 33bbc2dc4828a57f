import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, header, type SessionGuard, type SessionGuardOptions, SessionCheckUnavailableError } from '../../src/index';
import { manualClock } from '../support/frameworks';

const APP = 'app-1';

describe('circuit breaker and in-flight cap', () => {
  let fake: FakeGenAuth;
  let clock: ReturnType<typeof manualClock>;
  let guard: SessionGuard;

  beforeEach(async () => {
    clock = manualClock();
    fake = await createFakeGenAuth({ clock });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await guard?.close();
    await fake.close();
  });

  function makeGuard(overrides: Partial<SessionGuardOptions> = {}) {
    guard = createSessionGuard({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      auth: 'signature',
      identity: header('x-user-id'),
      clock,
      timeoutMs: 10_000, // roomy: the failures here are answers, never a timeout (a busy machine must not add one)
      retries: 0,
      cache: { ttlMs: 1_000, inactiveTtlMs: 1 },
      ...overrides,
    } as SessionGuardOptions);
    return guard;
  }

  const ask = (userId: string) => guard.authenticate({ headers: { 'x-user-id': userId } }, APP);

  async function refusal(userId: string): Promise<SessionCheckUnavailableError> {
    const error = await ask(userId).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(SessionCheckUnavailableError);
    return error as SessionCheckUnavailableError;
  }

  it('opens after failureThreshold consecutive failed requests, fails fast, probes once per window, the window grows with the outage up to cooldownMs, closes on a good probe', async () => {
    // The windows at their nominal length (no jitter), so that Retry-After and probe times are exact.
    jest.spyOn(Math, 'random').mockReturnValue(1);
    makeGuard({ circuitBreaker: { failureThreshold: 3, initialCooldownMs: 1_000, cooldownMs: 4_000 } });
    await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 502 });
    for (let i = 0; i < 3; i++) await refusal('alice');
    expect(fake.calls.check).toBe(3);
    expect(guard.stats()).toMatchObject({ circuit: 'open', circuitOpened: 1 });

    // Open: refused at once, GenAuth not asked, Retry-After = the window left (whole seconds, at least 1).
    expect((await refusal('alice')).headers['retry-after']).toBe('1');
    expect(fake.calls.check).toBe(3);

    // GenAuth down for 24 s, asked every 250 ms: one probe per window; the window is initialCooldownMs (1 s) until
    // the outage is 4 s old, then a quarter of its age, then cooldownMs (4 s) from 16 s on.
    const probes: number[] = [];
    for (let elapsed = 250; elapsed <= 24_000; elapsed += 250) {
      clock.advance(250);
      const calls = fake.calls.check;
      await refusal('alice');
      if (fake.calls.check > calls) probes.push(elapsed);
    }
    expect(probes.slice(0, 5)).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
    const windows = probes.slice(1).map((at, i) => at - probes[i]!);
    expect(windows.every((w, i) => i === 0 || w >= windows[i - 1]!)).toBe(true); // never shrinks while failing
    expect(Math.max(...windows)).toBe(4_000);
    expect(probes.length).toBeLessThanOrEqual(12);
    expect(guard.stats()).toMatchObject({ circuit: 'open', circuitOpened: 1 + probes.length });
    expect((await refusal('alice')).headers['retry-after']).toMatch(/^[1-4]$/);

    // Next window over, GenAuth healthy: concurrent requests, exactly one probe reaches it, and it closes.
    fake.clearFaults();
    clock.advance(4_000);
    const before = fake.calls.check;
    const results = await Promise.allSettled(['alice', 'u2', 'u3', 'u4'].map((user) => ask(user)));
    expect(results[0]!.status).toBe('fulfilled');
    expect(results.slice(1).every((result) => result.status === 'rejected')).toBe(true);
    expect(fake.calls.check).toBe(before + 1);
    expect(guard.stats().circuit).toBe('closed');
    await fake.login('u2', APP);
    await expect(ask('u2')).resolves.toMatchObject({ userId: 'u2' });

    // A good probe starts over: the next opening is for the first window again.
    fake.fault({ kind: 'http-status', status: 502 });
    for (let i = 0; i < 3; i++) await refusal(`fresh-${i}`);
    expect(guard.stats()).toMatchObject({ circuit: 'open', circuitOpened: 2 + probes.length });
    expect((await refusal('zed')).headers['retry-after']).toBe('1');
    clock.advance(1_000);
    await refusal('zed');
    expect(fake.calls.check).toBe(before + 2 + 3 + 1); // the good probe and u2, three failures, one probe
  });

  it('one failed request, its retries included, never opens it', async () => {
    makeGuard({ retries: 2, circuitBreaker: { failureThreshold: 2, cooldownMs: 1_000 } });
    await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 503 }, { times: 3 });
    await refusal('alice');
    expect(fake.calls.check).toBe(3);
    expect(guard.stats().circuit).toBe('closed');
    await expect(ask('alice')).resolves.toMatchObject({ userId: 'alice' });
  });

  it('a success in between resets the count of consecutive failures', async () => {
    makeGuard({ circuitBreaker: { failureThreshold: 2, cooldownMs: 1_000 } });
    await fake.login('alice', APP);
    fake.fault({ kind: 'reset' }, { times: 1 });
    await refusal('alice');
    await ask('alice');
    fake.fault({ kind: 'reset' }, { times: 1 });
    clock.advance(2_000);
    await refusal('alice');
    expect(guard.stats().circuit).toBe('closed');
  });

  it('circuitBreaker: false never fails fast', async () => {
    makeGuard({ circuitBreaker: false });
    fake.fault({ kind: 'http-status', status: 502 });
    for (let i = 0; i < 8; i++) await refusal('alice');
    expect(fake.calls.check).toBe(8);
    expect(guard.stats().circuit).toBe('off');
  });

  it('keeps at most maxInFlight calls under way and refuses those that wait too long', async () => {
    let inFlight = 0;
    let most = 0;
    const countingFetch: typeof fetch = async (input, init) => {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        const response = await fetch(input, init);
        const body = await response.arrayBuffer();
        return new Response(body, { status: response.status, headers: response.headers });
      } finally {
        inFlight--;
      }
    };
    makeGuard({ maxInFlight: 2, timeoutMs: 2_000, fetch: countingFetch, circuitBreaker: false });
    const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    for (const user of users) await fake.login(user, APP);
    fake.fault({ kind: 'latency', ms: 600 }, { times: 12 });
    const results = await Promise.allSettled(users.map((user) => ask(user)));
    expect(most).toBe(2);
    const passed = results.filter((result) => result.status === 'fulfilled').length;
    const refused = results.filter((result) => result.status === 'rejected');
    // At least 600 ms per call (the fake's delay), two at a time, 2 s of wait at most: a slot frees at 600 ms at the
    // earliest, so the fifth and sixth pairs (no slot before 2.4 s and 3 s) are surely refused, however busy the
    // machine; the first pair has 1.4 s to spare within its 2 s timeout.
    expect(passed).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const result of refused) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(SessionCheckUnavailableError);
    expect(guard.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('refuses bad breaker options at construction', () => {
    expect(() => makeGuard({ circuitBreaker: { cooldownMs: 60_000 } })).toThrow(TypeError);
    expect(() => makeGuard({ circuitBreaker: { failureThreshold: 0 } })).toThrow(TypeError);
    expect(() => makeGuard({ circuitBreaker: { initialCooldownMs: 0 } })).toThrow(TypeError);
    expect(() => makeGuard({ circuitBreaker: { initialCooldownMs: 3_000, cooldownMs: 2_000 } })).toThrow(/initialCooldownMs/);
    expect(() => makeGuard({ maxInFlight: 0 })).toThrow(TypeError);
  });
});
