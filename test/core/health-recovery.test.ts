import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createFakeGenAuth, type FakeGenAuth } from '../../src/testing';
import { createSessionGuard, header, type SessionGuard, type SessionGuardOptions } from '../../src/index';
import { APP, asUser, rejectionOf, until, useHarness } from './fixtures';

/**
 * Issue 18, item 8: health() recovers with no request coming in. The guard's own probe runs on a real (unref'd)
 * timer, so these tests use the real clock with short windows, and assert states, not durations.
 */
describe('health() recovers on its own', () => {
  let fake: FakeGenAuth;
  const guards: SessionGuard[] = [];

  beforeEach(async () => {
    fake = await createFakeGenAuth();
  });
  afterEach(async () => {
    for (const guard of guards.splice(0)) await guard.close();
    await fake.close();
  });

  const COOLDOWN_MS = 200;

  function makeGuard(overrides: Partial<SessionGuardOptions> = {}): SessionGuard {
    const guard = createSessionGuard({
      host: fake.host,
      accessKeyId: fake.accessKeyId,
      accessKeySecret: fake.accessKeySecret,
      identity: header('x-user-id'),
      timeoutMs: 5_000,
      retries: 0,
      circuitBreaker: { failureThreshold: 2, initialCooldownMs: COOLDOWN_MS, cooldownMs: COOLDOWN_MS },
      ...overrides,
    } as SessionGuardOptions);
    guards.push(guard);
    return guard;
  }

  async function openCircuit(guard: SessionGuard): Promise<void> {
    fake.fault({ kind: 'http-status', status: 503 });
    await rejectionOf(guard.authenticate(asUser('a'), APP));
    await rejectionOf(guard.authenticate(asUser('b'), APP));
    expect(guard.health()).toMatchObject({ ok: false, circuit: 'open' });
  }

  it('an open circuit closes once GenAuth answers again, with no request (cooldown + 2 s at most)', async () => {
    const guard = makeGuard();
    await openCircuit(guard);
    fake.clearFaults();
    const checks = fake.calls.check;
    await until(() => guard.health().ok, 'health ok again', COOLDOWN_MS + 2_000);
    expect(guard.health()).toMatchObject({ ok: true, circuit: 'closed' });
    expect(fake.calls.check - checks).toBe(1); // one probe
    // And requests are served again.
    await fake.login('alice', APP);
    await expect(guard.authenticate(asUser('alice'), APP)).resolves.toMatchObject({ userId: 'alice' });
  });

  it('while GenAuth stays down: one probe per window, the circuit stays open; then it recovers', async () => {
    const guard = makeGuard();
    await openCircuit(guard);
    const checks = fake.calls.check;
    const started = Date.now();
    await until(() => fake.calls.check >= checks + 2, 'two background probes', 4 * COOLDOWN_MS + 2_000);
    await new Promise((resolve) => setTimeout(resolve, 2 * COOLDOWN_MS));
    // Windows are jittered between half and all of COOLDOWN_MS: never more than one probe per half window.
    expect(fake.calls.check - checks).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / (COOLDOWN_MS / 2)) + 1);
    expect(guard.health()).toMatchObject({ ok: false });
    expect(guard.stats().circuit).not.toBe('closed');
    fake.clearFaults();
    await until(() => guard.health().ok, 'health ok again', COOLDOWN_MS + 2_000);
    expect(guard.stats().circuit).toBe('closed');
  });

  it('makes no call after close()', async () => {
    const guard = makeGuard();
    await openCircuit(guard);
    fake.clearFaults();
    await guard.close();
    const checks = fake.calls.check;
    await new Promise((resolve) => setTimeout(resolve, 3 * COOLDOWN_MS));
    expect(fake.calls.check).toBe(checks);
  });

  it('its timer never keeps the process alive (a guard left open on an open circuit, GenAuth gone)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsg-recovery-'));
    const src = resolve(__dirname, '../../src');
    const script = join(dir, 'recovery-exits.mts');
    writeFileSync(script, `
import { createSessionGuard, header } from ${JSON.stringify(join(src, 'index.ts'))};
import { createFakeGenAuth } from ${JSON.stringify(join(src, 'testing.ts'))};
const fake = await createFakeGenAuth();
const guard = createSessionGuard({
  host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, identity: header('x-user-id'),
  retries: 0, circuitBreaker: { failureThreshold: 1, initialCooldownMs: 50, cooldownMs: 100 },
});
fake.fault({ kind: 'http-status', status: 503 });
await guard.authenticate({ headers: { 'x-user-id': 'a' } }, 'app-1').catch(() => undefined);
await fake.close();
console.log(guard.health().circuit);
`);
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => child.on('exit', (c, s) => done([c, s])));
      clearTimeout(killer);
      expect({ code, signal, stdout }).toEqual({ code: 0, signal: null, stdout: 'open\n' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('a ready() failed on an unreachable host: not ok, retried in the background, ok once GenAuth answers', async () => {
    fake.fault({ kind: 'reset' }, { endpoint: 'token' });
    const guard = makeGuard();
    const error = await rejectionOf(guard.ready());
    expect(error).toMatchObject({ reason: 'unreachable' });
    expect(guard.health()).toMatchObject({ ok: false, notReady: 'unreachable' });
    fake.clearFaults();
    await until(() => guard.health().ok, 'health ok again', COOLDOWN_MS + 2_000);
    expect(guard.health().notReady).toBeUndefined();
    expect(fake.calls.token).toBeGreaterThanOrEqual(2);
  });
});

describe('the recovery probe and requests', () => {
  const h = useHarness();

  it('makes no probe of its own while requests probe (injected clock: the window is over only when it says)', async () => {
    const { fake, clock } = h();
    jest.spyOn(Math, 'random').mockReturnValue(1); // windows at their nominal length
    const guard = h().guard({ circuitBreaker: { failureThreshold: 2, initialCooldownMs: 100, cooldownMs: 100 } });
    await fake.login('alice', APP);
    fake.fault({ kind: 'http-status', status: 503 });
    await rejectionOf(h().ask(guard, 'a'));
    await rejectionOf(h().ask(guard, 'b'));
    fake.clearFaults();
    // Real time passes, the guard's clock does not: the window is not over, no probe goes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(guard.health()).toMatchObject({ ok: false, circuit: 'open' });
    const checks = fake.calls.check;
    expect(checks).toBe(2);
    // A request after the window makes the probe and closes the circuit; the timer then finds nothing to do.
    clock.advance(100);
    await expect(h().ask(guard, 'alice')).resolves.toMatchObject({ userId: 'alice' });
    expect(guard.health()).toMatchObject({ ok: true, circuit: 'closed' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.calls.check).toBe(checks + 1);
    jest.restoreAllMocks();
  });
});
