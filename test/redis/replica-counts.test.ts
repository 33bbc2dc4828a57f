import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import type { SessionGuard } from '../../src/index';
import { manualClock } from '../support/frameworks';
import { startRedis, type RedisServer } from './redis-server';
import { clients, guardFactory, inspector, storesUp, until } from './support';

const APP = 'app-1';
const USERS = Array.from({ length: 25 }, (_, i) => `user-${i}`);
const T = 10_000; // ttlMs
const STEP = 500; // every replica sees every user once per step
const D = 50_000; // simulated duration

/**
 * Counted, not timed: replicas with cold caches take the same request set (every user, on every replica, every
 * STEP ms of an injected clock, for D ms), and the fake GenAuth counts the check calls.
 */
describe('GenAuth calls of replicas with cold caches under the same load (counted)', () => {
  let redis: RedisServer;
  let raw: Awaited<ReturnType<typeof inspector>>;
  let fake: FakeGenAuth;
  let clock: ReturnType<typeof manualClock>;
  const factory = guardFactory(() => ({ fake, url: redis.url, client: clients[0]!, clock }));
  const counts: Record<string, number> = {};

  beforeAll(async () => {
    redis = await startRedis();
    raw = await inspector(redis.url);
  });

  afterAll(async () => {
    raw.destroy();
    await redis.stop();
    // The figures, for the record (BENCHMARKS.md).
    console.log(`check calls, ${USERS.length} users, ttlMs ${T}, ${D / 1000} s simulated:\n${JSON.stringify(counts, null, 2)}`);
  });

  afterEach(async () => {
    await factory.closeAll();
    await fake?.close();
  });

  async function run(label: string, replicas: number, shared: boolean, refreshAheadMs: number): Promise<{ calls: number; guards: SessionGuard[] }> {
    await raw.flushAll();
    clock = manualClock();
    fake = await createFakeGenAuth({ clock });
    for (const user of USERS) await fake.login(user, APP);
    const guards = Array.from({ length: replicas }, () => factory.make({ cache: { ttlMs: T, refreshAheadMs } }, shared ? {} : false));
    if (shared) await storesUp(...guards);
    let passed = 0;
    for (let elapsed = 0; elapsed <= D; elapsed += STEP) {
      const requests = guards.flatMap((guard) => USERS.map((user) => guard.authenticate({ headers: { 'x-user-id': user } }, APP)));
      passed += (await Promise.all(requests)).length;
      // Background refreshes (and their waits for another replica's answer) finish before the clock moves.
      await until(() => guards.every((guard) => guard.stats().inFlight === 0));
      await new Promise((resolve) => setImmediate(resolve));
      clock.advance(STEP);
    }
    expect(passed).toBe(replicas * USERS.length * (D / STEP + 1));
    counts[label] = fake.calls.check;
    await factory.closeAll();
    await fake.close();
    return { calls: fake.calls.check, guards };
  }

  it.each([
    ['with refresh ahead', 1_000],
    ['without refresh ahead', 0],
  ])('four replicas sharing Redis make as many calls as one replica; four times as many without Redis (%s)', async (label, refreshAheadMs) => {
    const one = await run(`1 replica, ${label}`, 1, false, refreshAheadMs);
    const fourShared = await run(`4 replicas + Redis, ${label}`, 4, true, refreshAheadMs);
    const fourAlone = await run(`4 replicas, no Redis, ${label}`, 4, false, refreshAheadMs);
    // One call per user per TTL (at most one more for the start), whatever the number of replicas, with Redis.
    expect(one.calls).toBeLessThanOrEqual(USERS.length * (D / T + 1));
    expect(one.calls).toBeGreaterThanOrEqual(USERS.length * (D / T));
    expect(fourShared.calls).toBe(one.calls);
    expect(fourAlone.calls).toBe(4 * one.calls);
    const stats = fourShared.guards.map((guard) => guard.stats());
    expect(stats.reduce((sum, s) => sum + s.upstreamCalls, 0)).toBe(fourShared.calls);
    expect(stats.every((s) => s.storeErrors === 0)).toBe(true);
  });
});
