import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
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
    // The figures, for the record (docs/replicas.md and BENCHMARKS.md give them: checked by the last test).
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

  // Last, once the runs above have counted: the docs give the figures of this run, so they cannot go stale.
  it('docs/replicas.md and BENCHMARKS.md give the figures counted here', () => {
    const runs = ['with refresh ahead', 'without refresh ahead'].map((label) => ({
      label,
      counted: [`1 replica, ${label}`, `4 replicas + Redis, ${label}`, `4 replicas, no Redis, ${label}`].map((key) => counts[key]),
    }));
    if (runs.some(({ counted }) => counted.includes(undefined))) throw new Error('run the whole file: the figures come from the tests above');
    const root = resolve(__dirname, '../..');
    const number = (text: string) => Number(text.replace(/,/g, ''));

    const benchmarks = readFileSync(resolve(root, 'BENCHMARKS.md'), 'utf8');
    const rows = { 'with refresh ahead': 'refresh ahead 1 s', 'without refresh ahead': 'no refresh ahead' };
    for (const { label, counted } of runs) {
      const row = benchmarks.split('\n').find((line) => line.startsWith(`| check-session-status calls, ${rows[label as keyof typeof rows]} |`));
      const figures = row?.split('|').slice(2, 5).map((cell) => number(cell.trim()));
      expect({ label, figures }).toEqual({ label, figures: counted });
    }

    const replicas = readFileSync(resolve(root, 'docs/replicas.md'), 'utf8').replace(/\s+/g, ' ');
    const sentence = /as many GenAuth calls as one replica \(([\d,]+)\), against four times as many \(([\d,]+)\) without it/.exec(replicas);
    expect(sentence).not.toBeNull();
    for (const { label, counted } of runs) {
      const [shared, alone] = [number(sentence![1]!), number(sentence![2]!)];
      expect({ label, figures: [shared, shared, alone] }).toEqual({ label, figures: counted });
    }
  });
});
