/**
 * A blip stays a blip (issue 8). The set-up, on an injected clock: 16 concurrent clients, 200 users,
 * ttlMs 200 ms, the default breaker and retries, GenAuth answering body statusCode 500 while down. On the old
 * breaker (5 failures open it for a fixed 5 s) every request in the 3 s after a 300 ms blip was refused.
 */
import { CircuitBreaker } from '../../src/client/circuit-breaker';
import { runBlipScenario, within } from './blip-harness';

jest.setTimeout(60_000);

describe('a blip stays a blip', () => {
  it('after a 300 ms blip, 503s end within 1 s of GenAuth answering again', async () => {
    const [down, up] = [500, 800];
    const result = await runBlipScenario({ durationMs: up + 2_000, downAt: (t) => t >= down && t < up });
    const before = within(result, 0, down);
    const blip = within(result, down, up);
    const firstSecond = within(result, up, up + 1_000);
    const after = within(result, up + 1_000, up + 2_000);
    // The scenario bites: the blip was felt (some requests refused, the circuit opened), and it ends.
    expect(before.unavailable).toBe(0);
    expect(blip.unavailable).toBeGreaterThan(0);
    expect(result.stats[0]!.circuitOpened).toBeGreaterThanOrEqual(1);
    expect(firstSecond.passes).toBeGreaterThan(0);
    // The goal: nothing refused from 1 s after recovery on, and everyone passes.
    expect(after.requests).toBe(16 * 100);
    expect(after.unavailable).toBe(0);
    expect(after.passes).toBe(after.requests);
    expect(result.stats[0]!.circuit).toBe('closed');
  });

  it('GenAuth hard down for 3 s: upstream calls stay at or below max(60, 5 % of requests), retries included', async () => {
    const [down, up] = [300, 3_300];
    const result = await runBlipScenario({ durationMs: up + 200, downAt: (t) => t >= down && t < up });
    const outage = within(result, down, up);
    expect(outage.requests).toBe(16 * 300);
    // Once the cached answers (ttlMs 200) are gone, everything is refused: fail closed.
    expect(within(result, down + 200, up).passes).toBe(0);
    expect(outage.upstream).toBeGreaterThan(0);
    expect(outage.upstream).toBeLessThanOrEqual(Math.max(60, 0.05 * outage.requests));
    expect(result.stats[0]!.circuitOpened).toBeGreaterThanOrEqual(2); // it probed, and probes failed
  });

  it('guards that opened together probe at different times when GenAuth comes back', async () => {
    const guards = 20;
    const [down, up] = [200, 1_200];
    const result = await runBlipScenario({
      durationMs: up + 1_000,
      downAt: (t) => t >= down && t < up,
      guards,
      clients: guards,
    });
    // Each guard's first upstream call after recovery is its probe (or its first call once closed).
    const probes = new Map<number, number>();
    for (const { t, guard } of result.upstream) if (t >= up && !probes.has(guard)) probes.set(guard, t);
    expect(probes.size).toBe(guards);
    const perStep = new Map<number, number>();
    for (const t of probes.values()) perStep.set(t, (perStep.get(t) ?? 0) + 1);
    // Spread over the jitter of one window (10 ms steps): never all at once. Jitter drawn at random, so the bounds
    // are loose: a failure here by chance is below one in a million.
    expect(perStep.size).toBeGreaterThanOrEqual(6);
    expect(Math.max(...perStep.values())).toBeLessThanOrEqual(8);
    // And every circuit closed again: a 1 s outage keeps the first window (250 ms at most).
    expect(result.stats.every((stats) => stats.circuit === 'closed')).toBe(true);
  });
});

describe('CircuitBreaker windows', () => {
  const options = { failureThreshold: 1, initialCooldownMs: 200, cooldownMs: 1_600 };

  function openedBreaker(random: () => number) {
    let now = 0;
    const clock = Object.assign(() => now, { set: (ms: number) => (now = ms) });
    const breaker = new CircuitBreaker(options, clock, random);
    expect(breaker.admit()).toBeUndefined();
    breaker.failure();
    return { breaker, clock };
  }

  /** The first time (1 ms steps) a probe is let through. */
  function probeTime(breaker: CircuitBreaker, clock: { set: (ms: number) => void }, from: number): number {
    for (let ms = from; ms <= from + 10_000; ms++) {
      clock.set(ms);
      if (breaker.admit() === undefined) return ms;
    }
    throw new Error('no probe within 10 s');
  }

  it('keeps the first window while the outage is young, then a quarter of its age, capped by cooldownMs; jitter takes up to half off', () => {
    for (const [random, factor] of [[() => 0, 0.5], [() => 0.999_999, 1]] as const) {
      const { breaker, clock } = openedBreaker(random);
      let at = 0;
      const windows: Array<[number, number]> = []; // [outage age when it opened, window]
      while (at < 20_000) {
        const probe = probeTime(breaker, clock, at);
        windows.push([at, probe - at]);
        breaker.failure();
        at = probe;
      }
      for (const [age, window] of windows) {
        const nominal = Math.min(1_600, Math.max(200, age / 4));
        expect(window).toBeGreaterThanOrEqual(Math.floor(nominal * factor) - 1);
        expect(window).toBeLessThanOrEqual(Math.ceil(nominal * factor) + 1);
      }
      // A young outage keeps the short window (a blip stays short); a long one reaches the cap.
      expect(windows.slice(0, 3).map(([, w]) => w)).toEqual([200, 200, 200].map((w) => Math.ceil(w * factor - 0.001)));
      expect(windows[windows.length - 1]![1]).toBe(Math.ceil(1_600 * factor - 0.001));
    }
  });

  it('a good probe closes it and starts over from initialCooldownMs', () => {
    const { breaker, clock } = openedBreaker(() => 0.999_999);
    expect(probeTime(breaker, clock, 0)).toBe(200);
    clock.set(4_000); // the probe fails when the outage is 4 s old: the next window is a quarter of that
    breaker.failure();
    const second = probeTime(breaker, clock, 4_000);
    expect(second).toBe(5_000);
    breaker.success();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(probeTime(breaker, clock, second) - second).toBe(200);
  });

  it('a wall clock stepping backwards does not stretch the window', () => {
    const { breaker, clock } = openedBreaker(() => 0.999_999);
    clock.set(-3_600_000);
    expect(breaker.admit()).toBe(1);
    expect(probeTime(breaker, clock, -3_600_000)).toBe(-3_600_000 + 200);
  });

  it('many breakers opened at once probe spread over the jitter range', () => {
    const times = Array.from({ length: 100 }, () => {
      const { breaker, clock } = openedBreaker(Math.random);
      return probeTime(breaker, clock, 0);
    });
    expect(Math.min(...times)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...times)).toBeLessThanOrEqual(200);
    expect(new Set(times).size).toBeGreaterThanOrEqual(30);
  });
});
