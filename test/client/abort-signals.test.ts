import { SessionCheckUnavailableError } from '../../src/index';
import { APP, rejectionOf, until, useHarness } from '../core/fixtures';

/**
 * On Node 20, a signal made by `AbortSignal.any([a, b])` stays registered (a WeakRef in a Set that is never pruned)
 * on each of its sources for as long as the source lives. Composing, per upstream call, a signal that lives as long
 * as the guard (its close signal) therefore grows the heap by ~50-100 bytes per call, without bound (measured:
 * +9 MB per 180k calls). These tests pin that no signal outliving a call is fed to AbortSignal.any per call, and that
 * close() and invalidate() still abort calls under way.
 */
describe('abort signals of upstream calls', () => {
  const h = useHarness();
  let uses: Map<AbortSignal, number>;

  beforeEach(() => {
    uses = new Map();
    const original = AbortSignal.any.bind(AbortSignal);
    jest.spyOn(AbortSignal, 'any').mockImplementation((signals: AbortSignal[]) => {
      for (const signal of signals) uses.set(signal, (uses.get(signal) ?? 0) + 1);
      return original(signals);
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each([
    ['cache: false, signature', { cache: false as const, auth: 'signature' as const }],
    ['cached, distinct users, token', { auth: 'token' as const }],
  ])('no signal is composed with AbortSignal.any by more than one call (%s)', async (_label, options) => {
    const { fake } = h();
    const guard = h().guard(options);
    for (let i = 0; i < 40; i++) await fake.login(`user-${i}`, APP);
    for (let i = 0; i < 40; i++) await h().ask(guard, `user-${i}`);
    expect(fake.calls.check).toBe(40);
    const most = Math.max(0, ...uses.values());
    expect(most).toBeLessThanOrEqual(2);
  });

  it('close() still aborts a call under way: the request gets a 503 at once, not after the timeout', async () => {
    const { fake } = h();
    // A timeout far beyond the test's own (jest's testTimeout): only close() can end this call in time.
    const guard = h().guard({ timeoutMs: 1_000_000 });
    await fake.login('alice', APP);
    fake.fault({ kind: 'hang' });
    const pending = rejectionOf(h().ask(guard, 'alice'));
    await until(() => fake.calls.check === 1, 'check received');
    await guard.close();
    const error = await pending;
    expect(error).toBeInstanceOf(SessionCheckUnavailableError);
    // Told apart by its cause, not by a stopwatch: the call was aborted, it did not time out.
    expect(error.cause).toMatchObject({ name: 'UpstreamError', kind: 'aborted' });
  });

  it('the token call under way is aborted by close() as well', async () => {
    const { fake } = h();
    const guard = h().guard({ auth: 'token', timeoutMs: 1_000_000 });
    await fake.login('alice', APP);
    fake.fault({ kind: 'hang' }, { endpoint: 'token' });
    const pending = rejectionOf(h().ask(guard, 'alice'));
    await until(() => fake.calls.token === 1, 'token request received');
    await guard.close();
    const error = await pending;
    expect(error).toBeInstanceOf(SessionCheckUnavailableError);
    expect(error.cause).toMatchObject({ name: 'UpstreamError', kind: 'aborted' });
    expect(fake.calls.check).toBe(0);
  });
});
