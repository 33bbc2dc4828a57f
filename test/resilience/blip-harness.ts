/**
 * A deterministic blip simulation: the real guard against the real fake GenAuth (HTTP on 127.0.0.1), driven on an
 * injected clock. Each step of `stepMs` simulated time sends `clients` concurrent requests for random users, waits
 * for all of them, then advances the clock. GenAuth's health over simulated time comes from `downAt(t)`: while it
 * says down, the fake answers every check with a body `statusCode` 500 (the set-up).
 */
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, header, isSessionGuardError, type SessionGuard, type SessionGuardOptions } from '../../src/index';

export const BLIP_APP = 'app-blip';

export interface BlipScenario {
  /** Simulated duration, in ms. */
  durationMs: number;
  /** Whether GenAuth is down at simulated time `t` (ms since the start). */
  downAt: (t: number) => boolean;
  /** @default 16 */
  clients?: number;
  /** @default 200 */
  users?: number;
  /** @default 10 */
  stepMs?: number;
  /** How many guards (replicas) share the load, round robin. @default 1 */
  guards?: number;
  /** Extra guard options (the defaults are the issue's: ttlMs 200, the default breaker and retries; timeout 10 s). */
  guardOptions?: Partial<SessionGuardOptions>;
}

export interface BlipRecord {
  /** Simulated time of the request, ms since the start. */
  t: number;
  guard: number;
  outcome: 'pass' | 'unavailable' | 'other';
}

export interface BlipResult {
  requests: BlipRecord[];
  /** Simulated time of each check-session-status HTTP request the fake received (retries included), and its guard. */
  upstream: Array<{ t: number; guard: number }>;
  stats: Array<ReturnType<SessionGuard['stats']>>;
}

/** Runs a scenario and returns every request's outcome and every upstream call, on simulated time. */
export async function runBlipScenario(scenario: BlipScenario): Promise<BlipResult> {
  const { durationMs, downAt, clients = 16, users = 200, stepMs = 10, guards: guardCount = 1 } = scenario;
  let simulated = Date.now();
  const clock = Object.assign(() => simulated, { advance: (ms: number) => void (simulated += ms) });
  const start = clock();
  const t = () => clock() - start;
  let fake: FakeGenAuth | undefined;
  const guards: SessionGuard[] = [];
  const upstream: BlipResult['upstream'] = [];
  const requests: BlipRecord[] = [];
  try {
    fake = await createFakeGenAuth({ clock });
    const names = Array.from({ length: users }, (_, i) => `user-${i}`);
    for (const name of names) await fake.login(name, BLIP_APP);
    for (let g = 0; g < guardCount; g++) {
      const counted: typeof fetch = (input, init) => {
        if (String(input).endsWith('/check-session-status')) upstream.push({ t: t(), guard: g });
        return fetch(input, init);
      };
      guards.push(createSessionGuard({
        host: fake.host,
        accessKeyId: fake.accessKeyId,
        accessKeySecret: fake.accessKeySecret,
        identity: header('x-user-id'),
        clock,
        fetch: counted,
        cache: { ttlMs: 200 },
        // GenAuth's failures here are body statusCode 500 answers, never a timeout: a roomy timeout keeps a busy
        // machine from adding timeouts (real time) to the simulated outage.
        timeoutMs: 10_000,
        ...scenario.guardOptions,
      } as SessionGuardOptions));
    }
    let down = false;
    for (let step = 0; step * stepMs < durationMs; step++) {
      const now = t();
      if (downAt(now) !== down) {
        down = !down;
        if (down) fake.fault({ kind: 'body-status', statusCode: 500 });
        else fake.clearFaults();
      }
      await Promise.all(Array.from({ length: clients }, async (_, client) => {
        const g = (step * clients + client) % guardCount;
        const user = names[Math.floor(Math.random() * names.length)]!;
        const outcome = await guards[g]!.authenticate({ headers: { 'x-user-id': user } }, BLIP_APP).then(
          () => 'pass' as const,
          (error: unknown) => (isSessionGuardError(error) && error.code === 'session_check_unavailable' ? 'unavailable' as const : 'other' as const),
        );
        requests.push({ t: now, guard: g, outcome });
      }));
      clock.advance(stepMs);
    }
    return { requests, upstream, stats: guards.map((guard) => guard.stats()) };
  } finally {
    for (const guard of guards) await guard.close();
    await fake?.close();
  }
}

/** Requests, 503s and upstream calls with simulated time in [from, to). */
export function within(result: BlipResult, from: number, to: number) {
  const requests = result.requests.filter((r) => r.t >= from && r.t < to);
  return {
    requests: requests.length,
    passes: requests.filter((r) => r.outcome === 'pass').length,
    unavailable: requests.filter((r) => r.outcome === 'unavailable').length,
    other: requests.filter((r) => r.outcome === 'other').length,
    upstream: result.upstream.filter((u) => u.t >= from && u.t < to).length,
  };
}
