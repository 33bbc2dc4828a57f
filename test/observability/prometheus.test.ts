import { Registry } from 'prom-client';
import { registerSessionGuardMetrics, type SessionGuardMetrics } from '../../src/prometheus';
import { createSessionGuard, header, type SessionGuard } from '../../src/index';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';

const APP = 'app-1';
const asUser = (userId: string) => ({ headers: { 'x-user-id': userId } });

describe('registerSessionGuardMetrics (Prometheus)', () => {
  let fake: FakeGenAuth;
  let guard: SessionGuard;
  let registry: Registry;
  let metrics: SessionGuardMetrics | undefined;

  beforeEach(async () => {
    fake = await createFakeGenAuth();
    guard = createSessionGuard({
      host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, identity: header('x-user-id'), retries: 0,
      circuitBreaker: { failureThreshold: 2, initialCooldownMs: 30_000, cooldownMs: 30_000 },
    });
    registry = new Registry();
  });
  afterEach(async () => {
    metrics?.unregister();
    metrics = undefined;
    await guard.close();
    await fake.close();
  });

  it('counts decisions by outcome and code, lookups by event, GenAuth latency in seconds; gauges for the guard', async () => {
    metrics = registerSessionGuardMetrics({ registry, guard });
    await fake.login('alice', APP);
    await guard.authenticate(asUser('alice'), APP);
    await guard.authenticate(asUser('alice'), APP);
    await expect(guard.authenticate({ headers: {} }, APP)).rejects.toMatchObject({ code: 'missing_credentials' });
    fake.kick('alice');
    guard.invalidate('alice');
    await expect(guard.authenticate(asUser('alice'), APP)).rejects.toMatchObject({ code: 'session_inactive' });

    const text = await registry.metrics();
    expect(text).toContain('genauth_guard_decisions_total{outcome="pass",code=""} 2');
    expect(text).toContain('genauth_guard_decisions_total{outcome="refuse",code="missing_credentials"} 1');
    expect(text).toContain('genauth_guard_decisions_total{outcome="refuse",code="session_inactive"} 1');
    expect(text).toContain('genauth_guard_cache_lookups_total{event="miss"} 2');
    expect(text).toContain('genauth_guard_cache_lookups_total{event="hit"} 1');
    expect(text).toMatch(/genauth_guard_upstream_duration_seconds_count\{endpoint="check-session-status",outcome="ok"\} 2/);
    const sum = Number(/genauth_guard_upstream_duration_seconds_sum\{endpoint="check-session-status",outcome="ok"\} (\S+)/.exec(text)![1]);
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(10); // seconds
    expect(text).toContain(`genauth_guard_cached_answers ${guard.stats().size}`);
    expect(text).toContain('genauth_guard_circuit_open 0');
    expect(text).not.toContain('alice');
  });

  it('genauth_guard_circuit_open is 1 while GenAuth fails fast', async () => {
    metrics = registerSessionGuardMetrics({ registry, guard });
    fake.fault({ kind: 'http-status', status: 503 }, { endpoint: 'check' });
    for (const user of ['a', 'b', 'c']) await expect(guard.authenticate(asUser(user), APP)).rejects.toMatchObject({ status: 503 });
    expect(guard.stats().circuit).toBe('open');
    expect(await registry.metrics()).toContain('genauth_guard_circuit_open 1');
    expect(await registry.metrics()).toContain('genauth_guard_decisions_total{outcome="refuse",code="session_check_unavailable"} 3');
  });

  it('without a guard: no gauges; registering twice in one registry is a TypeError; unregister() removes all', async () => {
    metrics = registerSessionGuardMetrics({ registry });
    expect(await registry.metrics()).not.toContain('genauth_guard_cached_answers');
    expect(() => registerSessionGuardMetrics({ registry })).toThrow(/genauth_guard_decisions_total, genauth_guard_upstream_duration_seconds, genauth_guard_cache_lookups_total already registered/);
    metrics.unregister();
    expect(await registry.metrics()).toBe('\n');
    await fake.login('bob', APP);
    await guard.authenticate(asUser('bob'), APP); // nobody listens any more: nothing thrown, nothing counted
    metrics = registerSessionGuardMetrics({ registry });
    expect(await registry.metrics()).not.toContain('outcome="pass"');
  });

  it.each([
    ['a misspelt option', { registery: new Registry() }, /did you mean "registry"/],
    ['a guard that is not one', { guard: {} }, /must be a guard from createSessionGuard/],
  ])('%s is a TypeError', (_name, options, message) => {
    expect(() => registerSessionGuardMetrics(options as never)).toThrow(message);
  });
});
