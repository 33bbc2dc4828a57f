import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SessionCheckUnavailableError } from '../../src/index';
import { APP, asUser, rejectionOf, until, useHarness } from './fixtures';

describe('close()', () => {
  const h = useHarness();

  it('afterwards every request with an identity gets a 503, and GenAuth is not asked', async () => {
    const { fake } = h();
    const guard = h().guard();
    await fake.login('alice', APP);
    await guard.authenticate(asUser('alice'), APP);
    await guard.close();
    for (const user of ['alice', 'bob']) {
      const error = await rejectionOf(guard.authenticate(asUser(user), APP));
      expect(error).toBeInstanceOf(SessionCheckUnavailableError);
      expect(error.headers).toEqual({ 'retry-after': '1' });
    }
    expect(fake.calls.check).toBe(1);
    expect(guard.stats().size).toBe(0);
    await guard.close(); // idempotent
  });

  it('lookups under way (shared by 100 requests) end at once with a 503, none passes', async () => {
    const { fake } = h();
    const guard = h().guard({ timeoutMs: 60_000 });
    await fake.login('alice', APP);
    fake.fault({ kind: 'hang' });
    const pending = Promise.allSettled(Array.from({ length: 100 }, () => guard.authenticate(asUser('alice'), APP)));
    await until(() => fake.calls.check === 1, 'check received');
    await guard.close();
    const outcomes = await pending;
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof SessionCheckUnavailableError)).toBe(true);
    expect(fake.calls.check).toBe(1);
  });

  it('a retry backoff under way is cut short by close()', async () => {
    const { fake } = h();
    const guard = h().guard({ retries: 3, circuitBreaker: false });
    await fake.login('alice', APP);
    fake.fault({ kind: 'throttle', retryAfterSec: 1 }); // each retry waits 1 s
    const pending = rejectionOf(guard.authenticate(asUser('alice'), APP));
    await until(() => fake.calls.check === 1, 'first attempt');
    await guard.close();
    expect(await pending).toBeInstanceOf(SessionCheckUnavailableError);
    expect(fake.calls.check).toBe(1);
  });

  it('a process that used a guard and closed it (and the fake) exits by itself, with calls in flight at close time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gsg-close-'));
    const src = resolve(__dirname, '../../src');
    const script = join(dir, 'close-exits.mts');
    writeFileSync(script, `
import { createSessionGuard, header } from ${JSON.stringify(join(src, 'index.ts'))};
import { createFakeGenAuth } from ${JSON.stringify(join(src, 'testing.ts'))};
const fake = await createFakeGenAuth();
await fake.login('alice', 'app-1');
const results = [];
for (const auth of ['token', 'signature']) {
  for (const cache of [undefined, false]) {
    const guard = createSessionGuard({
      host: fake.host, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret,
      auth, cache, identity: header('x-user-id'), retries: 2, timeoutMs: 600000,
    });
    const ok = await guard.authenticate({ headers: { 'x-user-id': 'alice' } }, 'app-1');
    const before = fake.calls.check;
    fake.fault({ kind: 'hang' }, { times: 1 });
    fake.fault({ kind: 'throttle', retryAfterSec: 1 }, { times: 1 });
    const hanging = guard.authenticate({ headers: { 'x-user-id': 'bob' } }, 'app-1').catch((e) => e.code);
    const backingOff = guard.authenticate({ headers: { 'x-user-id': 'carol' } }, 'app-1').catch((e) => e.code);
    while (fake.calls.check < before + 2) await new Promise((r) => setTimeout(r, 5)); // both calls reached the fake
    await guard.close();
    results.push([auth, cache, ok.userId, await hanging, await backingOff]);
  }
}
await fake.close();
console.log(JSON.stringify(results));
// What keeps this process alive now: timers (a timeout, a backoff) must all be gone; sockets are closing.
console.log(JSON.stringify(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout')));
console.log('closed-all');
`);
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      // Far beyond what the script takes on a loaded machine (tens of seconds at worst), far below the 10 min a
      // timeout left running could hold it.
      const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => child.on('exit', (c, s) => done([c, s])));
      clearTimeout(killer);
      // Exited by itself (not killed), with no timer left once everything was closed: nothing held it (counted, not
      // timed; the guard's own timeout here is 10 min, the backoff 1 s).
      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      const [resultsLine, timersLine, closedLine] = stdout.split('\n');
      expect(closedLine).toBe('closed-all');
      expect(JSON.parse(timersLine ?? 'null')).toEqual([]);
      const results = JSON.parse(resultsLine ?? '[]') as unknown[][];
      expect(results).toHaveLength(4);
      for (const [, , ok, hanging, backingOff] of results) {
        expect(ok).toBe('alice');
        expect(hanging).toBe('session_check_unavailable');
        expect(backingOff).toBe('session_check_unavailable');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
