import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, header, type SessionGuard } from '../../src/index';
import { manualClock } from '../support/frameworks';

const APP = 'app-1';

async function until(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('upstream calls under steady load (counted, not timed)', () => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;
  afterEach(async () => {
    await guard.close();
    await fake.close();
  });

  it.each([
    ['with refresh ahead', 100],
    ['without refresh ahead', 0],
  ])('over D seconds with TTL T, calls stay within users × (D/T + 1) (%s)', async (_label, refreshAheadMs) => {
    const clock = manualClock();
    fake = await createFakeGenAuth({ clock });
    const users = Array.from({ length: 25 }, (_, i) => `user-${i}`);
    for (const user of users) await fake.login(user, APP);
    const T = 1_000;
    const D = 5_000;
    guard = createSessionGuard({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      identity: header('x-user-id'),
      clock,
      cache: { ttlMs: T, refreshAheadMs },
    });
    let passed = 0;
    for (let elapsed = 0; elapsed <= D; elapsed += 50) {
      const results = await Promise.all(users.map((user) => guard.authenticate({ headers: { 'x-user-id': user } }, APP)));
      passed += results.length;
      await until(() => guard.stats().inFlight === 0);
      clock.advance(50);
    }
    expect(passed).toBe(users.length * (D / 50 + 1));
    expect(fake.calls.check).toBeLessThanOrEqual(users.length * (D / T + 1));
    expect(fake.calls.check).toBeGreaterThanOrEqual(users.length * (D / T));
    expect(fake.calls.token).toBe(1);
  });
});
